"""ASGI middleware that guards the upload endpoints (``POST /v1/...``) before FastAPI reads them.

In this order, each answered at once with a JSON error and without reading the body:
415 unless the body is ``multipart/form-data``; 413 when ``Content-Length`` is over the limit;
503 + ``Retry-After`` when the inference pool has no admission slot. While the body streams in,
its bytes are counted (413 past the limit, chunked uploads included) and it must arrive within
``body_timeout_s`` (408). Every response also gets the security headers below.
"""

from __future__ import annotations

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dense_landmarks.service.config import ServiceConfig
from dense_landmarks.service.errors import error_body
from dense_landmarks.service.pool import InferencePool, PoolFull

#: No external request is possible from the page: everything comes from this origin.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; "
        b"connect-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
        b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _reply(status: int, code: str, message: str, headers: dict[str, str] | None = None):
    return JSONResponse(error_body(status, code, message), status, headers=headers)


class UploadGuard:
    def __init__(self, app: ASGIApp, config: ServiceConfig, pool: InferencePool):
        self.app = app
        self.config = config
        self.pool = pool

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/v1/")
        ):
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope["headers"]}
        ctype = headers.get(b"content-type", b"").decode("latin-1").strip().lower()
        limit = self.config.max_upload_bytes
        if not ctype.startswith("multipart/form-data"):
            got = ctype or "no content type"
            msg = f"expected a multipart/form-data upload (field 'image'), got {got}"
            return await _reply(415, "unsupported_media_type", msg)(scope, receive, send)
        length = headers.get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n < 0:
                msg = "invalid Content-Length header"
                return await _reply(400, "bad_request", msg)(scope, receive, send)
            if n > limit:
                msg = f"upload of {n} bytes is over the limit of {limit} bytes"
                return await _reply(413, "upload_too_large", msg)(scope, receive, send)
        try:
            ticket = self.pool.admit()
        except PoolFull:
            msg = "the server is busy; retry shortly"
            response = _reply(503, "busy", msg, headers={"Retry-After": "1"})
            return await response(scope, receive, send)
        scope.setdefault("state", {})["ticket"] = ticket
        deadline = time.monotonic() + self.config.body_timeout_s
        state = {"bytes": 0, "done": False}

        async def guarded_receive() -> Message:
            if state["done"]:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                msg = f"the upload did not arrive within {self.config.body_timeout_s:g} s"
                raise HTTPException(408, msg) from None
            if message["type"] == "http.request":
                state["bytes"] += len(message.get("body", b""))
                if state["bytes"] > limit:
                    raise HTTPException(413, f"upload is over the limit of {limit} bytes")
                state["done"] = not message.get("more_body", False)
            return message

        try:
            await self.app(scope, guarded_receive, send)
        finally:
            ticket.release()
