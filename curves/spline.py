"""Centripetal Catmull-Rom curves through ordered points, and arc-length resampling.

Centripetal Catmull-Rom (alpha = 0.5) interpolates its control points, never forms cusps or
self-intersections inside a segment, and is equivariant under rotation, translation, uniform
scale and mirroring -- what facial contours need. Points are (x, y) float64 in whatever
coordinate space the caller uses (image pixels everywhere in this project).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from curves.validate import check_curve_points

ALPHA = 0.5  # centripetal parametrisation
TABLE_STEPS = 16  # arc-length table steps per segment; chord refinement does the rest


def _hermite_coefficients(points: np.ndarray, closed: bool) -> np.ndarray:
    """Cubic coefficients (S, 4, 2) of each segment, p(t) = a t^3 + b t^2 + c t + d, t in [0, 1]."""
    if closed:
        p0 = np.roll(points, 1, axis=0)
        p1 = points
        p2 = np.roll(points, -1, axis=0)
        p3 = np.roll(points, -2, axis=0)
    else:
        # Phantom end points by reflection keep the end tangents along the end chords.
        ext = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
        p0, p1, p2, p3 = ext[:-3], ext[1:-2], ext[2:-1], ext[3:]
    return hermite_from_neighbours(p0, p1, p2, p3)


def hermite_from_neighbours(
    p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray
) -> np.ndarray:
    """Centripetal Catmull-Rom segment p1 -> p2 (neighbours p0, p3), each (S, 2) -> (S, 4, 2)."""
    return hermite_stacked(np.stack([p0, p1, p2, p3]))


def hermite_stacked(p: np.ndarray) -> np.ndarray:
    """:func:`hermite_from_neighbours` of ``p`` (4, S, 2) = (p0, p1, p2, p3) -> (S, 4, 2)
    float64 cubic coefficients (a, b, c, d) per segment, in ``p``'s coordinate space."""
    d = p[1:] - p[:-1]  # p1 - p0, p2 - p1, p3 - p2
    t = np.hypot(d[..., 0], d[..., 1]) ** ALPHA  # t01, t12, t23
    t_end = t[::2]  # t01, t23
    # the tangents at p1 and p2: d12 + t12 (d01 / t01 - (p2 - p0) / (t01 + t12)), and
    # d12 + t12 (d23 / t23 - (p3 - p1) / (t12 + t23))
    m = d[1] + t[1][:, None] * (
        d[::2] / t_end[..., None] - (p[2:] - p[:2]) / (t_end + t[1])[..., None]
    )
    a = -2.0 * d[1] + m[0] + m[1]  # 2 (p1 - p2) + m1 + m2, exactly
    b = 3.0 * d[1] - 2.0 * m[0] - m[1]  # -3 (p1 - p2) - 2 m1 - m2, exactly
    return np.stack([a, b, m[0], p[1]], axis=1)


def evaluate_segments(
    coeffs: np.ndarray,
    u: np.ndarray,
    seg_last: int | np.ndarray,
    offset: int | np.ndarray | None = None,
) -> np.ndarray:
    """Points at parameters ``u`` (M,) (or any shape) of segments ``coeffs`` (S, 4, 2) ->
    (M, 2) (``u``'s shape + (2,)).

    ``floor(u)`` picks the segment, capped at ``seg_last`` (so ``u`` at a curve's end evaluates
    its last segment at t = 1). ``offset`` (int or ints broadcasting with ``u``): segments
    counted from ``coeffs[offset]`` instead of ``coeffs[0]`` (``u`` and ``seg_last`` relative
    to it), e.g. the first segment of one group among many in a batch.
    """
    seg = np.minimum(u.astype(np.int64), seg_last)
    t = (u - seg)[..., None]
    c = coeffs[seg if offset is None else seg + offset]
    return ((c[..., 0, :] * t + c[..., 1, :]) * t + c[..., 2, :]) * t + c[..., 3, :]


def _length_table(coeffs: np.ndarray, per_segment: int) -> tuple[np.ndarray, np.ndarray]:
    """Parameters (M,) and cumulative chord lengths (M,) on a grid of ``per_segment`` steps."""
    t = np.arange(per_segment, dtype=np.float64) / per_segment
    basis = np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)  # (m, 4)
    xy = np.matmul(basis[None], coeffs).reshape(-1, 2)
    xy = np.vstack([xy, coeffs[-1].sum(axis=0)])  # the end point, t = 1 of the last segment
    step = np.hypot(*np.diff(xy, axis=0).T)
    s = np.empty(len(xy))
    s[0] = 0.0
    np.cumsum(step, out=s[1:])
    u = np.arange(len(xy), dtype=np.float64) / per_segment
    return u, s


