"""Batched :func:`curves.topology.order_ring`: the check of many rings at once
(:func:`curves.ring_batch.rings_in_order`) and the repair of those that fail in one pass, the
same doubles as one :func:`order_ring` call per ring. The rings stay in the check's frame
coordinates and arc split; the arcs are made monotone together (the isotonic fits, sequential,
one arc at a time), the arcs ordered per ring (:func:`curves.topology.order_arcs`), and the moved
vertices mapped back together. Points are (N, 2) float64 (x, y); nothing here imports torch."""

from __future__ import annotations

import numpy as np

from curves.monotone import _RAMP, isotonic
from curves.ring_batch import _in_order, _nested, _packed, _select, rings_nested
from curves.topology import GAP, arcs_in_order, order_arcs


def order_rings(
    rings: list[np.ndarray],
    axes: np.ndarray,
    gap: float = GAP,
    share: float | np.ndarray = 0.5,
    pin: bool | np.ndarray = False,
    inners: list[np.ndarray] = (),
    hosts: list[int] = (),
    inner_pin: bool | np.ndarray = False,
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """:func:`curves.ring_batch.rings_in_order` and :func:`order_ring` of many rings at once,
    then :func:`curves.ring_batch.rings_nested` of inner rings in the rings returned.

    Args:
        rings: R arrays (N_r, 2), N_r >= 3, any coordinate space, each in order_ring's order.
        axes: (R, 2, 2) each ring's axis points (same space).
        gap: smallest kept separation, in units of each axis length.
        share, pin: scalars or (R,) per ring, as :func:`order_ring`'s.
        inners: J rings (N_j, 2) to check inside ``rings[hosts[j]]`` along that ring's axis,
            with ``inner_pin`` (scalar or (J,)), as ``rings_nested``'s ``pin``.
    Returns:
        ((R,) bool: the ring was in order; the rings: those in order as given (the same
        objects), the others ``order_ring(ring, axis, gap, share, pin)`` (new (N_r, 2) float64
        arrays, the same doubles); (J,) bool: ``rings_nested`` of the inner rings in their
        hosts as returned, the same booleans). The inner rings share the rings' packing
        unless a host was repaired.
    """
    n, j = len(rings), len(inners)
    if not n:  # no hosts either
        return np.zeros(0, bool), [], np.zeros(0, bool)
    axes = np.asarray(axes, dtype=np.float64)
    pins = _per_ring(pin, n, bool)
    inner_pins = _per_ring(inner_pin, j, bool)
    hosts = np.asarray(hosts, dtype=np.int64)
    # the hosts again after the rings, then the inner rings: each check takes a range
    hosted = [rings[h] for h in hosts.tolist()]
    k = _packed(
        [*rings, *hosted, *inners],
        np.concatenate([axes, axes[hosts], axes[hosts]]),
        np.concatenate([pins, pins[hosts], inner_pins]),
    )
    good = _in_order(_select(k, 0, n))
    out = list(rings)
    bad = (~good).nonzero()[0]
    if len(bad):
        for r, ring in zip(bad.tolist(), _order_packed(k, bad, gap, _per_ring(share, n, float))):
            out[r] = ring
    if not j:
        return good, out, np.zeros(0, bool)
    if good[hosts].all() and np.array_equal(pins[hosts], inner_pins):  # the hosts as packed
        fine = _nested(k, n, n + j)
    else:
        fine = rings_nested(list(inners), [out[h] for h in hosts], axes[hosts], inner_pins)
    return good, out, fine


def _per_ring(v, n: int, dtype: type) -> np.ndarray:
    """A scalar or (n,) argument as an (n,) array."""
    a = np.asarray(v, dtype=dtype)
    return a if a.ndim else np.full(n, a)


def _order_packed(k: dict, sel: np.ndarray, gap: float, share: np.ndarray) -> list[np.ndarray]:
    """:func:`order_ring` of the packed rings ``sel`` (ascending ring indices of ``k``, a
    :func:`curves.ring_batch._packed`): new (N_r, 2) float64 arrays, in ``sel``'s order."""
    s, i0, i1, xa, ya = k["s"], k["i0"], k["i1"], k["xa"], k["ya"]
    cu, cl = k["cu"].tolist(), (k["cl"] + k["cut"]).tolist()
    todo = []
    for r in sel.tolist():
        if i0[r] == i1[r]:  # no arcs: left alone
            continue
        if k["oku"][r] and k["okl"][r]:  # both arcs monotone: maybe in order after all
            u, w = slice(cu[r], cu[r + 1]), slice(cl[r], cl[r + 1])
            if arcs_in_order(xa[u], ya[u], xa[w], ya[w]):
                continue
        todo.append(r)
    p = k["p"]
    if todo:
        p = p.copy()
        _order_arcs(k, np.array(todo), gap, share, p)
    return [p[s[r] : s[r + 1]].copy() for r in sel.tolist()]


def _order_arcs(k: dict, todo: np.ndarray, gap: float, share: np.ndarray, p: np.ndarray) -> None:
    """The repair of :func:`curves.topology._order_frame` on the packed rings ``todo``, whose
    arcs are out of order, and :func:`curves.topology._back`: writes the moved vertices of
    those rings into ``p`` (the packed rings' concatenated points)."""
    pick = np.zeros(len(k["ok"]), bool)
    pick[todo] = True
    m = pick[k["ring"]]  # the arcs of those rings: upper arcs, then lower arcs, ring order
    run, pos, xa, ya = k["run"][m], k["pos"][m], k["xa"][m], k["ya"][m]
    x = _monotone_arcs(xa, pos, k["sizes"][run], ~k["okarc"][run])
    y = ya.copy()
    # order_arcs per ring, on its arcs (contiguous in the selection)
    first = k["s"][todo]
    quarter = 0.25 * (k["x"][first + k["i1"][todo]] - k["x"][first + k["i0"][todo]])
    gaps = np.where(quarter < gap, quarter, gap)  # min(gap, quarter), NaN as Python's min
    nu, nl = k["nu"][todo], k["nl"][todo]
    eu = nu.cumsum()
    el = eu[-1] + nl.cumsum()
    for j, r in enumerate(todo.tolist()):
        u = slice(eu[j] - nu[j], eu[j])
        w = slice(el[j] - nl[j], el[j])
        y[u], y[w] = order_arcs(x[u], y[u], x[w], y[w], gaps[j], share[r])
    # an arc end never moves (both arcs keep it), or moves alike in both (NaN != NaN)
    moved = ((x != xa) | (y != ya)).nonzero()[0]
    if not len(moved):
        return
    idx = k["idx"][m][moved]
    rid = k["ring"][m][moved]
    scale, ux, uy = k["scale"][rid], k["u"][rid, 0], k["u"][rid, 1]
    bx, by = x[moved] * scale, y[moved] * scale  # as Frame.back, to the bit
    p[idx, 0] = (bx * ux - by * uy) + k["origin"][rid, 0]
    p[idx, 1] = (bx * uy + by * ux) + k["origin"][rid, 1]


def _monotone_arcs(
    xa: np.ndarray, pos: np.ndarray, size: np.ndarray, fix: np.ndarray
) -> np.ndarray:
    """:func:`curves.topology.monotone` of the arcs where ``fix`` (per element), copies of the
    others: ``xa`` (M,) arcs concatenated, ``pos``, ``size`` (M,) each element's position in its
    arc and the arc's length (>= 2)."""
    out = xa.copy()
    m = fix.nonzero()[0]
    if not len(m):
        return out
    pm, n = pos[m], size[m]
    first = m - pm
    x0, x1 = xa[first], xa[first + n - 1]
    # np.linspace(x0, x1, n) of every arc, to the bit (its special case for a zero step too)
    div = (n - 1).astype(np.float64)
    t = pm.astype(np.float64)
    delta = x1 - x0
    step = delta / div
    ramp = np.where(step == 0, t / div * delta, t * step) + x0
    fit = np.empty(len(m))
    for a in (pm == 0).nonzero()[0].tolist():  # the isotonic fits: one arc at a time
        b, lo, hi = a + int(n[a]), x0[a], x1[a]
        seg = xa[first[a] : first[a] + int(n[a])]
        fit[a:b] = np.clip(isotonic(np.clip(seg, lo, hi)), lo, hi)
    mono = (1.0 - _RAMP) * fit + _RAMP * ramp
    ends = (pm == 0) | (pm == n - 1)
    mono[ends] = xa[m[ends]]
    out[m] = mono
    return out
