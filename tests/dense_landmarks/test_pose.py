import cv2
import numpy as np
import pytest

import dense_landmarks as dl
from dense_landmarks.imageio import read_image
from dense_landmarks.pose import euler_to_rotation, face3d, head_pose
from tests.dense_landmarks.test_detection import EXAMPLE


def test_frontal_astronaut_reads_frontal():
    """Within the models' pitch error of frontal: the held-out PnP pitch error is 7.4 deg
    (``python -m eval.sparse``), the sparse weights of 2026-11-26 read -12 deg here (network
    branch -13), the previous ones -7; the pose-convention bug this guards against read -21."""
    face = dl.DenseLandmarker(refine=False).detect(read_image(EXAMPLE))[0]
    pitch, yaw, _ = face.pose
    assert abs(pitch) < 15 and abs(yaw) < 10, face.pose


def _project(rot: np.ndarray, centre: np.ndarray, f: float, hw) -> np.ndarray:
    """Points of the canonical face turned by ``rot`` at 3D ``centre`` (cm), camera focal f."""
    x = face3d() @ rot.T + centre
    h, w = hw
    return np.stack([f * x[:, 0] / x[:, 2] + (w - 1) / 2, f * x[:, 1] / x[:, 2] + (h - 1) / 2], 1)


@pytest.mark.parametrize("pitch,yaw,roll", [(0, 0, 0), (15, -20, 5), (-10, 30, -8)])
def test_pose_is_relative_to_the_line_of_sight(pitch, yaw, roll):
    hw, f = (512, 512), 512.0
    # a face high in the frame, turned so that (pitch, yaw, roll) is relative to its line of
    # sight (a face looking into the camera there reads frontal)
    centre = np.array([-8.0, -14.0, 50.0])
    d = centre / np.linalg.norm(centre)
    axis = np.cross([0.0, 0.0, 1.0], d)  # turn the model's z axis onto the line of sight
    axis *= np.arccos(d[2]) / np.linalg.norm(axis)
    to_ray = cv2.Rodrigues(axis)[0]
    pts = _project(to_ray @ euler_to_rotation(pitch, yaw, roll), centre, f, hw)
    # (the line of sight is taken through the mean of the points: ~3 deg off at 30 deg yaw)
    np.testing.assert_allclose(head_pose(pts, None, hw), [pitch, yaw, roll], atol=3.5)


def test_refinement_matches_opencvs_iterative_solver():
    """:func:`head_pose` refines EPnP by ``solvePnPRefineLM`` (cheaper): the angles of
    ``solvePnP(SOLVEPNP_ITERATIVE)`` from the same start within 0.001 deg (their stopping rules
    differ on noise-free shapes: 5e-5 deg), on clean, noisy and far-off shapes."""
    from dense_landmarks.pose import PNP_SLOTS, rotation_to_euler

    rng = np.random.default_rng(3)
    obj = np.ascontiguousarray(face3d()[PNP_SLOTS], dtype=np.float64)
    hw = (480, 640)
    for pitch, yaw, roll in [(0, 0, 0), (20, -35, 10), (-15, 50, -25)]:
        clean = _project(euler_to_rotation(pitch, yaw, roll), np.array([3.0, -2.0, 60.0]), 640, hw)
        for noise in (0.0, 1.0, 6.0):
            pts = clean + rng.normal(0.0, noise, clean.shape)
            img = np.ascontiguousarray(pts[PNP_SLOTS])
            cx, cy = img.mean(axis=0)
            cam = np.array([[640.0, 0, cx], [0, 640.0, cy], [0, 0, 1]])
            _, r, t = cv2.solvePnP(obj, img, cam, None, flags=cv2.SOLVEPNP_EPNP)
            _, r, _ = cv2.solvePnP(obj, img, cam, None, r, t, True, cv2.SOLVEPNP_ITERATIVE)
            expected = rotation_to_euler(cv2.Rodrigues(r)[0])
            np.testing.assert_allclose(head_pose(pts, None, hw), expected, rtol=0, atol=1e-3)


def test_bundled_face_default_equals_passing_it():
    """head_pose(model3d=None) uses cached PnP points of the bundled face: same angles, bit for
    bit, as passing face3d() itself."""
    rng = np.random.default_rng(5)
    rot = euler_to_rotation(8.0, -15.0, 4.0)
    proj = face3d() @ rot.T
    for _ in range(3):
        pts = proj[:, :2] / (proj[:, 2:] + 60.0) * 640.0 + 320.0 + rng.normal(0, 0.5, (106, 2))
        np.testing.assert_array_equal(
            head_pose(pts, None, (480, 640)), head_pose(pts, face3d(), (480, 640))
        )
