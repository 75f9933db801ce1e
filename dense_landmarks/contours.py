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

from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

import numpy as np

from curves import resample_parts
from curves.arcs import ArcPlan, resample_arcs
from curves.batch import CurveBatch, check_groups
from dense_landmarks import scheme
from dense_landmarks.refine.constraints import constrain_contours

#: A dense layout name (e.g. ``"dense-1000"``) or a total count (length-proportional).
Density = int | str
DEFAULT_DENSITY: Density = scheme.DEFAULT_DENSE_LAYOUT
MIN_POINTS_PER_PART = 8
_CLOSED = tuple(p.closed for p in scheme.PARTS.values())
_PART_INDEX = {name: i for i, name in enumerate(scheme.PARTS)}


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
    if isinstance(density, str):
        out = dense_layout_faces([pts], [control], density)[0]
        if isinstance(out, ValueError):
            raise out
    else:
        parts = dict(zip(scheme.PARTS, zip(_face_parts(pts, control), _CLOSED)))
        out = resample_parts(parts, total=int(density), minimum=minimum, merge_duplicates=True)
    return constrain_contours(out, pts) if constrain else out


def dense_layout_faces(
    points106: Sequence[np.ndarray],
    controls: Sequence[Mapping[str, np.ndarray] | None],
    layout: str,
) -> list[dict[str, np.ndarray] | ValueError]:
    """Unconstrained dense contours of many faces in a fixed layout, every part of every face
    in one vectorised pass (:func:`curves.arcs.resample_arcs`): each arc evenly by arc length
    from its start corner towards its end corner.

    Args:
        points106: per face, (106, 2) float JD-106 points, pixels.
        controls: per face, {part: (R, 2) control points, pixels} or None (as
            :func:`dense_contours`' ``control``).
        layout: a layout name of :data:`scheme.DENSE_LAYOUTS` (e.g. ``"dense-1000"``).
    Returns:
        per face, exactly ``dense_contours(points106[i], layout, control=controls[i],
        constrain=False)`` (part name -> (n, 2) float64 pixels), or the ValueError that call
        raises; one face's error leaves the others as they are.
    """
    if not isinstance(check_density(layout), str):
        raise ValueError(f"layout: expected a layout name, got {layout!r}")
    plan, arcs, bounds = _plan(layout)
    items = list(zip(points106, controls))
    out: list = [None] * len(items)
    faces, groups = [], []
    for i, (p, c) in enumerate(items):
        try:
            pts = scheme.check_points(p, name="points106")
            parts = _face_parts(pts, c)
        except ValueError as exc:
            out[i] = exc
            continue
        faces.append((i, pts))
        groups.append(list(zip(parts, _CLOSED)))
    ok = []
    for (i, pts), arrs in zip(faces, check_groups(groups, True, scheme.PART_NAMES)):
        if isinstance(arrs, ValueError):
            out[i] = arrs
        else:
            ok.append((i, pts, arrs))
    if not ok:
        return out
    batch = CurveBatch.from_checked([a for *_, arrs in ok for a in arrs], _CLOSED * len(ok))
    dense, bad = resample_arcs(batch, plan, np.stack([pts for _, pts, _ in ok]))
    for (i, *_), d, b in zip(ok, dense, bad.tolist()):
        if b >= 0:
            name, arc = arcs[b]
            out[i] = ValueError(f"{name}: corners {arc.start} and {arc.end} coincide")
        else:
            out[i] = {n: d[lo:hi] for n, lo, hi in bounds}
    return out


def _face_parts(pts: np.ndarray, control: Mapping[str, np.ndarray] | None) -> list[np.ndarray]:
    """Every part's control points in scheme part order: its (K, 2) scheme points of ``pts``
    (106, 2), or its float64 ``control`` points when given."""
    rows, bounds = _part_rows()
    sparse = pts[rows]
    parts = [sparse[a:b] for a, b in pairwise(bounds)]
    for name, ctrl in (control or {}).items():
        if name not in _PART_INDEX:
            raise ValueError(f"control: {name!r} is not a part of the scheme")
        parts[_PART_INDEX[name]] = np.asarray(ctrl, dtype=np.float64)
    return parts


@lru_cache(maxsize=1)
def _part_rows() -> tuple[np.ndarray, list[int]]:
    """The parts' scheme indices, concatenated in part order (read-only), and their bounds."""
    rows = np.concatenate([p.indices for p in scheme.PARTS.values()])
    rows.flags.writeable = False
    return rows, np.cumsum([0, *(len(p.indices) for p in scheme.PARTS.values())]).tolist()


@lru_cache(maxsize=8)
def _plan(
    layout: str,
) -> tuple[ArcPlan, list[tuple[str, scheme.DenseArc]], list[tuple[str, int, int]]]:
    """The layout's parts as an :class:`~curves.arcs.ArcPlan` (scheme part order, corners as
    scheme indices), every arc as (part name, arc) in the plan's order, and every part as
    (name, first, end) of its points in a face's resampled points."""
    parts = [scheme.DENSE_LAYOUTS[layout][name] for name in scheme.PARTS]
    plan = ArcPlan(
        closed=tuple(p.closed for p in parts),
        corners=tuple(
            tuple(a.start for a in p.arcs) + (() if p.closed else (p.arcs[-1].end,)) for p in parts
        ),
        counts=tuple(tuple(a.count for a in p.arcs) for p in parts),
    )
    if plan.closed != _CLOSED:
        raise ValueError(f"{layout}: a part closed in the scheme is open in the layout or back")
    ends = np.cumsum([0, *plan.sizes]).tolist()
    bounds = [(p.name, lo, hi) for p, lo, hi in zip(parts, ends[:-1], ends[1:])]
    return plan, [(p.name, a) for p in parts for a in p.arcs], bounds
