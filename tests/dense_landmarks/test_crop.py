import cv2
import numpy as np

from dense_landmarks.crop import CropSpec, warp


def _full_image_shrink_warp(image, m, size):
    """The reference: shrink the whole image with area averaging, then warp."""
    scale = abs(np.linalg.det(m[:, :2])) ** 0.5
    f = min(2.0 * scale, 1.0)
    small = cv2.resize(
        image,
        (round(image.shape[1] * f), round(image.shape[0] * f)),
        interpolation=cv2.INTER_AREA,
    )
    fx, fy = small.shape[1] / image.shape[1], small.shape[0] / image.shape[0]
    s = np.array([[fx, 0, 0.5 * fx - 0.5], [0, fy, 0.5 * fy - 0.5]])
    m2 = m @ np.vstack([cv2.invertAffineTransform(s), [0, 0, 1]])
    return cv2.warpAffine(small, m2, (size, size), flags=cv2.INTER_LINEAR)


def test_strong_downscales_shrink_only_the_region_under_the_crop():
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8), (0, 0), 3)
    img[200:204, 300:304] = 255  # a bright dot
    for cx, cy, side, angle in [(302, 202, 300, 0), (302, 202, 260, 30), (40, 30, 250, -10)]:
        m = CropSpec(cx, cy, side, angle).matrix(48)
        got = warp(img, m, 48).astype(float)
        want = _full_image_shrink_warp(img, m, 48).astype(float)
        assert np.abs(got - want).mean() < 1.5  # the same crop up to area-filter phase
        if cx == 302:  # the dot lands on the same crop pixel
            assert np.unravel_index(got.sum(2).argmax(), (48, 48)) == np.unravel_index(
                want.sum(2).argmax(), (48, 48)
            )
    outside = warp(img, CropSpec(5000, 5000, 400).matrix(48), 48)
    assert outside.shape == (48, 48, 3) and outside.max() == 0
