"""Where the boundary ridges end: the corners of closed parts, read from the refiners' heatmaps.

The sparse stage places the corners of the lips, eyes and brows, and the arcs between them are
decoded from the heatmaps with their ends held. The corners are the largest remaining error of
the refined contours (with the human lip and eye corners put in their place, held-out lips go
from 1.48 to 1.14 % IOD and eyes from 1.04 to 0.59 %: ``python -m eval.refine --human-corners
--corner-rounds 0``). But each arc's training target is a ridge that stops
at the labelled corner, so the heatmaps say where the corners are: follow each decoded arc's
ridge back from its end and on along its end tangent, and find where the ridge value falls to
half of its level on the arc. The half-value point lies a fixed distance beyond the ridge's end
(``EndRule.beyond``, calibrated on the training split); both arcs meeting at a corner vote.

Coordinates are heatmap pixels (see :mod:`dense_landmarks.refine.ridge`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.refine.ridge import MapAtlas

STEP = 0.25  # heatmap pixels between profile samples


@dataclass(frozen=True)
class EndRule:
    """How an arc end is read from its heatmap (heatmap pixels).

    Attributes:
        back: how far the profile starts inside the arc (its level is the maximum there).
        reach: how far beyond the current end it searches.
        beyond: distance from the ridge's end to its half-value point on the network's maps.
        gain: fraction of the measured shift applied.
        min_level: a ridge weaker than this on the arc moves nothing.
        lateral: half-width of the sideways search (the ridge's exact position varies).
    """

    back: float = 3.0
    reach: float = 4.0
    beyond: float = 0.9
    gain: float = 1.0
    min_level: float = 0.3
    lateral: float = 0.75


@lru_cache(maxsize=8)
def _profile_steps(back: float, reach: float) -> np.ndarray:
    out = np.arange(-back, reach + 1e-9, STEP)
    out.flags.writeable = False
    return out


def _walk(arcs: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions at signed distances ``t`` (T,), increasing, from the last sample of each arc
    (A, M, 2): along the arc for t < 0 (by arc length), along its end tangent for t >= 0.
    Returns (their x and y, each (A, T) float64, the unit end tangents (A, 2)); coordinates
    apart, so that no array operation runs over a trailing axis of 2."""
    n, m = arcs.shape[:2]
    seg = arcs[:, 1:] - arcs[:, :-1]
    length = np.sqrt(seg[..., 0] * seg[..., 0] + seg[..., 1] * seg[..., 1])
    rev = np.zeros((n, m))  # arc length back from the last sample, at each sample from it
    np.cumsum(length[:, ::-1], axis=1, out=rev[:, 1:])
    chord = arcs[:, -1] - arcs[:, -min(5, m)]
    sq = chord * chord
    tangent = chord / np.maximum(np.sqrt(sq[:, :1] + sq[:, 1:]), 1e-9)
    inside = int(np.searchsorted(t, 0.0))  # the steps t < 0 (t increases)
    x, y = np.empty((2, n, len(t)))
    ahead = np.maximum(t[inside:], 0.0)
    x[:, inside:] = arcs[:, -1:, 0] + ahead * tangent[:, :1]
    y[:, inside:] = arcs[:, -1:, 1] + ahead * tangent[:, 1:]
    if inside:
        d = -t[:inside]  # distances back along the arc, from the last sample
        # the sample (counted back from the last) that starts each distance's segment: rows
        # of ``rev`` never decrease, so only the columns where some row is within reach count
        reach = int(np.searchsorted(np.fmin.reduce(rev, axis=0), d.max(), side="right"))
        k = (rev[:, :reach, None] <= d).sum(axis=1) - 1
        k = np.minimum(np.maximum(k, 0), m - 2)  # (A, inside)
        at = np.arange(n)[:, None] * m + k
        r = rev.ravel()
        x0, x1 = r[at], r[at + 1]
        w = np.minimum(np.maximum((d[None, :] - x0) / np.maximum(x1 - x0, 1e-12), 0.0), 1.0)
        v = 1.0 - w
        at = 2 * (at - 2 * k + (m - 1))  # the same samples counted from the first, x entries
        flat = arcs.reshape(-1)
        x[:, :inside] = flat[at] * v + flat[at - 2] * w
        y[:, :inside] = flat[at + 1] * v + flat[at - 1] * w
    return x, y, tangent


def end_shifts(
    arcs: np.ndarray,
    atlas: MapAtlas,
    index: np.ndarray,
    rule: EndRule = EndRule(),
    beyond: np.ndarray | None = None,
    gain: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """How far each arc's ridge runs beyond (positive) or stops short of (negative) the arc's
    end, for both ends (all arcs' starts and ends in one pass).

    Args:
        arcs: (A, M, 2) decoded arcs, heatmap pixels. atlas: their maps. index: (A,) the map
            of each arc. beyond, gain: optional (A,) per-arc values of the rule's fields (so
            parts with different rules share one call).
    Returns:
        shift: (A, 2) float64, for the start and the end, along ``direction``; 0 where the
        ridge is weak. direction: (A, 2, 2) unit vectors pointing out of the arc at each end.
    """
    arcs = np.asarray(arcs, dtype=np.float64)
    n = len(arcs)
    t = _profile_steps(rule.back, rule.reach)
    # rows: every arc reversed (its start), then every arc (its end)
    px, py, tangent = _walk(np.concatenate([arcs[:, ::-1], arcs]), t)
    lateral = _lateral_offsets(rule.lateral)[None, :, None]
    x = px[:, None, :] + lateral * -tangent[:, None, None, 1]
    y = py[:, None, :] + lateral * tangent[:, None, None, 0]
    index = np.asarray(index)
    vals = atlas.sample_xy(np.concatenate([index, index]), x, y).max(axis=1)  # (2A, T)
    inside = int(np.searchsorted(t, 0.0, side="right"))  # the steps on the arc: t <= 0 first
    peak = vals[:, :inside].argmax(axis=1)
    at = np.arange(0, vals.size, len(t))  # each row's first entry in ``vals.ravel()``
    flat = vals.ravel()
    level = flat[at + peak]  # the maximum on the arc
    half = 0.5 * level
    below = vals < half[:, None]
    below[:, :inside] &= _steps(len(t))[None, :inside] > peak[:, None]  # after the peak only
    first = below.argmax(axis=1)
    found = below.ravel()[at + first]
    first[~found] = len(t) - 1
    # linear interpolation between the last sample above half and the first below
    prev = np.maximum(first - 1, 0)
    v0, v1 = flat[at + prev], flat[at + first]
    frac = np.minimum(np.maximum((v0 - half) / np.maximum(v0 - v1, 1e-9), 0.0), 1.0)
    t_half = np.where(found, t[prev] + frac * STEP, t[-1])
    if beyond is not None:
        t_half -= np.concatenate([beyond, beyond])
    else:
        t_half -= rule.beyond
    s = t_half * (rule.gain if gain is None else np.concatenate([gain, gain]))
    s = np.minimum(np.maximum(s, -rule.back), rule.reach)
    shift = np.where(level >= rule.min_level, s, 0.0)
    return shift.reshape(2, n).T, tangent.reshape(2, n, 2).transpose(1, 0, 2)


@lru_cache(maxsize=8)
def _steps(count: int) -> np.ndarray:
    """(count,) int read-only: 0 ... count - 1."""
    out = np.arange(count)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=8)
def _lateral_offsets(lateral: float) -> np.ndarray:
    """(3,) read-only: the sideways offsets of an end profile's samples."""
    out = np.array([-lateral, 0.0, lateral])
    out.flags.writeable = False
    return out


def corner_moves(
    parts: list,
    mats: list[np.ndarray],
    arcs: np.ndarray,
    atlas: MapAtlas,
    index: np.ndarray,
    inverse: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Moves of the corners of the parts that have an end rule, image pixels.

    Args:
        parts: per job, its :class:`~dense_landmarks.refine.parts.RefinePart`; mats: per job,
            the (2, 3) image -> crop matrix. arcs: (sum len(p.arcs), M, 2) the jobs' decoded
            arcs in order, heatmap pixels; index: (same,) their maps in ``atlas``.
        inverse: optional (J, 2, 2) float64, per job ``np.linalg.inv(mat[:, :2])`` (crop ->
            image), where the caller has them already.
    Returns:
        (job (C,) int, slot (C,) int, move (C, 2) float64): each corner's move, the mean of the
        votes of the arcs that end there, mapped back to image pixels.
    """
    sel, beyond, gain, votes, corner_job, corner_slot = _vote_layout(tuple(parts))
    if not len(sel):
        return corner_job, corner_slot, np.zeros((0, 2))
    rule = next(p.ends for p in parts if p.ends is not None)  # the fields all rules share
    shift, direction = end_shifts(arcs[sel], atlas, np.asarray(index)[sel], rule, beyond, gain)
    move_hm = (shift[..., None] * direction).reshape(-1, 2)  # rows: (arc, start), (arc, end)
    c = len(corner_job)
    mean = np.empty((c, 2))  # the votes summed in order, as np.add.at would
    mean[:, 0] = np.bincount(votes, move_hm[:, 0], c)
    mean[:, 1] = np.bincount(votes, move_hm[:, 1], c)
    mean /= np.bincount(votes, minlength=c)[:, None]
    if inverse is None:
        inv = np.linalg.inv(np.asarray(mats)[corner_job, :, :2])  # crop -> image
    else:
        inv = inverse[corner_job]
    return corner_job, corner_slot, np.einsum("cij,cj->ci", inv, 2.0 * mean)  # hm px = 2 crop px


@lru_cache(maxsize=16)
def _vote_layout(parts: tuple) -> tuple[np.ndarray, ...]:
    """Index data of :func:`corner_moves` for a sequence of jobs' parts (cached, read-only):
    the arcs with an end rule (rows of the jobs' concatenated arcs), their rules' ``beyond``
    and ``gain``, the corner each arc end votes for (ends in (arc, start / end) order), and
    each corner's job and 106 slot."""
    rules = {replace(p.ends, beyond=0.0, gain=1.0) for p in parts if p.ends is not None}
    if len(rules) > 1:
        raise ValueError(f"end rules differ beyond 'beyond' and 'gain': {sorted(map(str, rules))}")
    first = np.cumsum([0] + [len(p.arcs) for p in parts])
    sel, beyond, gain, keys = [], [], [], []
    for j, p in enumerate(parts):
        if p.ends is None:
            continue
        for a, (name, u0, u1) in enumerate(p.arcs):
            idx = scheme.PARTS[name].indices
            sel.append(first[j] + a)
            beyond.append(p.ends.beyond)
            gain.append(p.ends.gain)
            keys += [(j, idx[u % len(idx)]) for u in (u0, u1)]
    key = np.array([j * scheme.NUM_POINTS + s for j, s in keys], dtype=np.int64)
    corners, votes = np.unique(key, return_inverse=True)
    out = (
        np.asarray(sel, dtype=np.int64),
        np.asarray(beyond, dtype=np.float64),
        np.asarray(gain, dtype=np.float64),
        votes.reshape(-1),
        corners // scheme.NUM_POINTS,
        corners % scheme.NUM_POINTS,
    )
    for a in out:
        a.flags.writeable = False
    return out
