"""The plan of :func:`curves.arcs.resample_arcs` and its index tables (cached per layout)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

STEPS = 32  # samples per segment of the arc-length table (:data:`curves.arcs.STEPS`)


@dataclass(frozen=True)
class ArcPlan:
    """The curves of one group and their arcs (see :mod:`curves.arcs`).

    Attributes:
        closed: per curve, whether it is closed.
        corners: per curve, its corners as rows of the group's corner points: each arc's start
            corner in order, then (open curves) the end corner.
        counts: per curve, the number of points of each arc (from its start corner, included,
            towards the next corner, excluded).
    """

    closed: tuple[bool, ...]
    corners: tuple[tuple[int, ...], ...]
    counts: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not len(self.closed) == len(self.corners) == len(self.counts):
            raise ValueError("ArcPlan: closed, corners and counts differ in length")
        for cl, corners, counts in zip(self.closed, self.corners, self.counts):
            if not counts or len(corners) != len(counts) + (0 if cl else 1):
                raise ValueError(f"ArcPlan: {len(corners)} corners for {len(counts)} arcs")
            if min(counts) < 1:
                raise ValueError("ArcPlan: every arc needs at least one point")

    @property
    def sizes(self) -> tuple[int, ...]:
        """Points per curve: its arcs' counts, plus the end corner of an open curve."""
        return tuple(sum(n) + (0 if cl else 1) for n, cl in zip(self.counts, self.closed))


@dataclass(frozen=True)
class ArcTables:
    """Index tables of G groups of curves with given control point counts (read-only arrays).

    Segments, curves and corners are numbered over the whole batch, group after group; "local"
    segment numbers count from the group's first segment (as in a batch of one group).
    """

    pad_shape: tuple[int, int]  # (G, most segments in a group + 1): per-group running sums
    pad_put: np.ndarray  # (S,) where each segment's length goes in the padded table
    pad_take: np.ndarray  # (S,) where each segment's start (exclusive running sum) is
    table_u: np.ndarray  # (S * (STEPS + 1),) local parameter of every table sample
    table_bounds: list[int]  # G + 1 bounds of the groups' rows in the table
    curve_first: np.ndarray  # (curves,) each curve's first segment
    curve_last: np.ndarray  # (curves,) each curve's last segment
    corner_row: np.ndarray  # (J,) each corner's row in the (G * R, 2) corner points
    corner_curve: np.ndarray  # (J,) each corner's curve
    corner_nseg: np.ndarray  # (J,) its curve's segments
    corner_first: np.ndarray  # (J,) its curve's first segment
    corner_seg0: np.ndarray  # (J,) its curve's first local segment
    corner_offset: np.ndarray  # (J,) its group's first segment
    corner_bounds: list[int]  # G + 1 bounds of the groups' corners
    knot_idx: np.ndarray  # (J, Kmax) its curve's control points (rows of all points), padded
    knot_pad: np.ndarray  # (J, Kmax) bool: padding
    arcs_per_group: int
    arc_start: np.ndarray  # (A,) each arc's start corner
    arc_next: np.ndarray  # (A,) the next corner (an open curve's end, or a closed one's first)
    arc_curve: np.ndarray  # (A,) its curve
    arc_closed: np.ndarray  # (A,) bool: on a closed curve
    arc_single: np.ndarray  # (A,) bool: the only arc of a closed curve
    pt_corner: np.ndarray  # (N,) each output point's arc's start corner (or the end corner)
    pt_arc: np.ndarray  # (N,) its arc (A for an open curve's end corner)
    pt_k: np.ndarray  # (N,) int its index in its arc (0 for an end corner)
    pt_count: np.ndarray  # (N,) int its arc's count (1 for an end corner)
    pt_curve: np.ndarray  # (N,) its curve
    pt_closed: np.ndarray  # (N,) bool: on a closed curve
    pt_lo: np.ndarray  # (N,) its curve's first local segment
    pt_hi: np.ndarray  # (N,) one past its curve's last local segment
    pt_offset: np.ndarray  # (N,) its group's first segment
    pt_bounds: list[int]  # G + 1 bounds of the groups' points


