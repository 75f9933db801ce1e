"""Moving-least-squares affine deformation (Schaefer, McPhail and Warren 2006), vectorised."""

from __future__ import annotations

import numpy as np


def mls_affine(v: np.ndarray, p: np.ndarray, q: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Map points ``v`` with the MLS affine deformation that takes handles ``p`` to ``q``.

    Args:
        v: (G, 2) float query points.
        p: (N, 2) float handle positions (N >= 3, not all on a line).
        q: (N, 2) float where the handles go.
        alpha: weight falloff, w_i = 1 / |p_i - v|^(2 alpha).
    Returns:
        (G, 2) float64 mapped points; a handle maps exactly onto its target.
    """
    v = np.asarray(v, np.float64)
    p = np.asarray(p, np.float64)
    q = np.asarray(q, np.float64)
    dx = v[:, :1] - p[:, 0]
    dy = v[:, 1:] - p[:, 1]
    d2 = dx * dx + dy * dy  # (G, N)
    w = 1.0 / (np.maximum(d2, 1e-8) if alpha == 1.0 else np.maximum(d2, 1e-8) ** alpha)
    ws = w.sum(1, keepdims=True)
    ps = w @ p / ws  # (G, 2)
    qs = w @ q / ws
    # weighted second moments about the weighted centroids: sum w p^T p - ws ps^T ps, etc.
    px, py, qx, qy = p[:, 0], p[:, 1], q[:, 0], q[:, 1]
    ws1 = ws[:, 0]

    def moment(a: np.ndarray, b: np.ndarray, ma: np.ndarray, mb: np.ndarray) -> np.ndarray:
        return w @ (a * b) - ws1 * ma * mb

    axx = moment(px, px, ps[:, 0], ps[:, 0])
    axy = moment(px, py, ps[:, 0], ps[:, 1])
    ayy = moment(py, py, ps[:, 1], ps[:, 1])
    b = np.stack(
        [
            moment(px, qx, ps[:, 0], qs[:, 0]),
            moment(px, qy, ps[:, 0], qs[:, 1]),
            moment(py, qx, ps[:, 1], qs[:, 0]),
            moment(py, qy, ps[:, 1], qs[:, 1]),
        ],
        -1,
    ).reshape(-1, 2, 2)
    det = axx * ayy - axy * axy
    det = np.where(np.abs(det) > 1e-12, det, 1e-12)
    inv = np.stack([ayy, -axy, -axy, axx], -1).reshape(-1, 2, 2) / det[:, None, None]
    m = inv @ b
    out = np.einsum("gi,gij->gj", v - ps, m) + qs
    exact = d2.min(1) < 1e-10  # on a handle: its target exactly
    if exact.any():
        out[exact] = q[d2[exact].argmin(1)]
    return out
