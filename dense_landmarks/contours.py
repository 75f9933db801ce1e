"""Dense contours from the 106 points: one evenly spaced curve per facial part.

Two kinds of density:

- a layout name, ``"dense-1000"`` (the default): fixed counts per part and per arc
  (:data:`dense_landmarks.scheme.DENSE_LAYOUTS`), each arc resampled between its anatomical
  corners, so dense index i is the same anatomical place in every face and frame;
- an int N: N points shared by the parts in proportion to their lengths (counts vary from face
  to face), each part evenly spaced as a whole.

Both fit the same interpolating centripetal Catmull-Rom curve through each part's points.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from curves import resample_parts
from curves.batch import CurveBatch
from curves.spline import evaluate_segments
from dense_landmarks import scheme
from dense_landmarks.refine.constraints import constrain_contours

#: A dense layout name (e.g. ``"dense-1000"``) or a total count (length-proportional).
Density = int | str
DEFAULT_DENSITY: Density = scheme.DEFAULT_DENSE_LAYOUT
MIN_POINTS_PER_PART = 8
_GRID = 32  # samples per segment in each level of the corner search
_TABLE = 32  # arc-length table steps per segment (layouts)


def check_density(density: object) -> Density:
    """A known layout name, or an int >= 9 * :data:`MIN_POINTS_PER_PART`; ValueError otherwise."""
    if isinstance(density, str):
        if density not in scheme.DENSE_LAYOUTS:
            raise ValueError(
                f"density: unknown layout {density!r}; known: {', '.join(scheme.DENSE_LAYOUTS)}"
                " (or an int for length-proportional contours)"
            )
        return density
    if isinstance(density, bool) or not isinstance(density, int | np.integer):
        raise ValueError(f"density: expected a layout name or an int, got {density!r}")
    n = int(density)
    if n < MIN_POINTS_PER_PART * len(scheme.PARTS):
        raise ValueError(f"density: {n} is below {MIN_POINTS_PER_PART * len(scheme.PARTS)}")
    return n


def layout_name(density: Density) -> str:
    """The name recorded in :class:`~dense_landmarks.face.Face` (``"dense-1000"`` or
    ``"proportional"`` for an int density)."""
    return density if isinstance(density, str) else "proportional"


def dense_contours(
    points106: np.ndarray,
    density: Density = DEFAULT_DENSITY,
    minimum: int = MIN_POINTS_PER_PART,
    control: Mapping[str, np.ndarray] | None = None,
    constrain: bool = True,
) -> dict[str, np.ndarray]:
    """Dense contour points of every part of a face.

    Args:
        points106: (106, 2) float JD-106 points, pixels.
        density: a layout name (``"dense-1000"``: fixed per-part counts) or an int total shared
            by part length (>= ``minimum`` * 9).
        minimum: smallest count per part (int densities only).
        control: optional {part: (R, 2) control points, pixels} that replace those parts'
            points as their curves' control points (e.g. the refined control points of
            :meth:`dense_landmarks.refine.Refiner.refine`): for a closed part a ring starting
            at its first point, for an open part a polyline from its first point to its last.
            With a layout, the part's anatomical corners are taken from ``points106`` (their
            nearest places on the curve).
        constrain: enforce the shape constraints on the resampled points (simple closed parts,
            lower lids and brow edges below upper ones, inner lips inside outer lips, no
            spikes: :func:`dense_landmarks.refine.constraints.constrain_contours`); off only
            to measure them.
    Returns:
        part name -> (n, 2) float64, pixels, in :data:`scheme.PART_NAMES` order. Closed parts
        start at their first scheme point and do not repeat it. Layout: counts as
        :data:`scheme.DENSE_LAYOUT`; int: counts add up to ``density``.
    Raises:
        ValueError: bad shapes or density, or a degenerate part (e.g. all points on one line).
    """
    pts = scheme.check_points(points106, name="points106")
    density = check_density(density)
    parts = {name: (pts[list(p.indices)], p.closed) for name, p in scheme.PARTS.items()}
    for name, ctrl in (control or {}).items():
        if name not in parts:
            raise ValueError(f"control: {name!r} is not a part of the scheme")
        parts[name] = (np.asarray(ctrl, dtype=np.float64), parts[name][1])
    if isinstance(density, str):
        out = _layout_contours(parts, pts, scheme.DENSE_LAYOUTS[density])
    else:
        out = resample_parts(parts, total=int(density), minimum=minimum, merge_duplicates=True)
    return constrain_contours(out, pts) if constrain else out


def _layout_contours(
    parts: dict[str, tuple[np.ndarray, bool]],
    pts: np.ndarray,
    layout: Mapping[str, scheme.DensePart],
) -> dict[str, np.ndarray]:
    """Every part in a fixed layout, all curves in one vectorised pass: each arc evenly by arc
    length from its start corner towards its end corner."""
    names = list(parts)
    batch = CurveBatch(list(parts.values()), merge_duplicates=True, names=names)
    nseg = np.array([len(p) if cl else len(p) - 1 for p, cl in zip(batch.points, batch.closed)])
    seg0 = np.concatenate([[0], np.cumsum(nseg)[:-1]])
    # arc-length table over all segments of all curves: global parameter u = segment + t
    t = np.arange(_TABLE + 1) / _TABLE
    basis = np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)
    xy = np.matmul(basis[None], batch.coeffs)  # (segments, _TABLE + 1, 2)
    steps = np.hypot(*np.moveaxis(np.diff(xy, axis=1), 2, 0))
    within = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)
    seg_s0 = np.concatenate([[0.0], np.cumsum(within[:, -1])[:-1]])
    table_s = (seg_s0[:, None] + within).ravel()
    table_u = (np.arange(len(steps))[:, None] + t[None]).ravel()
    curve_s0 = np.append(seg_s0, table_s[-1])[seg0]
    total = np.append(seg_s0, table_s[-1])[seg0 + nseg] - curve_s0
    # every part's corners placed on its curve in one vectorised search
    corner_idx, corner_curve = [], []
    for c, name in enumerate(names):
        part = layout[name]
        corners = [a.start for a in part.arcs] + ([] if part.closed else [part.arcs[-1].end])
        corner_idx += corners
        corner_curve += [c] * len(corners)
    cc = np.array(corner_curve)
    u_all = seg0[cc] + _params_of(batch, cc, seg0[cc], nseg[cc], pts[corner_idx], xy)
    s_all = np.interp(u_all, table_u, table_s) - curve_s0[cc]  # corners' arc length
    cstart = np.searchsorted(cc, np.arange(len(names)))
    targets, lo, hi = [], [], []
    for c, name in enumerate(names):
        part = layout[name]
        ncorner = len(part.arcs) + (0 if part.closed else 1)
        s = s_all[cstart[c] : cstart[c] + ncorner]
        along = []
        for i, arc in enumerate(part.arcs):
            nxt = s[(i + 1) % len(s)]
            span = (nxt - s[i]) % total[c] if part.closed else nxt - s[i]
            if part.closed and len(part.arcs) == 1:
                span = total[c]
            if not span > 0:
                raise ValueError(f"{name}: corners {arc.start} and {arc.end} coincide")
            along.append(s[i] + span * _arange(arc.count) / arc.count)
        if not part.closed:
            along.append(s[-1:])
        a = np.concatenate(along)
        targets.append(curve_s0[c] + (a % total[c] if part.closed else a))
        lo.append(np.full(len(a), seg0[c]))
        hi.append(np.full(len(a), seg0[c] + nseg[c]))
    lo_a, hi_a = np.concatenate(lo), np.concatenate(hi)
    u = np.clip(np.interp(np.concatenate(targets), table_s, table_u), lo_a, hi_a)
    out = evaluate_segments(batch.coeffs, u, hi_a - 1)
    bounds = np.cumsum([0, *(layout[n].count for n in names)])
    return {n: out[bounds[i] : bounds[i + 1]] for i, n in enumerate(names)}


@lru_cache(maxsize=64)
def _arange(count: int) -> np.ndarray:
    """(count,) ``arange(count)`` (read-only, cached)."""
    out = np.arange(count)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def _coarse_grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The corner search's first grid on an ``n``-segment curve: (parameters (n * _GRID + 1,),
    their rows in a (segments, _GRID + 1) table of the curve's samples at t = k / _GRID, counted
    from the curve's first segment) (read-only, cached)."""
    u = np.linspace(0.0, n, n * _GRID + 1)
    rows = np.append(
        (np.arange(n)[:, None] * (_GRID + 1) + np.arange(_GRID)).ravel(), n * (_GRID + 1) - 1
    )
    for a in (u, rows):
        a.flags.writeable = False
    return u, rows


