"""Interior points drawn along their arcs (dense_landmarks.refine.slots)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dense_landmarks.refine import REFINE_PARTS
from dense_landmarks.refine.arcs import decoded_parts, knot_table
from dense_landmarks.refine.slots import (
    SlotPrior,
    chord_lengths,
    fractions_at,
    place_knots,
    samples_at,
)


def _arcs(seed: int, a: int = 3, m: int = 17) -> np.ndarray:
    """(a, m, 2) wiggly arcs with uneven sample spacing, one with repeated samples."""
    rng = np.random.default_rng(seed)
    steps = rng.uniform(0.2, 3.0, (a, m - 1, 1)) * np.array([1.0, 0.0])
    steps[..., 1] = rng.normal(0.0, 0.8, (a, m - 1))
    arcs = np.concatenate([np.zeros((a, 1, 2)), np.cumsum(steps, axis=1)], axis=1)
    arcs[0, 5] = arcs[0, 4]  # a repeated sample
    return arcs


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), f=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8))
def test_samples_at_inverts_fractions_at(seed, f):
    arcs = _arcs(seed)
    cum = chord_lengths(arcs)
    arc = np.arange(len(f)) % len(arcs)
    s = samples_at(cum, arc, np.asarray(f))
    back = fractions_at(cum, np.stack([arc, s], axis=1))
    np.testing.assert_allclose(back, f, atol=1e-9)


def test_fractions_of_evenly_sampled_straight_arc_are_the_sample_fractions():
    arc = np.stack([np.linspace(0, 10, 11), np.zeros(11)], axis=1)[None]
    where = np.array([[0, 2.0], [0, 5.5], [0, 9.0]])
    np.testing.assert_allclose(fractions_at(chord_lengths(arc), where), [0.2, 0.55, 0.9])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), w=st.floats(0.0, 1.0))
def test_place_knots_blends_the_fractions(seed, w):
    arcs = _arcs(seed)
    rng = np.random.default_rng(seed)
    where = np.stack([np.arange(6) % 3, rng.uniform(1.0, 15.0, 6)], axis=1)
    prior = rng.uniform(0.1, 0.9, 6)
    new = place_knots(arcs, where, prior, np.full(6, w))
    cum = chord_lengths(arcs)
    want = (1 - w) * fractions_at(cum, where) + w * prior
    lo, hi = (
        fractions_at(cum, np.c_[where[:, 0], np.ones(6)]),
        fractions_at(cum, np.c_[where[:, 0], np.full(6, 15.0)]),
    )
    np.testing.assert_allclose(fractions_at(cum, new), np.clip(want, lo, hi), atol=1e-9)
    assert (new[:, 0] == where[:, 0]).all()
    assert (new[:, 1] >= 1.0).all() and (new[:, 1] <= arcs.shape[1] - 2).all()


def test_no_prior_or_zero_weight_keeps_the_knots():
    arcs = _arcs(0)
    where = np.array([[0, 3.3], [1, 7.0], [2, 12.5]])
    np.testing.assert_array_equal(place_knots(arcs, where, np.full(3, np.nan), np.ones(3)), where)
    np.testing.assert_array_equal(place_knots(arcs, where, np.full(3, 0.5), np.zeros(3)), where)
    degenerate = np.zeros((3, 17, 2))  # zero-length arcs: nothing moves
    np.testing.assert_array_equal(
        place_knots(degenerate, where, np.full(3, 0.5), np.ones(3)), where
    )


def test_prior_validation():
    with pytest.raises(ValueError, match="fractions"):
        SlotPrior((0.0, 0.5), (1.0,))
    with pytest.raises(ValueError, match="weights"):
        SlotPrior((0.5,), (1.5,))


@pytest.mark.parametrize("part", [p for p in REFINE_PARTS if p.slots is not None], ids=str)
def test_bundled_priors_fit_their_parts_and_move_knots_along_the_arcs(part):
    """Every bundled prior has one fraction per knot and one weight per arc; decoding a part
    with it puts each weighted knot at the blended fraction of its (straight) arc."""
    m = 33
    where, _ = knot_table(part, m)
    assert len(part.slots.fractions) == len(where)
    assert len(part.slots.weights) == len(part.arcs)
    # straight, evenly sampled arcs (heatmap pixels), one per channel
    arcs = np.stack(
        [
            np.stack([np.linspace(a, a + 1, m) * 8, np.full(m, 4.0 + a)], 1)
            for a in range(len(part.arcs))
        ]
    )
    _, _, knots = decoded_parts([part], [np.array([[1.0, 0, 0], [0, 1.0, 0]])], arcs)
    w = np.asarray(part.slots.weights)[where[:, 0].astype(int)]
    f_sparse = where[:, 1] / (m - 1)
    f = (1 - w) * f_sparse + w * np.asarray(part.slots.fractions)
    x_heat = (where[:, 0] + f) * 8  # along the arc: heatmap x
    np.testing.assert_allclose(knots[:, 0], x_heat * 2.0 + 0.5, atol=1e-6)
