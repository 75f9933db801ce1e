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

import numpy as np

from curves.nesting import nest_rings
from curves.ring_batch import rings_in_order, rings_nested
from curves.topology import GAP, order_ring
from curves.turning import bound_turning, spiky
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


def _free_mask(
    curves: list[np.ndarray], corners: np.ndarray, closed: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """:func:`free_vertices` of many contours at once, concatenated (sum N,) bool.
    ``corners``: (C, 4, 2) each contour's corners (repeats allowed); ``closed``, ``counts``:
    (C,)."""
    p = np.concatenate(curves)
    first = np.cumsum(counts) - counts
    extent = (np.maximum.reduceat(p, first) - np.minimum.reduceat(p, first)).max(axis=1)
    d = p[:, None, :] - np.repeat(corners, counts, axis=0)
    d2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]
    zone = np.repeat(CORNER_ZONE * extent, counts)
    free = (d2 > (zone * zone)[:, None]).all(axis=1)
    ends = np.flatnonzero(~closed)
    free[first[ends]] = False
    free[first[ends] + counts[ends] - 1] = False
    return free


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
    pts = [np.asarray(p, dtype=np.float64) for p in points106]
    items = [(i, k) for i, f in enumerate(out) for k in f]
    if not items:
        return out
    rings = [(i, r) for i, f in enumerate(out) for r in RING_RULES if r.part in f]
    for _ in range(rounds):
        if turning:
            _bound_spikes(out, pts, items)
        # a ring inside another is checked (and repaired) with its host below
        alone = [(i, r) for i, r in rings if r.within is None]
        axes = np.array([[pts[i][r.axis[0]], pts[i][r.axis[1]]] for i, r in alone])
        good = rings_in_order(
            [out[i][r.part] for i, r in alone], axes, np.array([r.pin for _, r in alone])
        )
        moved = set()  # (face, part) repaired this round
        for (i, r), ok, ax in zip(alone, good, axes):
            if not ok:
                out[i][r.part] = order_ring(out[i][r.part], (ax[0], ax[1]), gap, r.share, r.pin)
                moved.add((i, r.part))
        pairs = [(i, r) for i, r in rings if r.within is not None and r.within in out[i]]
        if pairs:
            host = {h.part: h for h in RING_RULES}
            axes = np.array(
                [[pts[i][host[r.within].axis[0]], pts[i][host[r.within].axis[1]]] for i, r in pairs]
            )
            fine = rings_nested(
                [out[i][r.part] for i, r in pairs],
                [out[i][r.within] for i, r in pairs],
                axes,
                np.array([r.pin for _, r in pairs]),
            )
            for (i, r), ok, ax in zip(pairs, fine, axes):
                if not ok:
                    out[i][r.part], out[i][r.within] = nest_rings(
                        out[i][r.part], out[i][r.within], (ax[0], ax[1]), gap, NEST_SHARE, r.pin
                    )
                    moved |= {(i, r.part), (i, r.within)}
        if not (moved and turning):
            break
        # the next round looks again at what was repaired (a repair can leave a kink) only
        items = [it for it in items if it in moved]
        rings = [(i, r) for i, r in rings if (i, r.part) in moved or (i, r.within) in moved]
    return out


def _bound_spikes(out: list[dict], pts: list[np.ndarray], items: list[tuple[int, str]]) -> None:
    """Bound the turning of every contour of ``items`` (face, part) in ``out``, in place."""
    curves = [out[i][k] for i, k in items]
    names = tuple(k for _, k in items)
    closed = np.array([scheme.PARTS[k].closed for k in names])
    counts = np.array([len(c) for c in curves])
    faces = np.array([i for i, _ in items])
    corners = np.stack(pts)[faces[:, None], _corner_slots(names)]  # (C, 4, 2)
    free = _free_mask(curves, corners, closed, counts)
    bound = np.radians(np.maximum(MAX_TURN_DEG, np.where(closed, 720.0 / counts, 0.0)))
    hits = spiky(curves, list(closed), bound, free)
    if not hits.any():
        return
    start = np.concatenate([[0], np.cumsum(counts)])
    for j in np.flatnonzero(hits):
        i, k = items[j]
        f = free[start[j] : start[j + 1]]
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
