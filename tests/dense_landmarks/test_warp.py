"""Landmark-guided warps: the spec contract, identity far from the face, no folds (positive
Jacobian determinant of the map), and parts that move by what was asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dense_landmarks as dl
from dense_landmarks import anatomy
from dense_landmarks.imageio import read_image
from dense_landmarks.makeup.masks import Patch, fill
from dense_landmarks.warp import WarpSpec, jacobian_det, moved_contours, warp_faces, warp_field
from dense_landmarks.warp.mls import mls_affine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"
SPECS = [
    WarpSpec(lips=1.15),
    WarpSpec(lips=1.5),
    WarpSpec(lips=0.7),
    WarpSpec(nose_width=0.7),
    WarpSpec(nose_width=1.3),
    WarpSpec(jaw=0.8),
    WarpSpec(jaw=1.2),
    WarpSpec(brow_lift=6.0),
    WarpSpec(brow_lift=-6.0),
    WarpSpec(eyes=1.25),
    WarpSpec(eyes=0.8),
    WarpSpec(lips=1.3, nose_width=0.8, jaw=0.85, brow_lift=4.0, eyes=1.15),
]


@pytest.fixture(scope="module")
def astronaut():
    img = read_image(EXAMPLE)
    return img, dl.DenseLandmarker().detect(img)


def test_spec_contract():
    s = WarpSpec.from_dict({"lips": 1.15, "brow_lift": 2})
    assert s.lips == 1.15 and s.brow_lift == 2.0 and not s.identity
    assert WarpSpec.from_dict(s.to_dict()) == s and WarpSpec().identity
    for bad, field in (({"lips": 3}, "lips"), ({"jaw": "x"}, "jaw"), ({"chin": 1}, "chin")):
        with pytest.raises(ValueError, match=field):
            WarpSpec.from_dict(bad)


def test_mls_interpolates_handles_and_keeps_affine_maps():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 100, (30, 2))
    a, t = np.array([[1.1, 0.2], [-0.1, 0.9]]), np.array([3.0, -2.0])
    v = rng.uniform(0, 100, (200, 2))
    np.testing.assert_allclose(mls_affine(v, p, p @ a.T + t), v @ a.T + t, atol=1e-6)
    q = p + rng.normal(0, 2, p.shape)
    np.testing.assert_allclose(mls_affine(p, p, q), q, atol=1e-6)


def test_identity_and_far_pixels_untouched(astronaut):
    img, faces = astronaut
    np.testing.assert_array_equal(warp_faces(img, faces, WarpSpec()), img)
    before = img.copy()
    out = warp_faces(img, faces, WarpSpec(lips=1.3, jaw=0.85))
    np.testing.assert_array_equal(img, before)
    # nothing changes beyond the warp's window (the contours' box plus half the face size)
    pts = np.vstack(list(faces[0].contours.values()))
    lo, hi = pts.min(0), pts.max(0)
    m = 0.5 * float(np.max(hi - lo)) + 2
    outside = np.ones(img.shape[:2], bool)
    outside[int(lo[1] - m) : int(hi[1] + m) + 1, int(lo[0] - m) : int(hi[0] + m) + 1] = False
    np.testing.assert_array_equal(out[outside], img[outside])
    assert (out != img).any()


#: (warp, face scale) checked in the default run; the others run with ``-m slow``.
QUICK = ((SPECS[5], 1.0), (SPECS[-1], 1.0))
CASES = [(sp, 1.0) for sp in SPECS] + [(SPECS[1], 3.0), (SPECS[-1], 3.0)]


@pytest.mark.parametrize(
    ("spec", "scale"),
    [c if c in QUICK else pytest.param(*c, marks=pytest.mark.slow) for c in CASES],
    ids=lambda v: str(v),
)
def test_no_fold_positive_jacobian(astronaut, spec, scale):
    _, faces = astronaut
    c = faces[0].contours
    patch, m = warp_field({k: v * scale for k, v in c.items()}, spec, (2048, 2048))
    det = jacobian_det(m.astype(np.float64))
    assert det.min() > 0.02, f"fold: det min {det.min():.3f}"
    # identity at the window border
    yy, xx = np.mgrid[patch.y0 : patch.y1, patch.x0 : patch.x1]
    border = np.zeros(patch.shape, bool)
    border[[0, -1], :] = border[:, [0, -1]] = True
    np.testing.assert_allclose(m[..., 0][border], xx[border], atol=1e-3)
    np.testing.assert_allclose(m[..., 1][border], yy[border], atol=1e-3)


@pytest.mark.parametrize(
    ("part", "factor"),
    [("lips", 1.15), pytest.param("lips", 0.85, marks=pytest.mark.slow), ("eyes", 1.2)],
)
def test_painted_part_grows_by_the_factor(astronaut, part, factor):
    """On a synthetic image where the part is a solid colour exactly filling its contour, the
    warped colour region grows by the requested factor (sqrt of the area ratio), within 3 %."""
    _, faces = astronaut
    f = faces[0]
    # 3x the photo's scale: a 10-pixel eye would measure its area to +-15 % in pixels
    c = {k: v * 3 for k, v in f.contours.items()}
    face = dl.Face(f.box * 3, f.score, f.points * 3, f.pose, c)
    names = ("outer_lips",) if part == "lips" else ("right_eye", "left_eye")
    whole = Patch(0, 0, 1536, 1536)
    canvas = np.full((1536, 1536, 3), 128, np.uint8)
    mask = sum(fill(c[n], whole) for n in names)
    canvas[mask > 0.5] = (220, 30, 60)
    out = warp_faces(canvas, [face], WarpSpec(**{part: factor}))
    # a pixel belongs to the part when it is more than half its colour (edges interpolate)
    area0 = (np.abs(canvas.astype(int) - 128).sum(2) > 129).sum()
    area1 = (np.abs(out.astype(int) - 128).sum(2) > 129).sum()
    assert np.sqrt(area1 / area0) == pytest.approx(factor, rel=0.03)
    want = moved_contours(c, WarpSpec(**{part: factor}))
    ratio = sum(anatomy.polygon_area(want[n]) for n in names) / sum(
        anatomy.polygon_area(c[n]) for n in names
    )
    assert np.sqrt(ratio) == pytest.approx(factor, rel=1e-9)


def test_brow_lift_moves_brows_up(astronaut):
    _, faces = astronaut
    c = faces[0].contours
    moved = moved_contours(c, WarpSpec(brow_lift=3.0))
    iod = anatomy.inter_ocular(c)
    dy = (moved["right_brow"] - c["right_brow"])[:, 1].mean()
    assert dy == pytest.approx(-3.0 / 63.0 * iod, rel=0.05)  # upright face: up is -y
    np.testing.assert_array_equal(moved["right_eye"], c["right_eye"])


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 14's re-detection target is not met: the landmarker under-reports a warp's "
    "lip growth (lips 1.15 -> ~1.05 re-detected on this photo; python -m eval.warp), while the "
    "warp itself moves the lip outline by the factor (test_painted_part_grows_by_the_factor)",
)
def test_redetected_lips_grow_by_the_factor(astronaut):
    img, faces = astronaut
    lm = dl.DenseLandmarker()
    out = warp_faces(img, faces, WarpSpec(lips=1.15))
    again = lm.detect(out)[0]
    a0 = anatomy.polygon_area(faces[0].contours["outer_lips"])
    a1 = anatomy.polygon_area(again.contours["outer_lips"])
    assert np.sqrt(a1 / a0) == pytest.approx(1.15, rel=0.03)
