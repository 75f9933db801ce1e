"""The pixel-in-pixel decoder (numpy) and its training targets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dense_landmarks import scheme
from dense_landmarks.pip import decode_pip, neighbour_table, pip_decoder, pip_targets


def _maps(points, stride, grid, table, noise=0.0, rng=None):
    """Head outputs that encode ``points`` exactly (plus optional noise on all offsets)."""
    b, p = points.shape[:2]
    cells, off, nb = pip_targets(points, stride, grid, table)
    k = nb.shape[2]
    scores = np.full((b, p, grid * grid), -4.0)
    np.put_along_axis(scores, cells[..., None], 4.0, 2)
    offs = np.zeros((b, p, 2, grid * grid))
    nbs = np.zeros((b, p, k, 2, grid * grid))
    for i in range(b):
        for j in range(p):
            offs[i, j, :, cells[i, j]] = off[i, j]
            nbs[i, j, :, :, cells[i, j]] = nb[i, j]
    if noise:
        offs += rng.normal(0, noise, offs.shape)
        nbs += rng.normal(0, noise, nbs.shape)
    g = (b, p, grid, grid)
    return scores.reshape(g), offs.reshape(b, p, 2, grid, grid), nbs.reshape(b, p, k, 2, grid, grid)


def test_neighbour_table_shape_and_symmetry_free_of_self():
    table = neighbour_table(5)
    assert len(table) == scheme.NUM_POINTS and all(len(r) == 5 for r in table)
    assert all(i not in row for i, row in enumerate(table))
    assert neighbour_table(0) == ((),) * scheme.NUM_POINTS
    with pytest.raises(ValueError, match="k:"):
        neighbour_table(scheme.NUM_POINTS)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**31 - 1),
    st.sampled_from([8, 16]),
    st.integers(0, 4),
)
def test_targets_round_trip_through_the_decoder(seed, stride, k):
    rng = np.random.default_rng(seed)
    size = 128
    grid = size // stride
    table = neighbour_table(k) if k else ()
    pts = rng.uniform(-0.5, size - 0.5, (2, scheme.NUM_POINTS, 2))
    s, o, n = _maps(pts, stride, grid, table)
    np.testing.assert_allclose(decode_pip(s, o, n, stride, table), pts, atol=1e-9)


def test_points_outside_the_crop_use_the_border_cell():
    pts = np.array([[[-20.0, 140.0]]])
    cells, off, _ = pip_targets(pts, 16, 8, ())
    assert cells[0, 0] == 7 * 8 + 0 and off[0, 0, 0] < 0 and off[0, 0, 1] > 1
    s, o, _ = _maps(pts, 16, 8, ())
    np.testing.assert_allclose(decode_pip(s, o, None, 16, ()), pts, atol=1e-9)


def test_neighbour_averaging_reduces_offset_noise():
    rng = np.random.default_rng(1)
    table = neighbour_table(5)
    pts = rng.uniform(10, 118, (8, scheme.NUM_POINTS, 2))
    s, o, n = _maps(pts, 16, 8, table, noise=0.1, rng=rng)
    own = np.abs(decode_pip(s, o, None, 16, ()) - pts).mean()
    avg = np.abs(decode_pip(s, o, n, 16, table) - pts).mean()
    assert avg < 0.7 * own


def test_decoder_checks_shapes_and_reads_metadata():
    table = neighbour_table(2)
    pts = np.random.default_rng(2).uniform(0, 127, (1, scheme.NUM_POINTS, 2))
    s, o, n = _maps(pts, 16, 8, table)
    with pytest.raises(ValueError, match="offsets"):
        decode_pip(s, o[:, :, :1], n, 16, table)
    with pytest.raises(ValueError, match="neighbours"):
        decode_pip(s, o, n, 16, table[:-1])
    meta = {"config": {"stride": 16, "neighbour_table": [list(r) for r in table]}}
    np.testing.assert_allclose(pip_decoder(meta)(s, o, n), pts, atol=1e-9)
