"""Many groups of curves resampled arc by arc in one pass (curves.arcs) and the batch pieces
it stands on: each group's numbers must be exactly those it gets alone, and the rewritten
building blocks must give exactly what the plain formulas give."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curves.arc_tables import arc_tables
from curves.arcs import STEPS, ArcPlan, _first_nearest, _lengths, resample_arcs
from curves.batch import CurveBatch, check_groups
from curves.spline import evaluate_segments, hermite_from_neighbours

PLAN = ArcPlan(
    closed=(True, False, True),
    corners=((0, 1), (2, 3, 4), (5,)),
    counts=((7, 5), (4, 6), (9,)),
)


def reference_hermite(p0, p1, p2, p3):
    """The segment formula as first written (one array per term)."""
    t01 = np.hypot(*(p1 - p0).T)[:, None] ** 0.5
    t12 = np.hypot(*(p2 - p1).T)[:, None] ** 0.5
    t23 = np.hypot(*(p3 - p2).T)[:, None] ** 0.5
    m1 = (p2 - p1) + t12 * ((p1 - p0) / t01 - (p2 - p0) / (t01 + t12))
    m2 = (p2 - p1) + t12 * ((p3 - p2) / t23 - (p3 - p1) / (t12 + t23))
    a = 2.0 * (p1 - p2) + m1 + m2
    b = -3.0 * (p1 - p2) - 2.0 * m1 - m2
    return np.stack([a, b, m1, p1], axis=1)


def reference_lengths(coeffs):
    """The arc-length table of one group as first written: (S * (STEPS + 1),)."""
    t = np.arange(STEPS + 1) / STEPS
    basis = np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)
    xy = np.matmul(basis[None], coeffs)
    steps = np.hypot(*np.moveaxis(np.diff(xy, axis=1), 2, 0))
    within = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)
    seg_s0 = np.concatenate([[0.0], np.cumsum(within[:, -1])[:-1]])
    return (seg_s0[:, None] + within).ravel()


def random_curve(rng: np.random.Generator, closed: bool) -> np.ndarray:
    """A contour-like control polygon: a star-shaped ring, or a walk with bounded turns."""
    k = int(rng.integers(3, 40))
    if closed:
        ang = np.linspace(0, 2 * np.pi, k, endpoint=False) + rng.uniform(0, 0.5 / k, k)
        rad = rng.uniform(0.85, 1.15, k) * rng.uniform(10, 300, 2)[:, None]
        pts = (rad * np.array([np.cos(ang), np.sin(ang)])).T
    else:
        heading = np.cumsum(rng.uniform(-0.8, 0.8, k - 1)) + rng.uniform(-np.pi, np.pi)
        steps = rng.uniform(5, 20, k - 1)[:, None] * np.c_[np.cos(heading), np.sin(heading)]
        pts = np.vstack([np.zeros(2), np.cumsum(steps, axis=0)])
    return pts * 10 ** rng.uniform(-1, 1) + rng.uniform(-500, 500, 2)


@st.composite
def groups(draw):
    """2..4 groups of PLAN's three curves, their corner points: knots, points near the curve,
    and points off it (their control point counts differ from group to group)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    out = []
    for _ in range(draw(st.integers(2, 4))):
        curves = [random_curve(rng, cl) for cl in PLAN.closed]
        rows = []
        for c, corners in zip(curves, PLAN.corners):
            for j, _ in enumerate(corners):
                q = c[(j * (len(c) - 1)) // max(1, len(corners) - 1)].copy()
                if rng.random() < 0.5:  # not a knot
                    q += rng.normal(0, 2.0, 2)
                rows.append(q)
        out.append((curves, np.array(rows)))
    return out


def batch_of(gs):
    arrays = [a for curves, _ in gs for a in curves]
    return CurveBatch.from_checked(arrays, PLAN.closed * len(gs))


@given(groups())
def test_groups_together_equal_each_group_alone(gs):
    together, bad = resample_arcs(batch_of(gs), PLAN, np.stack([c for _, c in gs]))
    assert together.shape == (len(gs), sum(PLAN.sizes), 2)
    for g, group in enumerate(gs):
        alone, bad_alone = resample_arcs(batch_of([group]), PLAN, group[1][None])
        assert bad[g] == bad_alone[0]
        if bad[g] < 0:
            np.testing.assert_array_equal(together[g], alone[0])


def test_corner_points_land_on_their_indices():
    ring = np.c_[np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)] * 40
    line = np.c_[np.arange(6) * 10.0, 0.1 * np.arange(6) ** 2] + [100, 0]
    tri = np.array([[0.0, -100], [30, -90], [10, -70]])
    corners = np.array([ring[0], ring[4], line[0], line[3], line[5], tri[1]])
    out, bad = resample_arcs(batch_of([([ring, line, tri], corners)]), PLAN, corners[None])
    assert bad.tolist() == [-1]
    starts = np.cumsum([0, *PLAN.sizes])
    at = [starts[0], starts[0] + 7, starts[1], starts[1] + 4, starts[2] - 1, starts[2]]
    np.testing.assert_allclose(out[0, at], corners, atol=1e-9)  # the ring: 7 points, then 5


