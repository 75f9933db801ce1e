import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dense_landmarks.video import align


@given(st.floats(-3.0, 3.0), st.floats(0.2, 5.0), st.floats(-100, 100), st.floats(-100, 100))
def test_similarity_fit_recovers_a_known_map_and_params_round_trip(theta, s, tx, ty):
    m = np.array(
        [[s * np.cos(theta), -s * np.sin(theta), tx], [s * np.sin(theta), s * np.cos(theta), ty]]
    )
    src = align.STABLE_REFERENCE
    fit = align.fit_similarity(src, align.apply(m, src))
    assert np.allclose(fit, m, atol=1e-6)
    assert np.allclose(align.from_params(align.to_params(m)), m, atol=1e-9)
    back = align.apply(align.invert(m), align.apply(m, src))
    assert np.allclose(back, src, atol=1e-6)


def test_face_similarity_is_batched_and_reference_is_unit_iod():
    ref = align.STABLE_REFERENCE
    assert np.isclose(np.linalg.norm(ref[3] - ref[0]), 1.0)
    pts = np.zeros((3, 106, 2))
    pts[:, list(align.STABLE_INDICES)] = ref * 50 + 100
    m = align.face_similarity(pts)
    assert m.shape == (3, 2, 3) and np.allclose(m[:, 0, 0], 50) and np.allclose(m[:, :, 2], 100)
