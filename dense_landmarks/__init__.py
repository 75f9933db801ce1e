"""dense-landmarks: dense "line" landmarks on faces.

Light to import: torch-backed pieces load on first use.
"""

from __future__ import annotations

from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.face import Face

__version__ = "0.1.0"
__all__ = ["Face", "__version__", "dense_contours", "scheme"]
