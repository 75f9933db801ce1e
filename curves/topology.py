"""Contour topology: simple rings with ordered arcs, rings inside rings, bounded turning.

A facial ring (an eye, a brow, a lip outline) is two arcs between its extreme points along an
axis (the line through its corners): an *upper* arc from the first extreme to the second and a
*lower* arc back. In the axis frame (x along the axis, y a quarter turn clockwise from it in
image coordinates, i.e. "down" for an upright face) the ring is guaranteed to be a simple polygon
when both arcs are strictly x-monotone and the lower arc lies strictly below the upper one
between the extremes: the two polylines are then graphs of piecewise-linear functions whose
difference is piecewise linear on the union of their vertices' x, so checking it at those
vertices is exact. Everything here works on those graphs and only moves points:

- :func:`order_ring`: makes a ring's arcs x-monotone (folds and loops flattened) and puts the
  lower arc below the upper one (where they cross both meet half way, e.g. a closed eye's lids,
  then a two-pass fix makes the order exact with a tiny ``gap``);
- :func:`curves.nesting.nest_rings`: additionally keeps an inner ring strictly inside an
  outer one (inner lips in outer lips), with the inner ring's own order;
- :func:`curves.turning.bound_turning`: spikes out: the turning between neighbouring samples
  is bounded away from fixed points (corners, ends);
- :func:`is_simple`, :func:`turning_angles`: the checks; :mod:`curves.ring_batch`: the same
  checks on many rings in one pass, :mod:`curves.ring_order` the repair of many rings.

The point count, order and starting point of every contour are kept, so the functions work on
sparse control points and on dense contours of any count alike. Points are (N, 2) float64
(x, y), any coordinate space; nothing here imports torch.
"""

from __future__ import annotations

import numpy as np

from curves.monotone import _increasing, monotone

#: smallest separation kept between arcs that must not touch, as a fraction of the axis length
GAP = 1e-3


def turning_angles(points: np.ndarray, closed: bool) -> np.ndarray:
    """Turning angle at each vertex, radians in [0, pi] (0 at an open curve's ends and at
    coincident neighbours). (N, 2) -> (N,) float64."""
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 3:
        return np.zeros(len(p))
    prev = np.roll(p, 1, axis=0) if closed else np.vstack([p[:1], p[:-1]])
    nxt = np.roll(p, -1, axis=0) if closed else np.vstack([p[1:], p[-1:]])
    a, b = p - prev, nxt - p
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = (a * b).sum(axis=1)
    return np.abs(np.arctan2(cross, dot))


def is_simple(ring: np.ndarray) -> bool:
    """Whether the closed polyline through (N, 2) points is a simple polygon: no two
    non-adjacent edges meet, adjacent edges only share their vertex, no zero-length edge, and
    it encloses area. Float64 orientation tests, O(N^2) memory: for checks and tests."""
    p = np.asarray(ring, dtype=np.float64)
    n = len(p)
    if n < 3 or not np.isfinite(p).all():
        return False
    q = np.roll(p, -1, axis=0)
    if (np.hypot(*(q - p).T) == 0).any():
        return False
    i, j = np.triu_indices(n, k=1)
    adjacent = (j == i + 1) | ((i == 0) & (j == n - 1))
    a, b, c, d = p[i], q[i], p[j], q[j]

    def orient(o, s, t):
        return np.sign(
            (s[:, 0] - o[:, 0]) * (t[:, 1] - o[:, 1]) - (s[:, 1] - o[:, 1]) * (t[:, 0] - o[:, 0])
        )

    def on_segment(o, s, t):  # t collinear with o-s: within its box
        return (np.minimum(o, s) <= t).all(axis=1) & (t <= np.maximum(o, s)).all(axis=1)

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    proper = (o1 * o2 < 0) & (o3 * o4 < 0)
    touch = (
        ((o1 == 0) & on_segment(a, b, c))
        | ((o2 == 0) & on_segment(a, b, d))
        | ((o3 == 0) & on_segment(c, d, a))
        | ((o4 == 0) & on_segment(c, d, b))
    )
    # adjacent edges share one vertex by construction: they fail only when they fold back
    backwards = ((b - a) * (d - c)).sum(axis=1) < 0
    fold = adjacent & (o1 == 0) & (o2 == 0) & backwards
    shared = adjacent & ~fold
    if ((proper | touch) & ~shared).any():
        return False
    x, y = p[:, 0], p[:, 1]
    return bool(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) > 0)


