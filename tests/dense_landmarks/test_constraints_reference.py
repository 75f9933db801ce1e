"""The shape constraints give the same points as the implementation they were sped up from:
``tests/data/constraints_reference.npz`` holds what ``constrain_faces`` returned inside
``DenseLandmarker().detect`` (decoder control points and dense contours) on the bundled photo
and two GRID frames, written by ``tests/data/make_constraints_reference.py`` before the change;
and, on broken variants of those calls, the same doubles as the per-ring loop of issue 17."""

from pathlib import Path

import numpy as np
import pytest

from curves.nesting import nest_rings
from curves.ring_batch import rings_in_order, rings_nested
from curves.topology import GAP, order_ring
from curves.turning import bound_turning, spiky
from dense_landmarks import scheme
from dense_landmarks.refine.constraints import (
    CORNER_ZONE,
    CORNERS,
    MAX_TURN_DEG,
    NEST_SHARE,
    RING_RULES,
    TURN_AIM,
    constrain_contours,
    constrain_faces,
)
from eval.bench_constraints import reference_calls

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "constraints_reference.npz"


CALLS = reference_calls(REFERENCE)


@pytest.mark.parametrize("c", range(len(CALLS)))
def test_same_points_as_reference(c):
    faces, points, gap, turning, expected = CALLS[c]
    got = constrain_faces(faces, points, gap, turning=turning)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert list(g) == list(e)
        for k in e:
            assert g[k].dtype == np.float64 and g[k].shape == e[k].shape
            np.testing.assert_allclose(g[k], e[k], rtol=0, atol=1e-9, err_msg=k)


def test_reference_needs_repairs():
    """The reference is no trivial case: some parts change, some stay bit for bit."""
    changed = same = 0
    for faces, _, _, _, expected in CALLS:
        for f, e in zip(faces, expected):
            for k in e:
                unchanged = np.array_equal(f[k], e[k])
                same += unchanged
                changed += not unchanged
    assert changed >= 5 and same >= 5


def test_faces_one_by_one_match_batch():
    faces, points, gap, turning, expected = CALLS[1]
    assert turning
    got = constrain_contours(faces[0], points[0], gap)
    for k in expected[0]:
        np.testing.assert_allclose(got[k], expected[0][k], rtol=0, atol=1e-9)


def free_mask(curves, corners, closed, counts):
    """The vertices away from their contour's corners, of many contours at once (the
    implementation before issue 17's; :func:`free_vertices` of each, concatenated)."""
    p = np.concatenate(curves)
    first = np.cumsum(counts) - counts
    extent = (np.maximum.reduceat(p, first) - np.minimum.reduceat(p, first)).max(axis=1)
    d = p[:, None, :] - np.repeat(corners, counts, axis=0)
    d2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]
    zone = np.repeat(CORNER_ZONE * extent, counts)
    free = (d2 > (zone * zone)[:, None]).all(axis=1)
    ends = np.flatnonzero(~closed)
    free[first[ends]] = False
    free[first[ends] + counts[ends] - 1] = False
    return free


