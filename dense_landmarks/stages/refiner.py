"""The refiner stage: image + sparse points -> refined control points and moved points."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Refiner(Protocol):
    """``refine(image, points106) -> (control, points)``.

    Args:
        image: (H, W, 3) uint8 RGB. points106: (F, 106, 2) float sparse points, image pixels.
    Returns:
        control: per face, {scheme part: (R, 2) float64 control points, image pixels} for the
        parts it refined (a closed part: a ring starting at its first scheme point; an open
        part: a polyline end to end); points: (F, 106, 2) float64, the points moved onto the
        refined curves (anatomical corners and ends stay). The bundled implementation is
        :class:`dense_landmarks.refine.Refiner`.
    """

    def refine(
        self, image: np.ndarray, points106: np.ndarray
    ) -> tuple[list[dict[str, np.ndarray]], np.ndarray]: ...
