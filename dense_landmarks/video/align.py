"""Similarity alignment of a face to a reference from its stable points (eye corners, nose).

A similarity ``x_img = s R(θ) x_ref + t`` is kept as parameters ``(log s, θ, tx / s, ty / s)``
so that a filter on them treats scale, rotation and translation in face units.
The reference (:data:`STABLE_REFERENCE`) is the mean of the 300-W training shapes (generalised
Procrustes on these points), in units of the outer-eye-corner distance, centred between the
outer eye corners, x to the subject's left: the same frame for every speaker.
"""

from __future__ import annotations

import numpy as np

from dense_landmarks import scheme

#: JD-106 indices of the stable points: eye corners, nose bridge and nose base.
STABLE_INDICES: tuple[int, ...] = scheme.VIDEO_STABLE_POINTS
#: (13, 2) reference positions of :data:`STABLE_INDICES` (outer eye corners at (∓0.5, 0)).
STABLE_REFERENCE = np.array(
    [
        [-0.5, 0.0],
        [-0.2146, 0.0196],
        [0.2156, 0.0190],
        [0.5, 0.0],
        [0.0034, -0.0185],
        [0.0033, 0.1233],
        [0.0035, 0.2639],
        [0.0042, 0.4084],
        [-0.1658, 0.5018],
        [-0.0834, 0.5327],
        [0.0021, 0.5588],
        [0.0880, 0.5328],
        [0.1653, 0.5049],
    ]
)
#: Mouth centre (mean of the outer lip points) in the reference frame.
MOUTH_CENTRE_REFERENCE = np.array([0.0020, 0.8061])


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (Umeyama, no reflection) mapping ``src`` onto ``dst``.

    Args:
        src, dst: (..., N, 2) float point sets.
    Returns:
        (..., 2, 3) float64 affine matrices ``[s R | t]``.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    ms, md = src.mean(-2, keepdims=True), dst.mean(-2, keepdims=True)
    a, b = src - ms, dst - md
    den = (a**2).sum((-1, -2))
    c = (a * b).sum((-1, -2)) / den
    s = (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]).sum(-1) / den
    m = np.zeros((*den.shape, 2, 3))
    m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1] = c, -s, s, c
    m[..., :, 2] = md[..., 0, :] - np.einsum("...ij,...j->...i", m[..., :, :2], ms[..., 0, :])
    return m


def face_similarity(points106: np.ndarray) -> np.ndarray:
    """(..., 2, 3) similarity mapping the reference frame into the image, from (..., 106, 2)."""
    pts = np.asarray(points106, dtype=np.float64)
    return fit_similarity(
        np.broadcast_to(STABLE_REFERENCE, (*pts.shape[:-2], 13, 2)),
        pts[..., list(STABLE_INDICES), :],
    )


def to_params(m: np.ndarray) -> np.ndarray:
    """(..., 2, 3) similarity -> (..., 4) ``(log s, θ, tx / s, ty / s)``."""
    s = np.hypot(m[..., 0, 0], m[..., 1, 0])
    th = np.arctan2(m[..., 1, 0], m[..., 0, 0])
    return np.stack([np.log(s), th, m[..., 0, 2] / s, m[..., 1, 2] / s], -1)


def from_params(p: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_params`: (..., 4) -> (..., 2, 3)."""
    p = np.asarray(p, dtype=np.float64)
    s, th = np.exp(p[..., 0]), p[..., 1]
    m = np.zeros((*p.shape[:-1], 2, 3))
    m[..., 0, 0] = m[..., 1, 1] = s * np.cos(th)
    m[..., 1, 0] = s * np.sin(th)
    m[..., 0, 1] = -m[..., 1, 0]
    m[..., 0, 2], m[..., 1, 2] = p[..., 2] * s, p[..., 3] * s
    return m


def apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points (..., N, 2) through affine (2, 3) (or batched (..., 2, 3))."""
    m = np.asarray(m, dtype=np.float64)
    return np.einsum("...ij,...nj->...ni", m[..., :, :2], pts) + m[..., None, :, 2]


def invert(m: np.ndarray) -> np.ndarray:
    """Inverse of a (..., 2, 3) affine."""
    a = np.linalg.inv(m[..., :, :2])
    out = np.empty_like(m)
    out[..., :, :2] = a
    out[..., :, 2] = -np.einsum("...ij,...j->...i", a, m[..., :, 2])
    return out
