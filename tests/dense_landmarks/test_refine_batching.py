"""The refinement's batched and cached steps give the same numbers as the plain ones: a call on
some arcs or jobs gives their rows of the call on all (what the corner rounds rely on to decode
only the jobs whose corners moved), cached layout tables reproduce the per-sample tables, and
the vectorised end profile walks the arcs as a direct interpolation does."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest

from curves.spline import hermite_from_neighbours
from dense_landmarks import scheme
from dense_landmarks.refine import REFINE_PARTS, crop_matrix
from dense_landmarks.refine.ends import EndRule, _walk, corner_moves, end_shifts
from dense_landmarks.refine.refiner import Refiner, _flipped
from dense_landmarks.refine.ridge import MapAtlas, _smooth_offsets, decode_arcs, to_heatmap
from dense_landmarks.refine.slots import chord_lengths
from dense_landmarks.refine.splines import (
    ARC_SAMPLES,
    batch_initial_arcs,
    initial_arcs,
    spline_arcs,
)
from training.refine_data import render_targets


def _jobs(samples, parts=REFINE_PARTS, size=64):
    pts = np.stack([s.points for s in samples]).astype(np.float64)
    jobs = [(f, p, crop_matrix(pts[f], p, size)) for f in range(len(pts)) for p in parts]
    return pts, jobs


def test_part_hash_is_cached_and_never_pickled():
    part = REFINE_PARTS[0]
    twin = replace(part)
    assert twin == part and twin is not part and hash(twin) == hash(part)
    assert replace(part, scale=part.scale + 0.1) != part
    assert "_hash" not in part.__getstate__()
    back = pickle.loads(pickle.dumps(part))
    assert back == part and hash(back) == hash(part)


def test_segment_cubics_give_the_per_sample_arcs(lapa_samples):
    """Each spline segment's cubic is computed once for all its samples: the arcs are bit for
    bit those of one cubic per sample (neighbours looked up sample by sample)."""
    pts, jobs = _jobs(lapa_samples)
    got = batch_initial_arcs(pts, jobs)
    for (f, part, m), arcs in zip(jobs, got):
        for a, (name, u0, u1) in enumerate(part.arcs):
            idx = np.asarray(scheme.PARTS[name].indices)
            k, closed = len(idx), scheme.PARTS[name].closed
            u = np.linspace(u0, u1, ARC_SAMPLES)
            seg = np.minimum(u.astype(np.int64), k - 1 if closed else k - 2)
            nb = [pts[f, idx[(seg + d) % k]] for d in (-1, 0, 1, 2)]
            if not closed:
                nb[0] = np.where((seg == 0)[:, None], 2 * nb[1] - nb[2], nb[0])
                nb[3] = np.where((seg + 2 > k - 1)[:, None], 2 * nb[2] - nb[1], nb[3])
            c = hermite_from_neighbours(*nb)
            t = (u - seg)[:, None]
            xy = ((c[:, 0] * t + c[:, 1]) * t + c[:, 2]) * t + c[:, 3]
            want = to_heatmap(
                np.einsum("nij,nj->ni", m[None, :, :2].repeat(len(u), 0), xy) + m[:, 2]
            )
            np.testing.assert_array_equal(arcs[a], want, err_msg=f"{part.name} {name}")


def test_spline_arcs_of_some_jobs_are_their_rows_of_all(lapa_samples):
    pts, jobs = _jobs(lapa_samples)
    pts[1, 85] = pts[1, 84]  # a coincident pair: the slow path
    pts[0, 66:74] = pts[0, 66]  # a collapsed eye: no arcs
    faces = np.array([f for f, _, _ in jobs])
    parts = tuple(p for _, p, _ in jobs)
    mats = np.stack([m for _, _, m in jobs])
    arcs, none = spline_arcs(pts, faces, parts, mats)
    first = np.cumsum([0, *(len(p.arcs) for p in parts)])
    assert none.sum() == 1 and none[1]
    for j, (f, p, m) in enumerate(jobs):
        if none[j]:
            continue
        np.testing.assert_allclose(
            arcs[first[j] : first[j + 1]], initial_arcs(pts[f], p, m), atol=1e-9
        )
    sub = np.arange(1, len(jobs), 3)
    some, some_none = spline_arcs(pts, faces[sub], tuple(parts[j] for j in sub), mats[sub])
    rows = np.concatenate([np.arange(first[j], first[j + 1]) for j in sub])
    np.testing.assert_array_equal(some_none, none[sub])
    keep = ~none[np.repeat(np.arange(len(jobs)), np.diff(first))][rows]
    np.testing.assert_array_equal(some[keep], arcs[rows][keep])


@pytest.mark.parametrize("limit", [32000, 60])
def test_decoding_some_arcs_gives_their_rows_of_all(limit):
    """Arcs decode one by one (with their own smoothing), whatever else is in the call and
    however the atlas is split over images."""
    rng = np.random.default_rng(4)
    maps = rng.random((9, 16, 16)).astype(np.float32)
    base = np.c_[np.linspace(2, 13, 25), 8 + 2 * np.sin(np.linspace(0, 3, 25))]
    arcs = base + rng.normal(0, 0.7, (12, 25, 2))
    index = rng.integers(0, 9, 12)
    smooth = np.array([0, 4, 0, 2, 4, 0, 1, 0, 4, 3, 0, 0])
    atlas = MapAtlas(maps, limit=limit)
    whole = decode_arcs(arcs, atlas, index, smooth=smooth)
    for sub in (np.array([1, 4, 8]), np.array([0, 2, 5, 7]), np.arange(3, 12, 2)):
        part = decode_arcs(arcs[sub], atlas, index[sub], smooth=smooth[sub])
        np.testing.assert_array_equal(part, whole[sub])
    np.testing.assert_array_equal(whole[:, [0, -1]], arcs[:, [0, -1]])  # ends stay
    short = arcs[:, :2]  # no interior sample: nothing sampled, nothing moves
    np.testing.assert_array_equal(decode_arcs(short, atlas, index, smooth=smooth), short)


def test_atlas_samples_the_same_with_the_coordinates_apart():
    rng = np.random.default_rng(5)
    maps = rng.random((7, 12, 9)).astype(np.float32)
    index = rng.integers(0, 7, 5)
    xy = rng.uniform(-6, 16, (5, 3, 11, 2))
    for atlas in (MapAtlas(maps), MapAtlas(maps, limit=40)):
        want = atlas.sample(index, xy)
        got = atlas.sample_xy(index, xy[..., 0], xy[..., 1])
        assert got.shape == (5, 3, 11) and got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_end_shifts_of_all_arcs_at_once_equal_one_by_one():
    rng = np.random.default_rng(6)
    maps = rng.random((4, 24, 24)).astype(np.float32) ** 4
    arcs = np.c_[np.linspace(4, 20, 25), np.full(25, 12.0)] + rng.normal(0, 0.5, (6, 25, 2))
    index = np.array([0, 3, 1, 2, 2, 0])
    beyond, gain = rng.uniform(0.8, 1.3, 6), rng.uniform(0.5, 1.0, 6)
    atlas = MapAtlas(maps)
    rule = EndRule(min_level=0.05)
    shift, direction = end_shifts(arcs, atlas, index, rule, beyond, gain)
    assert (shift != 0).any()
    for a in range(6):
        s, d = end_shifts(
            arcs[a : a + 1], atlas, index[a : a + 1], rule, beyond[a : a + 1], gain[a : a + 1]
        )
        np.testing.assert_array_equal(s[0], shift[a])
        np.testing.assert_array_equal(d[0], direction[a])


@pytest.mark.parametrize(
    "passes", [[2, 4, 1, 3], [0, 3, 0, 1], [0, 0, 0, 0], [3, 3, 3, 3], [-1, 2, 0, 5], []]
)
def test_smooth_offsets_match_row_by_row_passes(passes):
    """Every row smoothed its own number of times (none for 0 or less), in place, ends kept:
    whether all, some or no rows smooth."""
    rng = np.random.default_rng(3)
    offset = rng.normal(0, 1, (len(passes), 9)).astype(np.float32)
    offset[:, [0, -1]] = 0.0
    want = offset.copy()
    for row, n in zip(want, passes):
        for _ in range(max(n, 0)):
            row[1:-1] = 0.25 * row[:-2] + 0.5 * row[1:-1] + 0.25 * row[2:]
    _smooth_offsets(offset, np.array(passes, dtype=np.int64))
    np.testing.assert_array_equal(offset, want)


def test_walk_interpolates_along_the_arc_and_extends_along_the_end_tangent():
    """Positions back along each arc by arc length (an arc shorter than the walk stays at its
    first sample), beyond its end along the chord of its last five samples."""
    rng = np.random.default_rng(7)
    arcs = np.cumsum(rng.uniform(0.05, 0.6, (5, 25, 2)), axis=1)
    arcs[3] *= 0.05  # 1 px long: the walk back runs past its first sample
    t = np.arange(-3.0, 4.0 + 1e-9, 0.25)
    x, y, tangent = _walk(arcs, t)
    got = np.stack([x, y], axis=-1)
    for a, arc in enumerate(arcs):
        back = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(arc[::-1], axis=0), axis=1))]
        for i, ti in enumerate(t):
            if ti < 0:
                want = [np.interp(-ti, back, arc[::-1, c]) for c in (0, 1)]
            else:
                want = arc[-1] + ti * tangent[a]
            np.testing.assert_allclose(got[a, i], want, atol=1e-9)
        chord = arc[-1] - arc[-5]
        np.testing.assert_allclose(tangent[a], chord / np.linalg.norm(chord), atol=1e-12)


def test_move_corners_decodes_again_only_the_moved_jobs(lapa_samples):
    """A corner round re-decodes the jobs whose points moved and keeps the others' rows: the
    same arcs as decoding every job again."""
    parts = [p for p in REFINE_PARTS if p.name in ("mouth", "jaw", "right_eye")]
    pts, jobs = _jobs(lapa_samples[:2], parts)
    true = pts.copy()
    rng = np.random.default_rng(8)
    pts += rng.normal(0, 1.5, pts.shape)  # sparse points off the rendered contours
    maps = [render_targets(true[f], p, m, 64) for f, p, m in jobs]
    atlas = MapAtlas(np.concatenate(maps))
    index = np.arange(sum(len(p.arcs) for _, p, _ in jobs))
    smooth = np.concatenate([p.arc_smoothing() for _, p, _ in jobs])
    decoded = decode_arcs(
        np.concatenate(batch_initial_arcs(pts, jobs)), atlas, index, smooth=smooth
    )
    moved = pts.copy()
    got = Refiner._move_corners(moved, jobs, decoded, atlas, index, smooth)
    job, slot, move = corner_moves(
        [p for _, p, _ in jobs], [m for _, _, m in jobs], decoded, atlas, index
    )
    assert np.abs(move).max() > 0.1
    want_pts = pts.copy()
    want_pts[[jobs[j][0] for j in job], slot] += move
    np.testing.assert_array_equal(moved, want_pts)
    want = decode_arcs(
        np.concatenate(batch_initial_arcs(want_pts, jobs)), atlas, index, smooth=smooth
    )
    np.testing.assert_array_equal(got, want)
    first = np.cumsum([0, *(len(p.arcs) for _, p, _ in jobs)])
    jaw = [first[j] for j, (_, p, _) in enumerate(jobs) if p.name == "jaw"]
    np.testing.assert_array_equal(got[jaw], decoded[jaw])  # no corner rule: not decoded again


@pytest.mark.parametrize(
    "shape, dtype, axis", [((3, 8, 6, 3), np.uint8, 2), ((2, 4, 5, 7), np.float32, 3)]
)
def test_flipped_mirrors_like_slicing(shape, dtype, axis):
    rng = np.random.default_rng(9)
    a = (rng.random(shape) * 200).astype(dtype)
    want = a[(slice(None),) * axis + (slice(None, None, -1),)]
    np.testing.assert_array_equal(_flipped(a, axis), want)
    out = np.zeros((2 * shape[0], *shape[1:]), dtype)
    _flipped(a, axis, out=out[shape[0] :])
    np.testing.assert_array_equal(out[shape[0] :], want)
    assert not out[: shape[0]].any()


def test_chord_lengths_are_the_norms_of_the_steps():
    rng = np.random.default_rng(10)
    arcs = rng.normal(0, 5, (4, 17, 2))
    arcs[1, 3] = arcs[1, 2]
    step = np.linalg.norm(np.diff(arcs, axis=1), axis=2)
    want = np.concatenate([np.zeros((4, 1)), np.cumsum(step, axis=1)], axis=1)
    np.testing.assert_array_equal(chord_lengths(arcs), want)
