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
- :func:`nest_rings`: additionally keeps an inner ring strictly inside an outer one (inner lips
  in outer lips), with the inner ring's own order;
- :func:`bound_turning`: spikes out: the turning between neighbouring samples is bounded away
  from fixed points (corners, ends);
- :func:`is_simple`, :func:`turning_angles`: the checks.

The point count, order and starting point of every contour are kept, so the functions work on
sparse control points and on dense contours of any count alike. Points are (N, 2) float64
(x, y), any coordinate space; nothing here imports torch.
"""

from __future__ import annotations

import numpy as np

#: smallest separation kept between arcs that must not touch, as a fraction of the axis length
GAP = 1e-3
#: weight of the even ramp mixed into x where an arc folds back, to make it strictly monotone
_RAMP = 1e-3


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
    return np.stack([(rx * ux + ry * uy) / scale, (ry * ux - rx * uy) / scale], axis=-1)


def isotonic(x: np.ndarray) -> np.ndarray:
    """Least-squares non-decreasing fit of ``x`` (M,) (pool adjacent violators): a fold or a
    spike is averaged with its neighbours instead of setting the level of all that follow."""
    vals: list[float] = []
    sizes: list[int] = []
    for v in np.asarray(x, dtype=np.float64):
        vals.append(float(v))
        sizes.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            n = sizes[-2] + sizes[-1]
            vals[-2] = (vals[-2] * sizes[-2] + vals[-1] * sizes[-1]) / n
            sizes[-2] = n
            vals.pop()
            sizes.pop()
    return np.repeat(vals, sizes)


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
    d = np.diff(x)
    return bool((d[1:-1] > 0).all() and (d[[0, -1]] >= 0).all()) if len(d) else True


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


def _envelope(x: np.ndarray, gx: np.ndarray, gy: np.ndarray, kind: str) -> np.ndarray:
    """Per vertex of an arc with increasing ``x`` (M,): the max (``kind="max"``) or min of the
    polyline (gx, gy) (increasing gx) over the vertex's adjacent intervals [x[i-1], x[i+1]],
    each clipped to the polyline's x range (so it must meet that range)."""
    xc = np.clip(x, gx[0], gx[-1])
    at = np.interp(xc, gx, gy)
    red = np.maximum if kind == "max" else np.minimum
    seg = red(at[:-1], at[1:])  # per interval [x[i], x[i+1]]: its ends ...
    k = np.searchsorted(gx, xc, side="right")
    inside = k[1:] > k[:-1]  # ... and the polyline's vertices strictly inside
    if inside.any():
        pad = np.append(gy, np.inf if kind == "min" else -np.inf)
        within = red.reduceat(pad, np.minimum(k[:-1], len(gy)))
        seg = np.where(inside, red(seg, within), seg)
    env = at.copy()
    env[:-1] = red(env[:-1], seg)
    env[1:] = red(env[1:], seg)
    return env


