"""The fixed dense layout ``dense-1000``: counts, corners, flip symmetry (property tests)."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "pipeline_reference.npz"
CORNERS = {  # DENSE_POINTS name -> scheme index it must sit on
    "right_ear": 0,
    "chin": 16,
    "left_ear": 32,
    "right_brow_outer": 33,
    "right_brow_inner": 37,
    "left_brow_inner": 42,
    "left_brow_outer": 46,
    "nose_bridge_top": 51,
    "nose_tip": 54,
    "right_nose_wing": 55,
    "nose_base": 60,
    "left_nose_wing": 65,
    "right_eye_outer": 66,
    "right_eye_inner": 70,
    "left_eye_inner": 75,
    "left_eye_outer": 79,
    "mouth_right": 84,
    "mouth_left": 90,
    "inner_mouth_right": 96,
    "inner_mouth_left": 100,
}


def base_face() -> np.ndarray:
    """The astronaut's refined points (its jaw points 0 and 1 coincide: 1 is moved half-way to
    2, so that jitter cannot fold the jaw's end into a hook)."""
    with np.load(REFERENCE) as z:
        pts = z["astronaut/points"][0].copy()
    pts[1] = (pts[0] + pts[2]) / 2
    return pts


BASE = base_face()


@st.composite
def faces(draw) -> np.ndarray:
    """A plausible face: the astronaut's points turned, scaled, shifted and jittered."""
    angle = np.radians(draw(st.floats(-60, 60)))
    scale = draw(st.floats(0.2, 8.0))
    shift = np.array([draw(st.floats(-500, 500)), draw(st.floats(-500, 500))])
    seed = draw(st.integers(0, 2**31))
    noise = np.random.default_rng(seed).normal(0, 0.3, BASE.shape)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    c = BASE.mean(0)
    return ((BASE + noise - c) @ rot.T) * scale + c + shift


def dense(points: np.ndarray, control=None) -> np.ndarray:
    c = dense_contours(points, "dense-1000", control=control)
    assert {k: len(v) for k, v in c.items()} == dict(scheme.DENSE_LAYOUT)
    return np.concatenate(list(c.values()))


def test_layout_data():
    assert scheme.NUM_DENSE == 1000 and sum(scheme.DENSE_LAYOUT.values()) == 1000
    assert list(scheme.DENSE_LAYOUT) == list(scheme.PART_NAMES)
    perm = scheme.DENSE_FLIP_PERMUTATION
    assert sorted(perm.tolist()) == list(range(1000))
    np.testing.assert_array_equal(perm[perm], np.arange(1000))  # an involution
    for name, i in scheme.DENSE_POINTS.items():
        mirror = scheme.FLIP_PERMUTATION[CORNERS[name]]
        other = next(n for n, j in CORNERS.items() if j == mirror)
        assert perm[i] == scheme.DENSE_POINTS[other]
    # lips and eyes are weighted: more points per part than any other part
    dense_parts = ("right_eye", "left_eye", "outer_lips", "inner_lips")
    assert all(scheme.DENSE_LAYOUT[p] == 128 for p in dense_parts)
    for arc in scheme.DENSE_PARTS["outer_lips"].arcs:
        assert arc.count == 64


@given(faces())
def test_counts_fixed_and_corners_on_their_indices(points):
    d = dense(points)
    for name, i in scheme.DENSE_POINTS.items():
        np.testing.assert_allclose(d[i], points[CORNERS[name]], atol=1e-9)
    # every part starts at its documented scheme point
    for part, off in scheme.DENSE_OFFSETS.items():
        np.testing.assert_allclose(d[off], points[scheme.PARTS[part].indices[0]], atol=1e-9)


@given(faces(), st.floats(100, 3000))
def test_flip_symmetry(points, width):
    mirrored = scheme.mirror_points(points, width)
    got = dense(mirrored)
    expect = dense(points)
    expect[:, 0] = (width - 1.0) - expect[:, 0]
    size = np.ptp(points, axis=0).max()
    np.testing.assert_allclose(got, expect[scheme.DENSE_FLIP_PERMUTATION], atol=1e-6 * size)


@given(faces())
def test_arcs_evenly_spaced(points):
    d = dense(points)
    for name, part in scheme.DENSE_PARTS.items():
        first = scheme.DENSE_OFFSETS[name]
        for arc in part.arcs:
            seg = d[first : first + arc.count + 1]  # the arc and the next arc's first point
            if part.closed and arc is part.arcs[-1]:
                seg = np.vstack([d[first : first + arc.count], d[scheme.DENSE_OFFSETS[name]]])
            step = np.hypot(*np.diff(seg, axis=0).T)
            assert step.max() < 1.25 * step.min() + 1e-9, (name, arc.name)
            first += arc.count


def test_refined_control_keeps_corners():
    """Refined control rings (the corners stay, other points move) keep the corner indices; an
    open part whose middle corner moved onto the refined curve is found by projection."""
    pts = BASE.copy()
    rng = np.random.default_rng(0)
    ring = pts[list(scheme.PARTS["outer_lips"].indices)]
    dense_ring = np.vstack([ring[:1], (ring[:-1] + ring[1:]) / 2, ring[1:]])
    dense_ring = dense_ring[np.argsort(np.r_[0, np.arange(11) + 0.5, np.arange(1, 12)])]
    dense_ring[1::2] += rng.normal(0, 0.3, dense_ring[1::2].shape)
    jaw = pts[:33] + np.array([0.0, 1.5])
    jaw[[0, -1]] = pts[[0, 32]]
    moved = pts.copy()
    moved[16] = jaw[16]  # the chin moved onto the refined jaw
    d = dense(moved, control={"outer_lips": dense_ring, "jaw": jaw})
    for name in ("mouth_right", "mouth_left", "chin", "right_ear", "left_ear"):
        np.testing.assert_allclose(d[scheme.DENSE_POINTS[name]], moved[CORNERS[name]], atol=1e-6)


def test_unknown_layout_and_bad_density():
    with pytest.raises(ValueError, match="unknown layout"):
        dense_contours(BASE, "dense-2000")
    with pytest.raises(ValueError, match="density"):
        dense_contours(BASE, 10)
