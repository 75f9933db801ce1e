"""The sparse stage: image + crops -> 106 points and head pose per face."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from dense_landmarks.crop import CropSpec


@runtime_checkable
class SparseStage(Protocol):
    """``predict_crops(image, specs, passes=None) -> (points, pose)``.

    Args:
        image: (H, W, 3) uint8 RGB. specs: F similarity crops (image pixels) showing the faces.
        passes: None (the stage's own setting), 1 (these crops only) or 2 (then re-crop each
            face upright from the first pass's points).
    Returns:
        points (F, 106, 2) float64 image pixels (JD-106); pose (F, 3) float64 pitch, yaw, roll
        in degrees.
    """

    def predict_crops(
        self, image: np.ndarray, specs: Sequence[CropSpec], passes: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...
