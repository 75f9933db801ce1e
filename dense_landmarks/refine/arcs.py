"""Contour arcs of the sparse splines in part crops, and the decoded arcs back to curves.

An arc is the stretch of a part's centripetal Catmull-Rom spline (closed or open: the curve
:mod:`curves` draws through the part's points) between two knots, sampled by parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from curves import fit_curve
from curves.spline import hermite_from_neighbours
from dense_landmarks import scheme
from dense_landmarks.crop import to_crop
from dense_landmarks.refine.constraints import constrain_faces
from dense_landmarks.refine.parts import RefinePart
from dense_landmarks.refine.ridge import from_heatmap, to_heatmap
from dense_landmarks.refine.slots import place_knots

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


@lru_cache(maxsize=32)
def arc_table(
    part: RefinePart, samples: int = ARC_SAMPLES
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the samples of the part's arcs sit on their splines, as scheme data.

    Returns:
        slots: (4, A * samples) int, the 106-scheme slots of each sample's segment neighbours
        (p0, p1, p2, p3: the segment runs p1 -> p2). t: (A * samples,) float, the parameter in
        that segment. head, tail: (A * samples,) bool, where p0 / p3 lie beyond an open
        curve's end: those neighbours are the end point reflected through its neighbour (as in
        :mod:`curves`), and their slots are placeholders. Arc a's samples are columns
        a * samples ... (a + 1) * samples - 1.
    """
    slots, ts, heads, tails = [], [], [], []
    for name, u0, u1 in part.arcs:
        idx = np.asarray(scheme.PARTS[name].indices)
        k, closed = len(idx), scheme.PARTS[name].closed
        u = np.linspace(u0, u1, samples)
        last = k - 1 if closed else k - 2  # u at the end: the last segment at t = 1
        seg = np.minimum(u.astype(np.int64), last)
        ts.append(u - seg)
        nb = np.stack([seg + d for d in (-1, 0, 1, 2)])
        heads.append(np.zeros(samples, bool) if closed else nb[0] < 0)
        tails.append(np.zeros(samples, bool) if closed else nb[3] > k - 1)
        slots.append(idx[nb % k])
    return (
        np.concatenate(slots, axis=1),
        np.concatenate(ts),
        np.concatenate(heads),
        np.concatenate(tails),
    )


@lru_cache(maxsize=16)
def _arc_layout(parts: tuple[RefinePart, ...], samples: int) -> tuple[np.ndarray, ...]:
    """:func:`arc_table` of several parts, concatenated: slots (4, N), t (N, 1), head, tail
    (N,), the part (job) of each sample (N,) and each part's first sample (P + 1,)."""
    tables = [arc_table(p, samples) for p in parts]
    sizes = [len(tab[1]) for tab in tables]
    return (
        np.concatenate([tab[0] for tab in tables], axis=1),
        np.concatenate([tab[1] for tab in tables])[:, None],
        np.concatenate([tab[2] for tab in tables]),
        np.concatenate([tab[3] for tab in tables]),
        np.repeat(np.arange(len(parts)), sizes),
        np.cumsum([0, *sizes]),
    )


def batch_initial_arcs(
    points106: np.ndarray,
    jobs: Sequence[tuple[int, RefinePart, np.ndarray]],
    samples: int = ARC_SAMPLES,
) -> list[np.ndarray | None]:
    """:func:`initial_arcs` of many (face, part, crop matrix) jobs in one vectorised pass.

    The centripetal spline is invariant under similarity transforms (mirrors included), so the
    arcs are evaluated in the image and then mapped into each crop.

    Args:
        points106: (F, 106, 2) sparse points, image pixels. jobs: (face index, part, (2, 3)
            image -> crop matrix).
    Returns:
        per job, (len(part.arcs), samples, 2) float64 heatmap pixels, or None where the part's
        points are degenerate (no spline through them).
    """
    if not jobs:
        return []
    slots, t, head, tail, job, starts = _arc_layout(tuple(p for _, p, _ in jobs), samples)
    face = np.array([f for f, _, _ in jobs])[job]
    mats = np.stack([m for _, _, m in jobs])[job]  # (N, 2, 3)
    pts = np.asarray(points106, dtype=np.float64)[face[None], slots]  # (4, N, 2)
    pts[0, head] = 2 * pts[1, head] - pts[2, head]  # open ends: reflected phantom neighbours
    pts[3, tail] = 2 * pts[2, tail] - pts[1, tail]
    xy = _segment_points(pts, t)  # coincident points give NaN: slow path below
    crop = to_heatmap(np.einsum("nij,nj->ni", mats[:, :, :2], xy) + mats[:, :, 2])
    bad = np.add.reduceat(~np.isfinite(crop).all(axis=1), starts[:-1]) > 0
    out: list[np.ndarray | None] = []
    for j, (f, part, m) in enumerate(jobs):
        if not bad[j]:
            out.append(crop[starts[j] : starts[j + 1]].reshape(len(part.arcs), samples, 2))
            continue
        try:  # coincident neighbours: the fit merges them
            out.append(initial_arcs(points106[f], part, m, samples))
        except ValueError:
            out.append(None)
    return out


