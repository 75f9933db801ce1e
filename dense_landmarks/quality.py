"""Per-face landmark quality: a score in [0, 1] that the 106 points sit on a real face.

A pure function of what the pipeline already has -- the final 106 points, the first-pass crop
they were found from (detector or given box) and, when available, the points of a check pass
(the landmark network run again on the crop the final points define). Four cues, each
measured in units of the face's own size:

- ``scale``: |log| of the landmark box's side over the side the first crop expects
  (``crop.side / BOX_SCALE``) -- a face collapsed onto the mouth, or a "face" inside a T-shirt
  print, spans far less than its crop;
- ``offset``: distance of the landmark box's centre from the crop's centre;
- ``shape``: RMS residual of the best affine camera projection of the canonical 3D face
  (:func:`dense_landmarks.pose.face3d`) onto the points -- implausible shapes fit badly;
- ``drift``: RMS distance between the final points and the check pass's (a real face is a fixed
  point of the re-crop; on a non-face the network wanders).

The score is a logistic function of these cues with weights fitted on the 300-W training split
(positives: faces whose points land within 10 % of the inter-ocular distance, negatives:
jittered and wrong boxes that land off the face, and non-face crops) by
``python -m eval.quality --fit``, stored in ``quality.json`` beside this file; its ROC on the
validation split and the chosen threshold are in the model card.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from dense_landmarks.crop import BOX_SCALE, CropSpec, landmark_box

PARAMS = Path(__file__).with_name("quality.json")
FEATURES = ("scale", "offset", "shape", "drift")
#: the default ``min_quality`` of the pipeline (chosen on the validation ROC and the AFW recall;
#: model card)
DEFAULT_MIN_QUALITY = 0.4


@lru_cache(maxsize=1)
def _canonical_design() -> tuple[np.ndarray, np.ndarray]:
    """The affine projection's design matrix of the canonical face, (106, 4) ``[x y z 1]``,
    and its pseudo-inverse (4, 106) (read-only, computed once)."""
    from dense_landmarks.pose import face3d

    model3d = face3d()
    a = np.hstack([model3d, np.ones((len(model3d), 1))])
    pinv = np.linalg.pinv(a)
    for m in (a, pinv):
        m.flags.writeable = False
    return a, pinv


def _affine_residual(points: np.ndarray) -> float:
    """RMS residual (pixels) of the least-squares affine projection of the canonical face
    onto ``points`` (106, 2) (the pseudo-inverse solves it: the residuals of ``lstsq`` to
    2e-15 relative, a quarter of its time)."""
    a, pinv = _canonical_design()
    r = a @ (pinv @ points) - points
    return float(np.sqrt((r * r).sum(1).mean()))


def quality_features(
    points: np.ndarray, crop: CropSpec, check: np.ndarray | None = None
) -> np.ndarray:
    """(4,) cues ``scale``, ``offset``, ``shape``, ``drift`` of one face (see module docstring).

    Args:
        points: (106, 2) final points, image pixels.
        crop: the first-pass crop the face was found from.
        check: optional (106, 2) points of the check pass; without it ``drift`` is 0.
    """
    pts = np.asarray(points, dtype=np.float64)
    box = landmark_box(pts)
    size = max(float(max(box[2] - box[0], box[3] - box[1])), 1e-6)
    expected = crop.side / BOX_SCALE
    centre = (box[:2] + box[2:]) / 2
    scale = abs(np.log(size / expected))
    offset = float(np.linalg.norm(centre - [crop.cx, crop.cy])) / expected
    shape = _affine_residual(pts) / size
    drift = 0.0 if check is None else float(np.sqrt(((pts - check) ** 2).sum(1).mean())) / size
    return np.array([scale, offset, shape, drift])


@lru_cache(maxsize=4)
def load_params(path: Path = PARAMS) -> dict:
    """The fitted logistic weights (``weights`` per feature, ``bias``)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def quality_score(features: np.ndarray, params: dict | None = None) -> np.ndarray:
    """(..., 4) cues -> (...) scores in [0, 1] (logistic; higher is better)."""
    p = params or load_params()
    w = np.array([p["weights"][k] for k in FEATURES])
    z = np.asarray(features, dtype=np.float64) @ w + float(p["bias"])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def face_quality(points: np.ndarray, crop: CropSpec, check: np.ndarray | None = None) -> float:
    """Quality in [0, 1] of one face: :func:`quality_score` of :func:`quality_features`."""
    return float(quality_score(quality_features(points, crop, check)))
