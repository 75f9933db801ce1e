"""Split a total point budget across contours by their length, and resample every part."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from curves.batch import CurveBatch


def allocate(lengths: Mapping[str, float], total: int, minimum: int = 8) -> dict[str, int]:
    """Share ``total`` points among parts in proportion to their lengths.

    Every part gets at least ``minimum``; the rest is split by length with the largest-remainder
    method, so the counts always add up to exactly ``total``. Ties break by the mapping's order,
    which the result keeps.

    Args:
        lengths: part name -> contour length (>= 0, finite), in output order.
        total: total number of points (>= minimum * number of parts).
        minimum: smallest count per part.
    """
    names = list(lengths)
    if not names:
        raise ValueError("lengths: no parts given")
    if minimum < 0:
        raise ValueError(f"minimum: must be >= 0, got {minimum}")
    vals = np.array([float(lengths[k]) for k in names])
    if not np.isfinite(vals).all() or (vals < 0).any():
        raise ValueError(f"lengths: must be finite and >= 0, got {dict(zip(names, vals.tolist()))}")
    if total < minimum * len(names):
        raise ValueError(
            f"total: {total} points cannot give {len(names)} parts at least {minimum} each"
        )
    spare = total - minimum * len(names)
    weights = vals / vals.sum() if vals.sum() > 0 else np.full(len(names), 1.0 / len(names))
    exact = weights * spare
    counts = np.floor(exact).astype(np.int64)
    left = spare - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:left]] += 1
    return {k: int(c) + minimum for k, c in zip(names, counts)}


def resample_parts(
    parts: Mapping[str, tuple[np.ndarray, bool]],
    total: int = 1000,
    minimum: int = 8,
    *,
    merge_duplicates: bool = True,
) -> dict[str, np.ndarray]:
    """Resample several contours to share a total budget of evenly spaced points.

    Args:
        parts: part name -> ((K, 2) float control points, closed flag), in output order.
        total: points over all parts (default 1000 per face).
        minimum: smallest number of points per part (at least 2, or 3 for closed parts).
        merge_duplicates: merge coincident neighbouring control points (predictions may touch).
    Returns:
        part name -> (n_part, 2) float64 points, same order as ``parts``, counts summing to
        ``total``; same coordinate space as the input.
    """
    names = list(parts)
    batch = CurveBatch(list(parts.values()), merge_duplicates=merge_duplicates, names=names)
    floor = max(minimum, 3 if any(batch.closed) else 2)
    counts = allocate(dict(zip(names, batch.lengths.tolist())), total, floor)
    return dict(zip(names, batch.resample([counts[k] for k in names])))
