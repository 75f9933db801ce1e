"""Curves resampled arc by arc between corners, many groups of curves in one vectorised pass.

A curve's corners are its nearest places to given points (a knot when the point is one); each
arc between two corners gets a fixed number of points, evenly spaced by arc length from its
start corner (included) towards its end corner (excluded); an open curve ends with its last
corner. Curves come in groups (e.g. the parts of one face) that share one :class:`ArcPlan`;
arc length runs along one table per group (a running sum over the group's segments), so each
group's numbers are exactly those it gets alone, however many groups share the pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from curves.arc_tables import STEPS, ArcPlan, ArcTables, arc_tables
from curves.batch import CurveBatch
from curves.spline import evaluate_segments

__all__ = ["STEPS", "ArcPlan", "resample_arcs"]

_FINE = 2 * STEPS + 1  # samples of each finer grid of the corner search


@dataclass(frozen=True)
class _Lengths:
    """A batch's arc-length table: S segments sampled at t = k / STEPS."""

    table_s: np.ndarray  # (S * (STEPS + 1),) arc length from the group's first point
    curve_s0: np.ndarray  # (curves,) arc length at each curve's start
    total: np.ndarray  # (curves,) each curve's length


@lru_cache(maxsize=1)
def _basis() -> np.ndarray:
    """(STEPS + 1, 4) the cubic basis (t^3, t^2, t, 1) at t = k / STEPS (read-only, cached)."""
    t = np.arange(STEPS + 1) / STEPS
    out = np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=1)
def _basis_t() -> np.ndarray:
    """(4, STEPS + 1) ``_basis().T``, contiguous (read-only, cached)."""
    out = np.ascontiguousarray(_basis().T)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=1)
def _fine_k() -> np.ndarray:
    """(_FINE,) float ``0 .. _FINE - 1`` (read-only, cached)."""
    out = np.arange(_FINE, dtype=np.float64)
    out.flags.writeable = False
    return out


def _lengths(coeffs: np.ndarray, tb: ArcTables) -> _Lengths:
    """The arc-length table of segments ``coeffs`` (S, 4, 2): chords between the samples at
    t = k / STEPS summed along each segment, then segment after segment within each group.
    Few large temporaries (fresh memory costs page faults)."""
    n = len(coeffs)
    table = np.empty((n, STEPS + 1))
    chord = table[:, 1:]  # chord k: from sample k to sample k + 1
    samples = np.matmul(coeffs[:, :, 0], _basis_t())  # (S, STEPS + 1) x
    np.subtract(samples[:, 1:], samples[:, :-1], out=chord)
    np.matmul(coeffs[:, :, 1], _basis_t(), out=samples)  # y
    np.hypot(chord, samples[:, 1:] - samples[:, :-1], out=chord)
    table[:, 0] = 0.0
    for k in range(1, STEPS):  # running sum along each segment, a column at a time
        np.add(table[:, k], table[:, k + 1], out=table[:, k + 1])
    # each group's running sum of segment lengths, from 0 (a zero column before each row)
    pad = np.zeros(tb.pad_shape)
    pad.flat[tb.pad_put] = table[:, -1]
    table += np.cumsum(pad, axis=1).ravel()[tb.pad_take, None]
    curve_s0 = table[tb.curve_first, 0]
    return _Lengths(table.ravel(), curve_s0, table[tb.curve_last, -1] - curve_s0)


