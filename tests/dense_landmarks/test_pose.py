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
