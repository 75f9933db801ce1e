"""Overlays: dense contours and points drawn on an RGB image (OpenCV, anti-aliased)."""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np

from dense_landmarks import scheme

#: RGB colour per part.
PART_COLOURS: dict[str, tuple[int, int, int]] = {
    "jaw": (255, 220, 0),
    "right_brow": (255, 140, 0),
    "left_brow": (255, 140, 0),
    "nose_bridge": (0, 200, 255),
    "nose_base": (0, 200, 255),
    "right_eye": (0, 255, 120),
    "left_eye": (0, 255, 120),
    "outer_lips": (255, 40, 80),
    "inner_lips": (255, 120, 200),
}
_SHIFT = 4  # sub-pixel bits for cv2 drawing


def _fixed(points: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(points, dtype=np.float64) * (1 << _SHIFT)).astype(np.int32)


def draw_contours(
    image: np.ndarray,
    contours: Mapping[str, np.ndarray],
    thickness: int = 1,
    dots: bool = False,
) -> np.ndarray:
    """Draw dense part contours on a copy of ``image``.

    Args:
        image: (H, W, 3) uint8 RGB.
        contours: part name -> (n, 2) float (x, y) pixels.
        thickness: line thickness in pixels.
        dots: draw each contour point as a dot instead of joining them.
    Returns:
        (H, W, 3) uint8 RGB copy with the overlay.
    """
    out = np.ascontiguousarray(image.copy())
    for name, pts in contours.items():
        colour = PART_COLOURS.get(name, (255, 255, 255))
        fp = _fixed(pts)
        if dots:
            for p in fp:
                cv2.circle(
                    out, (int(p[0]), int(p[1])), 1 << _SHIFT, colour, -1, cv2.LINE_AA, _SHIFT
                )
        else:
            closed = scheme.PARTS[name].closed if name in scheme.PARTS else False
            cv2.polylines(
                out, [fp.reshape(-1, 1, 2)], closed, colour, thickness, cv2.LINE_AA, _SHIFT
            )
    return out


def draw_points(
    image: np.ndarray,
    points: np.ndarray,
    radius: float = 2.0,
    colour: tuple[int, int, int] = (255, 255, 255),
    labels: bool = False,
    font_scale: float = 0.3,
) -> np.ndarray:
    """Draw (N, 2) float points (optionally with their indices) on a copy of an RGB image."""
    out = np.ascontiguousarray(image.copy())
    r = max(round(radius * (1 << _SHIFT)), 1)
    for i, p in enumerate(_fixed(points)):
        cv2.circle(out, (int(p[0]), int(p[1])), r, colour, -1, cv2.LINE_AA, _SHIFT)
        if labels:
            x, y = (np.asarray(points[i]) + radius + 1).astype(int)
            cv2.putText(
                out,
                str(i),
                (int(x), int(y)),
                cv2.FONT_HERSHEY_SIMPLEX,
                font_scale,
                colour,
                1,
                cv2.LINE_AA,
            )
    return out