@lru_cache(maxsize=32)
def knot_table(part: RefinePart, samples: int = ARC_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Where the interior knots of the part's arcs (its points between the corners) sit.

    Returns:
        where: (K, 2) float, (arc, fractional sample index) of each interior knot (a whole
        index where ``samples - 1`` is a multiple of the arc's knot count); slots: (K,) int,
        each knot's 106 slot.
    """
    where, slots = [], []
    for a, (name, u0, u1) in enumerate(part.arcs):
        idx = scheme.PARTS[name].indices
        for k in range(u0 + 1, u1):
            where.append((a, (k - u0) * (samples - 1) / (u1 - u0)))
            slots.append(idx[k % len(idx)])
    return np.asarray(where, dtype=np.float64).reshape(-1, 2), np.asarray(slots, dtype=np.int64)


def _segment_points(nb: Sequence[np.ndarray], t: np.ndarray) -> np.ndarray:
    """Points at parameters ``t`` (N, 1) of the centripetal Catmull-Rom segments p1 -> p2 with
    neighbours ``nb`` = (p0, p1, p2, p3), each (N, 2); NaN where neighbours coincide."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = hermite_from_neighbours(*nb)
        return ((c[:, 0] * t + c[:, 1]) * t + c[:, 2]) * t + c[:, 3]


def points_on_arcs(arcs: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Points at fractional sample positions of arcs, on the Catmull-Rom curve through them.

    Args:
        arcs: (A, M, 2) float, M >= 4. where: (K, 2) float (arc, sample index in [0, M - 1]).
    Returns:
        (K, 2) float64: the sample itself at a whole index, else the centripetal Catmull-Rom
        segment through the neighbouring samples (the curve the refit draws); in an arc's first
        or last segment the missing neighbour is the reflected one (as for the initial arcs), so
        both ends are treated alike.
    """
    m = arcs.shape[1]
    a = where[:, 0].astype(np.int64)
    j = np.minimum(np.floor(where[:, 1]).astype(np.int64), m - 2)
    t = (where[:, 1] - j)[:, None]
    nb = [arcs[a, np.clip(j + d, 0, m - 1)] for d in (-1, 0, 1, 2)]
    # a clipped neighbour would coincide with its segment's end (no curve through them: the
    # sample itself was returned, up to 0.75 samples from the knot, at one end only)
    head, tail = j == 0, j + 2 > m - 1
    nb[0] = np.where(head[:, None], 2.0 * nb[1] - nb[2], nb[0])
    nb[3] = np.where(tail[:, None], 2.0 * nb[2] - nb[1], nb[3])
    xy = _segment_points(nb, t)
    return np.where((t == 0.0) | ~np.isfinite(xy), nb[1], xy)  # coincident samples: the sample


@lru_cache(maxsize=32)
def ring_order(part: RefinePart) -> dict[str, tuple[int, ...]]:
    """Per scheme part of ``part``: its arcs in the part's own order (u from 0 round to 0, or
    from the first point to the last for an open part)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for a, (name, u0, _) in enumerate(part.arcs):
        out.setdefault(name, []).append((u0, a))
    return {name: tuple(a for _, a in sorted(v)) for name, v in out.items()}


def decoded_parts(
    parts: Sequence[RefinePart],
    mats: Sequence[np.ndarray],
    arcs: np.ndarray,
    points106: Sequence[np.ndarray] | None = None,
) -> tuple[list[dict[str, np.ndarray]], list[np.ndarray], np.ndarray]:
    """Decoded arcs of many parts -> their refined control points and knots, image pixels.

    Args:
        parts: the parts, in order; mats: each one's (2, 3) image -> crop matrix.
        arcs: (sum len(p.arcs), M, 2) their decoded arcs, concatenated in order, heatmap pixels.
        points106: optional, per part its face's (106, 2) points: the control points then obey
            the order rules (:func:`dense_landmarks.refine.constraints.constrain_faces`:
            simple rings, lower arcs below upper ones, inner lips inside outer lips), and the
            knots lie on the constrained curves. (Spikes are bounded on the dense contours.) A
            part with a slot prior (:mod:`dense_landmarks.refine.slots`) draws its knots along
            the arcs towards their mean places.
    Returns:
        control: per part, {scheme part: (R, 2) control points: a closed ring, or for an open
        part a polyline from its first point to its last}; slots: per part, (K_i,) int, the 106
        slots of its interior knots; knots: (sum K_i, 2) their refined positions, on the new
        curves, concatenated in order. Ends (the corners) never move.
    """
    parts = tuple(parts)
    sizes, where, slots, rows, names, dups, priors = _decode_layout(parts, arcs.shape[1])
    m = np.asarray(mats, dtype=np.float64)
    a_inv = np.linalg.inv(m[:, :, :2])  # crop -> image: p = A^-1 (q - t)
    a_inv, t = np.repeat(a_inv, sizes, axis=0), np.repeat(m[:, :, 2], sizes, axis=0)
    img = np.einsum("aij,amj->ami", a_inv, from_heatmap(arcs) - t[:, None, :])
    flat = img.reshape(-1, 2)
    control = [{name: flat[r] for name, r in zip(n, rr)} for n, rr in zip(names, rows)]
    if points106 is not None:
        control = constrain_faces(control, points106, turning=False)
        for c, n, rr in zip(control, names, rows):
            for name, r in zip(n, rr):
                flat[r] = c[name]
        flat[dups[0]] = flat[dups[1]]  # arcs' shared end samples follow their ring's vertex
    where = place_knots(img, where, *priors)
    return control, list(slots), points_on_arcs(img, where)


@lru_cache(maxsize=16)
def _decode_layout(parts: tuple[RefinePart, ...], samples: int) -> tuple:
    """Index data of :func:`decoded_parts`: arcs per part, all interior knots as (arc, sample),
    knot slots per part, per part and scheme part the rows of the flattened (arc, sample)
    array that form its control points, (dst, src) rows of arc ends that repeat a ring
    vertex, and the knots' slot priors (:func:`_knot_priors`)."""
    sizes = [len(p.arcs) for p in parts]
    first = np.cumsum([0, *sizes])
    tables = [knot_table(p, samples) for p in parts]
    where = np.concatenate([w + np.array([first[i], 0]) for i, (w, _) in enumerate(tables)])
    rows, names, dst, src = [], [], [], []
    for i, p in enumerate(parts):
        r, n = [], []
        for name, order in ring_order(p).items():
            idx = [(first[i] + a) * samples + np.arange(samples - 1) for a in order]
            closed = scheme.PARTS[name].closed
            if not closed:  # an open part keeps its last arc's end
                idx.append(np.array([(first[i] + order[-1]) * samples + samples - 1]))
            # each arc's last sample repeats the next arc's first (a closed ring's last arc: the
            # first arc's first)
            for a, b in zip(order, (*order[1:], order[0]) if closed else order[1:]):
                dst.append((first[i] + a) * samples + samples - 1)
                src.append((first[i] + b) * samples)
            r.append(np.concatenate(idx))
            n.append(name)
        rows.append(tuple(r))
        names.append(tuple(n))
    dups = (np.asarray(dst, dtype=np.int64), np.asarray(src, dtype=np.int64))
    priors = _knot_priors(parts, tables)
    return sizes, where, tuple(s for _, s in tables), tuple(rows), tuple(names), dups, priors


def _knot_priors(
    parts: tuple[RefinePart, ...], tables: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """(K,) mean fraction (NaN: none) and (K,) weight of every interior knot of ``parts``
    (:mod:`dense_landmarks.refine.slots`), in the order of their knot tables."""
    frac, weight = [], []
    for p, (w, _) in zip(parts, tables):
        if p.slots is None:
            frac.append(np.full(len(w), np.nan))
            weight.append(np.zeros(len(w)))
            continue
        if len(p.slots.fractions) != len(w) or len(p.slots.weights) != len(p.arcs):
            raise ValueError(
                f"{p.name}: slot prior for {len(p.slots.fractions)} knots and "
                f"{len(p.slots.weights)} arcs, the part has {len(w)} and {len(p.arcs)}"
            )
        frac.append(np.asarray(p.slots.fractions, dtype=np.float64))
        weight.append(np.asarray(p.slots.weights, dtype=np.float64)[w[:, 0].astype(np.int64)])
    return np.concatenate(frac), np.concatenate(weight)


def part_rings(
    part: RefinePart, arcs: np.ndarray, m: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """:func:`decoded_parts` of one part: (rings, knot slots (K,), knots (K, 2)).

    Args:
        arcs: (len(part.arcs), M, 2) decoded arcs, heatmap pixels of crop ``m`` (2, 3).
    """
    (rings,), (slots,), knots = decoded_parts([part], [m], arcs)
    return rings, slots, knots
