"""Shape constraints of the decoded contours, as named data, and the function that applies them.

A contour is the output, so its topology is guaranteed rather than hoped for: every closed part
is a simple polygon whose lower arc (lower lid, lower brow edge, lower lip) lies below its
upper arc along the part's corner axis (lids may touch in the middle of a closed eye: they are
kept a hair apart), the inner lips lie strictly inside the outer lips, and no contour turns
sharply between neighbouring samples away from its corners (no spikes). The geometry lives in
:mod:`curves.topology` (and its neighbours); this module says which part obeys which rule.

:func:`constrain_contours` takes contours of any point count (the refined control points of
:meth:`dense_landmarks.refine.Refiner.refine`, or the dense contours of
:func:`dense_landmarks.contours.dense_contours`) and the face's 106 points (for the axes and
corners), and returns constrained copies with the same counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from curves.nesting import nest_rings
from curves.ring_batch import rings_nested
from curves.ring_order import order_rings
from curves.topology import GAP
from curves.turning import bound_turning, turning_over
from dense_landmarks import scheme


@dataclass(frozen=True)
class RingRule:
    """A closed part kept a simple polygon with its lower arc below its upper arc.

    ``axis``: the 106 slots of the corners whose line is the part's x axis (from the end its
    scheme ring starts at); ``within``: the part this ring lies strictly inside (its axis
    then is that part's); ``share``: how much of a crossing of its arcs the upper arc takes
    (the rest: the lower arc); ``pin``: the ring's first point is a corner the arcs start
    from, vertices beyond it pulled back (off for every part: the refined lids and lips run
    past the sparse corners, and pinning them cost lips 2.22 -> 2.28 and eyes 1.21 -> 1.24 %
    IOD on the held-out faces).
    """

    part: str
    axis: tuple[int, int]
    within: str | None = None
    share: float = 0.5
    pin: bool = False


#: Closed parts and their order relations (the scheme rings run upper arc first, then back
#: along the lower arc).
RING_RULES: tuple[RingRule, ...] = (
    # lower edge below the upper edge; where they cross the lower one moves (the upper edge is
    # the sharper one: moving both cost 0.04 % IOD on the held-out brows)
    RingRule("right_brow", (33, 37), share=0.0),
    RingRule("left_brow", (42, 46), share=0.0),
    RingRule("right_eye", (66, 70)),  # lower lid never above the upper lid
    RingRule("left_eye", (75, 79)),
    RingRule("outer_lips", (84, 90)),
    RingRule("inner_lips", (96, 100), within="outer_lips"),  # inside the outer lips
)

#: how much of a crossing of the inner lips over the outer ones the inner lips take
NEST_SHARE = 0.5

#: Where a contour may turn sharply: the 106 slots of each part's corners (an open part's ends
#: are always free). Vertices within :data:`CORNER_ZONE` of one are not turning-bounded.
CORNERS: dict[str, tuple[int, ...]] = {
    "jaw": (0, 32),
    "right_brow": (33, 37, 38, 41),
    "left_brow": (42, 46, 47, 50),
    "nose_bridge": (51, 54),
    "nose_base": (55, 65),
    "right_eye": (66, 70),
    "left_eye": (75, 79),
    "outer_lips": (84, 90),
    "inner_lips": (96, 100),
}
#: radius of a corner's free zone, as a fraction of the part's largest extent
CORNER_ZONE = 0.12
#: largest turning (degrees) between neighbouring samples away from the corners; a contour
#: with fewer points may turn more (a regular n-gon turns 360 / n at each vertex). Bounds of
#: 45-120 on the dense contours moved the held-out contour distances by < 0.01 % IOD; bounding
#: the decoder's control points as well cost lips 2.22 -> 2.29 (45) / 2.23 (90): not done.
MAX_TURN_DEG = 60.0
#: where a repair aims, as a fraction of the bound
TURN_AIM = 0.75


def max_turn(n: int, closed: bool) -> float:
    """The turning bound (radians) for a contour of ``n`` points: :data:`MAX_TURN_DEG`, or
    twice a regular polygon's turning when that is more (few points)."""
    return float(np.radians(max(MAX_TURN_DEG, 2.0 * 360.0 / max(n, 1) if closed else 0.0)))


def free_vertices(points: np.ndarray, corners: np.ndarray, closed: bool) -> np.ndarray:
    """(N,) bool: the vertices of a contour (N, 2) farther than :data:`CORNER_ZONE` x its
    extent from every corner (C, 2) (and not an open contour's end)."""
    p = np.asarray(points, dtype=np.float64)
    extent = float(np.ptp(p, axis=0).max()) if len(p) else 0.0
    d = np.hypot(*(p[:, None, :] - np.asarray(corners)[None, :, :]).transpose(2, 0, 1))
    free = (d > CORNER_ZONE * extent).all(axis=1)
    if not closed and len(free):
        free[[0, -1]] = False
    return free


@lru_cache(maxsize=64)
def _corner_slots(parts: tuple[str, ...]) -> np.ndarray:
    """(P, 4) the parts' corner slots, each row padded with its last slot."""
    return np.array([[*CORNERS[k], *[CORNERS[k][-1]] * (4 - len(CORNERS[k]))] for k in parts])


def _free_at(
    p: np.ndarray,
    at: np.ndarray,
    cid: np.ndarray,
    extent: np.ndarray,
    corners: np.ndarray,
    closed: np.ndarray,
    first: np.ndarray,
    n: np.ndarray,
) -> np.ndarray:
    """:func:`free_vertices` at some vertices of many contours concatenated: (V,) bool.

    Args:
        p: (sum N, 2) the contours' points. at: (V,) vertex indices into ``p``; cid: (V,) their
            contours. extent: (C,) each contour's largest coordinate range. corners: (C, 4, 2)
            each contour's corners (repeats allowed). closed, first, n: (C,) per contour
            whether it is closed, its first index in ``p`` and its point count.
    """
    zone = CORNER_ZONE * extent[cid]
    d = p[at][:, None, :] - corners[cid]  # (V, 4, 2)
    d2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]
    free = np.logical_and.reduce(d2 > (zone * zone)[:, None], axis=1)
    pos = at - first[cid]
    return free & (closed[cid] | ((pos > 0) & (pos < n[cid] - 1)))


