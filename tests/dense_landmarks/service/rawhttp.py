"""Raw-socket HTTP for requests a normal client will not send (lying headers, endless bodies)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable


def exchange(port: int, head: bytes, body: Iterable[bytes] = (), timeout: float = 20.0) -> bytes:
    """Send ``head`` then ``body`` chunks (from a thread, stopping when the server closes) while
    reading the reply until the server closes or ``timeout``; returns what was read."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send() -> None:
        try:
            sock.sendall(head)
            for chunk in body:
                sock.sendall(chunk)
        except OSError:  # the server answered and closed: expected
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    got = bytearray()
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            got += data
            if b"\r\n\r\n" in got and _complete(got):
                break
    except OSError:
        pass
    finally:
        sock.close()
        sender.join(timeout=5)
    return bytes(got)


def _complete(reply: bytearray) -> bool:
    head, _, rest = bytes(reply).partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return len(rest) >= int(v)
    return False


def status_of(reply: bytes) -> int:
    """The status code of a raw reply (0 when there was none)."""
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and reply.startswith(b"HTTP/") else 0


def post_head(path: str, extra: str = "", boundary: str = "b0undary") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{extra}\r\n"
    ).encode()
