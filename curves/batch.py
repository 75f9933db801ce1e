"""Many curves at once: one vectorised fit-and-resample pass over all parts of a face.

Numerically the same method as :mod:`curves.spline` (centripetal Catmull-Rom, arc-length
placement, chord equalisation), but the segments of every curve live in one array, so a face's
nine parts cost a handful of numpy calls instead of a few hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache

import numpy as np

from curves.spline import TABLE_STEPS, evaluate_segments, hermite_stacked
from curves.validate import check_curve_points, tolerance_of_extent


@lru_cache(maxsize=64)
def _layout(sizes: tuple[int, ...], closed: tuple[bool, ...]) -> dict[str, np.ndarray]:
    """Index arrays for a batch of curves with ``sizes`` control points each.

    Vertices are the concatenated control points followed by two phantom end points per open
    curve; segment ``k`` uses vertices ``i0[k], i1[k], i2[k], i3[k]``.
    """
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    n_real = int(sum(sizes))
    i0, i1, i2, i3, seg_curve, phantom = [], [], [], [], [], []
    next_phantom = n_real
    for c, (k, o, cl) in enumerate(zip(sizes, starts, closed)):
        idx = o + np.arange(k)
        if cl:
            ring = np.concatenate([idx[-1:], idx, idx[:2]])
        else:
            head, tail = next_phantom, next_phantom + 1
            next_phantom += 2
            phantom.append((idx[0], idx[1], idx[-1], idx[-2]))
            ring = np.concatenate([[head], idx, [tail]])
        n_seg = k if cl else k - 1
        i0.append(ring[:n_seg])
        i1.append(ring[1 : n_seg + 1])
        i2.append(ring[2 : n_seg + 2])
        i3.append(ring[3 : n_seg + 3])
        seg_curve.append(np.full(n_seg, c))
    seg_curve_arr = np.concatenate(seg_curve)
    n_segs = np.bincount(seg_curve_arr, minlength=len(sizes))
    seg_start = np.concatenate([[0], np.cumsum(n_segs)[:-1]])
    phantom_arr = np.asarray(phantom, dtype=np.int64).reshape(-1, 4)
    return {
        "i": np.stack([np.concatenate(a) for a in (i0, i1, i2, i3)]),
        "phantom_of": phantom_arr[:, [0, 2]],  # (head, tail) phantoms: 2 * of - from
        "phantom_from": phantom_arr[:, [1, 3]],
        "starts": starts,
        "seg_start": seg_start.astype(np.int64),
        "seg_end": (seg_start + n_segs).astype(np.int64),  # one past each curve's last segment
        "n_segs": n_segs.astype(np.int64),
        "closed": np.asarray(closed, dtype=bool),
    }


@lru_cache(maxsize=64)
def _edges(
    sizes: tuple[int, ...], closed: tuple[bool, ...], n_groups: int
) -> tuple[np.ndarray, ...]:
    """Neighbour pairs of ``n_groups`` equal runs of curves (closed rings include their closing
    pair), as indices into the concatenated points: (first vertices, second vertices, group of
    each pair, first point of each group) (read-only, cached)."""
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    a, b = [], []
    for k, o, cl in zip(sizes, starts, closed):
        idx = o + np.arange(k)
        a.append(idx if cl else idx[:-1])
        b.append(np.roll(idx, -1) if cl else idx[1:])
    first, second = np.concatenate(a), np.concatenate(b)
    group_start = starts[:: len(sizes) // n_groups][:-1]
    group = np.searchsorted(group_start, first, side="right") - 1
    for arr in (first, second, group, group_start):
        arr.flags.writeable = False
    return first, second, group, group_start


def check_groups(
    groups: Sequence[Sequence[tuple[object, bool]]],
    merge_duplicates: bool,
    names: Sequence[str],
) -> list[list[np.ndarray] | ValueError]:
    """Validate the control points of many groups of curves (e.g. the parts of many faces), as
    :class:`CurveBatch` does for one group: a vectorised fast path for valid groups (shapes,
    finite values, no neighbours closer than :func:`curves.validate.coincident_tolerance` of
    the group's points); any group that fails it goes through the per-curve checks
    (:func:`curves.validate.check_curve_points`, merging coincident neighbours when asked).

    Args:
        groups: per group, its curves as ((K_i, 2) control points, closed flag); every group
            has the same number of curves, named ``names``.
        merge_duplicates: merge coincident neighbouring points instead of raising.
        names: curve names for error messages.
    Returns:
        per group, its curves' float64 (K_i, 2) control points, or the ValueError it raised.
    """
    arrays = [[np.asarray(p, dtype=np.float64) for p, _ in g] for g in groups]
    fast = [
        all(
            a.ndim == 2 and a.shape[1] == 2 and len(a) >= (3 if cl else 2)
            for a, (_, cl) in zip(arr, g)
        )
        for arr, g in zip(arrays, groups)
    ]
    shaped = [i for i, ok in enumerate(fast) if ok]
    if shaped:
        runs = [arrays[i] for i in shaped]
        allpts = np.concatenate([a for run in runs for a in run])
        sizes = tuple(len(a) for run in runs for a in run)
        closed = tuple(bool(cl) for i in shaped for _, cl in groups[i])
        first, second, group, gstart = _edges(sizes, closed, len(runs))
        finite = np.logical_and.reduceat(np.isfinite(allpts).all(axis=1), gstart)
        with np.errstate(invalid="ignore"):  # inf - inf: only in groups that are not finite
            extent = np.maximum.reduceat(allpts, gstart) - np.minimum.reduceat(allpts, gstart)
            tol = tolerance_of_extent(extent.max(axis=1))  # coincident_tolerance per group
            step = allpts[second] - allpts[first]
            step = np.hypot(step[:, 0], step[:, 1])
        close = np.zeros(len(runs), dtype=bool)
        close[group[~(step > tol[group])]] = True
        for i, ok in zip(shaped, finite & ~close):
            fast[i] = bool(ok)
    out: list[list[np.ndarray] | ValueError] = []
    for arr, g, ok in zip(arrays, groups, fast):
        if ok:
            out.append(arr)
            continue
        try:
            out.append(
                [check_curve_points(p, cl, merge_duplicates, n) for (p, cl), n in zip(g, names)]
            )
        except ValueError as exc:
            out.append(exc)
    return out


class CurveBatch:
    """Interpolating centripetal Catmull-Rom curves fitted together.

    Args:
        parts: sequence of ((K_i, 2) float control points, closed flag).
        merge_duplicates: merge coincident neighbouring points instead of raising.
        names: names for error messages (default ``curve0``, ``curve1``, ...).

    Attributes:
        points: per curve, its (K_i, 2) float64 control points (coincident ones merged).
        all_points: (sum K_i, 2) float64, ``points`` concatenated.
        closed: per curve, whether it is closed.
        coeffs: (S, 4, 2) float64 cubic coefficients of every curve's segments, curve by curve
            (see :func:`curves.spline.hermite_from_neighbours`).
    """

    def __init__(
        self,
        parts: Sequence[tuple[np.ndarray, bool]],
        merge_duplicates: bool = False,
        names: Sequence[str] | None = None,
    ) -> None:
        if not parts:
            raise ValueError("parts: no curves given")
        names = list(names) if names is not None else [f"curve{i}" for i in range(len(parts))]
        arrays = check_groups([parts], merge_duplicates, names)[0]
        if isinstance(arrays, ValueError):
            raise arrays
        self._fit(arrays, tuple(bool(cl) for _, cl in parts))

    @classmethod
    def from_checked(cls, points: Sequence[np.ndarray], closed: Sequence[bool]) -> CurveBatch:
        """A batch of curves through already validated control points (e.g. from
        :func:`check_groups`): float64 (K_i, 2) arrays, no coincident neighbours."""
        if not points:
            raise ValueError("parts: no curves given")
        batch = cls.__new__(cls)
        batch._fit(list(points), tuple(bool(cl) for cl in closed))
        return batch

    def _fit(self, arrays: list[np.ndarray], closed: tuple[bool, ...]) -> None:
        self.points = arrays
        self.closed = closed
        lay = _layout(tuple(len(a) for a in arrays), closed)
        real = np.concatenate(arrays)
        self.all_points = real
        # open curves: reflected end points, as (head, tail) pairs
        ends = 2.0 * real[lay["phantom_of"]] - real[lay["phantom_from"]]
        vertices = np.concatenate([real, ends.reshape(-1, 2)])
        self._lay = lay
        self.coeffs = hermite_stacked(vertices[lay["i"]])

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Arc-length table, TABLE_STEPS + 1 samples per segment: (cumulative lengths,
        parameters, each curve's length, each curve's start in the cumulative lengths)."""
        t = np.arange(TABLE_STEPS + 1, dtype=np.float64) / TABLE_STEPS
        basis = np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)
        xy = np.matmul(basis[None], self.coeffs)  # (S, m + 1, 2)
        steps = np.hypot(*np.moveaxis(np.diff(xy, axis=1), 2, 0))  # (S, m)
        within = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)
        seg_len = within[:, -1]
        seg_s0 = np.concatenate([[0.0], np.cumsum(seg_len)[:-1]])
        table_s = (seg_s0[:, None] + within).ravel()
        table_u = (np.arange(len(seg_len))[:, None] + t[None]).ravel()
        lengths = np.add.reduceat(seg_len, self._lay["seg_start"])
        return table_s, table_u, lengths, seg_s0[self._lay["seg_start"]]

    @property
    def lengths(self) -> np.ndarray:
        """(curves,) float64 arc length of every curve (closing segment included)."""
        return self._table[2]

    def resample(self, counts: Sequence[int], refine: int = 2) -> list[np.ndarray]:
        """Evenly spaced points on every curve: ``counts[i]`` points on curve ``i``.

        Same conventions as :meth:`curves.spline.Curve.resample`. Returns a list of (n_i, 2)
        float64 arrays.
        """
        counts = np.asarray(counts, dtype=np.int64)
        lay = self._lay
        closed = lay["closed"]
        if counts.shape != (len(self.points),):
            raise ValueError(f"counts: expected {len(self.points)} values, got {counts.shape}")
        need = np.where(closed, 3, 2)
        if (counts < need).any():
            bad = int(np.flatnonzero(counts < need)[0])
            raise ValueError(
                f"n: curve {bad} needs at least {need[bad]} output points, got {counts[bad]}"
            )
        table_s, table_u, lengths, curve_s0 = self._table
        steps = np.where(closed, counts, counts - 1)
        # samples per curve: the outputs plus, for closed curves, the closing point
        n_samp = steps + 1
        curve_of = np.repeat(np.arange(len(counts)), n_samp)
        first = np.concatenate([[0], np.cumsum(n_samp)[:-1]])
        k = np.arange(int(n_samp.sum())) - first[curve_of]
        frac = k / steps[curve_of]
        seg_last = lay["seg_end"][curve_of] - 1
        u = np.interp(curve_s0[curve_of] + frac * lengths[curve_of], table_s, table_u)
        u = np.clip(u, lay["seg_start"][curve_of], lay["seg_end"][curve_of])
        boundary = k == 0
        for _ in range(refine):
            xy = evaluate_segments(self.coeffs, u, seg_last)
            step = np.zeros(len(u))
            step[1:] = np.hypot(*np.diff(xy, axis=0).T)
            step[boundary] = 0.0
            chord = np.cumsum(step)
            c0 = chord[first]
            total = chord[first + n_samp - 1] - c0
            # per-curve interpolation on a global monotone table (ties at curve boundaries)
            u = np.interp(c0[curve_of] + frac * total[curve_of], chord, u)
            u = np.clip(u, lay["seg_start"][curve_of], lay["seg_end"][curve_of])
        xy = evaluate_segments(self.coeffs, u, seg_last)
        out = []
        for c, pts in enumerate(self.points):
            block = xy[first[c] : first[c] + counts[c]].copy()
            block[0] = pts[0]
            if not closed[c]:
                block[-1] = pts[-1]
            out.append(block)
        return out