def constrain_faces(
    faces: Sequence[Mapping[str, np.ndarray]],
    points106: Sequence[np.ndarray] | np.ndarray,
    gap: float = GAP,
    turning: bool = True,
    rounds: int = 4,
) -> list[dict[str, np.ndarray]]:
    """:func:`constrain_contours` of many faces (or part groups of faces) in one batched pass:
    the checks run on all contours at once and only the contours that break a rule are
    repaired (by :mod:`curves.topology`).

    Each round bounds the turning, then applies the order and containment rules (exact, so
    they come last); another round follows only when those moved something and ``turning`` is
    on (a repair can leave a kink). ``turning=False`` applies the order rules only (the
    decoder's control points: bounding their turning made the held-out contours worse).
    """
    out = [{k: np.asarray(v, dtype=np.float64) for k, v in f.items()} for f in faces]
    items = [(i, k) for i, f in enumerate(out) for k in f]
    if not items:
        return out
    pts = np.stack([np.asarray(p, dtype=np.float64) for p in points106])  # (F, 106, 2)
    rings = [(i, r) for i, f in enumerate(out) for r in RING_RULES if r.part in f]
    for _ in range(rounds):
        if turning:
            _bound_spikes(out, pts, items)
        moved = _order_rings(out, pts, rings, gap)
        if not (moved and turning):
            break
        # the next round looks again at what was repaired (a repair can leave a kink) only
        items = [it for it in items if it in moved]
        rings = [(i, r) for i, r in rings if (i, r.part) in moved or (i, r.within) in moved]
    return out


