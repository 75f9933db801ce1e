import numpy as np
import pytest

from dense_landmarks import scheme
from dense_landmarks.crop import from_crop, to_crop
from dense_landmarks.refine import (
    REFINE_PARTS,
    SNAP_PASSES,
    arc_points,
    crop_matrix,
    from_heatmap,
    snap_to_ridge,
    to_heatmap,
)
from training.refine_data import render_targets


@pytest.mark.parametrize("part", REFINE_PARTS, ids=lambda p: p.name)
def test_crop_round_trip_and_orientation(lapa_samples, part):
    pts = lapa_samples[0].points
    m = crop_matrix(pts, part, 64)
    np.testing.assert_allclose(from_crop(to_crop(pts, m), m), pts, atol=1e-9)
    a, b = to_crop(pts[list(part.axis)], m)
    if part.mirror:  # mirrored: the axis runs right -> left, so the outer corner is on the left
        a, b = b, a
    assert a[0] < b[0] and abs(a[1] - b[1]) < 1e-6  # corners level, first on the left
    up = to_crop(pts[list(scheme.PARTS[part.arcs[0][0]].indices)], m)
    assert up[1:4, 1].mean() < up[5:, 1].mean() or part.name == "mouth"  # upper lid above the lower


def test_heatmap_draw_then_decode_recovers_the_curve():
    """Targets drawn from a true contour, decoded from a displaced initial contour: within 0.5 px."""
    rng = np.random.default_rng(0)
    part = REFINE_PARTS[0]  # mouth: 4 arcs
    t = np.linspace(0, 2 * np.pi, 106, endpoint=False)
    for _ in range(5):
        true = np.c_[200 + 60 * np.cos(t), 300 + 25 * np.sin(t)]
        # a mouth-like shape: outer lips on an ellipse, inner lips on a smaller one
        k = np.linspace(0, 2 * np.pi, 12, endpoint=False)
        true[84:96] = np.c_[200 - 60 * np.cos(k), 300 + 25 * np.sin(k) * rng.uniform(0.8, 1.2)]
        k8 = np.linspace(0, 2 * np.pi, 8, endpoint=False)
        true[96:104] = np.c_[200 - 45 * np.cos(k8), 300 + 10 * np.sin(k8) * rng.uniform(0.7, 1.3)]
        m = crop_matrix(true, part, 64)
        maps = render_targets(true, part, m, 64)
        start = true.copy()
        start[84:104] += rng.normal(0, 2.0, (20, 2))  # 2 px of error in the image (~1 crop px)
        for ch, (name, u0, u1) in enumerate(part.arcs):
            truth = to_crop(true[list(scheme.PARTS[name].indices)], m)
            init = to_crop(start[list(scheme.PARTS[name].indices)], m)
            arc = to_heatmap(arc_points(init, u0, u1, 24))
            for _ in range(SNAP_PASSES):
                arc = snap_to_ridge(arc, maps[ch])
            got = from_heatmap(arc)[1:-1]
            dense = arc_points(truth, u0, u1, 400)
            from curves import point_to_curve

            assert point_to_curve(got, dense).max() < 0.5, (name, u0)
