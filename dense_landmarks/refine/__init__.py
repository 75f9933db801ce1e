"""Boundary refinement of every facial part (LAB-style): part crops, boundary heatmaps, decoding.

- :mod:`~dense_landmarks.refine.parts`: which parts are refined, how they are cropped.
- :mod:`~dense_landmarks.refine.splines`: the sparse splines' arcs in crops (all jobs at once).
- :mod:`~dense_landmarks.refine.arcs`: decoded arcs back to control points, knots and rings.
- :mod:`~dense_landmarks.refine.ridge`: heatmap ridge decoding (all arcs in one call).
- :mod:`~dense_landmarks.refine.ends`: corners re-read from where the ridges end.
- :mod:`~dense_landmarks.refine.refiner`: :class:`Refiner`, the runtime step.
"""

from dense_landmarks.refine.arcs import knot_table, part_rings
from dense_landmarks.refine.parts import REFINE_PARTS, RefinePart, crop_matrix
from dense_landmarks.refine.refiner import Refiner
from dense_landmarks.refine.ridge import decode_arcs, from_heatmap, snap_to_ridge, to_heatmap
from dense_landmarks.refine.splines import ARC_SAMPLES, arc_points, initial_arcs

__all__ = [
    "ARC_SAMPLES",
    "REFINE_PARTS",
    "RefinePart",
    "Refiner",
    "arc_points",
    "crop_matrix",
    "decode_arcs",
    "from_heatmap",
    "initial_arcs",
    "knot_table",
    "part_rings",
    "snap_to_ridge",
    "to_heatmap",
]
