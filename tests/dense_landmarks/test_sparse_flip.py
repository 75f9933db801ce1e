"""Test-time flip averaging of the sparse stage."""

import numpy as np
import pytest

from dense_landmarks import scheme
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.sparse import SparseLandmarker


@pytest.fixture(scope="module")
def lapa_images(lapa_samples):
    return [read_image(s.image_path) for s in lapa_samples]


def test_flip_averaging_is_mirror_equivariant(lapa_samples, lapa_images):
    """With flip averaging, the points of a mirrored image are the mirrored points (one pass,
    so both images get mirror-image crops); without it they are not."""
    s, img = lapa_samples[1], lapa_images[1]
    w = img.shape[1]
    mirrored = np.ascontiguousarray(img[:, ::-1])
    box = landmark_box(s.points)
    box_m = np.array([w - 1 - box[2], box[1], w - 1 - box[0], box[3]])

    def mirror(p):
        q = p[:, scheme.FLIP_PERMUTATION].copy()
        q[..., 0] = w - 1 - q[..., 0]
        return q

    plain = SparseLandmarker(passes=1, flip=False)
    flip = SparseLandmarker(passes=1, flip=True)
    a, _ = flip.predict(img, box[None])
    b, _ = flip.predict(mirrored, box_m[None])
    np.testing.assert_allclose(mirror(b), a, atol=0.01)  # cv2 fixed-point sampling
    c, _ = plain.predict(img, box[None])
    d, _ = plain.predict(mirrored, box_m[None])
    assert np.abs(mirror(d) - c).max() > 0.05
    # and the average lies between the two single predictions
    np.testing.assert_allclose(a, (c + mirror(d)) / 2, atol=0.01)


def test_flip_averaging_is_the_default():
    assert SparseLandmarker().flip and not SparseLandmarker(flip=False).flip
