"""A small stdlib-only HTTP client for the service (used by the tests and ``eval.load``).

from dense_landmarks.service.client import Client
c = Client("http://127.0.0.1:8000")
r = c.post_image("/v1/landmarks?density=1000", open("photo.jpg", "rb").read())
r.status, r.json()["faces"]
"""

from __future__ import annotations

import http.client
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request.

    Args:
        fields: name -> text value.
        files: name -> (filename, bytes, content type).
    """
    boundary = "dl-" + secrets.token_hex(12)
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for name, (filename, data, ctype) in files.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
        ).encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


class Client:
    """One keep-alive connection to ``base`` (``http://host:port``); not thread-safe."""

    def __init__(self, base: str, timeout: float = 60.0):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = u.hostname or "127.0.0.1", u.port or 80, timeout
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Reply:
        for attempt in (0, 1):  # one retry on a connection the server closed while idle
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                resp = self._conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
                continue
            reply = Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
            if reply.headers.get("connection", "").lower() == "close":
                self.close()
            return reply
        raise AssertionError("unreachable")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post_image(
        self,
        path: str,
        data: bytes,
        fields: dict[str, str] | None = None,
        filename: str = "image.jpg",
        ctype: str = "application/octet-stream",
    ) -> Reply:
        body, content_type = multipart(fields or {}, {"image": (filename, data, ctype)})
        return self.request("POST", path, body, {"Content-Type": content_type})
