"""A Unix-socket proxy in front of the server, to lose answers and count connections."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from pathlib import Path
from typing import List


class Proxy:
    """Forwards connections on its own socket to ``upstream``. The first ``swallow`` connections
    have their answers read from the server and thrown away, so the client sees a timeout while
    the server did the work. What the clients sent is kept in ``sent``."""

    def __init__(self, upstream: Path, swallow: int = 0) -> None:
        self.upstream = str(upstream)
        self.swallow = swallow
        self.directory = tempfile.mkdtemp(prefix="prevention-proxy-")
        self.path = Path(self.directory) / "proxy.sock"
        self.connections = 0
        self.sent: List[bytes] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.path))
        self._listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                swallow = self.connections <= self.swallow
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.upstream)
            threading.Thread(target=self._pump, args=(client, upstream, True, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, not swallow, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, deliver: bool, record: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if record:
                    with self._lock:
                        self.sent.append(data)
                if deliver:
                    target.sendall(data)
        except OSError:
            pass
        finally:
            # Shut down first, which wakes the other direction's recv, then close: both pumps
            # close both ends, and closing twice is harmless.
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()

    def sent_text(self) -> str:
        """Everything the clients sent, as text."""
        with self._lock:
            return b"".join(self.sent).decode("utf-8", "replace")

    def close(self) -> None:
        self._listener.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.directory)
        except OSError:
            pass
