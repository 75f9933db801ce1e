"""The sparse splines' arcs in part crops: the curves the refiners' heatmaps are decoded from.

An arc is the stretch of a part's centripetal Catmull-Rom spline (closed or open: the curve
:mod:`curves` draws through the part's points) between two knots, sampled by parameter.
:func:`spline_arcs` evaluates the arcs of many (face, part) jobs in one vectorised pass from
cached, read-only layout tables (:func:`arc_table`, :func:`arc_layout`); :func:`initial_arcs`
fits one part's splines (the slow path, for coincident points).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from curves import fit_curve
from curves.spline import hermite_from_neighbours, hermite_stacked
from dense_landmarks import scheme
from dense_landmarks.crop import to_crop
from dense_landmarks.refine.parts import RefinePart
from dense_landmarks.refine.ridge import to_heatmap

# samples per arc snapped to the ridge (lip and lid arcs span 4 or 6 knot intervals, so with 25
# their knots are samples; a brow's 5-interval arc puts its knots between samples)
ARC_SAMPLES = 25


def arc_points(
    points: np.ndarray, u0: float, u1: float, n: int, curve=None, closed: bool = True
) -> np.ndarray:
    """``n`` points of the spline through ``points`` (K, 2) (closed, or open end to end) from
    knot u0 to u1, by parameter (ends included). Pass ``curve`` (that spline, already fitted)
    to reuse it."""
    curve = fit_curve(points, closed, merge_duplicates=True) if curve is None else curve
    # merged duplicates shorten the knot list: rescale the parameters to the curve's own knots
    return curve.evaluate(np.linspace(u0, u1, n) * (len(curve.points) / len(points)))


def initial_arcs(
    points106: np.ndarray, part: RefinePart, m: np.ndarray, samples: int = ARC_SAMPLES
) -> np.ndarray:
    """(len(part.arcs), samples, 2) arcs of the sparse splines, heatmap pixels of crop ``m``.

    Raises ValueError when a part's points are degenerate (no spline through them).
    """
    crop_pts = {
        name: to_crop(points106[list(scheme.PARTS[name].indices)], m) for name in part.parts
    }
    fitted = {
        name: fit_curve(p, scheme.PARTS[name].closed, merge_duplicates=True)
        for name, p in crop_pts.items()
    }
    return np.stack(
        [
            to_heatmap(arc_points(crop_pts[name], u0, u1, samples, fitted[name]))
            for name, u0, u1 in part.arcs
        ]
    )


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays, made read-only (they live in caches)."""
    for a in arrays:
        a.flags.writeable = False
    return arrays


@lru_cache(maxsize=32)
def arc_table(part: RefinePart, samples: int = ARC_SAMPLES) -> tuple[np.ndarray, ...]:
    """Where the samples of the part's arcs sit on their splines, as scheme data (read-only).

    Returns:
        slots: (4, S) int, the 106-scheme slots of the neighbours (p0, p1, p2, p3: the segment
        runs p1 -> p2) of each of the S distinct spline segments the arcs sample (per arc, in
        order). head, tail: (S,) bool, where p0 / p3 lie beyond an open curve's end: those
        neighbours are the end point reflected through its neighbour (as in :mod:`curves`), and
        their slots are placeholders. seg: (A * samples,) int, each sample's segment (column
        of ``slots``); t: (A * samples,) float64, its parameter in that segment. Arc a's
        samples are a * samples ... (a + 1) * samples - 1.
    """
    slots, heads, tails, segs, ts = [], [], [], [], []
    count = 0
    for name, u0, u1 in part.arcs:
        idx = np.asarray(scheme.PARTS[name].indices)
        k, closed = len(idx), scheme.PARTS[name].closed
        u = np.linspace(u0, u1, samples)
        last = k - 1 if closed else k - 2  # u at the end: the last segment at t = 1
        seg = np.minimum(u.astype(np.int64), last)
        ts.append(u - seg)
        useg, inverse = np.unique(seg, return_inverse=True)
        segs.append(count + inverse.reshape(-1))
        count += len(useg)
        nb = np.stack([useg + d for d in (-1, 0, 1, 2)])
        heads.append(np.zeros(len(useg), bool) if closed else nb[0] < 0)
        tails.append(np.zeros(len(useg), bool) if closed else nb[3] > k - 1)
        slots.append(idx[nb % k])
    return _read_only(
        np.concatenate(slots, axis=1),
        np.concatenate(heads),
        np.concatenate(tails),
        np.concatenate(segs),
        np.concatenate(ts),
    )


@lru_cache(maxsize=64)
def arc_layout(parts: tuple[RefinePart, ...], samples: int = ARC_SAMPLES) -> tuple[np.ndarray, ...]:
    """:func:`arc_table` of a sequence of jobs' parts, concatenated (read-only).

    Returns:
        slots: (4, S) int, the segments' neighbours; head, tail: (int) the segments whose p0 /
        p3 are reflected phantoms; seg_job: (S,) int, the job of each segment; seg: (N,) int,
        each sample's segment; t: (N, 1) float64, its parameter there; sample_job: (N,) int,
        the job of each sample; starts: (J + 1,) each job's first sample; arc_starts: (J + 1,)
        each job's first arc.
    """
    tables = [arc_table(p, samples) for p in parts]
    n_seg = [tab[0].shape[1] for tab in tables]
    n_smp = [len(tab[3]) for tab in tables]
    seg_first = np.cumsum([0, *n_seg])
    return _read_only(
        np.concatenate([tab[0] for tab in tables], axis=1),
        np.flatnonzero(np.concatenate([tab[1] for tab in tables])),
        np.flatnonzero(np.concatenate([tab[2] for tab in tables])),
        np.repeat(np.arange(len(parts)), n_seg),
        np.concatenate([tab[3] + s for tab, s in zip(tables, seg_first)]),
        np.concatenate([tab[4] for tab in tables])[:, None],
        np.repeat(np.arange(len(parts)), n_smp),
        np.cumsum([0, *n_smp]),
        np.cumsum([0, *(len(p.arcs) for p in parts)]),
    )


