"""The endpoints: health, landmarks, make-up, measurements, warp, the page and the docs page.

Every ``POST /v1/...`` takes a multipart upload in the field ``image`` (bytes only: no paths or
URLs are ever accepted) and runs its job (:mod:`.jobs`) on the bounded inference pool.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from dense_landmarks import __version__, scheme
from dense_landmarks.contours import DEFAULT_DENSITY, MIN_POINTS_PER_PART
from dense_landmarks.service import jobs
from dense_landmarks.service.config import ServiceConfig
from dense_landmarks.service.errors import ApiError
from dense_landmarks.service.pool import InferencePool

STATIC = Path(__file__).parent / "static"
MIN_DENSITY = MIN_POINTS_PER_PART * len(scheme.PART_NAMES)
FEATURES = {"makeup": "dense_landmarks.makeup", "measure": "dense_landmarks.measure",
            "warp": "dense_landmarks.warp"}  # fmt: skip

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not an image, empty, truncated, corrupt or animated (JSON error)"},
    408: {"description": "The upload did not arrive in time"},
    413: {"description": "Upload over the byte limit, or image over the pixel limit"},
    415: {"description": "The body is not multipart/form-data"},
    422: {"description": "Missing field or invalid parameter (JSON error naming it)"},
    503: {"description": "Busy: the bounded queue is full (see Retry-After)"},
    504: {"description": "The inference did not finish within the request timeout"},
}
_PNG = {200: {"content": {"image/png": {}}, "description": "The rendered image (PNG)"}}
_IMAGE = File(..., description="The photo: JPEG, PNG, WebP, BMP or single-frame GIF")


def feature_available(name: str) -> bool:
    return importlib.util.find_spec(FEATURES[name]) is not None


def _parse_json_field(text: str, field: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(422, "invalid_request", f"{field}: not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_request", f"{field}: expected a JSON object")
    return value


def _from_dict(cls: Any, value: dict[str, Any], field: str) -> Any:
    try:
        return cls.from_dict(value)
    except (ValueError, TypeError, KeyError) as exc:
        raise ApiError(422, "invalid_request", f"{field}: {exc}") from None


def _unavailable(feature: str) -> ApiError:
    return ApiError(501, "not_available", f"{feature} is not part of this installation")


def build_router(config: ServiceConfig, pool: InferencePool) -> APIRouter:
    router = APIRouter()

    async def run(request: Request, job: Callable[[Any], Any]) -> Any:
        fut = pool.submit(job)
        ticket = getattr(request.state, "ticket", None)
        if ticket is not None:
            ticket.hold(fut)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), config.request_timeout_s)
        except TimeoutError:
            msg = f"the inference did not finish within {config.request_timeout_s:g} s"
            raise ApiError(504, "timeout", msg) from None

    def json_response(body: bytes) -> Response:
        return Response(body, media_type="application/json")

    def png_response(result: tuple[bytes, int]) -> Response:
        return Response(result[0], media_type="image/png", headers={"X-Faces": str(result[1])})

    max_faces_q = Query(
        min(10, config.max_faces), ge=1, le=config.max_faces, description="most faces returned"
    )

    @router.get("/health", tags=["service"])
    async def health() -> dict[str, Any]:
        """Liveness, the pool's load, the limits and which applications are installed."""
        return {
            "status": "ok",
            "version": __version__,
            "pool": pool.stats(),
            "limits": {
                "max_upload_bytes": config.max_upload_bytes,
                "max_pixels": config.max_pixels,
                "max_density": config.max_density,
                "max_faces": config.max_faces,
            },
            "features": {name: feature_available(name) for name in FEATURES},
        }

    @router.post(
        "/v1/landmarks",
        tags=["landmarks"],
        responses={200: {"description": '{"image": {"width", "height"}, "faces": [face]}'}}
        | _ERRORS,
    )
    async def landmarks(
        request: Request,
        image: UploadFile = _IMAGE,
        density: int = Query(
            DEFAULT_DENSITY, ge=MIN_DENSITY, le=config.max_density, description="points per face"
        ),
        max_faces: int = max_faces_q,
    ) -> Response:
        """Dense landmarks of every face, largest first, in the `dense-landmarks/face-v1`
        schema: box, score, pose (degrees), 106 points and the dense contours, all in pixels of
        the upright image (EXIF orientation applied)."""
        data = await image.read()
        job = partial(
            jobs.landmarks_job,
            data=data,
            max_pixels=config.max_pixels,
            density=density,
            max_faces=max_faces,
        )
        return json_response(await run(request, job))

    async def rendered(request: Request, image: UploadFile, render) -> Response:
        """The upload rendered by ``render(image, faces) -> image`` in the worker pool (PNG)."""
        data = await image.read()
        job = partial(jobs.render_job, data=data, max_pixels=config.max_pixels, render=render)
        return png_response(await run(request, job))

    @router.post("/v1/makeup", tags=["applications"], responses=_PNG | _ERRORS)
    async def makeup(
        request: Request,
        image: UploadFile = _IMAGE,
        look: str = Form(
            "{}",
            description='JSON look, e.g. {"lips": "#b0204a", "lip_finish": "satin", '
            '"eyeliner": "#202020", "shadow": "#7a5c8e", "intensity": 0.8}',
        ),
    ) -> Response:
        """The photo with the make-up look rendered on every face (PNG; `X-Faces` header)."""
        try:
            from dense_landmarks.makeup import Look, render_makeup
        except ImportError:
            raise _unavailable("make-up rendering") from None
        spec = _from_dict(Look, _parse_json_field(look, "look"), "look")
        render = partial(_render_makeup, render_makeup=render_makeup, look=spec)
        return await rendered(request, image, render)

    @router.post("/v1/measure", tags=["applications"], responses=_ERRORS)
    async def measure(
        request: Request, image: UploadFile = _IMAGE, max_faces: int = max_faces_q
    ) -> Response:
        """Facial measurements of every face (JSON: `{"image": {...}, "faces": [...]}`)."""
        try:
            from dense_landmarks.measure import measure_face
        except ImportError:
            raise _unavailable("measurement") from None
        data = await image.read()
        job = partial(
            jobs.measure_job,
            data=data,
            max_pixels=config.max_pixels,
            max_faces=max_faces,
            measure_face=measure_face,
        )
        return json_response(await run(request, job))

    @router.post("/v1/warp", tags=["applications"], responses=_PNG | _ERRORS)
    async def warp(
        request: Request,
        image: UploadFile = _IMAGE,
        spec: str = Form(
            "{}",
            description="JSON warp: scales (1 = unchanged) and a brow lift in mm, e.g. "
            '{"lips": 1.15, "nose_width": 0.9, "jaw": 0.95, "brow_lift": 2, "eyes": 1.1}',
        ),
    ) -> Response:
        """The photo with every face reshaped by the warp spec (PNG; `X-Faces` header)."""
        try:
            from dense_landmarks.warp import WarpSpec, warp_faces
        except ImportError:
            raise _unavailable("warping") from None
        ws = _from_dict(WarpSpec, _parse_json_field(spec, "spec"), "spec")
        return await rendered(request, image, partial(_warp, warp_faces=warp_faces, spec=ws))

    @router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @router.get("/docs", include_in_schema=False)
    async def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    return router


def _render_makeup(image, faces, render_makeup, look):
    return render_makeup(image, faces, look)


def _warp(image, faces, warp_faces, spec):
    return warp_faces(image, faces, spec)