class _RingLayout(NamedTuple):
    """What :func:`_order_rings` needs of a list of (face, rule), cached (arrays read-only):
    the rings checked alone and their axes (faces (A,), 106 slots (A, 2)), shares, pins; the
    rings inside others whose host is there, their hosts' index among the former (None: not
    checked this round), axes (faces (J,), slots (J, 2)) and pins."""

    alone: tuple[tuple[int, RingRule], ...]
    faces: np.ndarray
    slots: np.ndarray
    share: np.ndarray
    pin: np.ndarray
    pairs: tuple[tuple[int, RingRule], ...]
    hosts: tuple[int | None, ...]
    pair_faces: np.ndarray
    pair_slots: np.ndarray
    pair_pin: np.ndarray


@lru_cache(maxsize=64)
def _ring_layout(parts: tuple[tuple[int, str], ...], hosted: tuple[bool, ...]) -> _RingLayout:
    """:class:`_RingLayout` of the rings ``parts`` (face, part of :data:`RING_RULES`);
    ``hosted``: per ring, whether its host part (if any) is among the face's contours."""
    rule = {r.part: r for r in RING_RULES}
    rings = [(i, rule[k]) for i, k in parts]
    alone = tuple((i, r) for i, r in rings if r.within is None)
    pairs = tuple((i, r) for (i, r), h in zip(rings, hosted) if r.within is not None and h)
    where = {(i, r.part): j for j, (i, r) in enumerate(alone)}
    arrays = (
        np.array([i for i, _ in alone], dtype=np.int64),
        np.array([r.axis for _, r in alone], dtype=np.int64).reshape(-1, 2),
        np.array([r.share for _, r in alone], dtype=np.float64),
        np.array([r.pin for _, r in alone], dtype=bool),
        np.array([i for i, _ in pairs], dtype=np.int64),
        np.array([rule[r.within].axis for _, r in pairs], dtype=np.int64).reshape(-1, 2),
        np.array([r.pin for _, r in pairs], dtype=bool),
    )
    for a in arrays:
        a.flags.writeable = False
    faces, slots, share, pin, pair_faces, pair_slots, pair_pin = arrays
    hosts = tuple(where.get((i, r.within)) for i, r in pairs)
    return _RingLayout(
        alone, faces, slots, share, pin, pairs, hosts, pair_faces, pair_slots, pair_pin
    )


def _order_rings(
    out: list[dict], pts: np.ndarray, rings: list[tuple[int, RingRule]], gap: float
) -> set[tuple[int, str]]:
    """Apply the order and containment rules of ``rings`` (face, rule) to ``out``, in place
    (``pts``: (F, 106, 2) the faces' points); returns the (face, part) repaired. A ring inside
    another is checked along its host's axis, in the host as repaired
    (:func:`curves.ring_order.order_rings` checks both in one packing)."""
    hosted = tuple(r.within is None or r.within in out[i] for i, r in rings)
    lay = _ring_layout(tuple((i, r.part) for i, r in rings), hosted)
    shared = None not in lay.hosts  # else (not expected) the pairs are checked on their own
    good, fixed, fine = order_rings(
        [out[i][r.part] for i, r in lay.alone],
        pts[lay.faces[:, None], lay.slots],
        gap,
        lay.share,
        lay.pin,
        [out[i][r.part] for i, r in lay.pairs] if shared else [],
        lay.hosts if shared else (),
        lay.pair_pin if shared else False,
    )
    moved = set()
    for (i, r), ok, ring in zip(lay.alone, good.tolist(), fixed):
        if not ok:
            out[i][r.part] = ring
            moved.add((i, r.part))
    if not lay.pairs:
        return moved
    axes = pts[lay.pair_faces[:, None], lay.pair_slots]
    if not shared:
        inners = [out[i][r.part] for i, r in lay.pairs]
        outers = [out[i][r.within] for i, r in lay.pairs]
        fine = rings_nested(inners, outers, axes, lay.pair_pin)
    for (i, r), ok, ax in zip(lay.pairs, fine.tolist(), axes):
        if not ok:
            out[i][r.part], out[i][r.within] = nest_rings(
                out[i][r.part], out[i][r.within], (ax[0], ax[1]), gap, NEST_SHARE, r.pin
            )
            moved |= {(i, r.part), (i, r.within)}
    return moved


