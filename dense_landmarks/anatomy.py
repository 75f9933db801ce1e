"""Face geometry read from the dense contours (shared by make-up, measurements and warps).

Everything here relies only on the part names, start points and directions documented in
:mod:`dense_landmarks.scheme` (closed parts start at their first scheme point), never on how many
points a part has, so it works for any contour density or layout.

Points are float (n, 2) (x, y) pixels; left/right are the subject's own sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


def as_xy(points: np.ndarray, name: str, min_points: int = 3) -> np.ndarray:
    """``points`` as finite float64 (n, 2) with ``n >= min_points``; ``ValueError`` otherwise."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < min_points:
        raise ValueError(f"{name}: expected (n >= {min_points}, 2) points, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: points must be finite")
    return arr


def require(contours: Mapping[str, np.ndarray], *parts: str) -> dict[str, np.ndarray]:
    """The named contours as checked arrays; ``ValueError`` naming a missing part."""
    missing = [p for p in parts if p not in contours]
    if missing:
        raise ValueError(f"face contours: missing part(s) {missing}")
    return {p: as_xy(contours[p], p) for p in parts}


def far_index(ring: np.ndarray) -> int:
    """Index of the point of a closed ring farthest from its first point (the opposite corner)."""
    return int(np.argmax(np.linalg.norm(ring - ring[0], axis=1)))


def split_ring(ring: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a closed ring at its first point and the point farthest from it.

    For eyes, lips and brows the first half is the upper lid / upper lip / upper brow edge
    (scheme direction), the second half the lower one; both halves include both corners.

    Returns:
        (first, second): (k, 2) from ring[0] to the far point, and (m, 2) from the far point
        back to ring[0].
    """
    k = far_index(ring)
    return ring[: k + 1], np.vstack([ring[k:], ring[:1]])


def centroid(ring: np.ndarray) -> np.ndarray:
    """(2,) area centroid of a closed ring (vertex mean when it encloses no area)."""
    x, y = ring[:, 0], ring[:, 1]
    xs, ys = np.roll(x, -1), np.roll(y, -1)
    cross = x * ys - xs * y
    area = cross.sum() / 2.0
    if abs(area) < 1e-9:
        return ring.mean(axis=0)
    return np.array([((x + xs) * cross).sum(), ((y + ys) * cross).sum()]) / (6.0 * area)


def polygon_area(ring: np.ndarray) -> float:
    """Absolute shoelace area of a closed ring, pixels²."""
    x, y = ring[:, 0], ring[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def eye_centres(contours: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(right, left) eye centres: area centroids of the eye outlines, (2,) each."""
    c = require(contours, "right_eye", "left_eye")
    return centroid(c["right_eye"]), centroid(c["left_eye"])


def inter_ocular(contours: Mapping[str, np.ndarray]) -> float:
    """Distance between the eye centres, pixels (the face's scale unit)."""
    return face_frame(contours).iod


@dataclass(frozen=True)
class Frame:
    """Face-aligned frame: ``origin`` (eye midpoint), unit axes ``ex`` (towards the subject's
    left eye) and ``ey`` (down the face), each (2,) float64, and ``iod`` (pixels).
    Rotation-equivariant and scale-equivariant with the image."""

    origin: np.ndarray
    ex: np.ndarray
    ey: np.ndarray
    iod: float

    def to_frame(self, points: np.ndarray) -> np.ndarray:
        """Image points (..., 2) -> frame coordinates in IOD units (scale and rotation free)."""
        p = np.asarray(points, dtype=np.float64) - self.origin
        return np.stack([p @ self.ex, p @ self.ey], axis=-1) / self.iod

    def to_image(self, points: np.ndarray) -> np.ndarray:
        """Frame coordinates (IOD units) -> image pixels."""
        p = np.asarray(points, dtype=np.float64)
        return self.origin + self.iod * (p[..., :1] * self.ex + p[..., 1:2] * self.ey)


def face_frame(contours: Mapping[str, np.ndarray]) -> Frame:
    """The :class:`Frame` of a face, from its eye outlines."""
    r, left = eye_centres(contours)
    iod = float(np.linalg.norm(left - r))
    if iod <= 1e-6:
        raise ValueError("face contours: the eyes coincide (inter-ocular distance 0)")
    ex = (left - r) / iod
    ey = np.array([-ex[1], ex[0]])  # image y is down: x turned by +90 degrees points down the face
    return Frame((r + left) / 2.0, ex, ey, iod)


def arc_length(polyline: np.ndarray) -> np.ndarray:
    """(n,) cumulative arc length of an open polyline, starting at 0."""
    seg = np.linalg.norm(np.diff(polyline, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def resample(polyline: np.ndarray, n: int) -> np.ndarray:
    """(n, 2) points evenly spaced by arc length along an open polyline (ends kept)."""
    s = arc_length(polyline)
    if s[-1] <= 0:
        return np.repeat(polyline[:1], n, axis=0)
    t = np.linspace(0.0, s[-1], n)
    return np.stack([np.interp(t, s, polyline[:, 0]), np.interp(t, s, polyline[:, 1])], axis=1)


def normals(polyline: np.ndarray) -> np.ndarray:
    """(n, 2) unit normals of an open polyline (tangent rotated by +90 degrees)."""
    t = np.gradient(polyline, axis=0)
    t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)
    return np.stack([-t[:, 1], t[:, 0]], axis=1)


def lids(contours: Mapping[str, np.ndarray], side: str) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) lid polylines of one eye (``side`` 'right' or 'left'), each ordered from
    the inner corner to the outer corner."""
    eye = require(contours, f"{side}_eye")[f"{side}_eye"]
    first, second = split_ring(eye)
    # right eye starts at its outer corner, left eye at its inner corner (scheme order)
    if side == "right":
        return first[::-1], second
    return first, second[::-1]


def brow_edges(contours: Mapping[str, np.ndarray], side: str) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) brow edges of one side, each ordered inner -> outer end."""
    brow = require(contours, f"{side}_brow")[f"{side}_brow"]
    first, second = split_ring(brow)
    # right brow starts at its outer end, left brow at its inner end
    if side == "right":
        return first[::-1], second
    return first, second[::-1]


def lip_halves(contours: Mapping[str, np.ndarray], part: str) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) halves of ``outer_lips`` or ``inner_lips``, each ordered from the
    subject's right mouth corner to the left one."""
    ring = require(contours, part)[part]
    upper, lower = split_ring(ring)
    return upper, lower[::-1]