class Frame:
    """A similarity frame: x along the unit vector from ``a`` to ``b``, y a quarter turn
    clockwise from it in image coordinates (down when ``a`` is left of ``b``), in units of
    the distance |b - a| (at least 1e-9)."""

    def __init__(self, a: np.ndarray, b: np.ndarray):
        self.origin = np.asarray(a, dtype=np.float64)
        d = np.asarray(b, dtype=np.float64) - self.origin
        self.scale = max(float(np.hypot(*d)), 1e-9)
        self.u = d / self.scale if np.hypot(*d) > 0 else np.array([1.0, 0.0])

    def to(self, p: np.ndarray) -> np.ndarray:
        return _to_frame(np.asarray(p, dtype=np.float64), self.origin, self.u, self.scale)

    def back(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=np.float64) * self.scale
        ux, uy = self.u
        return np.stack([q[..., 0] * ux - q[..., 1] * uy, q[..., 0] * uy + q[..., 1] * ux], -1) + (
            self.origin
        )


def _to_frame(p: np.ndarray, origin: np.ndarray, u: np.ndarray, scale) -> np.ndarray:
    """Frame coordinates of points (N, 2) (origin, unit x axis u and scale broadcast per
    point or shared): the one formula every check and repair uses, so they agree to the bit."""
    rx, ry = p[..., 0] - origin[..., 0], p[..., 1] - origin[..., 1]
    ux, uy = u[..., 0], u[..., 1]
    out = np.empty((*np.broadcast_shapes(rx.shape, ux.shape, np.shape(scale)), 2))
    out[..., 0] = (rx * ux + ry * uy) / scale  # filled in place: a stack costs more here
    out[..., 1] = (ry * ux - rx * uy) / scale
    return out


def _split(q: np.ndarray, pin: bool = False) -> tuple[int, int]:
    """Where a ring (frame coordinates) splits into its arcs: its largest x (first occurrence)
    and its smallest x, or with ``pin`` its first vertex (a corner that stays the arcs' end:
    vertices beyond it along the axis are pulled back to it)."""
    i1 = int(np.argmax(q[:, 0]))
    if pin and i1 != 0:
        return 0, i1
    return int(np.argmin(q[:, 0])), i1


def _arcs(n: int, i0: int, i1: int) -> tuple[np.ndarray, np.ndarray]:
    """Ring indices of the upper arc i0 -> i1 and of the lower arc i0 -> i1 backwards (both run
    from the smallest x to the largest; each includes both ends)."""
    upper = (i0 + np.arange((i1 - i0) % n + 1)) % n
    lower = (i0 - np.arange((i0 - i1) % n + 1)) % n
    return upper, lower


