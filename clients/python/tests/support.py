"""Test support: a temporary project served by the real ``prevention serve``, as a process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Callable, Dict, List, Optional

from prevention import _transport

CLIENT_DIR = Path(__file__).resolve().parents[1]
REPO = CLIENT_DIR.parents[1]
CLI = REPO / "packages" / "cli" / "bin" / "prevention.js"
NODE = shutil.which("node") or "node"
SHARED = "bmad/agents/core/shared_context.json"

CONFIG = """export default {
  files: [{ path: 'bmad/agents/core/shared_context.json' }, { path: 'state.json' }, { path: 'data/*.json' }],
};
"""

#: An event as the old bus wrote it: local time without a zone.
SEEDED_EVENT = {
    "timestamp": "2025-08-02T23:19:01.723373",
    "event": "component_build_requested",
    "data": {"component": "api"},
}


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Waits until ``condition()`` holds; fails naming ``what`` after ``timeout`` (a safety net, never a measure)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def python_env(**extra: str) -> Dict[str, str]:
    """The environment of a child Python process that imports this checkout's ``prevention``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLIENT_DIR), env.get("PYTHONPATH")]))
    env.pop("PREVENTION_AUTOSTART", None)
    env.update(extra)
    return env


class Project:
    """A temporary project with a ``prevention.config.mjs`` and, once started, its server."""

    def __init__(self, seed_legacy: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="prevention-py-")).resolve()
        (self.root / "prevention.config.mjs").write_text(CONFIG)
        (self.root / SHARED).parent.mkdir(parents=True)
        (self.root / "data").mkdir()
        if seed_legacy:
            # A file the old bus wrote: indent 2, one top-level key.
            (self.root / SHARED).write_text(json.dumps({"events": [SEEDED_EVENT]}, indent=2))
        self.server: Optional[subprocess.Popen] = None
        self.logs: List[Path] = []

    @property
    def socket(self) -> Path:
        return _transport.socket_path_for(self.root)

    def path(self, name: str) -> Path:
        return self.root / name

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        """Starts ``node packages/cli/bin/prevention.js serve [args]`` in the project; returns once it answers."""
        log = self.root / f"serve-{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            self.server = subprocess.Popen(
                [NODE, str(CLI), "serve", *args], cwd=self.root, stdout=out, stderr=out, env={**os.environ, **env}
            )
        server = self.server

        def up() -> bool:
            if server.poll() is not None:
                raise AssertionError(f"prevention serve exited with {server.returncode}: {log.read_text()}")
            # The server handles SIGTERM only from the moment it logs that it listens (its socket
            # answers a little earlier), so a test that stops it at once waits for both.
            return _transport.probe(self.socket) is not None and b"prevention serve is listening" in log.read_bytes()

        wait_for(up, "prevention serve to answer")
        return server

    def stop(self) -> None:
        """Stops the server with SIGTERM and checks it exits 0."""
        server, self.server = self.server, None
        if server is None or server.poll() is not None:
            return
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise AssertionError("prevention serve did not stop on SIGTERM")
        if code != 0:
            raise AssertionError(f"prevention serve exited with {code} on SIGTERM: {self.logs[-1].read_text()}")

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def run_python(self, script: str, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
        """Runs ``tests/scripts/<script>`` with ``python3`` in the project directory."""
        return subprocess.run(
            [sys.executable, str(Path(__file__).parent / "scripts" / script), *args],
            cwd=self.root,
            env=python_env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


class ServedTestCase(unittest.TestCase):
    """A test with a fresh project whose server runs for the test's duration."""

    seed_legacy = False

    def setUp(self) -> None:
        self.project = Project(seed_legacy=self.seed_legacy)
        self.addCleanup(self.project.cleanup)
        self.project.start()
