"""Batched exact checks of many rings at once (the fast path of the shape constraints): are
their arcs ordered (:func:`curves.topology.order_ring` would leave them alone), is an inner
ring strictly inside an outer one (:func:`curves.nesting.nest_rings` likewise). All rings go
through one set of numpy calls; only those that fail need the per-ring repairs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from curves.topology import _to_frame


def _starts(counts: np.ndarray) -> np.ndarray:
    """(C + 1,) int64: 0, then the running sums of ``counts`` (C,) int."""
    out = np.zeros(len(counts) + 1, np.int64)
    np.add.accumulate(counts, out=out[1:])  # np.cumsum's wrapper costs more than the sum
    return out


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


def _ramp(lengths: np.ndarray, first: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For runs of ``lengths`` (int array; ``first``: their :func:`_starts`, if known): (run
    id, position in run) of every element."""
    first = _starts(lengths) if first is None else first
    run = np.arange(len(lengths)).repeat(lengths)
    return run, np.arange(first[-1]) - first[:-1].repeat(lengths)


@lru_cache(maxsize=256)
def _padded(counts: tuple[int, ...]) -> np.ndarray:
    """(R, max N) index table of rings of ``counts`` points concatenated (cached, read-only):
    row r holds ring r's vertices, then its first vertex repeated (so a row's first smallest
    and first largest entries are the ring's)."""
    s, _, _ = _layout(counts)
    width = max(counts)
    col = np.arange(width)
    idx = s[:-1, None] + np.where(col < np.array(counts)[:, None], col, 0)
    idx.flags.writeable = False
    return idx


def _packed(rings: list[np.ndarray], axes: np.ndarray, pin=False) -> dict:
    """Many rings split into their arcs in one set of arrays (see :func:`rings_in_order`);
    :func:`_select` then takes a range of them and normalises their x for the interpolations.

    Returns a dict: ``p`` (N, 2) the points and ``x``, ``y`` (N,) their frame coordinates; per
    ring (R,): ``s`` (R + 1,) the starts, ``lo``, ``hi`` the x range, ``ok`` both arcs strictly
    monotone (ends may be vertical), ``oku``, ``okl`` each arc so, ``i0``, ``i1`` where the
    ring splits (as :func:`curves.topology._split`), ``origin``, ``u`` (R, 2), ``scale`` the
    frame (as :class:`curves.topology.Frame`), ``nu``, ``nl`` the arcs' lengths; per arc
    (2R,: the upper arcs in ring order, then the lower ones) ``sizes``, ``okarc`` (monotone)
    and the starts of each ring's upper / lower arc ``cu``, ``cl`` (R + 1,; the latter from
    ``cut``, where the lower arcs start); per arc vertex (A,), each arc from its smallest x to
    its largest: ``run`` (arc), ``ring``, ``pos`` (in the arc), ``idx`` (vertex), ``xa``,
    ``ya`` (frame coordinates), ``inner`` (not an arc end).
    """
    counts_t = tuple(len(r) for r in rings)
    r_count = len(rings)
    s, rid, _ = _layout(counts_t)
    counts = s[1:] - s[:-1]
    p = np.concatenate(rings, dtype=np.float64)
    axes = np.asarray(axes, dtype=np.float64)
    d = axes[:, 1] - axes[:, 0]
    norm = np.hypot(d[:, 0], d[:, 1])
    scale = np.maximum(norm, 1e-9)  # as Frame, to the bit
    u = np.where((norm > 0)[:, None], d / scale[:, None], [1.0, 0.0])
    q = _to_frame(
        p, np.repeat(axes[:, 0], counts, axis=0), np.repeat(u, counts, axis=0), scale[rid]
    )
    x, y = q[:, 0], q[:, 1]
    table = x[_padded(counts_t)]
    i0, i1 = table.argmin(axis=1), table.argmax(axis=1)
    first = s[:-1]
    lo, hi = x[first + i0], x[first + i1]
    pin = np.asarray(pin, dtype=bool)
    if pin.any():
        i0 = np.where(pin & (i1 != 0), 0, i0)  # as _split
    nu, nl = (i1 - i0) % counts + 1, (i0 - i1) % counts + 1
    k = {"p": p, "x": x, "y": y, "s": s, "lo": lo, "hi": hi, "i0": i0, "i1": i1}
    k["origin"], k["u"], k["scale"], k["nu"], k["nl"] = axes[:, 0], u, scale, nu, nl
    # both arcs of every ring at once: runs 0..R-1 upper arcs, R..2R-1 lower arcs
    sizes = np.concatenate([nu, nl])
    starts = _starts(sizes)
    run, pos = _ramp(sizes, starts)
    ring = run % r_count
    step = np.where(run < r_count, pos, -pos)  # the lower arc runs backwards from i0
    idx = first[ring] + (i0[ring] + step) % counts[ring]
    xa = x[idx]
    # strictly increasing; the first and the last step may be vertical
    last = sizes[run] - 1
    same = run[1:] == run[:-1]
    end = (pos[1:] == 1) | (pos[1:] == last[1:])
    dx = xa[1:] - xa[:-1]
    bad = same & ~((dx > 0) | (end & (dx >= 0)))
    fine = np.bincount(run[1:][bad], minlength=2 * r_count) == 0
    k["oku"], k["okl"], k["okarc"] = fine[:r_count], fine[r_count:], fine
    k["ok"] = (hi > lo) & k["oku"] & k["okl"]
    cut = int(starts[r_count])
    k["run"], k["ring"], k["pos"], k["idx"], k["cut"] = run, ring, pos, idx, cut
    k["xa"], k["ya"], k["sizes"] = xa, y[idx], sizes
    k["inner"] = (pos > 0) & (pos < last)
    k["cu"], k["cl"] = starts[: r_count + 1], starts[r_count:] - cut
    return k