def _plan_rows(plan: ArcPlan) -> tuple[list[list[int]], list[list[int]], list[list[int]]]:
    """One group's corner, arc and point rows (see :class:`ArcTables`; arc -1: end corner)."""
    corners, arcs, points = [], [], []
    for c, (cl, rows, counts) in enumerate(zip(plan.closed, plan.corners, plan.counts)):
        base = len(corners)
        corners += [[c, r] for r in rows]
        for i, count in enumerate(counts):
            a = len(arcs)
            arcs.append([base + i, base + (i + 1) % len(rows), c, cl, cl and len(counts) == 1])
            points += [[base + i, a, k, count, c, cl] for k in range(count)]
        if not cl:
            points.append([base + len(counts), -1, 0, 1, c, cl])
    return corners, arcs, points


@lru_cache(maxsize=32)
def arc_tables(sizes: tuple[int, ...], plan: ArcPlan, groups: int, rows: int) -> ArcTables:
    """The index tables of ``groups`` groups of ``plan``'s curves with ``sizes`` control
    points each (group by group), their corner points (groups, ``rows``, 2) (cached)."""
    ncurve = len(plan.closed)
    size = np.array(sizes, dtype=np.int64)
    closed = np.array(plan.closed * groups, dtype=bool)
    nseg = np.where(closed, size, size - 1)
    first = np.concatenate([[0], np.cumsum(nseg)[:-1]])
    vstart = np.concatenate([[0], np.cumsum(size)[:-1]])
    n_total = int(nseg.sum())
    gseg = np.append(first[::ncurve], n_total)
    seg_group = np.repeat(np.arange(groups), np.diff(gseg))
    seg_local = np.arange(n_total) - gseg[seg_group]
    width = int(np.diff(gseg).max()) + 1
    curve_group = np.arange(len(size)) // ncurve
    seg0 = first - gseg[curve_group]
    t = np.arange(STEPS + 1) / STEPS

    c_rows, a_rows, p_rows = (np.array(x, dtype=np.int64) for x in _plan_rows(plan))
    g = np.arange(groups)[:, None]
    ncorner, narc = len(c_rows), len(a_rows)
    cc = (g * ncurve + c_rows[:, 0]).ravel()
    kmax = int(size[cc].max())
    knot_k = np.arange(kmax)
    pt_curve = (g * ncurve + p_rows[:, 4]).ravel()
    pt_end = np.tile(p_rows[:, 1] < 0, groups)
    tb = ArcTables(
        pad_shape=(groups, width),
        pad_put=seg_group * width + seg_local + 1,
        pad_take=seg_group * width + seg_local,
        table_u=(seg_local[:, None] + t[None]).ravel(),
        table_bounds=(gseg * (STEPS + 1)).tolist(),
        curve_first=first,
        curve_last=first + nseg - 1,
        corner_row=(g * rows + c_rows[:, 1]).ravel(),
        corner_curve=cc,
        corner_nseg=nseg[cc],
        corner_first=first[cc],
        corner_seg0=seg0[cc],
        corner_offset=gseg[curve_group[cc]],
        corner_bounds=(np.arange(groups + 1) * ncorner).tolist(),
        knot_idx=vstart[cc][:, None] + np.minimum(knot_k, size[cc][:, None] - 1),
        knot_pad=knot_k >= size[cc][:, None],
        arcs_per_group=narc,
        arc_start=(g * ncorner + a_rows[:, 0]).ravel(),
        arc_next=(g * ncorner + a_rows[:, 1]).ravel(),
        arc_curve=(g * ncurve + a_rows[:, 2]).ravel(),
        arc_closed=np.tile(a_rows[:, 3].astype(bool), groups),
        arc_single=np.tile(a_rows[:, 4].astype(bool), groups),
        pt_corner=(g * ncorner + p_rows[:, 0]).ravel(),
        pt_arc=np.where(pt_end, groups * narc, (g * narc + p_rows[:, 1]).ravel()),
        pt_k=np.tile(p_rows[:, 2], groups),
        pt_count=np.tile(p_rows[:, 3], groups),
        pt_curve=pt_curve,
        pt_closed=np.tile(p_rows[:, 5].astype(bool), groups),
        pt_lo=seg0[pt_curve],
        pt_hi=seg0[pt_curve] + nseg[pt_curve],
        pt_offset=gseg[curve_group[pt_curve]],
        pt_bounds=(np.arange(groups + 1) * len(p_rows)).tolist(),
    )
    for value in vars(tb).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return tb
