"""Dense contours from the 106 points: one evenly spaced curve per facial part."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from curves import resample_parts
from dense_landmarks import scheme
from dense_landmarks.refine.constraints import constrain_contours

DEFAULT_DENSITY = 1000
MIN_POINTS_PER_PART = 8


def dense_contours(
    points106: np.ndarray,
    density: int = DEFAULT_DENSITY,
    minimum: int = MIN_POINTS_PER_PART,
    control: Mapping[str, np.ndarray] | None = None,
    constrain: bool = True,
) -> dict[str, np.ndarray]:
    """Resample every part of a face to share ``density`` evenly spaced points.

    Args:
        points106: (106, 2) float JD-106 points, pixels.
        density: total contour points over all parts (>= ``minimum`` * 9).
        minimum: smallest count per part.
        control: optional {part: (R, 2) control points, pixels} that replace those parts'
            points as their curves' control points (e.g. the refined control points of
            :meth:`dense_landmarks.refine.Refiner.refine`): for a closed part a ring starting
            at its first point, for an open part a polyline from its first point to its last.
        constrain: enforce the shape constraints on the resampled points (simple closed parts,
            lower lids and brow edges below upper ones, inner lips inside outer lips, no
            spikes: :func:`dense_landmarks.refine.constraints.constrain_contours`); off only
            to measure them.
    Returns:
        part name -> (n, 2) float64, pixels, in :data:`scheme.PART_NAMES` order; counts add up
        to ``density``. Closed parts start at their first scheme point and do not repeat it.
    """
    pts = scheme.check_points(points106, name="points106")
    parts = {name: (pts[list(p.indices)], p.closed) for name, p in scheme.PARTS.items()}
    for name, ctrl in (control or {}).items():
        if name not in parts:
            raise ValueError(f"control: {name!r} is not a part of the scheme")
        parts[name] = (np.asarray(ctrl, dtype=np.float64), parts[name][1])
    out = resample_parts(parts, total=int(density), minimum=minimum, merge_duplicates=True)
    return constrain_contours(out, pts) if constrain else out