def per_ring_constraints(faces, points, gap=GAP, turning=True, rounds=4):
    """The loop ``constrain_faces`` was sped up from (issue 17): the checks batched
    (:func:`rings_in_order`, :func:`rings_nested`, :func:`spiky` on the whole free mask), every
    repair one ring at a time (:func:`order_ring`, :func:`nest_rings`, :func:`bound_turning`)."""
    out = [{k: np.asarray(v, dtype=np.float64) for k, v in f.items()} for f in faces]
    pts = [np.asarray(p, dtype=np.float64) for p in points]
    items = [(i, k) for i, f in enumerate(out) for k in f]
    rings = [(i, r) for i, f in enumerate(out) for r in RING_RULES if r.part in f]
    host = {h.part: h for h in RING_RULES}
    for _ in range(rounds if items else 0):
        if turning:
            curves = [out[i][k] for i, k in items]
            closed = np.array([scheme.PARTS[k].closed for _, k in items])
            counts = np.array([len(c) for c in curves])
            slots = [[*CORNERS[k], *[CORNERS[k][-1]] * (4 - len(CORNERS[k]))] for _, k in items]
            corners = np.stack([pts[i][s] for (i, _), s in zip(items, slots)])
            free = free_mask(curves, corners, closed, counts)
            bound = np.radians(np.maximum(MAX_TURN_DEG, np.where(closed, 720.0 / counts, 0.0)))
            start = np.r_[0, np.cumsum(counts)]
            for j in np.flatnonzero(spiky(curves, list(closed), bound, free)):
                i, k = items[j]
                f = free[start[j] : start[j + 1]]
                out[i][k] = bound_turning(curves[j], bool(closed[j]), TURN_AIM * bound[j], f)
        alone = [(i, r) for i, r in rings if r.within is None]
        axes = np.array([[pts[i][r.axis[0]], pts[i][r.axis[1]]] for i, r in alone])
        good = rings_in_order(
            [out[i][r.part] for i, r in alone], axes, np.array([r.pin for _, r in alone])
        )
        moved = set()
        for (i, r), ok, ax in zip(alone, good, axes):
            if not ok:
                out[i][r.part] = order_ring(out[i][r.part], (ax[0], ax[1]), gap, r.share, r.pin)
                moved.add((i, r.part))
        pairs = [(i, r) for i, r in rings if r.within is not None and r.within in out[i]]
        if pairs:
            axes = np.array([[pts[i][a] for a in host[r.within].axis] for i, r in pairs])
            fine = rings_nested(
                [out[i][r.part] for i, r in pairs],
                [out[i][r.within] for i, r in pairs],
                axes,
                np.array([r.pin for _, r in pairs]),
            )
            for (i, r), ok, ax in zip(pairs, fine, axes):
                if not ok:
                    out[i][r.part], out[i][r.within] = nest_rings(
                        out[i][r.part], out[i][r.within], (ax[0], ax[1]), gap, NEST_SHARE, r.pin
                    )
                    moved |= {(i, r.part), (i, r.within)}
        if not (moved and turning):
            break
        items = [it for it in items if it in moved]
        rings = [(i, r) for i, r in rings if (i, r.part) in moved or (i, r.within) in moved]
    return out


def hard_variant(faces, points, kind, rng):
    """The reference contours broken on purpose: 0 noise of a few pixels, 1 rings mirrored
    across their axes (arcs crossed), 2 lids (and every ring) squashed onto the axis, 3 the
    inner lips grown out of the outer ones, 4 integer coordinates and repeated points, 5 spikes
    (some near the corners, where the turning is not bounded), 6 spikes on a face rolled by up
    to 180 degrees. Returns (faces, points)."""
    rules = {r.part: r for r in RING_RULES}
    out = []
    for f, p in zip(faces, points):
        g = {}
        for k, v in f.items():
            v = v.copy()
            rule = rules.get(k)
            if rule is not None:
                a0, a1 = p[list(rules[rule.within].axis if rule.within else rule.axis)]
                u = (a1 - a0) / np.hypot(*(a1 - a0))
                nrm = np.array([-u[1], u[0]])
                h = (v - a0) @ nrm
                if kind == 1:
                    v = v - 2.0 * np.outer(h, nrm) * rng.uniform(0.3, 1.5)
                elif kind == 2:
                    v = v - np.outer(h * rng.uniform(0.95, 1.3), nrm)
                elif kind == 3 and k == "inner_lips":
                    v = v.mean(axis=0) + (v - v.mean(axis=0)) * rng.uniform(1.0, 2.0)
            if kind == 0:
                v = v + rng.normal(0.0, rng.choice([0.5, 3.0, 10.0]), v.shape)
            elif kind == 4:
                v = np.round(v + rng.normal(0.0, 1.0, v.shape))
                j = rng.integers(0, len(v) - 1, 3)
                v[j + 1] = v[j]
            elif kind >= 5:
                j = rng.integers(0, len(v), 1 + len(v) // 8)
                v[j] += rng.normal(0.0, 0.05 * np.ptp(v, axis=0).max(), (len(j), 2))
            g[k] = v
        out.append(g)
    if kind == 6:
        t = rng.uniform(-np.pi, np.pi)
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        out = [{k: v @ rot.T for k, v in f.items()} for f in out]
        points = [p @ rot.T for p in points]
    return out, points


@pytest.mark.parametrize("kind", range(7))
def test_same_doubles_as_the_per_ring_loop(kind):
    """On broken variants of the reference calls, bit for bit the loop it was sped up from."""
    rng = np.random.default_rng(17 + kind)
    for faces, points, gap, turning, _ in CALLS:
        for _ in range(3):
            broken, pts = hard_variant(faces, points, kind, rng)
            got = constrain_faces(broken, pts, gap, turning=turning)
            want = per_ring_constraints(broken, pts, gap, turning=turning)
            for g, w in zip(got, want):
                assert list(g) == list(w)
                for k in w:
                    assert g[k].tobytes() == w[k].tobytes(), (kind, k)
