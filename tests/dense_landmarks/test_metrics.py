import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dense_landmarks.metrics import (
    angle_error,
    auc,
    ced,
    failure_rate,
    nme,
    normaliser,
    signed_error,
)
from eval.jitter import jitter


def square_face(scale: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 100, (68, 2)) * scale
    p[36] = [20.0 * scale, 40.0 * scale]  # outer eye corners 60 px apart (x scale)
    p[45] = [80.0 * scale, 40.0 * scale]
    return p


def test_one_pixel_offset_gives_known_nme():
    gt = square_face()[None]
    pred = gt + np.array([1.0, 0.0])
    np.testing.assert_allclose(nme(pred, gt, normaliser(gt)), [1.0 / 60.0])
    pred2 = gt + np.array([3.0, 4.0])  # 5 px everywhere
    np.testing.assert_allclose(nme(pred2, gt, normaliser(gt)), [5.0 / 60.0])


def test_normalisers():
    gt = square_face()[None]
    assert normaliser(gt, "inter_ocular")[0] == pytest.approx(60.0)
    d = np.linalg.norm(gt[0].max(0) - gt[0].min(0))
    assert normaliser(gt, "box_diagonal")[0] == pytest.approx(d)
    pupil = np.linalg.norm(gt[0, 36:42].mean(0) - gt[0, 42:48].mean(0))
    assert normaliser(gt, "inter_pupil")[0] == pytest.approx(pupil)
    with pytest.raises(ValueError, match="unknown"):
        normaliser(gt, "ears")


def test_weighted_nme_ignores_zero_weight_points():
    gt = square_face()[None]
    pred = gt.copy()
    pred[0, 0] += 100.0
    w = np.ones((1, 68))
    w[0, 0] = 0
    assert nme(pred, gt, normaliser(gt), w)[0] == 0.0


def test_failure_rate_auc_and_ced():
    e = np.array([0.01, 0.02, 0.05, 0.2, np.nan])  # a miss (nan) is a failure
    assert failure_rate(e, 0.08) == pytest.approx(0.4)
    assert failure_rate(e, 0.10) == pytest.approx(0.4)
    assert auc(np.zeros(10), 0.08) == pytest.approx(1.0, abs=1e-3)
    assert auc(np.full(10, 0.5), 0.08) == 0.0
    _, y = ced(np.array([0.0, 0.04]), 0.08, steps=9)  # half below 0.04, all from 0.04 on
    assert y[0] == 0.5 and y[-1] == 1.0 and y[4] == 1.0


def test_angle_error_wraps():
    np.testing.assert_allclose(angle_error([179.0, -10.0], [-179.0, 10.0]), [2.0, 20.0])


def test_jitter_is_zero_for_predictions_that_follow_the_motion():
    gt = square_face()
    mats = [np.array([[1.0, 0.0, t], [0.0, 1.0, -t]]) for t in (0.0, 2.0, 5.0)]
    pred = [gt @ m[:, :2].T + m[:, 2] for m in mats]
    assert jitter(pred, mats, 60.0) == pytest.approx(0.0, abs=1e-12)
    shaky = [p + np.array([0.6 * (i % 2), 0.0]) for i, p in enumerate(pred)]
    assert jitter(shaky, mats, 60.0) == pytest.approx(0.6 / 60.0)
    assert jitter([None, *pred[1:]], mats, 60.0) is None


@settings(max_examples=30, deadline=None)
@given(deg=st.floats(-180, 180), along=st.floats(-5, 5), across=st.floats(-5, 5))
def test_signed_error_is_in_the_face_frame(deg, along, across):
    """An error of (along, across) in the face's own frame reads back the same whatever the
    face's in-plane rotation."""
    gt = square_face()[None]
    a = np.radians(deg)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    turned = gt @ r.T
    ax = turned[0, 45] - turned[0, 36]
    ax /= np.linalg.norm(ax)
    normal = np.array([-ax[1], ax[0]])
    pred = turned + along * ax + across * normal
    np.testing.assert_allclose(signed_error(pred, turned)[0], [along, across], atol=1e-9)


def test_signed_error_upright_is_image_x_and_y():
    gt = np.stack([square_face(), square_face(2.0)])
    gt[:, 36], gt[:, 45] = (10.0, 50.0), (90.0, 50.0)  # eyes level: the axis is image x
    np.testing.assert_allclose(signed_error(gt + np.array([1.5, -0.5]), gt), [[1.5, -0.5]] * 2)
    with pytest.raises(ValueError, match="68"):
        signed_error(gt[:, :60], gt[:, :60])
