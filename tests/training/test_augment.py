import numpy as np
import pytest

from dense_landmarks import scheme
from dense_landmarks.crop import CropSpec, from_crop, to_crop, warp
from dense_landmarks.pose import head_pose
from training.augment import AugmentConfig, augment, geometry
from training.labels.mesh import model3d_106


def test_flip_is_an_involution_on_labels(lapa_samples):
    pts = lapa_samples[0].points
    once = scheme.mirror_points(pts, 1000)
    np.testing.assert_allclose(scheme.mirror_points(once, 1000), pts)
    # the mirrored right eye is the original left eye, mirrored
    r = list(scheme.PARTS["right_eye"].indices)
    l_ = list(scheme.PARTS["left_eye"].indices)
    np.testing.assert_allclose(once[r][:, 1], pts[scheme.FLIP_PERMUTATION[r]][:, 1])
    assert once[r][:, 0].mean() < once[l_][:, 0].mean()


def test_crop_round_trip_is_exact():
    rng = np.random.default_rng(0)
    for _ in range(20):
        spec = CropSpec(*rng.uniform(50, 500, 2), rng.uniform(30, 400), rng.uniform(-180, 180))
        m = spec.matrix(112)
        p = rng.uniform(0, 600, (50, 2))
        np.testing.assert_allclose(from_crop(to_crop(p, m), m), p, atol=1e-9)
        centre = to_crop(np.array([[spec.cx, spec.cy]]), m)[0]
        np.testing.assert_allclose(centre, [55.5, 55.5], atol=1e-9)


def test_warp_samples_where_the_matrix_says():
    img = np.zeros((400, 400, 3), np.uint8)
    img[300, 100] = 255  # one bright pixel
    for angle in (0.0, 90.0, 37.0):
        for side in (60.0, 300.0):  # 300 triggers the pre-shrink path
            m = CropSpec(120, 280, side, angle).matrix(112)
            crop = warp(img.astype(np.float32), m, 112)[:, :, 0]
            expect = to_crop(np.array([[100.0, 300.0]]), m)[0]
            ys, xs = np.nonzero(crop > 0)
            w = crop[ys, xs]
            centroid = np.array([(xs * w).sum() / w.sum(), (ys * w).sum() / w.sum()])
            assert np.linalg.norm(centroid - expect) < 0.35, (angle, side)


def test_rotating_image_and_labels_stays_consistent(lapa_samples):
    """Points warped with the crop matrix land on the same image content as before."""
    s = lapa_samples[1]
    from dense_landmarks.imageio import read_image

    img = read_image(s.image_path)
    cfg = AugmentConfig(input_size=112)
    rng = np.random.default_rng(3)
    base = augment(img, s.points, s.weights, np.zeros(3), cfg, None)
    for _ in range(4):
        a = augment(
            img,
            s.points,
            s.weights,
            np.zeros(3),
            AugmentConfig(
                colour_prob=0,
                gray_prob=0,
                blur_prob=0,
                noise_prob=0,
                jpeg_prob=0,
                occlusion_prob=0,
                flip_prob=0,
            ),
            rng,
        )

        # sample the crop at the label positions: matches the plain crop at its label positions
        def sample(im, p):
            import cv2

            mx = p[:, 0].astype(np.float32).reshape(1, -1)
            my = p[:, 1].astype(np.float32).reshape(1, -1)
            return cv2.remap(im.astype(np.float32), mx, my, cv2.INTER_LINEAR)[0]

        diff = np.abs(sample(a.image, a.points) - sample(base.image, base.points)).mean()
        assert diff < 12.0  # intensities at the same facial points (interpolation differs)


def test_pose_label_follows_rotation_and_flip(lapa_samples):
    model3d = model3d_106()
    s = lapa_samples[0]
    pose = head_pose(s.points, model3d, (1494, 1424))
    cfg = AugmentConfig(input_size=112, full_rotation_prob=1.0)
    rng = np.random.default_rng(1)
    for _ in range(6):
        m, flip, new_pose = geometry(s.points, pose, cfg, rng)
        p = to_crop(s.points, m)
        if flip:
            p = p[scheme.FLIP_PERMUTATION]
        # PnP on the crop (its own camera) agrees with the transformed label on roll and yaw sign
        got = head_pose(p, model3d, (112, 112))
        d_roll = (got[2] - new_pose[2] + 180) % 360 - 180
        assert abs(d_roll) < 4.0
        if abs(pose[1]) > 5:
            assert np.sign(got[1]) == np.sign(new_pose[1])


@pytest.mark.parametrize("flip_prob", [0.0, 1.0])
def test_augment_keeps_weights_aligned_with_points(lapa_samples, flip_prob):
    s = lapa_samples[0]
    w = np.arange(106, dtype=np.float32)
    img = np.zeros((1500, 1500, 3), np.uint8)
    a = augment(
        img, s.points, w, np.zeros(3), AugmentConfig(flip_prob=flip_prob), np.random.default_rng(0)
    )
    expect = w[scheme.FLIP_PERMUTATION] if flip_prob else w
    np.testing.assert_array_equal(a.weights, expect)
    assert a.image.shape == (112, 112, 3) and a.image.dtype == np.uint8
