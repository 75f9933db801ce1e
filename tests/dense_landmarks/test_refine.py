import cv2
import numpy as np
import pytest

from curves import fit_curve, point_to_curve
from dense_landmarks import scheme
from dense_landmarks.crop import from_crop, to_crop
from dense_landmarks.refine import (
    ARC_SAMPLES,
    REFINE_PARTS,
    arc_points,
    crop_matrix,
    initial_arcs,
    knot_table,
    part_rings,
)
from dense_landmarks.refine.ridge import MapAtlas, decode_arcs, from_heatmap
from dense_landmarks.refine.splines import batch_initial_arcs
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
    if part.name in ("right_eye", "left_eye", "right_brow", "left_brow"):  # upper arc on top
        up = to_crop(pts[list(scheme.PARTS[part.arcs[0][0]].indices)], m)
        assert up[1:4, 1].mean() < up[5:, 1].mean()
    inside = to_crop(pts[[i for n in part.parts for i in scheme.PARTS[n].indices]], m)
    assert (inside > 0).all() and (inside < 63).all()  # the whole part is in its crop


def test_heatmap_draw_then_decode_recovers_the_curve():
    """Targets drawn from a true contour, decoded from a displaced initial contour: within 0.5 px.

    Interior points start 2 px off (~1 crop px), the errors refinement exists to fix. Corners
    are not decoded (they stay where the sparse stage put them), so they start only 0.5 px off:
    the samples next to a corner cannot be closer to the truth than the corner they hang from.
    """
    rng = np.random.default_rng(0)
    part = REFINE_PARTS[0]  # mouth: 4 arcs
    corners = [84, 90, 96, 100]
    t = np.linspace(0, 2 * np.pi, 106, endpoint=False)
    for _ in range(10):
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
        start[corners] = true[corners] + rng.normal(0, 0.5, (4, 2))
        init = initial_arcs(start, part, m)
        got = decode_arcs(init, maps)  # the Refiner's path
        np.testing.assert_array_equal(got[:, [0, -1]], init[:, [0, -1]])  # ends stay
        for arc, (name, u0, u1) in zip(from_heatmap(got), part.arcs):
            truth = to_crop(true[list(scheme.PARTS[name].indices)], m)
            dense = arc_points(truth, u0, u1, 400)
            before = point_to_curve(from_heatmap(init[0, 1:-1]), dense).max()
            assert point_to_curve(arc[1:-1], dense).max() < 0.5, (name, u0, before)


def test_atlas_sampling_equals_per_map_replicate_sampling():
    rng = np.random.default_rng(1)
    maps = rng.random((5, 12, 9)).astype(np.float32)
    index = rng.integers(0, 5, 7)
    xy = rng.uniform(-6, 16, (7, 40, 2))  # well outside the maps too
    got = MapAtlas(maps).sample(index, xy)
    for a in range(7):
        want = cv2.remap(
            maps[index[a]],
            xy[a, :, 0].astype(np.float32)[None],
            xy[a, :, 1].astype(np.float32)[None],
            cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REPLICATE,
        )[0]
        np.testing.assert_allclose(got[a], want, atol=1e-5)


def test_atlas_split_over_images_samples_the_same():
    """Past OpenCV's remap limits (SHRT_MAX pixels a side) the atlas splits into several images
    and the sample grid into rows; a tiny limit exercises both and must not change a value."""
    rng = np.random.default_rng(3)
    maps = rng.random((23, 12, 9)).astype(np.float32)
    index = rng.integers(0, 23, 31)
    xy = rng.uniform(-6, 16, (31, 40, 2))
    whole = MapAtlas(maps).sample(index, xy)
    small = MapAtlas(maps, limit=60)  # 3 tiles per image, 60 samples per remap row
    assert len(small.images) == 8 and max(im.shape[1] for im in small.images) <= 60
    # float32 positions at other offsets in the atlas: ~1e-5 differences, as between layouts
    np.testing.assert_allclose(small.sample(index, xy), whole, atol=1e-4)


def test_snapping_many_arcs_equals_one_at_a_time():
    rng = np.random.default_rng(2)
    maps = rng.random((3, 32, 32))
    arcs = np.stack([np.c_[np.linspace(4, 28, 25), 16 + rng.normal(0, 2, 25)] for _ in range(4)])
    index = np.array([2, 0, 1, 2])
    together = decode_arcs(arcs, maps, index)
    for a in range(4):
        alone = decode_arcs(arcs[a : a + 1], maps[index[a] : index[a] + 1])
        # the atlas places maps at different x offsets: float32 rounding of the sample
        # positions differs by ~1e-5 px between the two layouts
        np.testing.assert_allclose(together[a], alone[0], atol=1e-3)


