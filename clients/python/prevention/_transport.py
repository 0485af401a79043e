"""Finding the project's service, connecting to it, and starting it when it does not answer."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from .errors import UNAVAILABLE, PreventionError

STATE_DIR = ".prevention"
SOCKET_NAME = "prevention.sock"

# One notice per process that a service was started, however many clients start one.
_announced = False
_start_lock = threading.Lock()


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP/1.1 connection over a Unix domain socket (``http.client`` speaks only TCP)."""

    def __init__(self, path: str, timeout: Optional[float] = None) -> None:
        # The host only fills the Host header; the socket path is what is dialled.
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if self.timeout is not None:
                sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def _has_config(directory: Path) -> bool:
    try:
        with os.scandir(directory) as entries:
            return any(entry.name.startswith("prevention.config.") and entry.is_file() for entry in entries)
    except OSError:
        return False


def find_root(start: Optional[Path] = None) -> Path:
    """The project root: the nearest directory, from ``start`` (the working directory) upwards,
    that has a ``prevention.config.*`` file or an existing ``.prevention/prevention.sock``.
    Without one, ``start`` itself, as ``prevention serve`` does."""
    here = Path(start or os.getcwd()).resolve()
    for directory in (here, *here.parents):
        if _has_config(directory) or (directory / STATE_DIR / SOCKET_NAME).exists():
            return directory
    return here


def socket_path_for(root: Path) -> Path:
    """Where the service of the project at ``root`` listens."""
    return root / STATE_DIR / SOCKET_NAME


def find_binary(root: Path) -> List[str]:
    """The command that runs ``prevention``: ``PREVENTION_BIN``, else ``node_modules/.bin/prevention``
    from the project upwards, else ``prevention`` on ``PATH``. A ``.js``/``.mjs`` file runs with node."""
    configured = os.environ.get("PREVENTION_BIN")
    candidates: List[str] = []
    if configured:
        candidates.append(configured)
    else:
        for directory in (root, *root.parents):
            candidate = directory / "node_modules" / ".bin" / "prevention"
            if candidate.exists():
                candidates.append(str(candidate))
                break
        else:
            found = shutil.which("prevention")
            if found:
                candidates.append(found)
    if not candidates:
        raise PreventionError(
            UNAVAILABLE,
            f"the prevention service for {root} does not answer, and no prevention command was found to start it",
            hint="install @prevention/cli in the project, set PREVENTION_BIN, or start `prevention serve` yourself",
        )
    binary = candidates[0]
    if binary.endswith((".js", ".mjs")):
        return [shutil.which("node") or "node", binary]
    return [binary]


def probe(path: Path, timeout: float = 2.0) -> Optional[Dict[str, Any]]:
    """The service's health answer, or ``None`` when nothing answers at ``path``."""
    connection = UnixHTTPConnection(str(path), timeout=timeout)
    try:
        connection.request("GET", "/v1/health")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            return None
        health = json.loads(body)
        return health if isinstance(health, dict) and health.get("status") == "ok" else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()


def start_service(root: Path, wait: float = 30.0) -> Dict[str, Any]:
    """Starts ``prevention serve`` for ``root`` detached from this process and waits until it
    answers ``GET /v1/health``. Safe to race: a second server for the project refuses to start
    (the first one answers), and every caller waits for whichever answers."""
    global _announced
    path = socket_path_for(root)
    with _start_lock:
        health = probe(path)
        if health is not None:
            return health
        command = find_binary(root) + ["serve"]
        (root / STATE_DIR).mkdir(mode=0o700, exist_ok=True)
        log_path = root / STATE_DIR / "serve.log"
        with open(log_path, "ab") as log:
            try:
                process = subprocess.Popen(
                    command,
                    cwd=str(root),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    # Its own session: the service outlives this process and its terminal's signals.
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as error:
                raise PreventionError(
                    UNAVAILABLE, f"could not start the prevention service for {root} with {' '.join(command)}: {error}"
                ) from error
        deadline = time.monotonic() + wait
        delay = 0.02
        while True:
            health = probe(path)
            if health is not None:
                break
            code = process.poll()
            # Exit 1 is what a second server says when another one won the start: keep waiting for it.
            if code is not None and code != 1:
                raise PreventionError(
                    UNAVAILABLE,
                    f"`{' '.join(command)}` exited with code {code} before answering; see {log_path}",
                )
            if time.monotonic() > deadline:
                raise PreventionError(
                    UNAVAILABLE, f"`{' '.join(command)}` did not answer on {path} within {wait:.0f} s; see {log_path}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)
        # Said only by the process whose server answers. One whose server lost the start to
        # another process's exits (1, PREVENTION_SERVE_RUNNING) once it sees the winner; a
        # wrapper script around the winner keeps running with a pid of its own.
        ours = health.get("pid") == process.pid
        if not ours:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                ours = True
        if ours and not _announced:
            _announced = True
            print(
                f"prevention: started `prevention serve` for {root} (pid {health.get('pid')}); its log is {log_path}",
                file=sys.stderr,
            )
        return health
