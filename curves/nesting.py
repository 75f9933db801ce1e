"""One ring strictly inside another (inner lips in outer lips), both ordered along the outer
ring's axis (see :mod:`curves.topology`): the repair and its exact check. Points are (N, 2)
float64 (x, y); nothing here imports torch."""

from __future__ import annotations

import numpy as np

from curves.topology import GAP, Frame, _arcs, _back, _order_frame, _split, arcs_in_order


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
