"""The network rows' peer on the host (scenarios.NET_SHAPES): Python's http.server on a free port of
127.0.0.1, serving a NET_BULK_MIB MiB bulk.bin, which every guest reaches as 10.0.2.2:PORT through
QEMU's user network (slirp). One server for the whole run, started only when a network image boots."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """with Server(dir, mib, needed) as port: ... (port None when not needed or when the server
    could not start)."""

    def __init__(self, www: str, mib: int, needed: bool = True):
        self.www, self.mib, self.needed, self.proc, self.port = www, mib, needed, None, None

    def __enter__(self):
        if not self.needed:
            return None
        os.makedirs(self.www, exist_ok=True)
        bulk = os.path.join(self.www, "bulk.bin")
        if not os.path.isfile(bulk) or os.path.getsize(bulk) != self.mib << 20:
            with open(bulk, "wb") as f:
                f.write(b"T" * (self.mib << 20))
        self.port = free_port()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                                          "--directory", self.www, str(self.port)], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            self.port = None
            return None
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self.port
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        self.port = None
        return None

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        return False