def test_batched_arcs_equal_single_fits(lapa_samples):
    jobs = [
        (f, p, crop_matrix(s.points, p, 64))
        for f, s in enumerate(lapa_samples)
        for p in REFINE_PARTS
    ]
    pts = np.stack([s.points for s in lapa_samples])
    pts[0, 85] = pts[0, 84]  # a coincident pair: merged by the single-fit fallback
    for (f, p, m), got in zip(jobs, batch_initial_arcs(pts, jobs)):
        np.testing.assert_allclose(got, initial_arcs(pts[f], p, m), atol=1e-9)
    pts[1, 66:74] = pts[1, 66]  # a collapsed eye: no spline, no arcs
    assert batch_initial_arcs(pts, jobs)[len(REFINE_PARTS) + 1] is None


@pytest.mark.parametrize("part", REFINE_PARTS, ids=lambda p: p.name)
def test_refined_knots_lie_on_the_refined_curves(part):
    _, slots = knot_table(part)
    corners = {
        scheme.PARTS[n].indices[u % len(scheme.PARTS[n].indices)]
        for n, u0, u1 in part.arcs
        for u in (u0, u1)
    }
    assert set(slots) == {i for n in part.parts for i in scheme.PARTS[n].indices} - corners
    t = np.linspace(0, np.pi, ARC_SAMPLES)
    rng = np.random.default_rng(3)
    arcs = np.stack(  # smooth random arcs (a closed part's two arcs share their ends)
        [
            np.c_[20 + 10 * np.cos(t), 16 + (-1) ** a * 6 * np.sin(t) + rng.normal(0, 0.2, t.size)]
            for a in range(len(part.arcs))
        ]
    )
    rings, got_slots, got = part_rings(part, arcs, np.eye(2, 3))
    np.testing.assert_array_equal(got_slots, slots)
    curves = []
    for name, r in rings.items():
        closed = scheme.PARTS[name].closed
        c = fit_curve(r, closed).resample(20000)
        curves.append(np.vstack([c, c[:1]]) if closed else c)
    for q in got:  # on the curve the refit draws through the control points
        assert min(point_to_curve(q[None], c)[0] for c in curves) < 1e-3


def test_crop_matrices_follow_the_cropspec_convention(lapa_samples):
    from dense_landmarks.crop import CropSpec

    for s in lapa_samples:
        for part in REFINE_PARTS:
            a, b = s.points[part.axis[0]], s.points[part.axis[1]]
            d = b - a
            idx = [i for n in part.parts for i in scheme.PARTS[n].indices]
            c = s.points[idx].mean(axis=0)
            angle = float(np.degrees(np.arctan2(d[1], d[0])))
            m = CropSpec(c[0], c[1], part.scale * np.hypot(*d), -angle).matrix(48)
            if part.mirror:
                m = np.array([[-1.0, 0, 47.0], [0, 1, 0]]) @ np.vstack([m, [0, 0, 1]])
            np.testing.assert_allclose(crop_matrix(s.points, part, 48), m, atol=1e-9)


def test_smoothing_turns_an_offset_step_into_a_ramp():
    """A ridge with a sideways step: unsmoothed, the decoded arc jumps between neighbouring
    samples; with smoothing passes the jump is spread over its neighbours; ends never move."""
    h = 32
    ys, xs = np.mgrid[0:h, 0:h]
    ridge_x = np.where(ys < 16, 14.0, 18.0)  # a vertical ridge that steps 4 px at y = 16
    maps = np.exp(-((xs - ridge_x) ** 2) / (2 * 0.75**2))[None].astype(np.float32)
    arc = np.c_[np.full(25, 16.0), np.linspace(2, 29, 25)][None]
    plain = decode_arcs(arc, maps)
    smooth = decode_arcs(arc, maps, smooth=np.array([4]))
    for got in (plain, smooth):
        np.testing.assert_array_equal(got[:, [0, -1]], arc[:, [0, -1]])
    assert np.abs(np.diff(plain[0, 1:-1, 0])).max() > 3.0  # the step
    assert np.abs(np.diff(smooth[0, 1:-1, 0])).max() < 1.5  # spread out
    np.testing.assert_array_equal(decode_arcs(arc, maps, smooth=np.array([0])), plain)


def test_points_on_arcs_treat_both_ends_alike():
    """Knots in an arc's first and last segments lie on the curve between their samples, and a
    mirror-symmetric arc gives mirror-symmetric knots (the jaw's second and second-to-last
    points were 6 and 2 px off their mirror places: the first segment fell back to its end
    sample)."""
    from dense_landmarks.refine.arcs import points_on_arcs

    x = np.linspace(-50.0, 50.0, 25)
    arc = np.c_[x, 0.01 * x**2][None]  # symmetric about x = 0
    where = np.array([[0, 0.75], [0, 23.25], [0, 5.5], [0, 18.5]])
    p = points_on_arcs(arc, where)
    np.testing.assert_allclose(p[0], [-p[1, 0], p[1, 1]], atol=1e-9)
    np.testing.assert_allclose(p[2], [-p[3, 0], p[3, 1]], atol=1e-9)
    assert arc[0, 0, 0] < p[0, 0] < arc[0, 1, 0] and arc[0, 23, 0] < p[1, 0] < arc[0, 24, 0]
    np.testing.assert_allclose(p[0, 0], -50.0 + 0.75 * 100 / 24, atol=0.05)  # evenly spaced
