"""Corners re-read from where the boundary ridges end (dense_landmarks.refine.ends)."""

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dense_landmarks.refine import REFINE_PARTS, crop_matrix, initial_arcs
from dense_landmarks.refine.ends import EndRule, corner_moves, end_shifts
from dense_landmarks.refine.refiner import CORNER_ROUNDS, Refiner
from dense_landmarks.refine.ridge import MapAtlas, decode_arcs
from training.refine_data import SIGMA, render_targets, ridge_distance

# on an ideal target (a Gaussian ridge of sigma SIGMA), the value falls to half at
# sigma * sqrt(2 ln 2) beyond the ridge's end
IDEAL = EndRule(beyond=SIGMA * np.sqrt(2 * np.log(2)), gain=1.0)


def _ridge(p0, p1, h=32, w=32) -> np.ndarray:
    """(1, h, w) float32 Gaussian ridge along the segment p0 -> p1 (heatmap pixels)."""
    ys, xs = np.mgrid[0:h, 0:w]
    grid = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float64)
    seg = np.linspace(p0, p1, 200)
    d = ridge_distance(grid, seg)
    return np.exp(-(d**2) / (2 * SIGMA**2)).reshape(1, h, w).astype(np.float32)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-2.5, 3.0),
    st.floats(-2.5, 3.0),
    st.floats(-0.6, 0.6),
)
def test_a_straight_ridges_ends_are_found(d_start, d_end, angle):
    """An arc whose ends stop short of (negative) or run past (positive) its ridge's ends, at
    any direction: the measured shifts put both ends back on the ridge's ends within 0.2 px."""
    c, u = np.array([15.5, 15.5]), np.array([np.cos(angle), np.sin(angle)])
    a, b = c - 8 * u, c + 8 * u  # the ridge
    arc = np.linspace(a - d_start * u, b + d_end * u, 25)[None]
    maps = _ridge(a, b)
    shift, direction = end_shifts(arc, MapAtlas(maps), np.zeros(1, np.int64), IDEAL)
    np.testing.assert_allclose(direction[0, 0], -u, atol=1e-6)
    np.testing.assert_allclose(direction[0, 1], u, atol=1e-6)
    # shifts are along the outward directions: an end past the ridge's end moves back
    assert abs(shift[0, 0] + d_start) < 0.2
    assert abs(shift[0, 1] + d_end) < 0.2


def test_a_weak_ridge_moves_nothing():
    maps = 0.2 * _ridge(np.array([6.0, 16.0]), np.array([26.0, 16.0]))
    arc = np.linspace([8.0, 16.0], [24.0, 16.0], 25)[None]
    shift, _ = end_shifts(arc, MapAtlas(maps), np.zeros(1, np.int64), IDEAL)
    np.testing.assert_array_equal(shift, 0.0)


def test_mirrored_maps_and_arcs_give_the_same_shifts():
    """A horizontal mirror of the maps and arcs (the left-eye crops) measures the same."""
    rng = np.random.default_rng(1)
    maps = _ridge(np.array([5.0, 12.0]), np.array([27.0, 20.0]))
    arc = np.linspace([7.0, 12.7], [25.5, 19.3], 25)[None] + rng.normal(0, 0.1, (1, 25, 2))
    mirrored = arc.copy()
    mirrored[..., 0] = 31.0 - mirrored[..., 0]
    s1, _ = end_shifts(arc, MapAtlas(maps), np.zeros(1, np.int64), IDEAL)
    s2, _ = end_shifts(mirrored, MapAtlas(maps[:, :, ::-1].copy()), np.zeros(1, np.int64), IDEAL)
    np.testing.assert_allclose(s1, s2, atol=0.05)


def test_mouth_corners_move_back_to_the_true_corners():
    """Targets drawn from a true mouth, sparse corners 3 image px off along the mouth axis:
    each round brings every corner closer, and after the refiner's rounds (each one a new
    decoding between the moved corners) their mean error is under half of what it was. (This
    mouth is drawn through ellipses, whose ends are round: each arc's end tangent turns away
    from the mouth axis there, so a round recovers less than at a real, pointed corner.)"""
    rng = np.random.default_rng(0)
    part = REFINE_PARTS[0]
    corners = [84, 90, 96, 100]
    k = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    k8 = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    for _ in range(5):
        true = np.zeros((106, 2))
        true[84:96] = np.c_[200 - 60 * np.cos(k), 300 + 25 * np.sin(k) * rng.uniform(0.8, 1.2)]
        true[96:104] = np.c_[200 - 45 * np.cos(k8), 300 + 10 * np.sin(k8) * rng.uniform(0.7, 1.3)]
        m = crop_matrix(true, part, 64)
        maps = render_targets(true, part, m, 64)
        start = true.copy()
        start[corners] += np.c_[rng.choice([-3.0, 3.0], 4), rng.normal(0, 0.3, 4)]
        arcs = decode_arcs(initial_arcs(start, part, m), maps)
        ideal = replace(part, ends=IDEAL)
        job, slot, _ = corner_moves([ideal], [m], arcs, MapAtlas(maps), np.arange(4))
        assert sorted(slot.tolist()) == corners and (job == 0).all()
        pts = start[None].copy()
        err = [np.linalg.norm(pts[0, corners] - true[corners], axis=1)]
        for _ in range(CORNER_ROUNDS):
            arcs = Refiner._move_corners(
                pts, [(0, ideal, m)], arcs, MapAtlas(maps), np.arange(4), np.zeros(4, int)
            )
            err.append(np.linalg.norm(pts[0, corners] - true[corners], axis=1))
        assert (np.diff(err, axis=0) < 0).all(), err
        assert err[-1].mean() < 0.5 * err[0].mean(), err


def test_parts_without_a_rule_are_left_alone():
    jaw = next(p for p in REFINE_PARTS if p.name == "jaw")
    assert jaw.ends is None
    job, slot, move = corner_moves(
        [jaw], [np.eye(2, 3)], np.zeros((1, 25, 2)), MapAtlas(np.zeros((1, 8, 8))), np.zeros(1)
    )
    assert len(job) == len(slot) == len(move) == 0
