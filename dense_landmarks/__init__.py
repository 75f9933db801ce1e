"""dense-landmarks: dense "line" landmarks on faces.

Light to import: torch-backed pieces load on first use.
"""

from __future__ import annotations

from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.face import Face

__version__ = "0.1.0"
__all__ = ["DenseLandmarker", "Face", "Tracker", "__version__", "dense_contours", "scheme"]


def __getattr__(name: str) -> object:  # lazy: the models load onnxruntime (or torch) on first use
    if name == "DenseLandmarker":
        from dense_landmarks.landmarker import DenseLandmarker

        return DenseLandmarker
    if name == "Tracker":
        from dense_landmarks.video.tracker import Tracker

        return Tracker
    raise AttributeError(f"module 'dense_landmarks' has no attribute {name!r}")
