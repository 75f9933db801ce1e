"""Input checks shared by every ``curves`` function: shapes, finiteness, degeneracy."""

from __future__ import annotations

import numpy as np


def as_points(points: object, name: str = "points", min_points: int = 1) -> np.ndarray:
    """Return ``points`` as a C-contiguous float64 (N, 2) array, or raise ``ValueError``.

    Args:
        points: array-like (N, 2) of (x, y).
        name: what to call the input in error messages.
        min_points: smallest accepted N.
    Raises:
        ValueError: wrong shape, too few points, or NaN/inf values (the message says which).
    """
    try:
        arr = np.array(points, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: not a numeric (N, 2) array ({exc})") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name}: expected shape (N, 2), got {arr.shape}")
    if arr.shape[0] < min_points:
        raise ValueError(f"{name}: needs at least {min_points} points, got {arr.shape[0]}")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{name}: non-finite (NaN/inf) values at rows {np.flatnonzero(bad)[:10].tolist()}"
        )
    return np.ascontiguousarray(arr)


def coincident_tolerance(points: np.ndarray) -> float:
    """Distance under which two points count as the same: 1e-9 of the extent (at least 1e-12)."""
    extent = float(np.ptp(points, axis=0).max()) if len(points) else 0.0
    return float(tolerance_of_extent(extent))


def tolerance_of_extent(extent: float | np.ndarray) -> float | np.ndarray:
    """:func:`coincident_tolerance` of point sets whose extents (largest coordinate range) are
    ``extent`` (a float or an array of them, any shape; the same doubles)."""
    return np.maximum(np.multiply(extent, 1e-9), 1e-12)


def dedupe_neighbours(points: np.ndarray, closed: bool) -> np.ndarray:
    """Drop points that coincide with their predecessor (and a closed curve's repeated start)."""
    tol = coincident_tolerance(points)
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.linalg.norm(np.diff(points, axis=0), axis=1) > tol
    out = points[keep]
    if closed and len(out) > 1 and np.linalg.norm(out[-1] - out[0]) <= tol:
        out = out[:-1]
    return out


def check_curve_points(
    points: object, closed: bool, merge_duplicates: bool, name: str
) -> np.ndarray:
    """Validate control points of an open or closed curve.

    Open curves need 2 distinct points, closed ones 3 points that are not all on one line.
    Coincident neighbours (including a closed curve's last point repeating its first) raise
    unless ``merge_duplicates`` is set, in which case they are merged.
    """
    arr = as_points(points, name=name, min_points=1)
    merged = dedupe_neighbours(arr, closed)
    if len(merged) != len(arr) and not merge_duplicates:
        tol = coincident_tolerance(arr)
        steps = np.linalg.norm(np.diff(arr, axis=0), axis=1)
        rows = np.flatnonzero(steps <= tol)
        where = (
            f"rows {rows[:10].tolist()} and their successors"
            if len(rows)
            else "first and last rows"
        )
        raise ValueError(
            f"{name}: coincident neighbouring points ({where}); "
            "pass merge_duplicates=True to merge them"
        )
    need = 3 if closed else 2
    if len(merged) < need:
        kind = "closed" if closed else "open"
        raise ValueError(f"{name}: a {kind} curve needs {need} distinct points, got {len(merged)}")
    if closed:
        centred = merged - merged.mean(axis=0)
        cov = centred.T @ centred  # rank 1 when all points lie on one line
        if np.linalg.det(cov) <= 1e-18 * np.trace(cov) ** 2:
            raise ValueError(f"{name}: the points of a closed curve are all on one line")
    return merged
