"""Anti-aliased, feathered masks on small image patches (OpenCV, fast).

A :class:`Patch` is an axis-aligned window of the image, in integer pixel bounds; masks are
(h, w) float32 in [0, 1] on that window. Polygons are filled at ``SUPERSAMPLE``x resolution and
area-averaged, so a pixel's value is the fraction of it the polygon covers (pixel (r, c) covers
x in [c - 0.5, c + 0.5], y in [r - 0.5, r + 0.5]).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from curves.regions import repair

SUPERSAMPLE = 4
_SHIFT = 4  # sub-pixel bits for cv2 drawing


@dataclass(frozen=True)
class Patch:
    """Image window ``[x0, x1) x [y0, y1)`` in pixels."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.y1 - self.y0, self.x1 - self.x0

    @property
    def empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    @classmethod
    def around(cls, points: np.ndarray, margin: float, shape: tuple[int, int]) -> Patch:
        """Window holding ``points`` (n, 2) plus ``margin`` pixels, clipped to an image of
        ``shape`` (height, width)."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        lo = np.floor(p.min(axis=0) - margin)
        hi = np.ceil(p.max(axis=0) + margin) + 1
        h, w = int(shape[0]), int(shape[1])
        x0, y0 = int(np.clip(lo[0], 0, w)), int(np.clip(lo[1], 0, h))
        x1, y1 = int(np.clip(hi[0], 0, w)), int(np.clip(hi[1], 0, h))
        return cls(x0, y0, max(x1, x0), max(y1, y0))

    def local(self, points: np.ndarray) -> np.ndarray:
        """Image points -> window coordinates."""
        return np.asarray(points, dtype=np.float64) - (self.x0, self.y0)


def _fixed(points: np.ndarray, patch: Patch, s: int) -> np.ndarray:
    """Window coordinates at ``s``x resolution, as cv2 fixed-point int32 (n, 1, 2)."""
    p = (patch.local(points) + 0.5) * s - 0.5
    return np.round(p * (1 << _SHIFT)).astype(np.int32).reshape(-1, 1, 2)


_TRIM = np.ones((2, 2), np.uint8)


def _downsample(big: np.ndarray, patch: Patch) -> np.ndarray:
    """Area-average a supersampled mask. cv2 fills the sub-pixels on a polygon's edges on both
    sides (one sub-pixel too many across every span); a 2x2 erosion takes that one back, so
    coverage sums to the polygon's area."""
    big = cv2.erode(big, _TRIM, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    h, w = patch.shape
    return cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)


def _rings(geom: BaseGeometry) -> tuple[list[np.ndarray], list[np.ndarray]]:
    polys = [geom] if isinstance(geom, Polygon) else list(getattr(geom, "geoms", []))
    ext = [np.asarray(p.exterior.coords) for p in polys if not p.is_empty]
    holes = [np.asarray(r.coords) for p in polys if not p.is_empty for r in p.interiors]
    return ext, holes


def fill(geom: BaseGeometry | np.ndarray, patch: Patch) -> np.ndarray:
    """Anti-aliased coverage of a polygon on a window.

    Args:
        geom: shapely (Multi)Polygon, or a closed (n, 2) ring, in image pixels.
        patch: the window.
    Returns:
        (h, w) float32 in [0, 1].
    """
    if patch.empty:
        return np.zeros(patch.shape, np.float32)
    if isinstance(geom, np.ndarray):
        ext, holes = [geom], []
    else:
        g = repair(geom)
        if g.is_empty:
            return np.zeros(patch.shape, np.float32)
        ext, holes = _rings(g if isinstance(g, Polygon | MultiPolygon) else Polygon())
    s = SUPERSAMPLE
    h, w = patch.shape
    big = np.zeros((h * s, w * s), np.uint8)
    cv2.fillPoly(big, [_fixed(r, patch, s) for r in ext], 255, cv2.LINE_8, _SHIFT)
    if holes:
        cv2.fillPoly(big, [_fixed(r, patch, s) for r in holes], 0, cv2.LINE_8, _SHIFT)
    return _downsample(big, patch) / 255.0


def stroke(polyline: np.ndarray, width: float, patch: Patch) -> np.ndarray:
    """Anti-aliased coverage of an open polyline drawn ``width`` pixels wide (round caps)."""
    if patch.empty:
        return np.zeros(patch.shape, np.float32)
    s = SUPERSAMPLE
    h, w = patch.shape
    big = np.zeros((h * s, w * s), np.uint8)
    t = max(round(width * s), 1)
    cv2.polylines(big, [_fixed(polyline, patch, s)], False, 255, t, cv2.LINE_8, _SHIFT)
    return _downsample(big, patch) / 255.0


def feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-feathered copy of a mask (``sigma`` in pixels; < 0.3 returns it unchanged)."""
    if sigma < 0.3 or mask.size == 0:
        return mask.astype(np.float32, copy=True)
    k = 2 * int(np.ceil(3.0 * sigma)) + 1
    return cv2.GaussianBlur(mask.astype(np.float32), (k, k), sigma, borderType=cv2.BORDER_CONSTANT)


def distance_to(polyline: np.ndarray, patch: Patch) -> np.ndarray:
    """(h, w) float32 distance in pixels from each pixel centre to an open polyline."""
    h, w = patch.shape
    if patch.empty:
        return np.zeros((max(h, 0), max(w, 0)), np.float32)
    img = np.full((h, w), 255, np.uint8)
    p = np.round(patch.local(polyline) * (1 << _SHIFT)).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(img, [p], False, 0, 1, cv2.LINE_8, _SHIFT)
    return cv2.distanceTransform(img, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