def segment_points(nb: Sequence[np.ndarray], t: np.ndarray) -> np.ndarray:
    """Points at parameters ``t`` (N, 1) of the centripetal Catmull-Rom segments p1 -> p2 with
    neighbours ``nb`` = (p0, p1, p2, p3), each (N, 2); NaN where neighbours coincide."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = hermite_from_neighbours(*nb)
        return ((c[:, 0] * t + c[:, 1]) * t + c[:, 2]) * t + c[:, 3]


def spline_arcs(
    points106: np.ndarray,
    faces: np.ndarray,
    parts: tuple[RefinePart, ...],
    mats: np.ndarray,
    samples: int = ARC_SAMPLES,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`initial_arcs` of many (face, part, crop matrix) jobs in one vectorised pass.

    The centripetal spline is invariant under similarity transforms (mirrors included), so the
    arcs are evaluated in the image and then mapped into each crop. Each spline segment's
    cubic is computed once, for all the samples on it.

    Args:
        points106: (F, 106, 2) float64 sparse points, image pixels. faces: (J,) int, each job's
            face; parts: (J,) each job's part; mats: (J, 2, 3) float64 image -> crop matrices.
    Returns:
        arcs: (sum len(part.arcs), samples, 2) float64 heatmap pixels, the jobs' arcs in order;
        none: (J,) bool, the jobs whose points are degenerate (no spline through them: their
        rows are not arcs, and hold non-finite values).
    """
    slots, head, tail, seg_job, seg, t, job, starts, arc_starts = arc_layout(parts, samples)
    nb = points106[np.asarray(faces)[seg_job][None], slots]  # (4, S, 2): p0, p1, p2, p3
    if len(head):  # open ends: reflected phantom neighbours
        nb[0, head] = 2 * nb[1, head] - nb[2, head]
    if len(tail):
        nb[3, tail] = 2 * nb[2, tail] - nb[1, tail]
    with np.errstate(divide="ignore", invalid="ignore"):  # coincident points: NaN, slow path
        c = hermite_stacked(nb)[seg]  # (N, 4, 2)
        xy = ((c[:, 0] * t + c[:, 1]) * t + c[:, 2]) * t + c[:, 3]
    m = mats[job]  # (N, 2, 3)
    crop = to_heatmap(np.einsum("nij,nj->ni", m[:, :, :2], xy) + m[:, :, 2])
    arcs = crop.reshape(-1, samples, 2)
    none = np.zeros(len(parts), bool)
    if np.isfinite(crop).all():
        return arcs, none
    bad = np.add.reduceat(~np.isfinite(crop).all(axis=1), starts[:-1]) > 0
    for j in np.flatnonzero(bad):  # coincident neighbours: the fit merges them
        try:
            arcs[arc_starts[j] : arc_starts[j + 1]] = initial_arcs(
                points106[faces[j]], parts[j], mats[j], samples
            )
        except ValueError:
            none[j] = True
    return arcs, none


def batch_initial_arcs(
    points106: np.ndarray,
    jobs: Sequence[tuple[int, RefinePart, np.ndarray]],
    samples: int = ARC_SAMPLES,
) -> list[np.ndarray | None]:
    """:func:`spline_arcs` job by job.

    Args:
        points106: (F, 106, 2) sparse points, image pixels. jobs: (face index, part, (2, 3)
            image -> crop matrix).
    Returns:
        per job, (len(part.arcs), samples, 2) float64 heatmap pixels, or None where the part's
        points are degenerate (no spline through them).
    """
    if not jobs:
        return []
    parts = tuple(p for _, p, _ in jobs)
    arcs, none = spline_arcs(
        np.asarray(points106, dtype=np.float64),
        np.array([f for f, _, _ in jobs]),
        parts,
        np.stack([m for _, _, m in jobs]).astype(np.float64, copy=False),
        samples,
    )
    first = arc_layout(parts, samples)[-1]
    return [None if none[j] else arcs[first[j] : first[j + 1]] for j in range(len(jobs))]


@lru_cache(maxsize=64)
def arc_jobs(parts: tuple[RefinePart, ...]) -> np.ndarray:
    """(sum len(p.arcs),) int read-only: the job of each arc of a sequence of jobs' parts."""
    out = np.repeat(np.arange(len(parts)), [len(p.arcs) for p in parts])
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def arc_smoothing(parts: tuple[RefinePart, ...]) -> np.ndarray:
    """(sum len(p.arcs),) int read-only: each arc's smoothing passes
    (:meth:`RefinePart.arc_smoothing`) over a sequence of jobs' parts."""
    out = np.concatenate([np.asarray(p.arc_smoothing(), dtype=np.int64) for p in parts])
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def part_points(parts: tuple[RefinePart, ...]) -> np.ndarray:
    """(J, 106) bool read-only: the slots of each job's part's points (those its arcs hang
    from)."""
    out = np.zeros((len(parts), scheme.NUM_POINTS), bool)
    for j, p in enumerate(parts):
        out[j, [i for name in p.parts for i in scheme.PARTS[name].indices]] = True
    out.flags.writeable = False
    return out
