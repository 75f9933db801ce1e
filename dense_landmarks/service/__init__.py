"""The HTTP service and the try-on page (``dense-landmarks serve``).

    from dense_landmarks.service import ServiceConfig
    from dense_landmarks.service.app import build_app
    app = build_app(ServiceConfig(max_upload_bytes=10_000_000))   # a FastAPI app

Light to import: FastAPI and uvicorn (the ``serve`` extra) load with :mod:`.app` and
:mod:`.command`'s ``run``, so the CLI works without them.
"""

from __future__ import annotations

from dense_landmarks.service.config import ServiceConfig

__all__ = ["ServiceConfig"]