@lru_cache(maxsize=64)
def _spike_layout(items: tuple[tuple[int, str], ...], counts: tuple[int, ...]) -> tuple:
    """Layout-only tables of :func:`_bound_spikes` (cached, read-only): per contour whether it
    is closed (tuple and (C,) bool), its turning bound (C,) radians, its face (C,), corner
    slots (C, 4), point count and first index in the concatenation (C,)."""
    names = tuple(k for _, k in items)
    closed = np.array([scheme.PARTS[k].closed for k in names])
    n = np.array(counts)
    bound = np.radians(np.maximum(MAX_TURN_DEG, np.where(closed, 720.0 / n, 0.0)))
    faces = np.array([i for i, _ in items])
    first = np.cumsum(n) - n
    for a in (closed, bound, faces, n, first):
        a.flags.writeable = False
    return tuple(bool(c) for c in closed), closed, bound, faces, _corner_slots(names), n, first


def _bound_spikes(out: list[dict], pts: np.ndarray, items: list[tuple[int, str]]) -> None:
    """Bound the turning of every contour of ``items`` (face, part) in ``out``, in place
    (``pts``: (F, 106, 2) the faces' points).

    The turning is checked first (:func:`curves.turning.turning_over`); whether a vertex is
    free (:func:`_free_at`) is only needed where it turns too much, and a contour's whole
    mask only where it is repaired."""
    curves = [out[i][k] for i, k in items]
    counts = tuple(len(c) for c in curves)
    closed_t, closed, bound, faces, slots, n, first = _spike_layout(tuple(items), counts)
    p = np.concatenate(curves)
    over, cid = turning_over(p, counts, closed_t, bound)
    if not len(over):
        return
    span = np.maximum.reduceat(p, first) - np.minimum.reduceat(p, first)
    extent = np.maximum(span[:, 0], span[:, 1])
    corners = pts[faces[:, None], slots]  # (C, 4, 2)
    # whether a vertex is free matters only where it turns too much, and a contour's whole
    # mask only where it is repaired
    free = _free_at(p, over, cid, extent, corners, closed, first, n)
    for j in np.bincount(cid[free], minlength=len(curves)).nonzero()[0].tolist():
        i, k = items[j]
        whole = np.arange(first[j], first[j] + n[j])
        f = _free_at(p, whole, np.full(n[j], j), extent, corners, closed, first, n)
        # aim below the bound: the order rules applied next may add a small kink
        out[i][k] = bound_turning(curves[j], bool(closed[j]), TURN_AIM * bound[j], f)


def constrain_contours(
    contours: Mapping[str, np.ndarray], points106: np.ndarray, gap: float = GAP
) -> dict[str, np.ndarray]:
    """Contours with the shape constraints enforced (see the module); same parts and counts.

    Args:
        contours: {scheme part: (N, 2) float points, pixels}: a closed part as a ring starting
            at its first scheme point (no repeat), an open part end to end; any subset of parts
            and any counts (>= 3 per closed part).
        points106: (106, 2) the face's points (axes and corners).
        gap: separation kept between arcs that must not touch, fraction of the axis length.
    Returns:
        {part: (N, 2) float64}, in the input's order. Parts already satisfying every rule
        come back unchanged (copies); the turning bound is applied first, the order and
        containment rules last, so those hold exactly for the returned points.
    """
    return constrain_faces([contours], [points106], gap)[0]
