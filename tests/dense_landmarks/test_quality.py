import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dense_landmarks as dl
from dense_landmarks.crop import box_crop, landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.quality import FEATURES, face_quality, quality_features, quality_score
from tests.dense_landmarks.test_detection import EXAMPLE


@pytest.fixture(scope="module")
def lm():
    return dl.DenseLandmarker(refine=False)


def test_quality_of_a_face_a_collapsed_face_and_a_non_face(lm):
    img = read_image(EXAMPLE)
    face = lm.detect(img)[0]
    assert face.quality > 0.9
    crop = box_crop(landmark_box(face.points))
    assert face_quality(face.points, crop, face.points) > 0.9
    # the 106 points collapsed onto the mouth (a miniature face in a whole-face crop)
    mouth = face.points[84:96].mean(0)
    collapsed = mouth + 0.15 * (face.points - face.points.mean(0))
    assert face_quality(collapsed, crop, collapsed) < 0.1
    # a box on the background (given boxes are kept, with their quality)
    bg = lm.detect(img, boxes=[[400, 380, 500, 480]])
    assert len(bg) == 1 and bg[0].quality < 0.5


def test_detected_non_faces_are_dropped_by_quality():
    img = read_image(EXAMPLE)
    boxes = np.array([[170.0, 80, 280, 190], [400, 380, 500, 480]])  # the face, the background
    keep = dl.DenseLandmarker(detector=lambda im: boxes, refine=False)
    assert len(keep.detect(img)) == 1
    every = dl.DenseLandmarker(detector=lambda im: boxes, refine=False, min_quality=0.0)
    faces = every.detect(img)
    assert len(faces) == 2 and sorted(f.quality < 0.5 for f in faces) == [False, True]
    with pytest.raises(ValueError, match="min_quality"):
        dl.DenseLandmarker(min_quality=1.5)


@given(st.lists(st.floats(0, 5), min_size=4, max_size=4))
def test_quality_is_a_probability_that_falls_as_cues_grow(cues):
    x = np.array(cues)
    q = quality_score(x)
    assert 0.0 <= q <= 1.0
    for i in range(len(FEATURES)):
        worse = x.copy()
        worse[i] += 1.0
        if FEATURES[i] != "shape":  # the fitted shape weight may have either sign
            assert quality_score(worse) <= q + 1e-12


def test_features_are_scale_free():
    rng = np.random.default_rng(0)
    pts = rng.normal(100, 20, (106, 2))
    crop = box_crop(landmark_box(pts))
    f = quality_features(pts, crop, pts + 1.0)
    big = box_crop(landmark_box(pts * 3))
    np.testing.assert_allclose(quality_features(pts * 3, big, pts * 3 + 3.0), f, atol=1e-9)


def test_shape_residual_is_the_least_squares_one():
    """The cached pseudo-inverse gives ``lstsq``'s residual (an exact affine view: 0)."""
    from dense_landmarks.pose import face3d
    from dense_landmarks.quality import _affine_residual

    rng = np.random.default_rng(5)
    m = face3d()
    a = np.hstack([m, np.ones((len(m), 1))])
    view = m[:, :2] * 40.0 + m[:, 2:] * [3.0, -2.0] + [200.0, 150.0]
    assert _affine_residual(view) < 1e-9
    for _ in range(5):
        pts = view + rng.normal(0.0, 4.0, view.shape)
        coef, *_ = np.linalg.lstsq(a, pts, rcond=None)
        expected = np.sqrt(((a @ coef - pts) ** 2).sum(1).mean())
        assert abs(_affine_residual(pts) - expected) <= 1e-12 * expected
