"""Similarity crops: the one geometry shared by training, inference and refinement.

A crop is described by a centre (x, y), a side length in image pixels, an angle and an output
size. Its (2, 3) matrix maps image pixels to crop pixels (pixel-centre convention at both
ends): ``crop = A @ (p - centre) + (size - 1) / 2`` with ``A = size / side * R(angle)``, where
``R(a)`` turns the image content clockwise by ``a`` degrees in the crop (y points down).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class CropSpec:
    """Where a crop comes from: centre (x, y) and side in image pixels, angle in degrees."""

    cx: float
    cy: float
    side: float
    angle: float = 0.0

    def matrix(self, size: int) -> np.ndarray:
        """(2, 3) float64 affine map from image pixels to pixels of a ``size`` x ``size`` crop."""
        a = np.radians(self.angle)
        k = size / self.side
        rot = k * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        c = (size - 1) / 2.0
        return np.hstack([rot, (np.array([c, c]) - rot @ np.array([self.cx, self.cy]))[:, None]])


def to_crop(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Map (N, 2) image points through a (2, 3) matrix -> (N, 2) crop points."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ m[:, :2].T + m[:, 2]


def from_crop(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Map (N, 2) crop points back to image points through the inverse of a (2, 3) matrix."""
    inv = cv2.invertAffineTransform(np.asarray(m, dtype=np.float64))
    return to_crop(points, inv)


def _whole_blocks(a0: int, a1: int, n: int, k: int) -> tuple[int, int, int]:
    """Grow the pixel range ``[a0, a1)`` of an image side of ``n`` pixels to whole blocks of
    ``k`` aligned with the image's own (so the shrunk region is the same as a part of the whole
    image shrunk): returns (a0, a1, pixels beyond the image side, to pad)."""
    a0 -= a0 % k
    want = a0 + -(-(a1 - a0) // k) * k
    return a0, min(want, n), max(want - n, 0)


def warp(
    image: np.ndarray, m: np.ndarray, size: int, border: int = cv2.BORDER_CONSTANT
) -> np.ndarray:
    """Sample a ``size`` x ``size`` crop of an (H, W, C) image through matrix ``m``.

    Strong downscales (more than 2x) first shrink the image region under the crop by an
    integer factor ``k`` with area averaging (a box filter: OpenCV's fast path, ~20x cheaper
    than a fractional factor), so that what remains for the bilinear warp is a shrink of at
    most 2x and the crop is not aliased; the result is the same geometry either way. Only that
    region (plus the interpolation's margin, padded by ``border`` to a multiple of ``k``) is
    shrunk, so the cost follows the crop, not the image.
    """
    scale = abs(float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])) ** 0.5  # sqrt |det|
    if scale < 0.5:
        k = int(np.ceil(0.5 / scale - 1e-9))  # >= 2; the warp then shrinks by 1x .. 2x
        inv = cv2.invertAffineTransform(np.asarray(m, dtype=np.float64))
        edge = np.array([-0.5, size - 0.5])
        corners = np.array([[x, y, 1.0] for x in edge for y in edge]) @ inv.T
        pad = 2 * k + 2  # the shrunk image's bilinear taps stay inside
        h, w = image.shape[:2]
        x0, y0 = np.floor(corners.min(axis=0)).astype(int) - pad
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + pad
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 1 or y1 - y0 < 1:  # the crop lies outside the image
            x0, y0, x1, y1 = 0, 0, w, h
        x0, x1, pw = _whole_blocks(x0, x1, w, k)
        y0, y1, ph = _whole_blocks(y0, y1, h, k)
        region = image[y0:y1, x0:x1]
        if ph or pw:  # the image side is no multiple of k: beyond it, the warp's border
            region = cv2.copyMakeBorder(region, 0, ph, 0, pw, border)
        small = cv2.resize(
            region,
            (region.shape[1] // k, region.shape[0] // k),
            interpolation=cv2.INTER_AREA,
        )
        f = 1.0 / k
        # pixel-centre convention: p_small = (p - origin + 0.5) * f - 0.5
        s = np.array([[f, 0, (0.5 - x0) * f - 0.5], [0, f, (0.5 - y0) * f - 0.5]])
        m = m @ np.vstack([cv2.invertAffineTransform(s), [0, 0, 1]])
        image = small
    return cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=border)


def landmark_box(points: np.ndarray) -> np.ndarray:
    """The face box of a set of landmarks: their bounding box ``[x0, y0, x1, y1]``."""
    pts = np.asarray(points, dtype=np.float64)
    return np.r_[pts.min(axis=0), pts.max(axis=0)]


#: Crop side = BOX_SCALE x the larger side of the landmark box (margin for jitter and pose).
BOX_SCALE = 1.3


def box_crop(box: np.ndarray, angle: float = 0.0, scale: float = BOX_SCALE) -> CropSpec:
    """Square crop around a face box ``[x0, y0, x1, y1]`` (landmark-box convention)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return CropSpec((x0 + x1) / 2, (y0 + y1) / 2, scale * max(x1 - x0, y1 - y0), angle)
