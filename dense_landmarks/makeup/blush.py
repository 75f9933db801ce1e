"""Blush on the cheeks, placed from the contours.

Each cheek's centre lies between the nose wing and the jaw line at the wing's height, raised
towards the eye; the blush is a soft elliptical cloud aligned with the face (in-plane rotation
follows the eyes), kept inside the face outline and off the eyes and nose.
"""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np

from dense_landmarks import anatomy
from dense_landmarks.makeup.masks import Patch, feather, fill


def cheek_centre(contours: Mapping[str, np.ndarray], side: str, frame: anatomy.Frame) -> np.ndarray:
    """(2,) pixel centre of one cheek's blush."""
    c = anatomy.require(contours, "jaw", "nose_base")
    f_nose = frame.to_frame(c["nose_base"])
    f_jaw = frame.to_frame(c["jaw"])
    sign = -1.0 if side == "right" else 1.0
    wing = f_nose[np.argmax(sign * f_nose[:, 0])]
    half = f_jaw[sign * f_jaw[:, 0] > 0]
    if len(half) == 0:
        half = f_jaw
    edge = half[np.argmin(np.abs(half[:, 1] - wing[1]))]
    return frame.to_image(0.45 * wing + 0.55 * edge - np.array([0.0, 0.15]))


def blush_alpha(
    contours: Mapping[str, np.ndarray], side: str, frame: anatomy.Frame, shape: tuple[int, int]
) -> tuple[Patch, np.ndarray]:
    """Soft blush coverage of one cheek, peak 1 at the cheek centre."""
    c = anatomy.require(contours, "jaw", "nose_base", f"{side}_eye")
    iod = frame.iod
    centre = cheek_centre(c, side, frame)
    rx, ry = 0.3 * iod, 0.2 * iod
    patch = Patch.around(centre[None], 2.2 * rx + 2.0, shape)
    ex, ey = frame.ex, frame.ey
    h, w = patch.shape
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    px, py = gx + patch.x0 - centre[0], gy + patch.y0 - centre[1]
    u, v = px * ex[0] + py * ex[1], px * ey[0] + py * ey[1]
    alpha = np.exp(-1.5 * ((u / rx) ** 2 + (v / ry) ** 2)).astype(np.float32)
    # inside the face (jaw + brows hull), away from the eyes and the nose
    brows = [anatomy.as_xy(contours[p], p) for p in ("right_brow", "left_brow") if p in contours]
    hull = cv2.convexHull(np.vstack([c["jaw"], *brows]).astype(np.float32))[:, 0]
    inside = feather(fill(hull.astype(np.float64), patch), 0.04 * iod)
    keep_off = np.clip(fill(c[f"{side}_eye"], patch) + fill(c["nose_base"], patch), 0, 1)
    alpha *= inside * (1.0 - feather(keep_off, 0.06 * iod))
    return patch, alpha
