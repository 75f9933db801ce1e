"""Start ``dense-landmarks serve`` in a subprocess on a free loopback port (tests, ``eval.load``).

with LiveServer(["--threads", "1"]) as server:
    Client(server.url).get("/health")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dense_landmarks.service.client import Client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``), bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class LiveServer:
    """``python -m dense_landmarks.cli serve --host 127.0.0.1 --port <free> *args``.

    Args:
        args: more ``serve`` options.
        startup_s: how long to wait for ``/health``.
        log: file for the server's output (default: discarded).
    """

    def __init__(self, args: list[str] | None = None, startup_s: float = 60.0, log=None):
        self.args = list(args or [])
        self.startup_s = startup_s
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        cmd = [sys.executable, "-m", "dense_landmarks.cli", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--log-level", "warning", "--no-access-log", *self.args]  # fmt: skip
        out = self.log if self.log is not None else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=out, env=os.environ.copy())
        deadline = time.monotonic() + self.startup_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {cmd}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"server did not answer /health within {self.startup_s} s")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self) -> bool:
        """The process runs and answers ``/health`` with 200."""
        if self.proc is None or self.proc.poll() is not None:
            return False
        c = Client(self.url, timeout=10)
        try:
            return c.get("/health").status == 200
        finally:
            c.close()
