"""The bundled models' output convention: where the 300-W annotators put their points.

Every bundled network is trained with mirrored copies of its faces (and the eye and brow
refiners see left parts mirrored into right-side crops), so a network cannot learn anything
that changes sign under mirroring. The 300-W human points have such a thing: they sit about
1 px towards the subject's left, along the face's horizontal axis, of the mirror-consistent
place. Evidence on the 273 held-out faces (``python -m eval.chirality``; signed errors along
the face's axis, predicted - human):

- MediaPipe's raw mesh is mirror-consistent (its midline vertices move -0.03 px between a face
  and its mirror image, mirrored back), but its 68 points through our slot map, which is fitted
  to the 300-W labels and so absorbs their convention, sit +0.16 px on the face and -2.12 px
  on its mirror image: twice the labels' offset, halfway -0.98 px.
- The sparse network (one pass, before this shift) sits -0.70 px on the face and -1.17 px on
  its mirror image: halfway -0.94 px, the same place as MediaPipe's halfway.
- Whether it is a pixel convention (constant in image pixels) or a drawing habit (constant in
  face units) these faces cannot tell: two thirds of them are the same size. The shift is
  applied in image pixels.
- A vertical offset does not change sign under mirroring, so the networks learn it: after
  refinement their mean signed error across the face's axis is +0.02 px (``python -m
  eval.refine``).

So the networks' outputs are mirror-consistent and the pipeline moves its points and contours
by :data:`LABEL_OFFSET_PX` along the face's horizontal axis, into the labels' convention, at
the very end (``DenseLandmarker(label_offset=0.0)`` keeps the mirror-consistent places). The
value is the training split's: mean signed error of the refined 68 points along the face's axis
-1.00 px with no shift, +0.00 px with 1 px, and NME68 3.92 -> 3.80 % on 500 training faces
(``python -m eval.refine --split train --limit 500 --label-offset 0`` and ``... 1``), with the
weights of that time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dense_landmarks import scheme

#: Shift (image pixels) along the face's horizontal axis, from the right eye's centre towards
#: the left eye's (the subject's sides: image right for an upright face), from the networks'
#: mirror-consistent places to the 300-W labels' convention.
LABEL_OFFSET_PX = 1.0

_RIGHT, _LEFT = scheme.POINTS["right_eye_centre"], scheme.POINTS["left_eye_centre"]


def face_axes(points106: np.ndarray) -> np.ndarray:
    """Unit horizontal axis of each face (right eye centre -> left eye centre).

    Args:
        points106: (F, 106, 2) float image pixels.
    Returns:
        (F, 2) float64 unit vectors (image x for a face whose eye centres coincide).
    """
    pts = np.asarray(points106, dtype=np.float64)
    if pts.ndim != 3 or pts.shape[1:] != (scheme.NUM_POINTS, 2):
        raise ValueError(f"points106: expected (F, 106, 2), got {pts.shape}")
    ax = pts[:, _LEFT] - pts[:, _RIGHT]
    n = np.linalg.norm(ax, axis=1, keepdims=True)
    out = np.tile([1.0, 0.0], (len(pts), 1))
    ok = n[:, 0] > 1e-9
    out[ok] = ax[ok] / n[ok]
    return out


def to_label_convention(
    points106: np.ndarray,
    controls: Sequence[dict[str, np.ndarray]],
    offset: float = LABEL_OFFSET_PX,
) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
    """Move faces' points and contour control points by ``offset`` px along each face's axis.

    Args:
        points106: (F, 106, 2) float image pixels (mirror-consistent network outputs).
        controls: per face, {part: (R, 2) control points, image pixels} (the refiner's).
        offset: image pixels (0 returns copies unchanged).
    Returns:
        (F, 106, 2) float64 points and the control dicts, moved (new arrays; inputs untouched).
    """
    pts = np.array(points106, dtype=np.float64)
    if len(controls) != len(pts):
        raise ValueError(f"controls: expected {len(pts)} dicts, got {len(controls)}")
    if offset == 0.0 or not len(pts):
        return pts, [dict(c) for c in controls]
    shift = float(offset) * face_axes(pts)
    moved = pts + shift[:, None]
    return moved, [
        {k: np.asarray(v, dtype=np.float64) + s for k, v in c.items()}
        for c, s in zip(controls, shift)
    ]