@dataclass(frozen=True)
class Curve:
    """An interpolating centripetal Catmull-Rom curve.

    The curve is parametrised by ``u`` in ``[0, n_segments]``; ``u = k`` is control point ``k``.

    Attributes:
        points: (K, 2) float64 control points (coincident neighbours merged when asked).
        closed: whether the last point joins the first.
        coeffs: (S, 4, 2) cubic coefficients per segment (S = K for closed, K - 1 for open).
    """

    points: np.ndarray
    closed: bool
    coeffs: np.ndarray = field(repr=False)

    @property
    def n_segments(self) -> int:
        return len(self.coeffs)

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        return _length_table(self.coeffs, TABLE_STEPS)

    @property
    def length(self) -> float:
        """Arc length of the whole curve (closing segment included for closed curves)."""
        return float(self._table[1][-1])

    def evaluate(self, u: np.ndarray) -> np.ndarray:
        """Points at parameters ``u`` (M,) in ``[0, n_segments]`` -> (M, 2) float64."""
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, self.n_segments)
        return evaluate_segments(self.coeffs, u, self.n_segments - 1)

    def at_knots(self) -> np.ndarray:
        """The curve evaluated at its control points' parameters: (K, 2), equal to ``points``."""
        return self.evaluate(np.arange(len(self.points), dtype=np.float64))

    def length_at(self, u: np.ndarray) -> np.ndarray:
        """Arc length from the first point to parameters ``u`` (M,)."""
        return np.interp(u, *self._table)

    def param_at_length(self, s: np.ndarray) -> np.ndarray:
        """Curve parameter ``u`` at arc lengths ``s`` (M,) measured from the first point."""
        u, table_s = self._table
        return np.interp(s, table_s, u)

    def resample(self, n: int, refine: int = 2) -> np.ndarray:
        """``n`` points evenly spaced along the curve, in the curve's order and orientation.

        Open curves: the first and last output points are the first and last control points.
        Closed curves: the first output point is the first control point and the spacing
        between the last and first output points equals the others (no repeated point; within
        1 % of the median step from 30 points on, but up to ~8 % off when there are fewer than
        two output points per control point).

        Args:
            n: number of output points (>= 2 for open curves, >= 3 for closed ones).
            refine: passes that equalise chord lengths after arc-length placement.
        Returns:
            (n, 2) float64 points in the control points' coordinate space.
        """
        return _resample(self, int(n), refine)


def fit_curve(
    points: np.ndarray,
    closed: bool,
    *,
    merge_duplicates: bool = False,
    name: str = "points",
) -> Curve:
    """Fit an interpolating centripetal Catmull-Rom curve through ordered points.

    Args:
        points: (K, 2) float (x, y) control points, in order along the contour. A closed curve
            must not repeat its first point at the end (a repeat is treated as a coincident
            neighbour).
        closed: True if the last point connects back to the first.
        merge_duplicates: merge coincident neighbouring points instead of raising.
        name: what to call the input in error messages.
    Raises:
        ValueError: fewer than 2 (open) / 3 (closed) distinct points, NaN/inf values, coincident
            neighbours (unless merged), collinear closed curves, or wrong shape.
    """
    pts = check_curve_points(points, closed, merge_duplicates, name)
    return Curve(pts, bool(closed), _hermite_coefficients(pts, closed))


def _resample(curve: Curve, n: int, refine: int) -> np.ndarray:
    need = 3 if curve.closed else 2
    if n < need:
        kind = "closed" if curve.closed else "open"
        raise ValueError(f"n: a {kind} curve needs at least {need} output points, got {n}")
    table_u, table_s = curve._table
    steps = n if curve.closed else n - 1
    target = np.arange(n, dtype=np.float64) * (table_s[-1] / steps)
    u = np.interp(target, table_s, table_u)
    end = float(curve.n_segments)
    goal = np.arange(steps + 1, dtype=np.float64) / steps
    for _ in range(refine):
        # Equalise chords: re-place the parameters by cumulative chord length.
        uu = np.append(u, end) if curve.closed else u
        xy = evaluate_segments(curve.coeffs, uu, curve.n_segments - 1)
        chord = np.empty(len(uu))
        chord[0] = 0.0
        np.cumsum(np.hypot(*np.diff(xy, axis=0).T), out=chord[1:])
        u = np.interp(goal * chord[-1], chord, uu)[:n]
    xy = evaluate_segments(curve.coeffs, u, curve.n_segments - 1)
    xy[0] = curve.points[0]
    if not curve.closed:
        xy[-1] = curve.points[-1]
    return xy


def resample(
    points: np.ndarray, n: int, closed: bool, *, merge_duplicates: bool = False
) -> np.ndarray:
    """Fit a curve through ``points`` (K, 2) and return ``n`` evenly spaced points (n, 2).

    Shorthand for ``fit_curve(points, closed, merge_duplicates=...).resample(n)``.
    """
    return fit_curve(points, closed, merge_duplicates=merge_duplicates).resample(n)


def polyline_length(points: np.ndarray, closed: bool) -> float:
    """Length of the polyline through (K, 2) points (closing edge included when ``closed``)."""
    pts = np.asarray(points, dtype=np.float64)
    ring = np.vstack([pts, pts[:1]]) if closed else pts
    return float(np.linalg.norm(np.diff(ring, axis=0), axis=1).sum())


def signed_area(points: np.ndarray) -> float:
    """Shoelace signed area of a closed (K, 2) polygon (> 0: counter-clockwise with y up)."""
    pts = np.asarray(points, dtype=np.float64)
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
