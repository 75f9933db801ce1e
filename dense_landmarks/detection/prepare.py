"""Detector input preparation: low-contrast photos stretched.

On a faded, hazy or under-exposed photo BlazeFace's scores fall under the threshold. When the
1st-99th percentile range of an image's luma spans fewer than ``LOW_CONTRAST`` grey levels, the
detector sees the image stretched linearly so that this range maps onto 0-255 (colour and gray
photos alike; gray photos need nothing else: on the AFW photos in gray the full-range detector
keeps 99 % of its colour recall, and a skin-coloured tint measured no better). Only the
detector's input changes: the landmark stages read the original pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

#: luma percentile range (1st-99th, grey levels) under which an image is stretched
LOW_CONTRAST = 96.0


def prepare_image(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> the detector's (H, W, 3) uint8 input: the image itself, or, when
    its contrast is low, the image stretched (see module docstring)."""
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    lo, hi = np.percentile(luma[::4, ::4], [1, 99])
    if hi - lo >= LOW_CONTRAST or hi <= lo:
        return image
    lut = np.clip((np.arange(256) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return cv2.LUT(image, lut)
