import cv2
import numpy as np

import dense_landmarks as dl
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from tests.dense_landmarks.test_detection import EXAMPLE


def test_fifty_faces_in_one_image():
    img = cv2.resize(read_image(EXAMPLE), (256, 256), interpolation=cv2.INTER_AREA)
    lm = dl.DenseLandmarker()
    box = landmark_box(lm.detect(img)[0].points)
    grid = np.concatenate([np.concatenate([img] * 10, 1)] * 5, 0)  # 2560 x 1280, 50 faces
    boxes = [box + np.array([256 * c, 256 * r] * 2) for r in range(5) for c in range(10)]
    faces = lm.detect(grid, boxes=boxes)
    assert len(faces) == 50
    assert all(f.quality > 0.5 for f in faces)
