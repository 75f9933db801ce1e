"""Moving-least-squares affine deformation (Schaefer, McPhail and Warren 2006), vectorised."""

from __future__ import annotations

import numpy as np

CHUNK = 2048  # query points per block (keeps the (block, N) weights in cache)


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
    px, py, qx, qy = p[:, 0], p[:, 1], q[:, 0], q[:, 1]
    # every weighted sum the solve needs, as one (N, 11) matrix: one product per block
    feats = np.stack(
        [np.ones_like(px), px, py, qx, qy, px * px, px * py, py * py, px * qx, px * qy, py * qx],
        axis=1,
    )
    feats = np.hstack([feats, (py * qy)[:, None]])
    out = np.empty_like(v)
    for i in range(0, len(v), CHUNK):
        out[i : i + CHUNK] = _block(v[i : i + CHUNK], p, q, feats, alpha)
    return out


def _block(
    v: np.ndarray, p: np.ndarray, q: np.ndarray, feats: np.ndarray, alpha: float
) -> np.ndarray:
    dx = v[:, :1] - p[:, 0]
    dy = v[:, 1:] - p[:, 1]
    d2 = np.maximum(dx * dx + dy * dy, 1e-8)  # (B, N)
    w = 1.0 / (d2 if alpha == 1.0 else d2**alpha)
    s = w @ feats  # (B, 12) weighted sums
    ws = s[:, 0]
    ps = s[:, 1:3] / ws[:, None]
    qs = s[:, 3:5] / ws[:, None]
    # second moments about the weighted centroids
    axx = s[:, 5] - ws * ps[:, 0] * ps[:, 0]
    axy = s[:, 6] - ws * ps[:, 0] * ps[:, 1]
    ayy = s[:, 7] - ws * ps[:, 1] * ps[:, 1]
    bxx = s[:, 8] - ws * ps[:, 0] * qs[:, 0]
    bxy = s[:, 9] - ws * ps[:, 0] * qs[:, 1]
    byx = s[:, 10] - ws * ps[:, 1] * qs[:, 0]
    byy = s[:, 11] - ws * ps[:, 1] * qs[:, 1]
    det = axx * ayy - axy * axy
    det = np.where(np.abs(det) > 1e-12, det, 1e-12)
    # M = A^-1 B with A = [[axx, axy], [axy, ayy]], B = [[bxx, bxy], [byx, byy]]
    m00 = (ayy * bxx - axy * byx) / det
    m01 = (ayy * bxy - axy * byy) / det
    m10 = (axx * byx - axy * bxx) / det
    m11 = (axx * byy - axy * bxy) / det
    r = v - ps
    out = np.stack([r[:, 0] * m00 + r[:, 1] * m10, r[:, 0] * m01 + r[:, 1] * m11], axis=1) + qs
    near = d2.min(axis=1) <= 1e-8  # on a handle: its target exactly
    if near.any():
        out[near] = q[d2[near].argmin(axis=1)]
    return out
