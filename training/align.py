"""Similarity alignment of point sets (Umeyama / Procrustes), used by labels, crops and metrics."""

from __future__ import annotations

import numpy as np


def similarity_transform(
    src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping ``src`` onto ``dst``.

    Args:
        src, dst: (N, 2) float corresponding points.
        weights: optional (N,) non-negative weights.
    Returns:
        (2, 3) float64 matrix ``M`` with ``dst ~= src @ M[:, :2].T + M[:, 2]`` (no reflection).
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or w.shape != (len(src),):
        raise ValueError(
            f"src {src.shape}, dst {dst.shape}, weights {w.shape}: need (N, 2), (N, 2), (N,)"
        )
    if w.sum() <= 0:
        raise ValueError("weights: sum must be positive")
    w = w / w.sum()
    mu_s, mu_d = w @ src, w @ dst
    s0, d0 = src - mu_s, dst - mu_d
    cov = (d0 * w[:, None]).T @ s0
    u, sig, vt = np.linalg.svd(cov)
    sign = np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0
    d = np.diag([1.0, sign])
    rot = u @ d @ vt
    var = float((w * (s0**2).sum(1)).sum())
    scale = float(np.trace(np.diag(sig) @ d)) / var if var > 0 else 1.0
    m = np.zeros((2, 3))
    m[:, :2] = scale * rot
    m[:, 2] = mu_d - m[:, :2] @ mu_s
    return m


def apply_transform(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a (2, 3) affine matrix to (N, 2) points -> (N, 2) float64."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ m[:, :2].T + m[:, 2]


def invert_transform(m: np.ndarray) -> np.ndarray:
    """Inverse of a (2, 3) affine matrix."""
    a = np.linalg.inv(m[:, :2])
    return np.hstack([a, -(a @ m[:, 2:3])])
