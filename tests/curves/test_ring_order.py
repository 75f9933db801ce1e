"""The batched shape-constraint pieces give the same doubles as the per-ring functions they
replace: :func:`curves.ring_order.order_rings` (check, repair, nesting check of many rings) as
:func:`rings_in_order`, :func:`order_ring` and :func:`rings_nested`; :func:`isotonic` as the
textbook pool-adjacent-violators loop; :func:`curves.turning.turning_over` as
:func:`turning_angles` (bit for bit: ``tobytes`` equality, so -0.0 and NaN payloads count)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from curves.monotone import _increasing, isotonic, monotone
from curves.nesting import nest_rings
from curves.ring_batch import rings_in_order, rings_nested
from curves.ring_order import _monotone_arcs, order_rings
from curves.topology import order_ring, turning_angles
from curves.turning import spiky, turning_over
from tests.curves.test_topology import ellipse_ring, noisy, rings


def textbook_isotonic(x: np.ndarray) -> np.ndarray:
    """Pool adjacent violators, one value at a time (the implementation isotonic replaced)."""
    vals, sizes = [], []
    for v in np.asarray(x, dtype=np.float64).tolist():
        vals.append(v)
        sizes.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            n = sizes[-2] + sizes[-1]
            vals[-2] = (vals[-2] * sizes[-2] + vals[-1] * sizes[-1]) / n
            sizes[-2] = n
            vals.pop()
            sizes.pop()
    return np.repeat(np.array(vals, dtype=np.float64), sizes)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, 1e-300, -1e300, np.inf, -np.inf, np.nan])
values = st.one_of(st.floats(-50, 50), special, st.integers(-3, 3).map(float))


@given(st.lists(values, max_size=60))
def test_isotonic_equals_the_textbook_loop(xs):
    x = np.array(xs, dtype=np.float64)
    assert same_bits(isotonic(x), textbook_isotonic(x))


@given(st.integers(0, 2**31 - 1), st.integers(1, 6), st.integers(0, 3))
def test_isotonic_of_folded_runs(seed, folds, kind):
    """Long increasing runs with a few folds (the brows' tails): merges across runs."""
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.uniform(0.0, 1.0, 80))
    for _ in range(folds):
        a = int(rng.integers(0, 75))
        x[a : a + int(rng.integers(2, 6))] *= rng.choice([0.9, 1.1, -1.0])
    if kind == 1:
        x = np.round(x)  # ties
    elif kind == 2:
        x[rng.integers(0, 80)] = np.nan
    assert same_bits(isotonic(x), textbook_isotonic(x))


def monotone_reference(xa, pos, size):
    out = xa.copy()
    for a in np.flatnonzero(pos == 0):
        out[a : a + size[a]] = monotone(xa[a : a + size[a]])
    return out


@given(st.integers(0, 2**31 - 1), st.integers(1, 8))
def test_monotone_arcs_equal_monotone(seed, arcs):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 40, arcs)
    xs, pos, size, fix = [], [], [], []
    for n in sizes:
        x = np.sort(rng.normal(0, 1, n))
        kind = rng.integers(0, 5)
        if kind == 0:  # folds
            x[1:-1] += rng.normal(0, 0.5, n - 2)
        elif kind == 1:  # ends equal: a zero linspace step
            x[:] = x[0]
        elif kind == 2:  # beyond the ends, ties
            x[1:-1] = np.round(rng.normal(0, 3, n - 2))
        elif kind == 3:  # subnormal: linspace's step underflows to 0 (its special case)
            x = np.sort(rng.integers(0, 3, n)) * 5e-324
            x[1:-1] = x[1:-1][::-1]
        xs.append(x)
        pos.append(np.arange(n))
        size.append(np.full(n, n))
        fix.append(np.full(n, not _increasing(x)))  # the packing's flag: the arc is not monotone
    xa, pos, size, fix = map(np.concatenate, (xs, pos, size, fix))
    assert same_bits(_monotone_arcs(xa, pos, size, fix), monotone_reference(xa, pos, size))


