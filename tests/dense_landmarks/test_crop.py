import cv2
import numpy as np

from dense_landmarks.crop import CropSpec, warp


def _full_image_shrink_warp(image, m, size):
    """The reference: shrink the whole image (black beyond its sides up to whole blocks) by
    the integer factor with area averaging, then warp."""
    scale = abs(np.linalg.det(m[:, :2])) ** 0.5
    k = int(np.ceil(0.5 / scale - 1e-9))
    image = cv2.copyMakeBorder(image, 0, -image.shape[0] % k, 0, -image.shape[1] % k, 0)
    small = cv2.resize(
        image, (image.shape[1] // k, image.shape[0] // k), interpolation=cv2.INTER_AREA
    )
    f = 1.0 / k
    s = np.array([[f, 0, 0.5 * f - 0.5], [0, f, 0.5 * f - 0.5]])
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
        assert np.abs(got - want).max() <= 1  # the same crop: the region's blocks are the
        # whole image's
        if cx == 302:  # the dot lands on the same crop pixel
            assert np.unravel_index(got.sum(2).argmax(), (48, 48)) == np.unravel_index(
                want.sum(2).argmax(), (48, 48)
            )
    outside = warp(img, CropSpec(5000, 5000, 400).matrix(48), 48)
    assert outside.shape == (48, 48, 3) and outside.max() == 0


def test_crops_sample_the_image_exactly_where_their_matrix_says():
    """On a linear ramp image every crop pixel holds the image coordinates its matrix maps it
    to, up- and down-scaled (the area-shrink path included), shifted by sub-pixels, turned and
    mirrored: no half-pixel offset anywhere in the crop geometry."""
    w = 600
    ramp = np.arange(w, dtype=np.float32)
    image = np.dstack([np.tile(ramp, (w, 1)), np.tile(ramp[:, None], (1, w)), np.zeros((w, w))])
    image = image.astype(np.float32)
    grid = np.mgrid[8:104, 8:104][::-1].reshape(2, -1).T.astype(np.float64)  # inner pixels
    for side, cx, angle, mirror in [
        (100.0, 250.0, 0.0, False),
        (200.0, 250.3, 0.0, False),
        (260.0, 301.7, 0.0, True),
        (400.0, 299.5, 20.0, False),
        (300.0, 300.0, -35.0, True),
    ]:
        m = CropSpec(cx, 310.2, side, angle).matrix(112)
        if mirror:
            m = np.array([[-1.0, 0.0, 111.0], [0.0, 1.0, 0.0]]) @ np.vstack([m, [0, 0, 1]])
        crop = warp(image, m, 112)
        inv = cv2.invertAffineTransform(m)
        want = grid @ inv[:, :2].T + inv[:, 2]
        got = crop[8:104, 8:104, :2].reshape(-1, 2)
        np.testing.assert_allclose(got.mean(0), want.mean(0), atol=0.02)  # no offset
        np.testing.assert_allclose(got, want, atol=0.1)
