"""Bounded turning between neighbouring samples (no spikes): the repair and a batched check.
Points are (N, 2) float64 (x, y); nothing here imports torch."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from curves.ring_batch import _layout
from curves.topology import turning_angles


def bound_turning(
    points: np.ndarray,
    closed: bool,
    max_turn: float,
    free: np.ndarray | None = None,
    iterations: int = 20,
) -> np.ndarray:
    """Spikes out: vertices turning by more than ``max_turn`` radians move towards the middle
    of their neighbours until none does (or ``iterations`` passes).

    Args:
        points: (N, 2). free: (N,) bool, the vertices that may move (default all but an open
            curve's ends); fixed ones (corners) neither move nor count.
    Returns:
        (N, 2) float64; unchanged when no free vertex turns more than ``max_turn``.
    """
    p = np.array(points, dtype=np.float64)
    n = len(p)
    if n < 3:
        return p
    if free is None:
        free = np.ones(n, bool)
        if not closed:
            free[[0, -1]] = False
    for _ in range(iterations):
        bad = free & (turning_angles(p, closed) > max_turn)
        if not bad.any():
            break
        if closed:
            mid = 0.5 * (np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0))
        else:
            mid = p.copy()
            mid[1:-1] = 0.5 * (p[:-2] + p[2:])
        p[bad] = mid[bad]
    else:
        return _cut_folds(p, closed, max_turn, free)
    return p


#: the longest stretch of a contour (fraction of its vertices) that cutting one fold may
#: straighten: a longer one is not a spike but the contour's shape (e.g. a closed mouth's inner
#: ring, a sliver whose arcs had crossed), and straightening it collapsed such a ring to a few
#: pixels; the fold is then left for the order rules and reported
MAX_FOLD_SHARE = 0.25


def _cut_folds(p: np.ndarray, closed: bool, max_turn: float, free: np.ndarray) -> np.ndarray:
    """What smoothing leaves (a fold: the curve doubling back, whose tiny segments keep
    turning): around a free vertex still turning too much, the vertices move onto the
    straight chord between two vertices beyond them (evenly spaced), the chord widening over
    free vertices until its ends turn within the bound. A chord that would need to span more
    than :data:`MAX_FOLD_SHARE` of the vertices (or cannot widen further) is not cut; the next
    turning vertex is tried, and the contour is returned once none can be cut."""
    n = len(p)
    longest = max(2, int(MAX_FOLD_SHARE * n))
    for _ in range(n):
        cut = False
        for k in np.flatnonzero(free & (turning_angles(p, closed) > max_turn)):
            lo, hi = int(k) - 1, int(k) + 1  # chord ends; the vertices strictly between move
            while True:
                q = p.copy()
                t = (np.arange(1, hi - lo) / (hi - lo))[:, None]
                q[np.arange(lo + 1, hi) % n] = (1 - t) * p[lo % n] + t * p[hi % n]
                turn = turning_angles(q, closed)
                ok = all(turn[e % n] <= max_turn or not free[e % n] for e in (lo, hi))
                grow_lo = bool(free[lo % n]) and (closed or lo > 0)
                grow_hi = bool(free[hi % n]) and (closed or hi < n - 1)
                if ok or not (grow_lo or grow_hi) or hi - lo >= longest:
                    break
                lo, hi = lo - grow_lo, hi + grow_hi
            if ok and not np.array_equal(q, p):
                p, cut = q, True
                break
        if not cut:
            break
    return p


@lru_cache(maxsize=256)
def _neighbours(
    counts: tuple[int, ...], closed: tuple[bool, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of curves of ``counts`` points concatenated (cached per layout, read-only): each
    vertex's curve id and the indices of its previous and next vertex (an open curve's ends
    are their own neighbours)."""
    s, cid, pos = _layout(counts)
    cl = np.array(closed, bool)[cid]
    n = np.array(counts, dtype=np.int64)[cid]
    prev = np.where(pos > 0, pos - 1, np.where(cl, n - 1, 0)) + s[cid]
    nxt = np.where(pos < n - 1, pos + 1, np.where(cl, 0, n - 1)) + s[cid]
    for a in (prev, nxt):
        a.flags.writeable = False
    return cid, prev, nxt


#: how far (radians) below a curve's bound :func:`turning_over` starts computing exact angles;
#: rounding moves an angle by ~1e-15, so none beyond the bound is missed
_MARGIN = 1e-3
#: squared edge lengths between these are compared without under- or overflow
_TINY, _HUGE = 1e-150, 1e150


def turning_over(
    p: np.ndarray, counts: tuple[int, ...], closed: tuple[bool, ...], max_turn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Batched: the vertices whose turning angle (exactly as
    :func:`curves.topology.turning_angles`) exceeds their curve's ``max_turn[c]`` radians, as
    (V,) int64 indices into ``p`` (ascending) and (V,) int64 curve ids.

    Args:
        p: (sum N_c, 2) float64 points of curves of ``counts`` points concatenated (any space).
        counts, closed: (C,) per curve. max_turn: (C,) float radians.

    A cheap test (dot product against the cosine of the bound less :data:`_MARGIN`, on edges of
    sane length) rules out most vertices; the angle is computed only for the rest.
    """
    cid, prev, nxt = _neighbours(counts, closed)
    bound = np.asarray(max_turn, dtype=np.float64)
    x, y = p[:, 0], p[:, 1]
    ax, ay = x - x[prev], y - y[prev]
    bx, by = x[nxt] - x, y[nxt] - y
    na, nb = ax * ax + ay * ay, bx * bx + by * by
    cos = np.where(bound > _MARGIN, np.cos(bound - _MARGIN), np.inf)[cid]
    unsure = ~(ax * bx + ay * by >= cos * (np.sqrt(na) * np.sqrt(nb)))  # NaN: unsure
    unsure |= (np.minimum(na, nb) < _TINY) | (np.maximum(na, nb) > _HUGE)
    cand = unsure.nonzero()[0]
    a, b = p[cand] - p[prev[cand]], p[nxt[cand]] - p[cand]
    turn = np.abs(np.arctan2(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], (a * b).sum(axis=1)))
    c = cid[cand]
    over = turn > bound[c]
    return cand[over], c[over]


def spiky(
    curves: list[np.ndarray], closed: list[bool], max_turn: np.ndarray, free: np.ndarray
) -> np.ndarray:
    """Batched: (C,) bool, True where a curve turns by more than its ``max_turn[c]`` radians
    at a vertex where ``free`` (the concatenated (sum N_c,) bool mask) holds."""
    p = np.concatenate(curves).astype(np.float64)
    counts = tuple(len(c) for c in curves)
    over, cid = turning_over(p, counts, tuple(bool(c) for c in closed), max_turn)
    return np.bincount(cid[free[over]], minlength=len(curves)) > 0