def test_monotone_arcs_keep_the_ends_exactly():
    """Ends where the mix with the ramp would round: (1 - r) * v + r * v != v."""
    rng = np.random.default_rng(3)
    v = rng.normal(0, 1, 20000)
    odd = v[(1 - 1e-3) * v + 1e-3 * v != v]
    x0, x1 = np.sort(odd[:40].reshape(20, 2), axis=1).T
    arcs = [np.r_[a, rng.uniform(a, b, 5)[::-1], b] for a, b in zip(x0, x1)]
    xa = np.concatenate(arcs)
    pos = np.concatenate([np.arange(7)] * 20)
    size = np.full(len(xa), 7)
    fix = np.ones(len(xa), bool)
    assert same_bits(_monotone_arcs(xa, pos, size, fix), monotone_reference(xa, pos, size))


def hard_ring(params, mode, rng):
    """A noisy ring (see test_topology.noisy), then: 0 as is, 1 flipped across its axis (arcs
    crossed), 2 collapsed onto the axis (a closed eye), 3 integer coordinates (ties), 4 all on
    one vertical line (no split), 5 a few points."""
    ring, axis, _ = noisy(params)
    a0, a1 = axis
    u = (a1 - a0) / np.hypot(*(a1 - a0))
    nrm = np.array([-u[1], u[0]])
    r = ring - a0
    if mode == 1:
        ring = ring - 2.0 * np.outer(r @ nrm, nrm) * rng.uniform(0.3, 1.5)
    elif mode == 2:
        ring = a0 + np.outer(r @ u, u) + np.outer((r @ nrm) * rng.uniform(-0.3, 0.05), nrm)
    elif mode == 3:
        ring = np.round(ring)
    elif mode == 4:
        ring = a0 + np.outer(np.zeros(len(ring)), u) + np.outer(r @ nrm, nrm)
    elif mode == 5 and len(ring) > 4:
        ring = ring[np.sort(rng.choice(len(ring), int(rng.integers(3, 5)), replace=False))]
    return ring, axis


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(rings, st.integers(0, 5)), min_size=1, max_size=8),
    st.integers(0, 2**31 - 1),
    st.booleans(),
)
def test_order_rings_equals_order_ring(items, seed, pins):
    rng = np.random.default_rng(seed)
    built = [hard_ring(params, mode, rng) for params, mode in items]
    ring_list = [r for r, _ in built]
    axes = np.array([ax for _, ax in built])
    share = rng.choice([0.0, 0.5, 1.0], len(built))
    pin = rng.random(len(built)) < 0.5 if pins else False
    good, out, fine = order_rings(ring_list, axes, 1e-3, share, pin)
    np.testing.assert_array_equal(good, rings_in_order(ring_list, axes, pin))
    assert len(fine) == 0
    pin_r = np.broadcast_to(pin, (len(built),))
    for ring, ax, ok, got, sh, p in zip(ring_list, axes, good, out, share, pin_r):
        if ok:
            assert got is ring
        else:
            assert same_bits(got, order_ring(ring, (ax[0], ax[1]), 1e-3, sh, bool(p)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(rings, st.integers(0, 3), st.floats(0.2, 1.6)), min_size=1, max_size=6),
    st.integers(0, 2**31 - 1),
)
def test_order_rings_nesting_equals_rings_nested(items, seed):
    """Inner rings in (some of) the rings, shrunk or grown (poking out), some pre-nested; the
    hosts in order or repaired first (then the nesting is checked in the repaired hosts)."""
    rng = np.random.default_rng(seed)
    built = [hard_ring(params, mode, rng) for params, mode, _ in items]
    ring_list = [r for r, _ in built]
    axes = np.array([ax for _, ax in built])
    hosts = rng.choice(len(built), int(rng.integers(1, len(built) + 1)), replace=False).tolist()
    inners = []
    for h in hosts:
        scale = items[h][2]
        c = ring_list[h].mean(axis=0)
        inner = c + (ring_list[h] - c) * scale + rng.normal(0, 0.5, ring_list[h].shape)
        inner = inner[:: int(rng.integers(1, 3))]
        if len(inner) < 4:
            inner = ring_list[h] * 1.0
        if rng.random() < 0.3:
            inner, ring_list[h] = nest_rings(inner, ring_list[h], tuple(axes[h]))
        inners.append(inner)
    good, out, fine = order_rings(ring_list, axes, 1e-3, 0.5, False, inners, hosts, False)
    np.testing.assert_array_equal(good, rings_in_order(ring_list, axes))
    for ring, ax, got in zip(ring_list, axes, out):
        assert same_bits(got, order_ring(ring, (ax[0], ax[1]), 1e-3))
    want = rings_nested(inners, [out[h] for h in hosts], axes[hosts], False)
    np.testing.assert_array_equal(fine, want)


