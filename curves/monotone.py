"""Strictly increasing x along an arc: the isotonic fit that flattens an arc's folds and
loops, and the monotone copy :func:`curves.topology.order_ring` gives each arc. Values are
(M,) float64 (an arc's coordinate along its ring's axis); nothing here imports torch."""

from __future__ import annotations

import numpy as np

#: weight of the even ramp mixed into x where an arc folds back, to make it strictly monotone
_RAMP = 1e-3


def isotonic(x: np.ndarray) -> np.ndarray:
    """Least-squares non-decreasing fit of ``x`` (M,) (pool adjacent violators): a fold or a
    spike is averaged with its neighbours instead of setting the level of all that follow.

    The blocks are merged one at a time in the same order as the textbook loop (the same
    doubles); a run of values that pushes no merge is taken whole (Python works per merge)."""
    v = np.asarray(x, dtype=np.float64)
    xs = v.tolist()  # Python floats: the same doubles
    # where a value is below its predecessor: the only places a clean run can stop
    stops = ((v[:-1] > v[1:]).nonzero()[0] + 1).tolist()
    stops.append(len(xs))
    vals: list[float] = []
    sizes: list[int] = []
    starts: list[int] = []
    merged: dict[int, int] = {}  # start -> stack depth of the blocks of more than one value
    i = k = 0
    while i < len(xs):
        x_i = xs[i]
        if not vals or not vals[-1] > x_i:  # no merge: the run up to the next stop is clean
            while stops[k] <= i:
                k += 1
            vals += xs[i : stops[k]]
            sizes += [1] * (stops[k] - i)
            starts += range(i, stops[k])
            i = stops[k]
            continue
        vals.append(x_i)
        sizes.append(1)
        starts.append(i)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            n = sizes[-2] + sizes[-1]
            vals[-2] = (vals[-2] * sizes[-2] + vals[-1] * sizes[-1]) / n
            sizes[-2] = n
            vals.pop()
            sizes.pop()
            merged.pop(starts.pop(), None)
            merged[starts[-1]] = len(vals) - 1
        i += 1
    out = v.copy()
    for s, j in merged.items():
        out[s : s + sizes[j]] = vals[j]
    return out


def monotone(x: np.ndarray) -> np.ndarray:
    """Strictly increasing copy of ``x`` (M,) with the same first and last values, where
    ``x[0] <= x <= x[-1]``: unchanged if already strictly increasing, else its isotonic fit
    (:func:`isotonic`) with a tiny even ramp mixed in (folds and loops become near-vertical
    runs)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 2 or _increasing(x):
        return x.copy()
    ramp = np.linspace(x[0], x[-1], len(x))
    fit = np.clip(isotonic(np.clip(x, x[0], x[-1])), x[0], x[-1])
    out = (1.0 - _RAMP) * fit + _RAMP * ramp
    out[[0, -1]] = x[[0, -1]]
    return out


def _increasing(x: np.ndarray) -> bool:
    """Strictly increasing, except that the first and the last step may be vertical (a ring's
    extreme can be an edge across the axis: both its ends are extremes)."""
    if len(x) < 2:
        return True
    d = x[1:] - x[:-1]
    return bool((d[1:-1] > 0).all() and d[0] >= 0 and d[-1] >= 0)
