"""Property tests of :mod:`curves.topology`: any ring comes out simple and ordered, inner rings
inside outer ones, unchanged when already so, idempotent, near the input."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Polygon

from curves.monotone import isotonic, monotone
from curves.nesting import nest_rings, nested
from curves.ring_batch import rings_in_order, rings_nested
from curves.topology import GAP, Frame, is_simple, order_ring, turning_angles
from curves.turning import bound_turning, spiky


def ellipse_ring(n, cx, cy, a, b, angle, start=0.0):
    """A ring in the scheme's order: from the left corner over the top, back under (image y
    down), rotated by ``angle``; axis points are its corners."""
    t = np.pi + start + np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    p = np.c_[a * np.cos(t), b * np.sin(t)]
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    axis = np.array([[-a, 0.0], [a, 0.0]]) @ rot.T + [cx, cy]
    return p @ rot.T + [cx, cy], (axis[0], axis[1])


rings = st.builds(
    lambda n, a, b, angle, noise, seed, spikes: (n, a, b, angle, noise, seed, spikes),
    st.integers(6, 160),
    st.floats(5.0, 200.0),
    st.floats(0.05, 1.0),  # height as a fraction of the width
    st.floats(-np.pi, np.pi),
    st.floats(0.0, 0.8),  # noise as a fraction of the height
    st.integers(0, 2**31 - 1),
    st.integers(0, 3),
)


def noisy(params):
    n, a, b_frac, angle, noise, seed, spikes = params
    rng = np.random.default_rng(seed)
    b = a * b_frac
    ring, axis = ellipse_ring(n, 300.0, 200.0, a, b, angle)
    ring = ring + rng.normal(0.0, noise * b, ring.shape)
    for _ in range(spikes):  # a few wild samples: loops and spikes
        ring[rng.integers(1, n)] += rng.normal(0.0, 2.0 * b, 2)
    return ring, axis, b


def valid(ring):
    return is_simple(ring) and Polygon(ring).is_valid


@given(rings, st.booleans())
def test_order_ring_is_simple_ordered_idempotent_and_near(params, pin):
    ring, axis, _ = noisy(params)
    out = order_ring(ring, axis, pin=pin)
    assert out.shape == ring.shape and np.isfinite(out).all()
    assert valid(out)
    assert rings_in_order([out], np.array([axis]), pin)[0]
    np.testing.assert_array_equal(order_ring(out, axis, pin=pin), out)  # idempotent
    if pin:  # the first point (a corner) stays
        np.testing.assert_array_equal(out[0], ring[0])
    # only moves within the input's extent along the axis frame (plus the gap)
    f = Frame(*axis)
    q, qo = f.to(ring), f.to(out)
    tol = GAP + 1e-9
    assert (qo.min(axis=0) >= q.min(axis=0) - tol).all()
    assert (qo.max(axis=0) <= q.max(axis=0) + tol).all()


@given(st.integers(6, 160), st.floats(5, 200), st.floats(0.05, 1), st.floats(-np.pi, np.pi))
def test_order_ring_leaves_a_valid_ring_alone(n, a, b_frac, angle):
    ring, axis = ellipse_ring(n, 50.0, 80.0, a, a * b_frac, angle)
    np.testing.assert_array_equal(order_ring(ring, axis), ring)


@given(st.integers(8, 120), st.floats(0.0, 0.2), st.integers(0, 2**31 - 1))
def test_order_ring_moves_a_slightly_noisy_ring_little(n, noise, seed):
    """Small noise: each point moves at most a few noise amplitudes (a crossing of the lids is
    met half way, never resolved by a jump)."""
    rng = np.random.default_rng(seed)
    ring, axis = ellipse_ring(n, 0.0, 0.0, 40.0, 12.0, 0.3)
    amp = noise * 12.0
    bumped = ring + rng.uniform(-amp, amp, ring.shape)
    out = order_ring(bumped, axis)
    assert np.hypot(*(out - bumped).T).max() <= 4.0 * amp + GAP * 80.0 + 1e-9


@given(rings, st.floats(0.2, 0.8), st.floats(-0.3, 0.3), st.integers(0, 2**31 - 1), st.booleans())
def test_nest_rings_inner_strictly_inside_outer(params, scale, shift, seed, pin):
    outer, axis, b = noisy(params)
    rng = np.random.default_rng(seed)
    n_in = int(rng.integers(6, 120))
    a = np.hypot(*(axis[1] - axis[0])) / 2
    angle = np.arctan2(*(axis[1] - axis[0])[::-1])
    inner, _ = ellipse_ring(n_in, 0.0, 0.0, a * scale, b * scale, angle)
    inner = inner + (axis[0] + axis[1]) / 2 + shift * b * np.array([-np.sin(angle), np.cos(angle)])
    inner = inner + rng.normal(0.0, params[4] * b, inner.shape)
    i2, o2 = nest_rings(inner, outer, axis, pin=pin)
    assert i2.shape == inner.shape and o2.shape == outer.shape
    assert valid(i2) and valid(o2)
    assert Polygon(o2).contains(Polygon(i2))
    assert nested(i2, o2, axis, pin) and rings_nested([i2], [o2], np.array([axis]), pin)[0]
    if pin:
        np.testing.assert_array_equal(o2[0], outer[0])
    i3, o3 = nest_rings(i2, o2, axis, pin=pin)  # idempotent
    np.testing.assert_array_equal(i3, i2)
    np.testing.assert_array_equal(o3, o2)


def test_nest_rings_leaves_nested_rings_alone():
    outer, axis = ellipse_ring(40, 0.0, 0.0, 50.0, 20.0, 0.2)
    inner, _ = ellipse_ring(24, 0.0, 0.0, 40.0, 8.0, 0.2)
    i2, o2 = nest_rings(inner, outer, axis)
    np.testing.assert_array_equal(i2, inner)
    np.testing.assert_array_equal(o2, outer)


def test_closed_eye_lids_crossing_meet_in_the_middle():
    """Lower lid drawn above the upper lid in the middle (a closed eye): they meet half way,
    a hair apart, instead of the lower one jumping."""
    x = np.linspace(0.0, 30.0, 13)
    upper = np.c_[x, -np.sin(np.pi * x / 30.0) * 1.0]
    lower = np.c_[x[::-1], -np.sin(np.pi * x[::-1] / 30.0) * 2.0]  # above the upper one
    ring = np.vstack([upper, lower[1:-1]])
    out = order_ring(ring, (upper[0], upper[-1]))
    assert valid(out)
    mid_u, mid_l = out[6], out[18]  # the middles of both lids (x = 15)
    assert abs(mid_u[0] - 15) < 1e-9 and abs(mid_l[0] - 15) < 1e-9
    assert 0 < mid_l[1] - mid_u[1] <= 2 * GAP * 30 + 1e-9
    assert abs((mid_u[1] + mid_l[1]) / 2 - (-1.5)) < 0.1  # half way between -1 and -2


@given(st.lists(st.floats(-100, 100), min_size=2, max_size=60))
def test_isotonic_and_monotone(values):
    x = np.asarray(values)
    fit = isotonic(x)
    assert (np.diff(fit) >= -1e-9).all() and abs(fit.sum() - x.sum()) < 1e-6 * (1 + abs(x).sum())
    lo, hi = min(x[0], x[-1] - 1), x[-1]
    if hi > lo:
        y = np.clip(x, lo, hi)
        y[0], y[-1] = lo, hi
        m = monotone(y)
        d = np.diff(m)  # strictly increasing; the end steps may stay vertical
        assert (d[1:-1] > 0).all() and (d[[0, -1]] >= 0).all() and m[0] == lo and m[-1] == hi


@given(st.integers(8, 100), st.integers(0, 2**31 - 1))
def test_bound_turning_removes_spikes_keeps_fixed_points(n, seed):
    rng = np.random.default_rng(seed)
    ring, _ = ellipse_ring(n, 0.0, 0.0, 20.0, 16.0, 0.0)  # turns less than the bound
    spiked = ring.copy()
    k = int(rng.integers(1, n))
    spiked[k] += (ring[k] / np.hypot(*ring[k])) * 10.0  # an outward spike
    free = np.ones(n, bool)
    free[0] = False
    bound = np.radians(max(45.0, 720.0 / n))
    out = bound_turning(spiked, True, bound, free)
    assert (turning_angles(out, True)[free] <= bound + 1e-9).all()
    np.testing.assert_array_equal(out[0], spiked[0])
    assert not spiky([out], [True], np.array([bound]), free)[0]
    np.testing.assert_array_equal(bound_turning(ring, True, bound, free), ring)


@given(rings)
def test_is_simple_agrees_with_shapely(params):
    ring, _, _ = noisy(params)
    assert is_simple(ring) == Polygon(ring).is_valid


def test_batched_check_equals_one_at_a_time():
    rng = np.random.default_rng(5)
    items = [noisy((int(rng.integers(6, 80)), 40.0, 0.3, 0.1, 0.4, s, 1)) for s in range(30)]
    items += [(order_ring(r, ax), ax, b) for r, ax, b in items[:15]]
    got = rings_in_order([r for r, _, _ in items], np.array([ax for _, ax, _ in items]))
    for (r, ax, _), ok in zip(items, got):
        assert ok == (order_ring(r, ax) is not None and np.array_equal(order_ring(r, ax), r))
        if ok:
            assert valid(r)


def test_batched_nesting_check_equals_one_at_a_time():
    rng = np.random.default_rng(6)
    inners, outers, axes = [], [], []
    for s in range(40):
        outer, axis, b = noisy((int(rng.integers(6, 80)), 40.0, 0.4, 0.2, 0.3 * (s % 2), s, 0))
        inner, _ = ellipse_ring(int(rng.integers(6, 60)), 0.0, 0.0, 30.0, b * 0.5, 0.2)
        inner = inner + (axis[0] + axis[1]) / 2 + rng.normal(0, 0.3 * b * (s % 3 == 0), 2)
        if s % 4 == 0:
            inner, outer = nest_rings(inner, outer, axis)
        inners.append(inner)
        outers.append(outer)
        axes.append(axis)
    got = rings_nested(inners, outers, np.array(axes))
    want = [nested(i, o, ax) for i, o, ax in zip(inners, outers, axes)]
    assert got.tolist() == want and any(want) and not all(want)
