import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dense_landmarks.video.one_euro import OneEuroFilter, OneEuroParams


def _run(f: OneEuroFilter, xs, fps: float = 25.0) -> np.ndarray:
    return np.array([f(np.atleast_1d(x), k / fps) for k, x in enumerate(xs)])[:, 0]


def test_first_sample_and_constant_signal_pass_unchanged():
    f = OneEuroFilter(OneEuroParams(1.0, 0.0))
    assert np.allclose(_run(f, [3.0] * 10), 3.0)


def test_noise_is_reduced_and_beta_cuts_lag_on_a_ramp():
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 1, 400)
    out = _run(OneEuroFilter(OneEuroParams(1.0, 0.0)), noise)
    assert out[50:].std() < 0.5 * noise[50:].std()
    ramp = np.arange(100) * 0.5  # 12.5 units/s
    slow = _run(OneEuroFilter(OneEuroParams(1.0, 0.0)), ramp)
    fast = _run(OneEuroFilter(OneEuroParams(1.0, 1.0)), ramp)
    assert abs(ramp[-1] - fast[-1]) < 0.25 * abs(ramp[-1] - slow[-1])


def test_points_share_one_speed_and_reset_forgets():
    f = OneEuroFilter(OneEuroParams(0.5, 0.0), norm_axis=-1)
    pts = np.zeros((5, 2))
    f(pts, 0.0)
    moved = f(pts + 1.0, 0.04)
    assert moved.shape == (5, 2) and np.allclose(moved, moved[0]) and 0 < moved[0, 0] < 1
    f.reset()
    assert np.allclose(f(pts + 7.0, 0.08), 7.0)


def test_repeated_time_keeps_estimate_and_bad_params_raise():
    f = OneEuroFilter(OneEuroParams())
    f(np.array([1.0]), 0.0)
    assert np.allclose(f(np.array([9.0]), 0.0), 1.0)
    with pytest.raises(ValueError):
        OneEuroFilter(OneEuroParams(min_cutoff=0.0))


@given(
    st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40),
    st.floats(0.01, 20.0),
    st.floats(0.0, 10.0),
)
def test_output_stays_within_the_inputs_range(xs, min_cutoff, beta):
    out = _run(OneEuroFilter(OneEuroParams(min_cutoff, beta)), xs)
    assert (out >= min(xs) - 1e-6).all() and (out <= max(xs) + 1e-6).all()
