"""Batched exact checks of many rings at once (the fast path of the shape constraints): are
their arcs ordered (:func:`curves.topology.order_ring` would leave them alone), is an inner
ring strictly inside an outer one (:func:`curves.nesting.nest_rings` likewise). All rings go
through one set of numpy calls; only those that fail need the per-ring repairs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from curves.topology import _to_frame


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


@lru_cache(maxsize=256)
def _layout(counts: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index tables of rings (or curves) of ``counts`` points concatenated, cached per layout
    (read-only): (starts (R + 1,), ring id of every vertex, position in its ring)."""
    c = np.array(counts, dtype=np.int64)
    s = _starts(c)
    rid = np.repeat(np.arange(len(c)), c)
    pos = np.arange(int(s[-1])) - s[:-1][rid]
    for a in (s, rid, pos):
        a.flags.writeable = False
    return s, rid, pos


def _ramp(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of ``lengths``: (run id, position in run) of every element."""
    ends = np.cumsum(lengths)
    run = np.repeat(np.arange(len(lengths)), lengths)
    return run, np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - lengths, lengths)


def _first_extremes(x: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per ring (vertices ``s[r]:s[r + 1]`` of ``x``): index in the ring of its first smallest
    and of its first largest value, (R,) int64 each (a loop over the few rings: cheaper than
    the masked searches it replaces, the same indices)."""
    i0 = np.empty(len(s) - 1, np.int64)
    i1 = np.empty(len(s) - 1, np.int64)
    for r, (a, b) in enumerate(zip(s[:-1].tolist(), s[1:].tolist())):
        seg = x[a:b]
        i0[r], i1[r] = seg.argmin(), seg.argmax()
    return i0, i1


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
    s, rid, _ = _layout(tuple(len(r) for r in rings))
    counts = s[1:] - s[:-1]
    p = np.concatenate(rings).astype(np.float64)
    axes = np.asarray(axes, dtype=np.float64)
    d = axes[:, 1] - axes[:, 0]
    scale = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)  # as Frame, to the bit
    u = np.where((np.hypot(d[:, 0], d[:, 1]) > 0)[:, None], d / scale[:, None], [1.0, 0.0])
    q = _to_frame(
        p,
        np.repeat(axes[:, 0], counts, axis=0),
        np.repeat(u, counts, axis=0),
        np.repeat(scale, counts),
    )
    x, y = q[:, 0], q[:, 1]
    i0, i1 = _first_extremes(x, s)
    lo, hi = x[s[:-1] + i0], x[s[:-1] + i1]
    ok = hi > lo
    if np.any(pin):
        i0 = np.where(np.broadcast_to(pin, (r_count,)) & (i1 != 0), 0, i0)  # as _split
    a, b = (lo, hi) if span is None else span
    xn = (x - np.repeat(a, counts)) / np.repeat(np.where(b > a, b - a, 1.0), counts) + 2.0 * rid
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
        xa = x[out["i" + k]]
        dx = xa[1:] - xa[:-1]
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