def order_arcs(
    xu: np.ndarray,
    yu: np.ndarray,
    xl: np.ndarray,
    yl: np.ndarray,
    gap: float,
    share: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower arc (graphs over x, strictly increasing, sharing both end points) ->
    their y with the lower strictly below (greater y) the upper between the ends, by at least
    ``gap`` at every interior vertex of either arc. Unchanged where that holds already.

    Where they cross, both first move to meet, the upper arc by ``share`` of the crossing and
    the lower by the rest (half way by default: a closed eye's lids touch in the middle; 0:
    only the lower arc moves); then the lower arc's vertices go below the upper polyline and
    the upper arc's above the lower one. The second pass only raises the upper arc, which keeps the first pass's
    condition, so the order is exact for the two polylines (their difference is linear between
    the union of their vertices). Returns (yu, yl) copies.
    """
    yu, yl = np.array(yu, dtype=np.float64), np.array(yl, dtype=np.float64)
    if len(xu) < 3 and len(xl) < 3:
        return yu, yl
    lo_at_u = np.interp(xu[1:-1], xl, yl) - yu[1:-1]  # > 0: in order
    up_at_l = yl[1:-1] - np.interp(xl[1:-1], xu, yu)
    if (lo_at_u >= gap).all() and (up_at_l >= gap).all():
        return yu, yl
    yu[1:-1] -= np.maximum(gap - lo_at_u, 0.0) * share  # meet
    yl[1:-1] += np.maximum(gap - up_at_l, 0.0) * (1.0 - share)
    yl[1:-1] = np.maximum(yl[1:-1], np.interp(xl[1:-1], xu, yu) + gap)
    yu[1:-1] = np.minimum(yu[1:-1], np.interp(xu[1:-1], xl, yl) - gap)
    return yu, yl


def arcs_in_order(xu, yu, xl, yl) -> bool:
    """Whether arcs (as for :func:`order_arcs`) are strictly monotone with the lower strictly
    below the upper at every interior vertex of either (exact for the polylines)."""
    if not (_increasing(xu) and _increasing(xl)):
        return False
    return bool(
        (np.interp(xu[1:-1], xl, yl) > yu[1:-1]).all()
        and (yl[1:-1] > np.interp(xl[1:-1], xu, yu)).all()
    )


def order_ring(
    ring: np.ndarray,
    axis: tuple[np.ndarray, np.ndarray],
    gap: float = GAP,
    share: float = 0.5,
    pin: bool = False,
) -> np.ndarray:
    """A closed ring with its arcs x-monotone and ordered along ``axis`` (see the module).

    Args:
        ring: (N, 2) float, N >= 3, in order: its upper arc (from the end nearer ``axis[0]``
            to the one nearer ``axis[1]``) first, then the lower arc back (the scheme's order
            for eyes, brows and lips).
        axis: two points (2,) whose line is the ring's x axis (e.g. its corners).
        gap: smallest kept separation, in units of the axis length.
        share: how much of a crossing the upper arc takes (:func:`order_arcs`).
        pin: the ring's first vertex is a corner: the arcs start there (see :func:`_split`).
    Returns:
        (N, 2) float64: the same count, order and start; a simple polygon, lower arc strictly
        below the upper. Unchanged when the ring is already so.
    """
    ring = np.asarray(ring, dtype=np.float64)
    f = Frame(*axis)
    q = f.to(ring)
    return _back(f, ring, q, _order_frame(q, gap, share, pin))


def _back(f: Frame, ring: np.ndarray, q: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``ring`` with the vertices whose frame coordinates changed (``q`` -> ``out``) mapped
    back; the others stay bit for bit (a round trip through the frame would round them)."""
    res = np.array(ring, dtype=np.float64, copy=True)
    moved = (out != q).any(axis=1)
    res[moved] = f.back(out[moved])
    return res


def _order_frame(q: np.ndarray, gap: float, share: float = 0.5, pin: bool = False) -> np.ndarray:
    """:func:`order_ring` in frame coordinates; returns ``q`` itself when nothing changes."""
    n = len(q)
    i0, i1 = _split(q, pin)
    if i0 == i1:
        return q
    up, lo = _arcs(n, i0, i1)
    if arcs_in_order(q[up, 0], q[up, 1], q[lo, 0], q[lo, 1]):
        return q
    xu, xl = monotone(q[up, 0]), monotone(q[lo, 0])
    gap = min(gap, 0.25 * (xu[-1] - xu[0]))
    yu, yl = order_arcs(xu, q[up, 1], xl, q[lo, 1], gap, share)
    out = q.copy()
    out[up, 0], out[up, 1] = xu, yu
    out[lo[1:-1], 0], out[lo[1:-1], 1] = xl[1:-1], yl[1:-1]
    return out
