"""Complete iBUG-68 human labels to the JD-106 scheme.

- Human points fill their 68 slots untouched (provenance HUMAN).
- The other jaw slots and the middle lid slots lie on centripetal Catmull-Rom splines through
  the human points of the same contour, half-way by arc length (provenance SPLINE).
- Slots with no human evidence (lower brow edges, nose wings, eye centres, pupils) come from
  the MediaPipe Face Mesh teacher through the barycentric slot map, aligned part by part with a
  similarity transform fitted to nearby *human* points, so the teacher never moves a human
  point (provenance TEACHER). Without a usable teacher, the canonical mesh stands in with
  provenance MISSING (weight 0): the slot has a plausible position but teaches nothing.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from curves import fit_curve
from dense_landmarks import scheme
from training.align import apply_transform, similarity_transform
from training.sample import Provenance

#: Slots filled on a spline: slot -> (contour slots the spline runs through, the two
#: neighbouring human slots it lies between). Contours are closed unless they are the jaw.
_EYE_R = (66, 67, 69, 70, 71, 73)
_EYE_L = (75, 76, 78, 79, 80, 82)
SPLINE_SLOTS: MappingProxyType[int, tuple[tuple[int, ...], int, int]] = MappingProxyType(
    {
        **{2 * j + 1: (tuple(range(0, 33, 2)), 2 * j, 2 * j + 2) for j in range(16)},
        68: (_EYE_R, 67, 69),
        72: (_EYE_R, 71, 73),
        77: (_EYE_L, 76, 78),
        81: (_EYE_L, 80, 82),
    }
)

#: Teacher groups: slots taken from the teacher -> human anchor slots for the local alignment.
TEACHER_GROUPS: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((38, 39, 40, 41), (33, 34, 35, 36, 37, 66, 70)),
    ((47, 48, 49, 50), (42, 43, 44, 45, 46, 75, 79)),
    ((55, 56, 57, 63, 64, 65), (51, 52, 53, 54, 58, 59, 60, 61, 62)),
    ((74, 104), _EYE_R),
    ((83, 105), _EYE_L),
)

#: Teacher alignment residual (mean over anchors, fraction of eye distance) above which the
#: teacher is treated as wrong for that group (another face, a failed fit).
MAX_TEACHER_RESIDUAL = 0.08


def _spline_fill(points: np.ndarray) -> None:
    by_contour: dict[tuple[int, ...], list[int]] = {}
    for slot, (contour, _, _) in SPLINE_SLOTS.items():
        by_contour.setdefault(contour, []).append(slot)
    for contour, slots in by_contour.items():
        closed = contour != tuple(range(0, 33, 2))
        curve = fit_curve(points[list(contour)], closed, merge_duplicates=False, name="contour")
        knot = {s: float(i) for i, s in enumerate(contour)}
        for slot in slots:
            _, a, b = SPLINE_SLOTS[slot]  # neighbours are consecutive in the contour's order
            ends = curve.length_at(np.array([knot[a], knot[b]]))
            points[slot] = curve.evaluate(curve.param_at_length(np.array([ends.mean()])))[0]


def complete_68(
    points68: np.ndarray,
    teacher106: np.ndarray | None,
    template106: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Complete one face.

    Args:
        points68: (68, 2) float human points (0-based pixels).
        teacher106: (106, 2) teacher points mapped to the 106 slots (pixels of the same image),
            or None when the teacher found no face.
        template106: (106, 2) canonical face in the 106 slots (any scale), the fallback.
    Returns:
        points (106, 2) float64 and provenance (106,) uint8.
    """
    p68 = scheme.check_points(points68, scheme.NUM_POINTS_68, "points68")
    pts = np.full((scheme.NUM_POINTS, 2), np.nan)
    prov = np.full(scheme.NUM_POINTS, Provenance.MISSING, dtype=np.uint8)
    pts[scheme.IBUG68_FROM_106] = p68
    prov[scheme.IBUG68_FROM_106] = Provenance.HUMAN
    _spline_fill(pts)
    prov[list(SPLINE_SLOTS)] = Provenance.SPLINE
    iod = float(np.linalg.norm(pts[66] - pts[79]))
    for slots, anchors in TEACHER_GROUPS:
        source, code = template106, Provenance.MISSING
        if teacher106 is not None and np.isfinite(teacher106[list(anchors) + list(slots)]).all():
            m = similarity_transform(teacher106[list(anchors)], pts[list(anchors)])
            res = np.linalg.norm(
                apply_transform(m, teacher106[list(anchors)]) - pts[list(anchors)], axis=1
            )
            if res.mean() <= MAX_TEACHER_RESIDUAL * iod:
                source, code = teacher106, Provenance.TEACHER
        m = similarity_transform(source[list(anchors)], pts[list(anchors)])
        pts[list(slots)] = apply_transform(m, source[list(slots)])
        prov[list(slots)] = code
    return pts, prov
