import numpy as np

from eval.lipsync import delay, lagged_correlation, roughness


def test_roughness_is_scale_free_and_low_for_smooth_signals():
    t = np.arange(200) / 25
    smooth = np.sin(2 * np.pi * 1.0 * t)
    noisy = smooth + np.random.default_rng(0).normal(0, 0.3, t.size)
    assert np.isclose(roughness(smooth), roughness(5 * smooth + 3))
    assert roughness(smooth) < 0.1 < roughness(noisy)


def test_best_lag_and_delay_find_a_known_shift():
    x = np.random.default_rng(1).normal(0, 1, 300)
    audio = np.r_[np.zeros(2), x[:-2]]  # the audio comes 2 frames after the video
    r, lag = lagged_correlation(x, audio)
    assert lag == 2 and r > 0.99
    late = np.r_[np.zeros(1), x[:-1]]
    assert abs(delay(x, late) - 1.0) < 0.1 and abs(delay(x, x)) < 1e-9