def nest_rings(
    inner: np.ndarray,
    outer: np.ndarray,
    axis: tuple[np.ndarray, np.ndarray],
    gap: float = GAP,
    share: float = 0.5,
    pin: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Two rings ordered as :func:`order_ring`, the inner one strictly inside the outer one.

    Both rings are ordered along the outer ring's axis; the inner ring's x is clipped to the
    span of the outer ring's interior vertices. Where one crosses the other, both first move
    (the inner ring in by ``share`` of the crossing, the outer ring out by the rest) and the
    inner ring is ordered again; then
    each outer vertex whose neighbouring intervals overlap the inner ring goes outside the
    inner arcs' envelope over those intervals. That last step only thickens the outer ring, so
    its order is kept, and it is exact: every outer edge then clears the inner arcs.

    Args:
        inner, outer: (N_i, 2), (N_o, 2) rings in :func:`order_ring`'s order.
        axis: the outer ring's axis points (its corners).
        gap: smallest separation, in units of the axis length.
    Returns:
        (inner, outer) (N_i, 2), (N_o, 2) float64; unchanged (copies) when already so.
    """
    inner = np.asarray(inner, dtype=np.float64)
    outer = np.asarray(outer, dtype=np.float64)
    if nested(inner, outer, axis, pin):
        return inner.copy(), outer.copy()
    f = Frame(*axis)
    qo0, qi0 = f.to(outer), f.to(inner)
    qo = _order_frame(qo0, gap, pin=pin).copy()
    i0, i1 = _split(qo, pin)
    uo, lo = _arcs(len(qo), i0, i1)
    span = qo[i1, 0] - qo[i0, 0]
    qi = f.to(inner)
    if min(len(uo), len(lo)) < 3:  # an outer arc without interior vertices
        return f.back(_polygon_inside(qo, len(qi))), _back(f, outer, qo0, qo)
    a = max(qo[uo[1], 0], qo[lo[1], 0]) + gap * span
    b = min(qo[uo[-2], 0], qo[lo[-2], 0]) - gap * span
    if b <= a:
        return f.back(_polygon_inside(qo, len(qi))), _back(f, outer, qo0, qo)
    qi[:, 0] = np.clip(qi[:, 0], a, b)
    qi = _order_frame(qi, gap, pin=pin).copy()
    ui, li = _arcs(len(qi), *_split(qi, pin))
    # where they cross, both move: the inner arcs in, the outer arcs out
    for o_arc, i_arc, sign in ((uo, ui, 1.0), (lo, li, -1.0)):
        xo, yo, xi, yi = qo[o_arc, 0], qo[o_arc, 1], qi[i_arc, 0], qi[i_arc, 1]
        # sign * (inner - outer) should be >= gap, at both arcs' vertices in the overlap
        m = (xo > xi[0]) & (xo < xi[-1])
        need_o = gap - sign * (np.interp(xo[m], xi, yi) - yo[m])
        need_i = gap - sign * (yi - np.interp(xi, xo, yo))
        qo[o_arc[m], 1] -= sign * np.maximum(need_o, 0.0) * (1.0 - share)
        qi[i_arc, 1] += sign * np.maximum(need_i, 0.0) * share
    qi = _order_frame(qi, gap, pin=pin)
    ui, li = _arcs(len(qi), *_split(qi, pin))
    # exact: outer vertices outside the inner arcs' envelopes over their intervals
    for o_arc, i_arc, kind, sign in ((uo, ui, "min", -1.0), (lo, li, "max", 1.0)):
        xo, xi = qo[o_arc, 0], qi[i_arc, 0]
        prev_x = np.concatenate([xo[:1], xo[:-1]])
        next_x = np.concatenate([xo[1:], xo[-1:]])
        near = (next_x > xi[0]) & (prev_x < xi[-1])  # an adjacent interval meets the arc
        env = _envelope(xo, xi, qi[i_arc, 1] + sign * gap, kind)
        red = np.minimum if kind == "min" else np.maximum
        qo[o_arc[near], 1] = red(qo[o_arc[near], 1], env[near])
    i_out, o_out = _back(f, inner, qi0, qi), _back(f, outer, qo0, qo)
    if not nested(i_out, o_out, axis, pin):  # not expected: a guard against rounding
        i_out = f.back(_polygon_inside(qo, len(qi)))
    return i_out, o_out


def _inside_ok(q, ui, li, xuo, yuo, xlo, ylo) -> bool:
    """Exact check: the inner ring's arcs in order and both strictly between the outer arcs."""
    xu, yu, xl, yl = q[ui, 0], q[ui, 1], q[li, 0], q[li, 1]
    if not arcs_in_order(xu, yu, xl, yl):
        return False
    if xu[0] <= max(xuo[0], xlo[0]) or xu[-1] >= min(xuo[-1], xlo[-1]):
        return False
    for x, y, top in ((xu, yu, True), (xl, yl, False)):
        if top:  # outer upper above the inner upper at both arcs' vertices in range
            ok = (np.interp(x, xuo, yuo) < y).all()
            m = (xuo > x[0]) & (xuo < x[-1])
            ok &= (yuo[m] < np.interp(xuo[m], x, y)).all()
        else:
            ok = (np.interp(x, xlo, ylo) > y).all()
            m = (xlo > x[0]) & (xlo < x[-1])
            ok &= (ylo[m] > np.interp(xlo[m], x, y)).all()
        if not ok:
            return False
    # the inner extremes lie on both inner arcs: also below the outer upper / above the lower
    return bool((np.interp(xl, xuo, yuo) < yl).all() and (np.interp(xu, xlo, ylo) > yu).all())


def _polygon_inside(qo: np.ndarray, n: int) -> np.ndarray:
    """A small regular n-gon strictly inside the outer ring ``qo`` (frame coordinates): around
    its pole of inaccessibility, radius half the distance to the outline, in
    :func:`order_ring`'s order (leftmost vertex first, over the top, back under)."""
    from shapely.geometry import Point, Polygon
    from shapely.ops import polylabel

    poly = Polygon(qo)
    centre = polylabel(poly, tolerance=1e-3 * max(float(np.ptp(qo[:, 0])), 1e-9))
    r = 0.5 * float(poly.exterior.distance(Point(centre.x, centre.y)))
    t = np.pi + np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return np.array([centre.x, centre.y]) + r * np.stack([np.cos(t), np.sin(t)], axis=1)


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


def _cut_folds(p: np.ndarray, closed: bool, max_turn: float, free: np.ndarray) -> np.ndarray:
    """What smoothing leaves (a fold: the curve doubling back, whose tiny segments keep
    turning): around each free vertex still turning too much, the vertices move onto the
    straight chord between two vertices beyond them (evenly spaced), the chord widening over
    free vertices until its ends turn within the bound."""
    n = len(p)
    for _ in range(n):
        bad = np.flatnonzero(free & (turning_angles(p, closed) > max_turn))
        if not len(bad):
            break
        k = int(bad[0])
        lo, hi = k - 1, k + 1  # chord ends; the vertices strictly between move
        while True:
            q = p.copy()
            t = (np.arange(1, hi - lo) / (hi - lo))[:, None]
            q[np.arange(lo + 1, hi) % n] = (1 - t) * p[lo % n] + t * p[hi % n]
            turn = turning_angles(q, closed)
            ok = all(turn[e % n] <= max_turn or not free[e % n] for e in (lo, hi))
            grow_lo = bool(free[lo % n]) and (closed or lo > 0)
            grow_hi = bool(free[hi % n]) and (closed or hi < n - 1)
            if ok or not (grow_lo or grow_hi) or hi - lo >= n - 2:
                break
            lo, hi = lo - grow_lo, hi + grow_hi
        if np.array_equal(q, p):
            break
        p = q
    return p


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _first_per_group(mask: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """Index of the first True of ``mask`` in each group (groups sorted, each has one)."""
    cand = np.flatnonzero(mask)
    return cand[np.searchsorted(group[cand], np.arange(groups))]


def _ramp(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of ``lengths``: (run id, position in run) of every element."""
    run = np.repeat(np.arange(len(lengths)), lengths)
    return run, np.arange(int(lengths.sum())) - _starts(lengths)[:-1][run]


def _packed(
    rings: list[np.ndarray], axes: np.ndarray, span=None, pin=False
) -> dict[str, np.ndarray]:
    """Many rings split into their arcs in one set of arrays (see :func:`rings_in_order`).

    Returns arrays: ``x``, ``y`` frame coordinates of all vertices; ``lo``, ``hi`` (R,) each
    ring's x range; ``ok`` (R,) its arcs strictly monotone (ends may be vertical); per arc
    ("u" upper, "l" lower) the vertex indices ``iu``/``il``, ring ``ur``/``lr``, position
    ``pu``/``pl`` and length ``nu``/``nl`` (R,); ``xun``/``xln``: x mapped by ``span`` (default
    the ring's own (lo, hi)) to [0, 1] plus twice the ring index, so one ``np.interp`` serves
    all rings.
    """
    r_count = len(rings)
    counts = np.array([len(r) for r in rings], dtype=np.int64)
    s = _starts(counts)
    p = np.concatenate(rings).astype(np.float64)
    rid = np.repeat(np.arange(r_count), counts)
    axes = np.asarray(axes, dtype=np.float64)
    d = axes[:, 1] - axes[:, 0]
    scale = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)  # as Frame, to the bit
    u = np.where((np.hypot(d[:, 0], d[:, 1]) > 0)[:, None], d / scale[:, None], [1.0, 0.0])
    q = _to_frame(p, axes[rid, 0], u[rid], scale[rid])
    x, y = q[:, 0], q[:, 1]
    lo, hi = np.minimum.reduceat(x, s[:-1]), np.maximum.reduceat(x, s[:-1])
    ok = hi > lo
    i0 = _first_per_group(x == lo[rid], rid, r_count) - s[:-1]
    i1 = _first_per_group(x == hi[rid], rid, r_count) - s[:-1]
    i0 = np.where(np.broadcast_to(pin, (r_count,)) & (i1 != 0), 0, i0)  # as _split
    a, b = (lo, hi) if span is None else span
    xn = (x - a[rid]) / np.where(b > a, b - a, 1.0)[rid] + 2.0 * rid
    out = {"x": x, "y": y, "lo": lo, "hi": hi}
    out["nu"], out["nl"] = (i1 - i0) % counts + 1, (i0 - i1) % counts + 1
    out["ur"], out["pu"] = _ramp(out["nu"])
    out["lr"], out["pl"] = _ramp(out["nl"])
    out["iu"] = s[out["ur"]] + (i0[out["ur"]] + out["pu"]) % counts[out["ur"]]
    out["il"] = s[out["lr"]] + (i0[out["lr"]] - out["pl"]) % counts[out["lr"]]
    out["xun"], out["xln"] = xn[out["iu"]], xn[out["il"]]
    for k in "ul":
        run, pos, size = out[k + "r"], out["p" + k], out["n" + k]
        same = run[1:] == run[:-1]  # strictly increasing; first and last steps may be vertical
        end = (pos[1:] == 1) | (pos[1:] == size[run[1:]] - 1)
        dx = np.diff(x[out["i" + k]])
        bad = same & ~((dx > 0) | (end & (dx >= 0)))
        ok &= np.bincount(run[1:][bad], minlength=r_count) == 0
    out["ok"] = ok
    return out


def _count(run: np.ndarray, bad: np.ndarray, r_count: int) -> np.ndarray:
    return np.bincount(run[bad], minlength=r_count) == 0


def _in_order(k: dict[str, np.ndarray]) -> np.ndarray:
    """(R,) the packed rings' lower arcs strictly below their upper arcs (and monotone)."""
    r_count = len(k["ok"])
    yu, yl = k["y"][k["iu"]], k["y"][k["il"]]
    inner_u = (k["pu"] > 0) & (k["pu"] < k["nu"][k["ur"]] - 1)
    inner_l = (k["pl"] > 0) & (k["pl"] < k["nl"][k["lr"]] - 1)
    bad_u = np.zeros(len(yu), bool)
    bad_l = np.zeros(len(yl), bool)
    bad_u[inner_u] = np.interp(k["xun"][inner_u], k["xln"], yl) <= yu[inner_u]
    bad_l[inner_l] = yl[inner_l] <= np.interp(k["xln"][inner_l], k["xun"], yu)
    return k["ok"] & _count(k["ur"], bad_u, r_count) & _count(k["lr"], bad_l, r_count)


def rings_in_order(rings: list[np.ndarray], axes: np.ndarray, pin=False) -> np.ndarray:
    """Batched exact check of many rings: (R,) bool, True where the ring's arcs along its axis
    are strictly x-monotone and the lower one strictly below the upper one (what
    :func:`order_ring` returns unchanged), so the ring is a simple polygon.

    Args:
        rings: R arrays (N_r, 2), N_r >= 3. axes: (R, 2, 2) each ring's axis points.
        pin: bool or (R,) bool, as :func:`order_ring`'s.
    """
    if not len(rings):
        return np.zeros(0, bool)
    return _in_order(_packed(rings, axes, pin=pin))


def rings_nested(inners: list[np.ndarray], outers: list[np.ndarray], axes: np.ndarray, pin=False):
    """Batched :func:`nested`: (R,) bool, True where both rings are in order along the outer
    ring's ``axes[r]`` and the inner one lies strictly inside the outer one."""
    r_count = len(inners)
    if not r_count:
        return np.zeros(0, bool)
    o = _packed(outers, axes, pin=pin)
    i = _packed(inners, axes, span=(o["lo"], o["hi"]), pin=pin)
    ok = _in_order(o) & _in_order(i) & (i["lo"] > o["lo"]) & (i["hi"] < o["hi"])
    for k, sign in (("u", 1.0), ("l", -1.0)):  # upper: outer above inner; lower: below
        xi, yi, run_i = i[f"x{k}n"], i["y"][i[f"i{k}"]], i[f"{k}r"]
        xo, yo, run_o = o[f"x{k}n"], o["y"][o[f"i{k}"]], o[f"{k}r"]
        bad_i = sign * (yi - np.interp(xi, xo, yo)) <= 0
        raw = o["x"][o[f"i{k}"]]
        within = (raw > i["lo"][run_o]) & (raw < i["hi"][run_o])
        bad_o = np.zeros(len(yo), bool)
        bad_o[within] = sign * (np.interp(xo[within], xi, yi) - yo[within]) <= 0
        ok &= _count(run_i, bad_i, r_count) & _count(run_o, bad_o, r_count)
    return ok


def spiky(
    curves: list[np.ndarray], closed: list[bool], max_turn: np.ndarray, free: np.ndarray
) -> np.ndarray:
    """Batched: (C,) bool, True where a curve turns by more than its ``max_turn[c]`` radians
    at a vertex where ``free`` (the concatenated (sum N_c,) bool mask) holds."""
    counts = np.array([len(c) for c in curves], dtype=np.int64)
    s = _starts(counts)
    p = np.concatenate(curves).astype(np.float64)
    cid, pos = _ramp(counts)
    cl = np.asarray(closed, bool)[cid]
    n = counts[cid]
    prev = np.where(pos > 0, pos - 1, np.where(cl, n - 1, 0)) + s[cid]
    nxt = np.where(pos < n - 1, pos + 1, np.where(cl, 0, n - 1)) + s[cid]
    a, b = p - p[prev], p[nxt] - p
    turn = np.abs(np.arctan2(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], (a * b).sum(axis=1)))
    hit = free & (turn > np.asarray(max_turn)[cid])
    return np.bincount(cid[hit], minlength=len(curves)) > 0


def nested(
    inner: np.ndarray, outer: np.ndarray, axis: tuple[np.ndarray, np.ndarray], pin: bool = False
) -> bool:
    """Exact check: both rings in order along ``axis`` (see :func:`rings_in_order`) and the
    inner one strictly inside the outer one (what :func:`nest_rings` returns unchanged)."""
    f = Frame(*axis)
    qo, qi = f.to(outer), f.to(inner)
    i0, i1 = _split(qo, pin)
    j0, j1 = _split(qi, pin)
    if i0 == i1 or j0 == j1:
        return False
    uo, lo = _arcs(len(qo), i0, i1)
    ui, li = _arcs(len(qi), j0, j1)
    if not arcs_in_order(qo[uo, 0], qo[uo, 1], qo[lo, 0], qo[lo, 1]):
        return False
    return _inside_ok(qi, ui, li, qo[uo, 0], qo[uo, 1], qo[lo, 0], qo[lo, 1])
