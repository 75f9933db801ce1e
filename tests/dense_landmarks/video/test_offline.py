import numpy as np

from dense_landmarks.video.align import apply
from dense_landmarks.video.offline import smooth_sequence


def _shape(rng) -> np.ndarray:
    return rng.normal(0, 30, (40, 2)) + 200


def _similarity(k: int) -> np.ndarray:
    a, s = 0.2 * np.sin(k / 3), 1 + 0.1 * np.cos(k / 4)
    return np.array(
        [[s * np.cos(a), -s * np.sin(a), 5 * k], [s * np.sin(a), s * np.cos(a), -3 * k]]
    )


def test_head_motion_passes_unsmoothed_and_shape_noise_is_reduced():
    rng = np.random.default_rng(0)
    shape, T = _shape(rng), 30
    moving = np.stack([apply(_similarity(k), shape) for k in range(T)])
    valid = np.ones(T, bool)
    out = smooth_sequence(moving, valid, 25.0, list(range(20)))
    assert np.allclose(out, moving, atol=1e-6)  # a rigidly moving face is left exactly as is

    noisy = moving.copy()
    noisy[:, 20:] += rng.normal(0, 1.0, (T, 20, 2))  # shape noise on the non-frame points
    out = smooth_sequence(noisy, valid, 25.0, list(range(20)))
    err_in = np.abs(noisy[:, 20:] - moving[:, 20:]).mean()
    err_out = np.abs(out[:, 20:] - moving[:, 20:]).mean()
    assert err_out < 0.7 * err_in


def test_gaps_split_runs_and_invalid_rows_are_untouched():
    rng = np.random.default_rng(1)
    seq = np.stack([_shape(rng) for _ in range(9)])
    valid = np.array([1, 1, 1, 0, 1, 1, 1, 1, 0], bool)
    seq[~valid] = np.nan
    out = smooth_sequence(seq, valid, 25.0, list(range(20)))
    assert np.isnan(out[~valid]).all() and np.isfinite(out[valid]).all()
    assert np.allclose(
        smooth_sequence(seq, valid, 25.0, list(range(20)), sigma_s=0), seq, equal_nan=True
    )
