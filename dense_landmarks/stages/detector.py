"""The detector stage: image -> detections, and the one crop path from a detection.

Anything with ``detect(image) -> list[Detection]`` is a :class:`Detector`: the bundled
:class:`~dense_landmarks.detection.FaceDetector` (BlazeFace) as it is, and a user callable
``image -> boxes`` or ``image -> (boxes, scores)`` through :class:`CallableDetector`.
:func:`detection_crop` turns any detection into the sparse stage's first crop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from dense_landmarks.crop import CropSpec, box_crop
from dense_landmarks.detection.detector import Detection, landmark_crop

#: A user detector: (H, W, 3) uint8 RGB -> (F, 4) boxes, or (boxes, scores (F,)).
DetectorFn = Callable[[np.ndarray], "np.ndarray | tuple[np.ndarray, np.ndarray]"]


@runtime_checkable
class Detector(Protocol):
    """Faces in an image: ``detect((H, W, 3) uint8 RGB) -> list[Detection]``, best first."""

    def detect(self, image: np.ndarray) -> list[Detection]: ...


class CallableDetector:
    """Adapts ``fn(image) -> boxes (F, 4) | (boxes, scores)`` to :class:`Detector`.

    Boxes are landmark-style face boxes ``[x0, y0, x1, y1]`` (brows to chin, pixels); the
    detections carry no keypoints, and scores default to 1.0.
    """

    def __init__(self, fn: DetectorFn):
        if not callable(fn):
            raise TypeError(f"detector: expected a callable, got {fn!r}")
        self.fn = fn

    def detect(self, image: np.ndarray) -> list[Detection]:
        out = self.fn(image)
        boxes, scores = out if isinstance(out, tuple) else (out, None)
        boxes = check_boxes(boxes, "detector output")
        scores = (
            np.ones(len(boxes))
            if scores is None
            else np.asarray(scores, dtype=np.float64).reshape(-1)
        )
        if len(scores) != len(boxes):
            raise ValueError(f"detector output: {len(boxes)} boxes but {len(scores)} scores")
        return [Detection.from_box(b, s) for b, s in zip(boxes, scores)]


def as_detector(detector: Detector | DetectorFn) -> Detector:
    """A :class:`Detector` as it is; a callable wrapped in :class:`CallableDetector`."""
    if isinstance(detector, Detector):
        return detector
    return CallableDetector(detector)


def detection_crop(det: Detection) -> CropSpec:
    """The sparse stage's first crop for a detection (image pixels).

    A detection with keypoints and a square box (BlazeFace convention) gets the calibrated,
    upright :func:`~dense_landmarks.detection.landmark_crop`; a box-only one the square
    :func:`~dense_landmarks.crop.box_crop` of its landmark-style box, turned by ``angle``.
    """
    if det.keypoints is not None and det.centre is not None and det.size is not None:
        return landmark_crop(det)
    return box_crop(det.box, det.angle)


def check_boxes(boxes: object, name: str) -> np.ndarray:
    """(F, 4) float64 finite boxes with x1 > x0 and y1 > y0 (a single (4,) box allowed)."""
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, 4))
    arr = arr.reshape(-1, 4) if arr.ndim == 1 and arr.size == 4 else arr
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{name}: expected (F, 4) boxes [x0, y0, x1, y1], got shape {arr.shape}")
    if (
        not np.isfinite(arr).all()
        or (arr[:, 2] <= arr[:, 0]).any()
        or (arr[:, 3] <= arr[:, 1]).any()
    ):
        raise ValueError(f"{name}: boxes must be finite with x1 > x0 and y1 > y0")
    return arr
