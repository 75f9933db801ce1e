"""Distances between points and curves (polylines), used by evaluation and refinement.

A curve here is a polyline (K, 2); pass a densely resampled curve for smooth ones.
"""

from __future__ import annotations

import numpy as np

from curves.validate import as_points


def _segments(curve: np.ndarray, closed: bool) -> tuple[np.ndarray, np.ndarray]:
    ring = np.vstack([curve, curve[:1]]) if closed and len(curve) > 2 else curve
    if len(ring) == 1:
        return ring, np.zeros_like(ring)
    return ring[:-1], np.diff(ring, axis=0)


def point_to_curve(
    points: np.ndarray, curve: np.ndarray, closed: bool = False, chunk: int = 4096
) -> np.ndarray:
    """Euclidean distance from each point to the nearest point of a polyline.

    Args:
        points: (M, 2) float query points.
        curve: (K, 2) float polyline vertices, K >= 1.
        closed: include the segment from the last vertex back to the first.
        chunk: queries processed at once (bounds memory at chunk * K).
    Returns:
        (M,) float64 distances, in the inputs' units.
    """
    q = as_points(points, "points", min_points=0)
    c = as_points(curve, "curve", min_points=1)
    start, vec = _segments(c, closed)
    len2 = np.einsum("ij,ij->i", vec, vec)
    safe = np.where(len2 > 0, len2, 1.0)
    out = np.empty(len(q))
    for i in range(0, len(q), chunk):
        block = q[i : i + chunk, None, :] - start[None]
        t = np.clip(np.einsum("mkj,kj->mk", block, vec) / safe, 0.0, 1.0)
        t = np.where(len2 > 0, t, 0.0)
        diff = block - t[..., None] * vec[None]
        out[i : i + chunk] = np.sqrt(np.einsum("mkj,mkj->mk", diff, diff).min(axis=1))
    return out


def curve_to_curve(
    a: np.ndarray, b: np.ndarray, closed_a: bool = False, closed_b: bool = False
) -> dict[str, float]:
    """Symmetric distances between two polylines given by dense vertices.

    Returns:
        ``{"mean": average of both directed mean distances, "hausdorff": max of both directed
        max distances, "a_to_b": mean from a's vertices to b, "b_to_a": mean from b's to a}``.
    """
    dab = point_to_curve(a, b, closed_b)
    dba = point_to_curve(b, a, closed_a)
    return {
        "mean": 0.5 * float(dab.mean() + dba.mean()),
        "hausdorff": float(max(dab.max(), dba.max())),
        "a_to_b": float(dab.mean()),
        "b_to_a": float(dba.mean()),
    }
