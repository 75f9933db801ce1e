"""Many curves at once: one vectorised fit-and-resample pass over all parts of a face.

Numerically the same method as :mod:`curves.spline` (centripetal Catmull-Rom, arc-length
placement, chord equalisation), but the segments of every curve live in one array, so a face's
nine parts cost a handful of numpy calls instead of a few hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from curves.spline import TABLE_STEPS, evaluate_segments, hermite_from_neighbours
from curves.validate import check_curve_points, coincident_tolerance


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
    return {
        "i": np.stack([np.concatenate(a) for a in (i0, i1, i2, i3)]),
        "phantom": np.asarray(phantom, dtype=np.int64).reshape(-1, 4),
        "starts": starts,
        "seg_start": seg_start.astype(np.int64),
        "seg_end": (seg_start + n_segs).astype(np.int64),  # one past each curve's last segment
        "n_segs": n_segs.astype(np.int64),
        "closed": np.asarray(closed, dtype=bool),
    }


def _check(parts: Sequence[tuple[np.ndarray, bool]], merge_duplicates: bool, names: Sequence[str]):
    """Fast path for valid input; anything suspicious goes through the per-curve checks."""
    arrays = [np.asarray(p, dtype=np.float64) for p, _ in parts]
    ok = all(
        a.ndim == 2 and a.shape[1] == 2 and len(a) >= (3 if cl else 2)
        for a, (_, cl) in zip(arrays, parts)
    )
    if ok:
        allpts = np.concatenate(arrays)
        ok = bool(np.isfinite(allpts).all())
    if ok:
        tol = coincident_tolerance(allpts)
        for a, (_, cl) in zip(arrays, parts):
            ring = np.vstack([a, a[:1]]) if cl else a
            if np.hypot(*np.diff(ring, axis=0).T).min() <= tol:
                ok = False
                break
    if ok:
        return arrays
    return [check_curve_points(p, cl, merge_duplicates, n) for (p, cl), n in zip(parts, names)]


class CurveBatch:
    """Interpolating centripetal Catmull-Rom curves fitted together.

    Args:
        parts: sequence of ((K_i, 2) float control points, closed flag).
        merge_duplicates: merge coincident neighbouring points instead of raising.
        names: names for error messages (default ``curve0``, ``curve1``, ...).
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
        arrays = _check(parts, merge_duplicates, names)
        closed = tuple(bool(cl) for _, cl in parts)
        self.points = arrays
        self.closed = closed
        lay = _layout(tuple(len(a) for a in arrays), closed)
        real = np.concatenate(arrays)
        ph = lay["phantom"]  # open curves: reflected end points, as (head, tail) pairs
        head = 2.0 * real[ph[:, 0]] - real[ph[:, 1]]
        tail = 2.0 * real[ph[:, 2]] - real[ph[:, 3]]
        vertices = np.vstack([real, np.stack([head, tail], axis=1).reshape(-1, 2)])
        self._lay = lay
        self.coeffs = hermite_from_neighbours(*(vertices[i] for i in lay["i"]))
        # arc-length table: TABLE_STEPS + 1 samples per segment
        t = np.arange(TABLE_STEPS + 1, dtype=np.float64) / TABLE_STEPS
        basis = np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)
        xy = np.matmul(basis[None], self.coeffs)  # (S, m + 1, 2)
        steps = np.hypot(*np.moveaxis(np.diff(xy, axis=1), 2, 0))  # (S, m)
        within = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)
        seg_len = within[:, -1]
        seg_s0 = np.concatenate([[0.0], np.cumsum(seg_len)[:-1]])
        self._table_s = (seg_s0[:, None] + within).ravel()
        self._table_u = (np.arange(len(seg_len))[:, None] + t[None]).ravel()
        self.lengths = np.add.reduceat(seg_len, lay["seg_start"])
        self._curve_s0 = seg_s0[lay["seg_start"]]

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
        steps = np.where(closed, counts, counts - 1)
        # samples per curve: the outputs plus, for closed curves, the closing point
        n_samp = steps + 1
        curve_of = np.repeat(np.arange(len(counts)), n_samp)
        first = np.concatenate([[0], np.cumsum(n_samp)[:-1]])
        k = np.arange(int(n_samp.sum())) - first[curve_of]
        frac = k / steps[curve_of]
        seg_last = lay["seg_end"][curve_of] - 1
        u = np.interp(
            self._curve_s0[curve_of] + frac * self.lengths[curve_of], self._table_s, self._table_u
        )
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
