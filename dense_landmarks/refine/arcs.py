"""Decoded arcs back to curves: the refined parts' control points and knots.

The arcs themselves (the sparse splines' stretches between the corners, in part crops) come
from :mod:`dense_landmarks.refine.splines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.refine.constraints import constrain_faces
from dense_landmarks.refine.parts import RefinePart
from dense_landmarks.refine.ridge import from_heatmap
from dense_landmarks.refine.slots import place_knots
from dense_landmarks.refine.splines import ARC_SAMPLES, segment_points


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
    cols = np.minimum(np.maximum(j[:, None] + np.arange(-1, 3), 0), m - 1)
    nb = list(arcs[a[:, None], cols].transpose(1, 0, 2))  # p0, p1, p2, p3: each (K, 2)
    # a clipped neighbour would coincide with its segment's end (no curve through them: the
    # sample itself was returned, up to 0.75 samples from the knot, at one end only)
    head, tail = j == 0, j + 2 > m - 1
    nb[0] = np.where(head[:, None], 2.0 * nb[1] - nb[2], nb[0])
    nb[3] = np.where(tail[:, None], 2.0 * nb[2] - nb[1], nb[3])
    xy = segment_points(nb, t)
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
    arc_part, where, slots, pick, spans, dups, priors = _decode_layout(parts, arcs.shape[1])
    m = np.asarray(mats, dtype=np.float64)
    a_inv = np.linalg.inv(m[:, :, :2])  # crop -> image: p = A^-1 (q - t)
    a_inv, t = a_inv[arc_part], m[arc_part, :, 2]
    img = np.einsum("aij,amj->ami", a_inv, from_heatmap(arcs) - t[:, None, :])
    flat = img.reshape(-1, 2)
    picked = flat[pick]  # every control point of every part, then cut into the rings
    control = [{name: picked[a:b] for name, a, b in span} for span in spans]
    if points106 is not None:
        control = constrain_faces(control, points106, turning=False)
        flat[pick] = np.concatenate(
            [c[name] for c, span in zip(control, spans) for name, _, _ in span]
        )
        flat[dups[0]] = flat[dups[1]]  # arcs' shared end samples follow their ring's vertex
    where = place_knots(img, where, *priors)
    return control, list(slots), points_on_arcs(img, where)


@lru_cache(maxsize=16)
def _decode_layout(parts: tuple[RefinePart, ...], samples: int) -> tuple:
    """Index data of :func:`decoded_parts` (arrays read-only): the part of each arc, all
    interior knots as (arc, sample), knot slots per part, the rows of the flattened (arc,
    sample) array that form the control points (per part and scheme part, concatenated) and
    per part its (scheme part, start, stop) spans of them, (dst, src) rows of arc ends that
    repeat a ring vertex, and the knots' slot priors (:func:`_knot_priors`)."""
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
    arc_part = np.repeat(np.arange(len(parts)), sizes)
    pick = np.concatenate([r for rr in rows for r in rr])
    ends = np.cumsum([0, *(len(r) for rr in rows for r in rr)])
    spans, k = [], 0
    for n in names:
        spans.append(
            tuple((name, int(ends[k + i]), int(ends[k + i + 1])) for i, name in enumerate(n))
        )
        k += len(n)
    for a in (arc_part, where, pick, *dups, *priors):
        a.flags.writeable = False
    return arc_part, where, tuple(s for _, s in tables), pick, tuple(spans), dups, priors


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
