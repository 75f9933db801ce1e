"""The ``predict`` kind: one image -> its landmarks document (JSON or NPZ), as
``dense-landmarks predict`` writes it, plus an optional contour overlay (PNG).

:func:`process_item` is the per-item function that the local engine, the Ray engine and the
HTTP service all call::

    from dense_landmarks.jobs.predict import PredictOptions, load, process_item
    opts = PredictOptions(format="json")
    lm = load(opts)                                   # once per worker
    res = process_item(jpeg_bytes, opts, lm)          # no file I/O
    res.outputs[".json"]                              # the document, UTF-8 JSON bytes
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.batch import _npz_bytes, result_document
from dense_landmarks.contours import DEFAULT_DENSITY, Density
from dense_landmarks.imageio import ImageError, read_image, to_rgb8
from dense_landmarks.jobs.inputs import IMAGE_SUFFIXES
from dense_landmarks.jobs.kinds import ItemKind, ItemResult, Source
from dense_landmarks.quality import DEFAULT_MIN_QUALITY


@dataclass(frozen=True)
class PredictOptions:
    """What ``predict`` computes and writes (the manifest records these; ``--resume`` checks them).

    Attributes:
        format: ``"json"`` or ``"npz"`` landmarks document.
        overlay: also a PNG of the image with the contours drawn.
        density: contours: a layout name (``"dense-1000"``) or N points shared by length.
        backend: ``"onnx"`` or ``"torch"``.
        threads: CPU threads per model.
        tiles: detector tiles per side (None: automatic from the image size).
        min_score: detection threshold. min_quality: landmark-quality threshold of detected
            faces (:mod:`dense_landmarks.quality`; 0 keeps all).
    """

    format: str = "json"
    overlay: bool = False
    density: Density = DEFAULT_DENSITY
    backend: str = "onnx"
    threads: int = 1
    tiles: int | None = None
    min_score: float = 0.5
    min_quality: float = DEFAULT_MIN_QUALITY

    def __post_init__(self) -> None:
        if self.format not in ("json", "npz"):
            raise ValueError(f"format: expected json or npz, got {self.format!r}")


def load(options: PredictOptions):
    """The landmarker for ``options`` (models loaded once; reuse it for every item)."""
    from dense_landmarks.landmarker import DenseLandmarker

    return DenseLandmarker(
        backend=options.backend,
        num_threads=options.threads,
        tiles=options.tiles,
        min_score=options.min_score,
        min_quality=options.min_quality,
    )


def suffixes(options: PredictOptions) -> tuple[str, ...]:
    """Output suffixes, in writing order: the overlay first, the document (the marker) last."""
    return ((".png",) if options.overlay else ()) + (f".{options.format}",)


def process_item(
    source: Source, options: PredictOptions, landmarker=None, name: str | None = None
) -> ItemResult:
    """Landmarks for one image.

    Args:
        source: encoded image bytes (no file I/O), or a path (read here).
        options: what to compute and return.
        landmarker: from :func:`load` (built here when None: slow, load once and pass it).
        name: the input's name in the document and in errors (default: the path, or "<bytes>").
    Returns:
        ItemResult with ``outputs`` {".json" or ".npz": document, ".png": overlay (if asked)},
        ``faces`` and ``info`` {"width", "height"}.
    Raises:
        ImageError: the input is not a usable image (message names it).
    """
    is_bytes = isinstance(source, bytes | bytearray | memoryview)
    image = read_image(source if is_bytes else Path(source), name=name)
    label = name or ("<bytes>" if is_bytes else str(source))
    lm = load(options) if landmarker is None else landmarker
    faces = lm.detect(image, density=options.density)
    doc = result_document(Path(label), image, faces)
    outputs: dict[str, bytes] = {}
    if options.overlay:
        outputs[".png"] = _overlay_png(image, faces, label)
    if options.format == "json":
        outputs[".json"] = json.dumps(doc).encode("utf-8")
    else:
        outputs[".npz"] = _npz_bytes(doc, faces)
    info = {"width": int(image.shape[1]), "height": int(image.shape[0])}
    return ItemResult(outputs, faces=len(faces), info=info)


def _overlay_png(image: np.ndarray, faces: list, name: str) -> bytes:
    from dense_landmarks.draw import draw_contours

    pic = image
    for f in faces:
        pic = draw_contours(pic, f.contours, thickness=max(1, round(max(image.shape[:2]) / 600)))
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(to_rgb8(pic)[:, :, ::-1]))
    if not ok:
        raise ImageError(f"{name}: cannot encode the overlay")
    return buf.tobytes()


KIND = ItemKind(
    name="predict",
    options_type=PredictOptions,
    load=load,
    process=process_item,
    suffixes=suffixes,
    input_suffixes=IMAGE_SUFFIXES,
    # ~60 ms an image: calls of 8 cut Ray's CPU outside items from ~5.5 to ~4 ms an image
    # (eval.scale); the engine shrinks the last calls, so the workers still finish together
    items_per_call=8,
)
