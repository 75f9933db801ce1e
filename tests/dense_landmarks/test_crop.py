import cv2
import numpy as np

from dense_landmarks.crop import CropSpec, blur_sigma, warp


def _full_image_blur_warp(image, m, size):
    """The reference: smooth the whole image with the Gaussian, then warp."""
    sigma = blur_sigma(abs(np.linalg.det(m[:, :2])) ** 0.5)
    k = 2 * int(np.ceil(3.0 * sigma)) + 1
    smooth = cv2.GaussianBlur(image, (k, k), sigma, borderType=cv2.BORDER_REPLICATE)
    return cv2.warpAffine(smooth, m, (size, size), flags=cv2.INTER_LINEAR)


def test_strong_downscales_smooth_only_the_region_under_the_crop():
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8), (0, 0), 3)
    img[200:204, 300:304] = 255  # a bright dot
    for cx, cy, side, angle in [(302, 202, 300, 0), (302, 202, 260, 30), (40, 30, 250, -10)]:
        m = CropSpec(cx, cy, side, angle).matrix(48)
        got = warp(img, m, 48).astype(float)
        want = _full_image_blur_warp(img, m, 48).astype(float)
        assert np.abs(got - want).max() <= 1  # the same crop, up to rounding
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


def test_crops_of_a_mirror_symmetric_image_are_mirror_symmetric():
    """The anti-aliasing of strong downscales keeps symmetry (the refiners average each crop
    with its mirror image, which only makes symmetric maps from symmetric crops)."""
    rng = np.random.default_rng(3)
    half = rng.integers(0, 256, (400, 300, 3), dtype=np.uint8)
    img = np.ascontiguousarray(np.concatenate([half, half[:, -2::-1]], axis=1))  # axis x = 299
    for side, size in [(300.0, 48), (520.0, 64), (170.0, 48)]:
        crop = warp(img, CropSpec(299.0, 210.0, side, 0.0).matrix(size), size).astype(int)
        assert np.abs(crop - crop[:, ::-1]).max() <= 1, side


def test_blur_sigma_grows_continuously_from_zero():
    """No smoothing down to a 2x downscale, then more the stronger the downscale, with no jump
    at the 2x threshold (a face just under it must not see a sudden blur)."""
    sig = [blur_sigma(s) for s in (0.5, 0.499, 0.45, 0.3, 0.2, 0.1, 0.05)]
    assert sig[0] == 0.0 and sig[1] < 0.05 and sig == sorted(sig) and sig[-1] > 2.0