def _select(k: dict, start: int = 0, stop: int | None = None, span=None) -> dict:
    """The rings ``start:stop`` of the packing ``k``, renumbered from 0: per ring ``ok``,
    ``lo``, ``hi``; per arc ("u", "l"): ``{a}r`` ring, ``x{a}`` x, ``y{a}`` y, ``in{a}`` not
    an end, and ``x{a}n``: x mapped by ``span`` ((lo, hi) per selected ring, default the
    ring's own) to [0, 1] plus twice the ring's new index, so that one ``np.interp`` serves all
    rings (the values, and so the checks' results in a tie, are those of a packing of only
    these rings)."""
    stop = len(k["ok"]) if stop is None else stop
    out = {n: k[n][start:stop] for n in ("ok", "lo", "hi")}
    a, b = (out["lo"], out["hi"]) if span is None else span
    w = np.where(b > a, b - a, 1.0)
    cut = k["cut"]
    for n, c, base in (("u", k["cu"], 0), ("l", k["cl"], cut)):
        part = slice(base + int(c[start]), base + int(c[stop]))
        run = k["ring"][part] - start if start else k["ring"][part]
        out[n + "r"], out["in" + n] = run, k["inner"][part]
        out["x" + n], out["y" + n] = k["xa"][part], k["ya"][part]
        out[f"x{n}n"] = (out["x" + n] - a[run]) / w[run] + 2.0 * run
    return out


def _count(run: np.ndarray, bad: np.ndarray, r_count: int) -> np.ndarray:
    return np.bincount(run[bad], minlength=r_count) == 0


def _in_order(k: dict) -> np.ndarray:
    """(R,) the selected rings' lower arcs strictly below their upper arcs (and monotone)."""
    r_count = len(k["ok"])
    mu, ml = k["inu"], k["inl"]
    yu, yl = k["yu"], k["yl"]
    bad_u = np.interp(k["xun"][mu], k["xln"], yl) <= yu[mu]
    bad_l = yl[ml] <= np.interp(k["xln"][ml], k["xun"], yu)
    return k["ok"] & _count(k["ur"][mu], bad_u, r_count) & _count(k["lr"][ml], bad_l, r_count)


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
    return _in_order(_select(_packed(rings, axes, pin=pin)))


def rings_nested(inners: list[np.ndarray], outers: list[np.ndarray], axes: np.ndarray, pin=False):
    """Batched :func:`nested`: (R,) bool, True where both rings are in order along the outer
    ring's ``axes[r]`` and the inner one lies strictly inside the outer one."""
    r_count = len(inners)
    if not r_count:
        return np.zeros(0, bool)
    pins = np.broadcast_to(pin, (r_count,))
    k = _packed([*outers, *inners], np.concatenate([axes, axes]), np.concatenate([pins, pins]))
    return _nested(k, 0, r_count)


def _nested(k: dict, outer: int, inner: int) -> np.ndarray:
    """:func:`rings_nested` of the packed rings ``inner + j`` in ``outer + j`` for j < J =
    ``inner - outer`` (each inner ring packed along its outer ring's axis; the inner rings
    last): (J,) bool."""
    r_count = inner - outer
    o = _select(k, outer, inner)
    i = _select(k, inner, span=(o["lo"], o["hi"]))
    ok = _in_order(o) & _in_order(i) & (i["lo"] > o["lo"]) & (i["hi"] < o["hi"])
    for n, sign in (("u", 1.0), ("l", -1.0)):  # upper: outer above inner; lower: below
        xi, yi, run_i = i[f"x{n}n"], i["y" + n], i[n + "r"]
        xo, yo, run_o = o[f"x{n}n"], o["y" + n], o[n + "r"]
        bad_i = sign * (yi - np.interp(xi, xo, yo)) <= 0
        raw = o["x" + n]
        within = (raw > i["lo"][run_o]) & (raw < i["hi"][run_o])
        bad_o = sign * (np.interp(xo[within], xi, yi) - yo[within]) <= 0
        ok &= _count(run_i, bad_i, r_count) & _count(run_o[within], bad_o, r_count)
    return ok