def reference_over(curves, closed, bound):
    """Vertices turning more than their curve's bound, by turning_angles (N >= 3)."""
    idx, cid, start = [], [], 0
    for c, (pts, cl, b) in enumerate(zip(curves, closed, bound)):
        hit = np.flatnonzero(turning_angles(pts, cl) > b)
        idx.append(hit + start)
        cid.append(np.full(len(hit), c))
        start += len(pts)
    return np.concatenate(idx).astype(np.int64), np.concatenate(cid).astype(np.int64)


@st.composite
def curve_sets(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    curves, closed, bound = [], [], []
    for _ in range(draw(st.integers(1, 6))):
        n = draw(st.integers(3, 40))
        scale = draw(st.sampled_from([1e-160, 1e-6, 1.0, 300.0, 1e80, 1e160]))
        kind = draw(st.integers(0, 5))
        b = draw(st.sampled_from([0.0, 1e-4, 1e-3, 0.5, 1.047, np.pi / 2, 3.0, np.pi]))
        if kind == 5:  # a regular polygon: every angle one ulp over the bound, or tiny
            p, _ = ellipse_ring(n, 0.0, 0.0, 1.0, 1.0, draw(st.floats(0, 1)))
            p = p * draw(
                st.sampled_from([1e-162, 1e-160, 3e-160, 1e-158, 1e-152, 1.0, 1e152, 1e155])
            )
            with np.errstate(all="ignore"):
                ang = turning_angles(p, True)
            if draw(st.booleans()):
                b = float(np.nextafter(ang[rng.integers(0, n)], -np.inf))
            curves.append(p)
            closed.append(True)
            bound.append(b)
            continue
        if kind == 0:  # smooth, a spike
            p, _ = ellipse_ring(n, 0.0, 0.0, 1.0, 0.6, 0.3)
            p[rng.integers(0, n)] *= 3.0
        elif kind == 1:  # random walk
            p = np.cumsum(rng.normal(0, 1, (n, 2)), axis=0)
        elif kind == 2:  # coincident points, reversals (turn pi), integer coordinates
            p = np.round(np.cumsum(rng.integers(-1, 2, (n, 2)), axis=0).astype(float))
        elif kind == 3:  # collinear, back and forth
            p = np.c_[rng.integers(-3, 4, n), np.zeros(n)].astype(float)
        else:  # a NaN or an infinity
            p = rng.normal(0, 1, (n, 2))
            p[rng.integers(0, n), rng.integers(0, 2)] = draw(st.sampled_from([np.nan, np.inf]))
        curves.append(p * scale + draw(st.sampled_from([0.0, 1e3])))
        closed.append(draw(st.booleans()))
        bound.append(b)
    return curves, closed, np.array(bound)


@given(curve_sets())
def test_turning_over_equals_turning_angles(data):
    curves, closed, bound = data
    p = np.concatenate(curves)
    with np.errstate(all="ignore"):
        got_idx, got_cid = turning_over(p, tuple(map(len, curves)), tuple(closed), bound)
        want_idx, want_cid = reference_over(curves, closed, bound)
        np.testing.assert_array_equal(got_idx, want_idx)
        np.testing.assert_array_equal(got_cid, want_cid)
        free = np.random.default_rng(len(p)).random(len(p)) < 0.7
        hits = np.zeros(len(curves), bool)
        hits[want_cid[free[want_idx]]] = True
        np.testing.assert_array_equal(spiky(curves, closed, bound, free), hits)
