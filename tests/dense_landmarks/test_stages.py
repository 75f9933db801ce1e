"""Stage protocols, their composition, and the entry from previous points (tracking)."""

from pathlib import Path

import cv2
import numpy as np
import pytest

import dense_landmarks as dl
from dense_landmarks import scheme
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.stages import (
    CallableDetector,
    ContourDensifier,
    Densifier,
    Detection,
    Detector,
    Refiner,
    SparseStage,
    detection_crop,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"


@pytest.fixture(scope="module")
def image():
    return read_image(EXAMPLE)


@pytest.fixture(scope="module")
def lm():
    return dl.build_landmarker()


def test_bundled_stages_follow_the_protocols(lm):
    assert isinstance(lm.detector, Detector)
    assert isinstance(lm.sparse, SparseStage)
    assert isinstance(lm.refiner, Refiner)
    assert isinstance(lm.densifier, Densifier)


def test_one_crop_path_for_detector_and_boxes(lm, image):
    det = lm.detector.detect(image)[0]
    assert det.keypoints.shape == (6, 2)
    box_only = Detection.from_box(det.box, det.score)
    assert box_only.keypoints is None
    # a box-only detection crops the box; a keypoint detection gets the calibrated upright crop
    assert detection_crop(box_only).side == pytest.approx(
        1.3 * np.ptp(det.box.reshape(2, 2), 0).max()
    )
    assert detection_crop(det).angle == pytest.approx(-det.angle)
    # a user callable goes through the same path as boxes=
    fn = CallableDetector(lambda img: (np.array([det.box]), np.array([0.7])))
    via_fn = dl.DenseLandmarker.from_stages(lm.sparse, fn, lm.refiner).detect(image)
    via_boxes = lm.detect(image, boxes=[det.box])
    np.testing.assert_allclose(via_fn[0].points, via_boxes[0].points)
    assert via_fn[0].score == pytest.approx(0.7) and via_boxes[0].score == 1.0


def test_default_output_is_dense_1000(lm, image):
    f = lm.detect(image)[0]
    assert f.layout == "dense-1000" and f.dense.shape == (1000, 2)
    assert {k: len(v) for k, v in f.contours.items()} == dict(scheme.DENSE_LAYOUT)
    g = lm.detect(image, density=700)[0]
    assert g.layout == "proportional" and len(g.dense) == 700
    np.testing.assert_allclose(g.points, f.points)


def test_from_points_tracks_a_face_across_shifted_copies(lm, image):
    """Frame 0 is detected; every later frame (the photo shifted a little more) is found from
    the previous frame's points only, with a landmarker that has no detector at all."""
    tracker = dl.DenseLandmarker.from_stages(lm.sparse, None, lm.refiner)
    with pytest.raises(ValueError, match="no detector"):
        tracker.detect(image)
    h, w = image.shape[:2]
    step = np.array([7.0, -4.0])
    frames = [
        cv2.warpAffine(image, np.float64([[1, 0, k * step[0]], [0, 1, k * step[1]]]), (w, h))
        for k in range(8)
    ]
    first = lm.detect(frames[0])[0]
    iod = np.linalg.norm(first.points[74] - first.points[83])
    last = {}
    for passes, tol in ((None, 0.03), (1, 0.06)):
        prev = first.points
        for k in range(1, len(frames)):
            faces = tracker.from_points(frames[k], prev[None], passes=passes)
            assert len(faces) == 1
            f = faces[0]
            expect = first.points + k * step  # no drift: the error stays bounded
            err = np.linalg.norm(f.points - expect, axis=1).mean() / iod
            assert err < tol, (passes, k, err)
            assert f.dense.shape == (1000, 2) and f.score == 1.0
            np.testing.assert_allclose(f.box, landmark_box(f.points))
            prev = f.points
        last[passes] = f.points
    # and the last frame from points agrees with a fresh detection on it
    fresh = lm.detect(frames[-1])[0]
    assert np.linalg.norm(last[None] - fresh.points, axis=1).mean() / iod < 0.03


def test_from_points_keeps_order_and_checks_input(lm, image):
    p = lm.detect(image)[0].points
    shifted = p + np.array([0.5, 0.0])
    faces = lm.from_points(image, np.stack([p, shifted]))
    assert len(faces) == 2  # same face twice: order kept, nothing merged or sorted away
    assert len(lm.from_points(image, p)) == 1  # a single (106, 2) face
    with pytest.raises(ValueError, match="106"):
        lm.from_points(image, np.zeros((1, 68, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        lm.from_points(image, np.full((1, 106, 2), np.nan))
    assert lm.from_points(image, np.zeros((0, 106, 2))) == []


def test_custom_densifier_is_used(lm, image):
    class Halves(ContourDensifier):
        def densify(self, points106, control, density):
            return {k: v[::2] for k, v in super().densify(points106, control, 1000).items()}

    f = dl.DenseLandmarker.from_stages(lm.sparse, lm.detector, None, Halves()).detect(image)[0]
    assert 490 <= len(f.dense) <= 510


def test_no_process_wide_thread_changes_remain(image):
    """OpenCV's and torch's thread counts are held only while a call runs, then restored."""
    import torch

    lm_torch = dl.build_landmarker(backend="torch", num_threads=1)
    old_cv, old_torch = cv2.getNumThreads(), torch.get_num_threads()
    cv2.setNumThreads(3)
    torch.set_num_threads(2)
    try:
        lm_torch.detect(image)
        lm_torch.from_points(image, lm_torch.detect(image)[0].points)
        assert cv2.getNumThreads() == 3 and torch.get_num_threads() == 2
    finally:
        cv2.setNumThreads(old_cv)
        torch.set_num_threads(old_torch)
