"""Brow fill: colour inside the brow outline, soft-edged."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dense_landmarks import anatomy
from dense_landmarks.makeup.masks import Patch, feather, fill


def brow_alpha(
    contours: Mapping[str, np.ndarray], side: str, frame: anatomy.Frame, shape: tuple[int, int]
) -> tuple[Patch, np.ndarray]:
    """Feathered coverage of one brow (``side`` 'right' or 'left'); sizes in IOD fractions."""
    ring = anatomy.require(contours, f"{side}_brow")[f"{side}_brow"]
    sigma = 0.008 * frame.iod
    patch = Patch.around(ring, 3.0 * sigma + 2.0, shape)
    return patch, feather(fill(ring, patch), sigma)
