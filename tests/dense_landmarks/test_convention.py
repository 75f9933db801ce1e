"""The output convention shift (dense_landmarks.convention)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dense_landmarks as dl
from dense_landmarks import scheme
from dense_landmarks.convention import LABEL_OFFSET_PX, face_axes, to_label_convention
from dense_landmarks.imageio import read_image

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"

_R, _L = scheme.POINTS["right_eye_centre"], scheme.POINTS["left_eye_centre"]


def _face(rng: np.random.Generator) -> np.ndarray:
    pts = rng.uniform(0, 100, (106, 2))
    pts[_R], pts[_L] = (30.0, 40.0), (70.0, 40.0)  # upright: the axis is image x
    return pts


def _rot(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def test_upright_face_moves_right_by_the_offset():
    pts = _face(np.random.default_rng(0))
    control = {"outer_lips": np.ones((5, 2))}
    moved, ctl = to_label_convention(pts[None], [control], 1.5)
    np.testing.assert_allclose(moved[0] - pts, np.tile([1.5, 0.0], (106, 1)))
    np.testing.assert_allclose(ctl[0]["outer_lips"], np.tile([2.5, 1.0], (5, 1)))
    np.testing.assert_array_equal(control["outer_lips"], 1.0)  # inputs untouched


@settings(max_examples=40, deadline=None)
@given(
    deg=st.floats(-180, 180),
    offset=st.floats(-3, 3),
    seed=st.integers(0, 10_000),
    shift=st.tuples(st.floats(-500, 500), st.floats(-500, 500)),
)
def test_shift_follows_the_face_rotation_and_position(deg, offset, seed, shift):
    """Rotating and translating the face rotates the shift with it (equivariance); every
    point moves by exactly |offset|."""
    pts = _face(np.random.default_rng(seed))
    r = _rot(deg)
    turned = pts @ r.T + np.asarray(shift)
    a, _ = to_label_convention(pts[None], [{}], offset)
    b, _ = to_label_convention(turned[None], [{}], offset)
    np.testing.assert_allclose(b[0], a[0] @ r.T + np.asarray(shift), atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(b[0] - turned, axis=1), abs(offset), atol=1e-9)


def test_mirrored_face_moves_the_same_way_in_its_own_frame():
    """A mirrored face (points mirrored and relabelled) still moves towards its left eye:
    the shift is the one thing that does not mirror, by design."""
    pts = _face(np.random.default_rng(1))
    mirrored = scheme.mirror_points(pts, 100.0)
    moved, _ = to_label_convention(mirrored[None], [{}], 1.0)
    assert face_axes(mirrored[None])[0] == pytest.approx([1.0, 0.0])
    np.testing.assert_allclose(moved[0] - mirrored, np.tile([1.0, 0.0], (106, 1)))


def test_zero_offset_and_bad_input():
    pts = _face(np.random.default_rng(2))[None]
    same, ctl = to_label_convention(pts, [{"jaw": np.zeros((3, 2))}], 0.0)
    np.testing.assert_array_equal(same, pts)
    assert same is not pts and set(ctl[0]) == {"jaw"}
    with pytest.raises(ValueError, match="controls"):
        to_label_convention(pts, [], 1.0)
    with pytest.raises(ValueError, match="106"):
        face_axes(np.zeros((1, 68, 2)))
    degenerate = np.zeros((1, 106, 2))  # eye centres coincide: image x, no NaN
    assert face_axes(degenerate)[0] == pytest.approx([1.0, 0.0])
    with pytest.raises(ValueError, match="label_offset"):
        dl.DenseLandmarker.from_stages(object(), label_offset=float("nan"))


def test_pipeline_applies_the_offset_to_points_and_contours():
    astronaut_rgb = read_image(EXAMPLE)
    lm = dl.DenseLandmarker(num_threads=1)
    assert lm.label_offset == LABEL_OFFSET_PX
    raw = dl.DenseLandmarker.from_stages(lm.sparse, lm.detector, lm.refiner, label_offset=0.0)
    f, g = lm.detect(astronaut_rgb)[0], raw.detect(astronaut_rgb)[0]
    axis = face_axes(g.points[None])[0]
    np.testing.assert_allclose(f.points - g.points, np.tile(LABEL_OFFSET_PX * axis, (106, 1)))
    # the contours are resampled from the moved control points: the same shift
    np.testing.assert_allclose(f.dense - g.dense, np.tile(LABEL_OFFSET_PX * axis, (1000, 1)))
