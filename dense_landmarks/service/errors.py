"""One JSON error body for every failure, and the handlers that produce it.

    {"error": {"status": 413, "code": "too_many_pixels", "message": "image: 8000x6000 = ..."}}

Validation errors (422) also carry ``details``: FastAPI's list of ``{loc, msg, type}``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from dense_landmarks.service.decode import UploadError

log = logging.getLogger("dense_landmarks.service")

_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "upload_timeout",
    413: "upload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    501: "not_available",
    503: "busy",
    504: "timeout",
}


class ApiError(Exception):
    """An error the handlers turn into ``status`` with the JSON body above."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, **extra}}


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
        msg = str(e.get("msg", "invalid"))
        if "Expected UploadFile" in msg:  # a text value where a file part belongs
            msg = "expected an uploaded file part (file paths and URLs are not accepted)"
        parts.append(f"{loc or 'request'}: {msg}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.status, exc.code, exc.message), exc.status, exc.headers)

    @app.exception_handler(UploadError)
    async def _upload(request: Request, exc: UploadError) -> JSONResponse:
        return JSONResponse(error_body(exc.status, exc.code, exc.message), exc.status)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(exc.status_code, code, str(exc.detail)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        body = error_body(422, "invalid_request", _validation_message(details), details=details)
        return JSONResponse(body, 422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(500, "internal_error", "internal error (logged)"), 500)
