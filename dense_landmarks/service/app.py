"""``build_app(config)``: the FastAPI app: routes, error handlers, guards and the static page.

The interactive API docs at ``/docs`` are this package's own page (``static/docs.html``), which
renders ``/openapi.json``: FastAPI's default Swagger UI and ReDoc pages load their scripts from
a CDN, so they are switched off (no external request anywhere).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from dense_landmarks import __version__
from dense_landmarks.service.config import ServiceConfig
from dense_landmarks.service.errors import install_error_handlers
from dense_landmarks.service.guard import SecurityHeaders, UploadGuard
from dense_landmarks.service.pool import InferencePool
from dense_landmarks.service.routes import STATIC, build_router

DESCRIPTION = """Dense facial landmarks over HTTP: upload a photo (multipart field `image`),
get every face's 106 points, pose and dense contours as JSON; or the photo with make-up or a
warp rendered (PNG); or facial measurements. Errors are JSON:
`{"error": {"status", "code", "message"}}`."""


def _model_set(config: ServiceConfig) -> Any:
    from dense_landmarks.landmarker import DenseLandmarker

    return DenseLandmarker(num_threads=config.model_threads)


def build_app(
    config: ServiceConfig | None = None, make_state: Callable[[], Any] | None = None
) -> FastAPI:
    """The service app.

    Args:
        config: limits and settings (default :class:`ServiceConfig()`).
        make_state: builds one inference thread's model set (default: a
            ``DenseLandmarker(num_threads=config.model_threads)``).
    """
    config = config or ServiceConfig()
    pool = InferencePool(
        config.workers, config.queue_limit, make_state or (lambda: _model_set(config))
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(pool.start)  # every model set loaded before the first request
        yield
        await asyncio.to_thread(pool.close)

    app = FastAPI(
        title="dense-landmarks",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.pool = pool
    install_error_handlers(app)
    app.include_router(build_router(config, pool))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(UploadGuard, config=config, pool=pool)
    app.add_middleware(SecurityHeaders)
    if config.cors_origins:  # off unless origins are named
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
            expose_headers=["X-Faces", "Retry-After"],
        )
    return app


def create_app() -> FastAPI:
    """uvicorn's factory: the config comes from :data:`~.config.CONFIG_ENV` (JSON)."""
    return build_app(ServiceConfig.from_env())