def _grid_samples(coeffs: np.ndarray, first: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The samples at t = k / STEPS of T curves' segments (``first[i]`` .. ``first[i] + n[i] -
    1``): (STEPS + 1, 2, T, max n) x and y (segments past a curve's end repeat its last)."""
    seg = first[:, None] + np.minimum(np.arange(int(n.max())), n[:, None] - 1)
    c = coeffs[seg]  # (T, W, 4, 2)
    xy = _basis() @ c.transpose(2, 3, 0, 1).reshape(4, -1)
    return xy.reshape(STEPS + 1, 2, *seg.shape)


def _corner_params(batch: CurveBatch, tb: ArcTables, p: np.ndarray) -> np.ndarray:
    """(J,) parameters (0..n on its curve's n segments) of every corner's nearest place to its
    point ``p`` (J, 2): the knot when ``p`` is one, else a three-level grid search (the samples
    at t = k / STEPS, then two finer grids around the best sample; the first best sample wins
    ties)."""
    v = batch.all_points[tb.knot_idx]  # (J, Kmax, 2) each corner's curve's knots
    d = np.hypot(v[..., 0] - p[:, None, 0], v[..., 1] - p[:, None, 1])
    d[tb.knot_pad] = np.inf
    k = np.argmin(d, axis=1)
    knot = d.min(axis=1) <= 1e-9 * np.maximum(1.0, np.abs(p).max(axis=1))
    out = k.astype(np.float64)
    todo = np.flatnonzero(~knot)
    if not len(todo):
        return out
    n, seg0 = tb.corner_nseg[todo], tb.corner_seg0[todo]
    px, py = p[todo, 0, None], p[todo, 1, None]
    # first grid: u = k / STEPS over the whole curve
    xy = _grid_samples(batch.coeffs, tb.corner_first[todo], n)
    width, size = xy.shape[3], xy[0, 0].size  # segments per curve, samples of x per k
    end = STEPS * n[:, None]
    k = np.arange(int(end.max()) + 1)
    kk = np.minimum(k, end)  # (T, W): sample k of the curve (its last one past its end)
    seg = np.minimum(kk // STEPS, n[:, None] - 1)
    at = (kk - STEPS * seg) * (2 * size) + np.arange(len(todo))[:, None] * width + seg
    flat = xy.reshape(-1)
    best = _first_nearest(flat[at] - px, flat[at + size] - py, k > end) / STEPS
    step = 1.0 / STEPS
    rows, last, off = np.arange(len(todo)), (seg0 + n - 1)[:, None], tb.corner_offset[todo, None]
    for _ in range(2):
        # np.linspace(best - step, best + step, _FINE, axis=1), clipped to the curve
        start, stop = best - step, best + step
        g = _fine_k() * ((stop - start) / (_FINE - 1))[:, None] + start[:, None]
        g[:, -1] = stop
        g = np.minimum(np.maximum(g, 0.0), n[:, None])
        at = evaluate_segments(batch.coeffs, seg0[:, None] + g, last, off)  # (T, _FINE, 2)
        best = g[rows, np.argmin(np.hypot(at[..., 0] - px, at[..., 1] - py), axis=1)]
        step /= STEPS
    out[todo] = best
    return out


def _first_nearest(dx: np.ndarray, dy: np.ndarray, pad: np.ndarray) -> np.ndarray:
    """Per row of (M, W) offsets, the first index of the smallest ``np.hypot(dx, dy)`` outside
    ``pad`` (M, W) bool. ``np.hypot`` (slow) only where the squared distance is within a hair
    of the row's smallest: the rest cannot hold the smallest distance."""
    d2 = dx * dx + dy * dy
    d2[pad] = np.inf
    near = d2 <= d2.min(axis=1, keepdims=True) * (1.0 + 1e-6) + 1e-290
    d = np.full(d2.shape, np.inf)
    d[near] = np.hypot(dx[near], dy[near])
    return np.argmin(d, axis=1)


def _per_group(
    x: np.ndarray, bounds: list[int], table_bounds: list[int], xp: np.ndarray, fp: np.ndarray
) -> np.ndarray:
    """``np.interp`` of each group's ``x[bounds[g]:bounds[g + 1]]`` on its own table rows."""
    out = np.empty(len(x))
    for g in range(len(bounds) - 1):
        sl, tl = slice(bounds[g], bounds[g + 1]), slice(table_bounds[g], table_bounds[g + 1])
        out[sl] = np.interp(x[sl], xp[tl], fp[tl])
    return out


def resample_arcs(
    batch: CurveBatch, plan: ArcPlan, corner_points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every group's curves resampled arc by arc (see the module docstring), all at once.

    Args:
        batch: the curves of G groups, group by group, each group's curves in ``plan`` order
            (``CurveBatch.from_checked`` of every group's validated control points).
        plan: the curves and arcs of one group.
        corner_points: (G, R, 2) float per group, the points ``plan.corners`` index (rows),
            in the curves' coordinate space.
    Returns:
        points: (G, N, 2) float64, N = ``sum(plan.sizes)``: per group its curves' points, curve
            after curve, in the curves' coordinate space.
        bad: (G,) int64 per group, the index of its first arc (counted over the plan's curves)
            whose corners coincide (no length from start to end corner), or -1; that group's
            points are then meaningless.
    """
    corner_points = np.asarray(corner_points, dtype=np.float64)
    groups, rows = corner_points.shape[:2]
    if len(batch.points) != groups * len(plan.closed):
        raise ValueError(
            f"batch: expected {groups} x {len(plan.closed)} curves, got {len(batch.points)}"
        )
    tb = arc_tables(tuple(len(p) for p in batch.points), plan, groups, rows)
    sm = _lengths(batch.coeffs, tb)
    p = corner_points.reshape(-1, 2)[tb.corner_row]
    u = tb.corner_seg0 + _corner_params(batch, tb, p)
    s = _per_group(u, tb.corner_bounds, tb.table_bounds, tb.table_u, sm.table_s)
    s -= sm.curve_s0[tb.corner_curve]
    with np.errstate(invalid="ignore", divide="ignore"):  # only in groups flagged bad
        span = s[tb.arc_next] - s[tb.arc_start]
        total = sm.total[tb.arc_curve]
        span[tb.arc_closed] %= total[tb.arc_closed]
        span[tb.arc_single] = total[tb.arc_single]
        bad_arc = np.flatnonzero(~(span > 0))
        bad = np.full(groups, -1, dtype=np.int64)
        if len(bad_arc):
            group, first = np.unique(bad_arc // tb.arcs_per_group, return_index=True)
            bad[group] = bad_arc[first] - group * tb.arcs_per_group
        span = np.append(span, 0.0)  # the open curves' end corners: zero span
        along = s[tb.pt_corner] + (span[tb.pt_arc] * tb.pt_k) / tb.pt_count
        along[tb.pt_closed] %= sm.total[tb.pt_curve[tb.pt_closed]]
        target = sm.curve_s0[tb.pt_curve] + along
        u = _per_group(target, tb.pt_bounds, tb.table_bounds, sm.table_s, tb.table_u)
    u = np.clip(u, tb.pt_lo, tb.pt_hi)
    out = evaluate_segments(batch.coeffs, u, tb.pt_hi - 1, tb.pt_offset)
    return out.reshape(groups, -1, 2), bad
