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


#: below this sigma (a downscale of less than ~2.4x) the Gaussian's side taps weigh < 1e-5: it
#: could not change a uint8 pixel, so none is applied
MIN_SIGMA = 0.2


def blur_sigma(scale: float) -> float:
    """Gaussian sigma (image pixels) that anti-aliases a bilinear sampling of the image at
    ``scale`` crop pixels per image pixel (0 from ``scale`` 0.5 up): the spread of the area
    averaging down to twice the crop's resolution that it replaced (a box of ``1 / (2 scale)``
    pixels), less that of the pixel itself, so it grows continuously from 0."""
    width = 0.5 / scale
    return float(np.sqrt(max(width * width - 1.0, 0.0) / 12.0))


def warp(
    image: np.ndarray, m: np.ndarray, size: int, border: int = cv2.BORDER_CONSTANT
) -> np.ndarray:
    """Sample a ``size`` x ``size`` crop of an (H, W, C) image through matrix ``m``.

    Strong downscales (more than 2x) first smooth the image region under the crop with a
    Gaussian (:func:`blur_sigma`; ~0.8 ms on a 640 x 480 image, where area averaging to a
    fractional size took ~2 ms) so the crop is not aliased. The filter is symmetric and nothing
    is decimated, so the crop of a mirror-symmetric image stays mirror symmetric (the refiners'
    mirrored crops rely on it) and the geometry is the bilinear warp's alone. Only that region
    (plus the filter's margin) is smoothed, so the cost follows the crop, not the image.
    """
    scale = abs(float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])) ** 0.5  # sqrt |det|
    sigma = blur_sigma(scale) if scale < 0.5 else 0.0
    if sigma >= MIN_SIGMA:
        k = 2 * int(np.ceil(3.0 * sigma)) + 1  # the kernel's side
        inv = cv2.invertAffineTransform(np.asarray(m, dtype=np.float64))
        edge = np.array([-0.5, size - 0.5])
        corners = np.array([[x, y, 1.0] for x in edge for y in edge]) @ inv.T
        pad = k // 2 + 2  # the bilinear taps and the filter stay inside
        h, w = image.shape[:2]
        x0, y0 = np.floor(corners.min(axis=0)).astype(int) - pad
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + pad
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 1 or y1 - y0 < 1:  # the crop lies outside the image
            x0, y0, x1, y1 = 0, 0, w, h
        # at the image's own edges the filter averages the pixels there (as area averaging did)
        region = cv2.GaussianBlur(
            image[y0:y1, x0:x1], (k, k), sigma, borderType=cv2.BORDER_REPLICATE
        )
        m = np.asarray(m, dtype=np.float64).copy()
        m[:, 2] += m[:, :2] @ np.array([x0, y0], dtype=np.float64)  # region pixel = image - origin
        image = region
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
