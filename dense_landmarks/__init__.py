"""dense-landmarks: dense "line" landmarks on faces.

Light to import: the model runtime (onnxruntime) loads on first use; torch never on the
default (onnx) path.
"""

from __future__ import annotations

from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.face import Face

__version__ = "0.1.0"
__all__ = ["DenseLandmarker", "Face", "__version__", "build_landmarker", "dense_contours", "scheme"]


def __getattr__(name: str) -> object:  # lazy: the models load onnxruntime on first use
    if name in ("DenseLandmarker", "build_landmarker"):
        from dense_landmarks import landmarker

        return getattr(landmarker, name)
    raise AttributeError(f"module 'dense_landmarks' has no attribute {name!r}")