def _params_of(
    batch: CurveBatch,
    curve: np.ndarray,
    first: np.ndarray,
    n: np.ndarray,
    p: np.ndarray,
    table: np.ndarray,
) -> np.ndarray:
    """Parameters (0..n[j]) on curves ``curve[j]`` (segments ``first[j]``..``first[j] + n[j]``)
    of their nearest places to points ``p[j]`` (K, 2), all at once: a knot when ``p[j]`` is
    one, else a three-level grid search (a coarse grid, then two finer grids around the best
    sample; the first best sample wins ties). ``table``: (segments, _GRID + 1, 2) the batch's
    segments sampled at t = k / _GRID (the first grid's points)."""
    out = np.zeros(len(curve))
    todo = []
    for j, c in enumerate(curve):
        d = np.hypot(*(batch.points[c] - p[j]).T)
        k = int(np.argmin(d))
        if d[k] <= 1e-9 * max(1.0, float(np.abs(p[j]).max())):
            out[j] = float(k)
        else:
            todo.append(j)
    if not todo:
        return out
    idx = np.array(todo)
    grids = [_coarse_grid(int(n[j])) for j in todo]
    sizes = np.array([len(g) for g, _ in grids])
    gid = np.repeat(np.arange(len(idx)), sizes)
    u = np.concatenate([g for g, _ in grids])
    rows = np.concatenate([r + (_GRID + 1) * first[j] for (_, r), j in zip(grids, todo)])
    xy = table.reshape(-1, 2)[rows]
    d = np.hypot(*(xy - p[idx][gid]).T)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    hit = np.flatnonzero(d == np.minimum.reduceat(d, starts)[gid])
    best = u[hit[np.searchsorted(gid[hit], np.arange(len(idx)))]]
    step = 1.0 / _GRID
    f, last, nn, pp = first[idx], (first + n - 1)[idx], n[idx], p[idx]
    for _ in range(2):
        g = np.clip(np.linspace(best - step, best + step, 2 * _GRID + 1, axis=1), 0.0, nn[:, None])
        xy = evaluate_segments(
            batch.coeffs, (f[:, None] + g).ravel(), np.repeat(last, g.shape[1])
        ).reshape(*g.shape, 2)
        d = np.hypot(xy[..., 0] - pp[:, None, 0], xy[..., 1] - pp[:, None, 1])
        best = g[np.arange(len(idx)), np.argmin(d, axis=1)]
        step /= _GRID
    out[idx] = best
    return out
