"""Where a refined arc's interior points sit along it: the sparse stage's place, drawn towards
where the annotators put them on average.

The refiners find an edge across its direction; along it, the interior points of an arc (the
eyelid and brow points between their corners, the lip points between the mouth corners) keep
the sparse stage's places, moved along the normal. The sparse network places lid points no
better than their mean place: on the training faces the human lid points lie within 6-8 % of
the lid's length of their mean arc-length fraction, and the network's fractions are off by as
much (``python -m eval.slots --split train``). So each interior point moves along its decoded
arc to ``(1 - w) * f_sparse + w * f_mean`` of the arc's length, with the mean fraction
``f_mean`` of its training labels and a weight ``w`` per arc, both measured on the training
split. Only the 106 points move; the arcs (the contours) stay as decoded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SlotPrior:
    """A refined part's mean interior-point places.

    Attributes:
        fractions: per interior knot, in :func:`dense_landmarks.refine.arcs.knot_table` order,
            the mean arc-length fraction (0 at the arc's first end, 1 at its last) of the
            knot's training label along its decoded arc.
        weights: per arc of the part, how far its knots move from the sparse stage's fraction
            to the mean one (0: stay, 1: at the mean).
    """

    fractions: tuple[float, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if not all(0.0 < f < 1.0 for f in self.fractions):
            raise ValueError(f"fractions: expected values in (0, 1), got {self.fractions}")
        if not all(0.0 <= w <= 1.0 for w in self.weights):
            raise ValueError(f"weights: expected values in [0, 1], got {self.weights}")


def chord_lengths(arcs: np.ndarray) -> np.ndarray:
    """(A, M) cumulative chord length along each of (A, M, 2) sampled arcs (0 at sample 0)."""
    arcs = np.asarray(arcs, dtype=np.float64)
    d = arcs[:, 1:] - arcs[:, :-1]
    out = np.zeros(arcs.shape[:2])
    np.cumsum(np.sqrt(d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]), axis=1, out=out[:, 1:])
    return out


def fractions_at(cum: np.ndarray, where: np.ndarray) -> np.ndarray:
    """(K,) arc-length fractions of points at (K, 2) (arc, fractional sample index), given the
    arcs' (A, M) :func:`chord_lengths`; NaN on an arc of zero length."""
    m = cum.shape[1]
    at = where[:, 0].astype(np.int64) * m  # each arc's first entry in the flattened table
    j = np.minimum(np.maximum(np.floor(where[:, 1]).astype(np.int64), 0), m - 2)
    t = where[:, 1] - j
    flat = cum.ravel()
    lo = flat[at + j]
    length = lo + t * (flat[at + j + 1] - lo)
    total = flat[at + m - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, length / total, np.nan)


def samples_at(cum: np.ndarray, arc: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """(K,) fractional sample indices at arc-length ``fractions`` (K,) in [0, 1] of arcs
    ``arc`` (K,), given the arcs' (A, M) :func:`chord_lengths` (the inverse of
    :func:`fractions_at`; on repeated samples, the first of them)."""
    m = cum.shape[1]
    c = cum[arc]  # (K, M), non-decreasing along each row
    target = np.asarray(fractions, dtype=np.float64) * c[:, -1]
    j = np.count_nonzero(c <= target[:, None], axis=1) - 1
    j = np.minimum(np.maximum(j, 0), m - 2)
    at = np.arange(0, c.size, m) + j
    lo, hi = c.ravel()[at], c.ravel()[at + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(hi > lo, (target - lo) / (hi - lo), 0.0)
    return j + np.minimum(np.maximum(t, 0.0), 1.0)


def place_knots(
    arcs: np.ndarray, where: np.ndarray, fractions: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Interior knots' positions drawn towards their mean fractions.

    Args:
        arcs: (A, M, 2) decoded arcs, any pixel space (lengths are measured in it).
        where: (K, 2) float (arc, fractional sample index) of each knot, the sparse places.
        fractions: (K,) mean fractions (NaN: no prior). weights: (K,) in [0, 1].
    Returns:
        (K, 2) float64 (arc, fractional sample index), within [1, M - 2] so that
        :func:`dense_landmarks.refine.arcs.points_on_arcs` can evaluate them; knots without a
        prior, with weight 0 or on a degenerate arc keep their place.
    """
    where = np.array(where, dtype=np.float64, copy=True)
    move = np.flatnonzero(np.isfinite(fractions) & (np.asarray(weights) > 0))
    if not len(move):
        return where
    cum = chord_lengths(arcs)
    knots = where[move]
    w = np.asarray(weights, dtype=np.float64)[move]
    f_new = (1.0 - w) * fractions_at(cum, knots) + w * np.asarray(fractions, np.float64)[move]
    new = knots[:, 1]
    ok = np.isfinite(f_new)
    if ok.all():
        new = samples_at(cum, knots[:, 0].astype(np.int64), f_new)
    else:
        new[ok] = samples_at(cum, knots[ok, 0].astype(np.int64), f_new[ok])
    where[move, 1] = np.minimum(np.maximum(new, 1.0), arcs.shape[1] - 2.0)
    return where
