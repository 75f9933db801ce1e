import numpy as np

from eval.makeup_bound import hard_scores


def _lips68(gap: float) -> np.ndarray:
    """(68, 2) points whose lips (48-67) are an ellipse ring with an inner opening of ``gap``
    half-height; the other points are far away and unused."""
    pts = np.full((68, 2), 500.0)
    a = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    pts[48:60] = np.c_[100 - 40 * np.cos(a), 100 - 20 * np.sin(a)]
    b = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    pts[60:68] = np.c_[100 - 30 * np.cos(b), 100 - gap * np.sin(b)]
    return pts


def test_hard_masks_of_the_human_outlines_score_perfectly_and_offsets_trade_off():
    gt = _lips68(8.0)
    offsets = ((0.0, 0.0), (0.05, 0.0), (0.0, -0.05))
    s = hard_scores(gt, 100.0, gt[48:60], gt[60:68], offsets)
    assert s.shape == (3, 3)
    cov, out, opening = s[0]
    assert cov > 99.0 and out < 1.0 and opening < 1.0
    assert s[1, 0] >= cov and s[1, 1] > 10.0  # grown outer ring: paint on the skin
    assert s[2, 2] > 10.0  # shrunk opening: paint on the teeth


def test_closed_mouths_have_no_opening_score():
    gt = _lips68(1.0)  # gap 2 px < 5 % of the 100 px inter-ocular distance
    assert np.isnan(hard_scores(gt, 100.0, gt[48:60], gt[60:68], ((0.0, 0.0),))[0, 2])