def test_coincident_corners_flag_only_their_group():
    ring = np.c_[np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)] * 40
    line = np.c_[np.arange(6) * 10.0, 0.1 * np.arange(6) ** 2] + [100, 0]
    tri = np.array([[0.0, -100], [30, -90], [10, -70]])
    good = np.array([ring[0], ring[4], line[0], line[3], line[5], tri[1]])
    same = good.copy()
    same[3] = same[2]  # the open curve's first arc has no length
    gs = [([ring, line, tri], good), ([ring, line, tri], same)]
    out, bad = resample_arcs(batch_of(gs), PLAN, np.stack([good, same]))
    assert bad.tolist() == [-1, 2]  # arcs counted over the plan: ring's two, then line's first
    alone, _ = resample_arcs(batch_of(gs[:1]), PLAN, good[None])
    np.testing.assert_array_equal(out[0], alone[0])


@given(groups())
def test_lengths_table_is_the_plain_one(gs):
    batch = batch_of(gs)
    tb = arc_tables(tuple(len(p) for p in batch.points), PLAN, len(gs), len(gs[0][1]))
    got = _lengths(batch.coeffs, tb).table_s
    for g in range(len(gs)):
        lo, hi = tb.table_bounds[g], tb.table_bounds[g + 1]
        seg = slice(lo // (STEPS + 1), hi // (STEPS + 1))
        np.testing.assert_array_equal(got[lo:hi], reference_lengths(batch.coeffs[seg]))


@given(st.integers(0, 2**31), st.integers(1, 6), st.integers(1, 40))
def test_first_nearest_is_the_first_smallest_hypot(seed, rows, width):
    rng = np.random.default_rng(seed)
    # small integers (many exact ties) or floats (near ties), ordinary, tiny (squares lose
    # precision) or huge; exact ties must go to the first, near ones to the smaller hypot
    scale, kind = rng.choice([1.0, 1e-160, 1e150]), rng.integers(3)
    if kind == 2:  # all on a circle but for an ulp or two: squares and hypot disagree in order
        ang, r = rng.uniform(0, 2 * np.pi, (rows, width)), 1 + rng.uniform(-4e-16, 4e-16)
        dx, dy = r * np.cos(ang) * scale, r * np.sin(ang) * scale
    else:
        dx, dy = (
            (rng.integers(-3, 4, (rows, width)) if kind else rng.uniform(-3, 3, (rows, width)))
            * scale
            for _ in range(2)
        )
    pad = rng.random((rows, width)) < 0.3
    pad[:, 0] = False
    want = np.argmin(np.where(pad, np.inf, np.hypot(dx, dy)), axis=1)
    np.testing.assert_array_equal(_first_nearest(dx, dy, pad), want)


@given(st.integers(0, 2**31))
def test_hermite_is_the_plain_formula(seed):
    rng = np.random.default_rng(seed)
    p = rng.normal(0, 10 ** rng.uniform(-3, 3), (4, 50, 2)) + rng.normal(0, 1e3, 2)
    p[1, :5] = p[0, :5]  # coincident neighbours: NaN both ways
    with np.errstate(divide="ignore", invalid="ignore"):
        got, want = hermite_from_neighbours(*p), reference_hermite(*p)
    np.testing.assert_array_equal(got, want)


def test_evaluate_segments_offsets_and_shapes():
    rng = np.random.default_rng(0)
    coeffs = rng.normal(size=(12, 4, 2))
    u = rng.uniform(0, 4, (3, 5))
    off = np.array([[0], [4], [8]])
    got = evaluate_segments(coeffs, u, 3, off)
    want = evaluate_segments(coeffs, (u + off).ravel(), np.repeat(off.ravel() + 3, 5))
    np.testing.assert_allclose(got.reshape(-1, 2), want, rtol=1e-12)
    np.testing.assert_array_equal(
        evaluate_segments(coeffs, u[0], 3, 0), evaluate_segments(coeffs, u[0], 3)
    )


def test_check_groups_matches_one_batch_per_group():
    ok = [(np.array([[0.0, 0], [1, 0], [0, 1]]), True), (np.array([[0.0, 0], [2, 1]]), False)]
    dup = [(np.array([[0.0, 0], [1, 0], [1, 0], [0, 1]]), True), ok[1]]
    nan = [ok[0], (np.array([[0.0, 0], [np.nan, 1]]), False)]
    short = [(np.array([[0.0, 0], [1, 0]]), True), ok[1]]
    inf = [(np.array([[0.0, 0], [np.inf, 0], [0, 1]]), True), ok[1]]
    names = ["ring", "line"]
    got = check_groups([ok, dup, nan, short, ok, inf], True, names)
    for group, result in zip([ok, dup, nan, short, ok, inf], got):
        try:
            want = CurveBatch(group, merge_duplicates=True, names=names).points
        except ValueError as exc:
            assert isinstance(result, ValueError) and str(result) == str(exc)
        else:
            assert not isinstance(result, ValueError)
            for a, b in zip(result, want):
                np.testing.assert_array_equal(a, b)
    assert [len(a) for a in got[1]] == [3, 2]  # the duplicate merged
    assert isinstance(check_groups([dup], False, names)[0], ValueError)


def test_plan_checks_its_arcs():
    with pytest.raises(ValueError, match="corners for"):
        ArcPlan(closed=(False,), corners=((0, 1),), counts=((3, 3),))
    with pytest.raises(ValueError, match="at least one point"):
        ArcPlan(closed=(True,), corners=((0, 1),), counts=((3, 0),))
    with pytest.raises(ValueError, match="differ in length"):
        ArcPlan(closed=(True, True), corners=((0,),), counts=((3,),))
    assert PLAN.sizes == (12, 11, 9)
