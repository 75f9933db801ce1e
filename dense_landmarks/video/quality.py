"""Tracking-loss criterion: is a face re-cropped from its previous points still a face?

Until the landmarker reports its own quality score (``Face.quality``), the tracker uses this:
the new points' box must overlap the previous one (a face moves little between frames) and
its stable points (eye corners, nose) must fit the mean face up to a similarity (a lost track's
points lose that shape). Switch the criterion in one place: :func:`tracking_quality`.
"""

from __future__ import annotations

import numpy as np

from dense_landmarks.crop import landmark_box
from dense_landmarks.video.align import STABLE_INDICES, STABLE_REFERENCE, apply, fit_similarity

#: Residual of the stable points after the similarity fit (reference units, i.e. fractions of
#: the outer-eye-corner distance) at which the shape score reaches 0.
SHAPE_TOLERANCE = 0.35


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two ``[x0, y0, x1, y1]`` boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0.0) * max(h, 0.0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def shape_score(points106: np.ndarray) -> float:
    """1 when the stable points fit the mean face exactly, 0 at :data:`SHAPE_TOLERANCE`."""
    pts = np.asarray(points106, dtype=np.float64)[list(STABLE_INDICES)]
    if not np.isfinite(pts).all():
        return 0.0
    back = fit_similarity(pts, STABLE_REFERENCE)
    rms = float(np.sqrt(((apply(back, pts) - STABLE_REFERENCE) ** 2).sum(-1).mean()))
    return float(np.clip(1.0 - rms / SHAPE_TOLERANCE, 0.0, 1.0))


def tracking_quality(previous106: np.ndarray, current106: np.ndarray) -> float:
    """Quality in [0, 1] of a face tracked from ``previous106`` to ``current106`` ((106, 2)
    image pixels each): the smaller of the two boxes' IoU and :func:`shape_score`."""
    cur = np.asarray(current106, dtype=np.float64)
    if not np.isfinite(cur).all():
        return 0.0
    iou = box_iou(landmark_box(previous106), landmark_box(cur))
    return min(iou, shape_score(cur))
