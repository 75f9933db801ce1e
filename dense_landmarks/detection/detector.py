"""Face detection with BlazeFace: multi-face, any in-plane rotation, huge images.

The whole image is letterboxed into the 128 x 128 input (a similarity crop, so huge images are
area-downscaled first); optional tiles find small faces in group shots. When nothing is found
upright, the detector tries the image turned by 90, 180 and 270 degrees. Each detection carries
its six keypoints (subject's right eye, left eye, nose tip, mouth, right ear, left ear) and the
in-plane angle of its eye line, which the landmark stage uses to crop the face upright.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from dense_landmarks.crop import CropSpec, from_crop, warp
from dense_landmarks.detection.anchors import decode, iou, ssd_anchors, weighted_nms
from dense_landmarks.runtime import make_runner
from dense_landmarks.threads import holds_opencv_threads

KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth", "right_ear", "left_ear")
CALIBRATION = Path(__file__).with_name("calibration.json")


@dataclass
class Detection:
    """One face found by a detector (see :class:`dense_landmarks.stages.Detector`).

    Attributes:
        box: (4,) float64 axis-aligned ``[x0, y0, x1, y1]``, image pixels.
        score: confidence in [0, 1].
        keypoints: (6, 2) float64 pixels (see :data:`KEYPOINTS`), or None (a box-only
            detector: then ``box`` is a landmark-style face box, brows to chin).
        angle: in-plane angle (degrees, clockwise) of the eye line; 0 without keypoints.
        centre, size: centre (2,) and side of the detector's square box in the face's upright
            frame (BlazeFace convention, which :func:`landmark_crop` is calibrated for), or None.
    """

    box: np.ndarray
    score: float
    keypoints: np.ndarray | None = None
    angle: float = 0.0
    centre: np.ndarray | None = None
    size: float | None = None

    @classmethod
    def from_box(cls, box: np.ndarray, score: float = 1.0) -> Detection:
        """A box-only detection (landmark-style box ``[x0, y0, x1, y1]``)."""
        return cls(box=np.asarray(box, dtype=np.float64).reshape(4), score=float(score))


class FaceDetector:
    """BlazeFace short-range detector.

    Args:
        backend: ``"onnx"`` (default) or ``"torch"``.
        num_threads: CPU threads.
        min_score: detection threshold on the sigmoid score.
        nms_iou: IoU above which detections are merged.
        tiles: 1 = whole image only; n > 1 adds an n x n grid of overlapping tiles (small faces).
        rotation_retry_below: when no upright detection scores this high, the image is also
            tried turned by 90, 180 and 270 degrees, and each face keeps its best orientation
            (BlazeFace finds turned faces with low scores and wrong keypoints). 0 disables it.
            A turned face found upright with a mid score keeps a rough angle (off by up to ~15
            degrees); the landmark stage's second, upright pass corrects it.
        rotated_min_score: threshold for detections in the turned images (they are tried
            because something may be missing, and false positives there score up to ~0.7).
    """

    def __init__(
        self,
        backend: str = "onnx",
        num_threads: int = 1,
        min_score: float = 0.5,
        nms_iou: float = 0.3,
        tiles: int = 1,
        rotation_retry_below: float = 0.8,
        rotated_min_score: float = 0.75,
    ):
        self._run = make_runner("blazeface_short", backend, num_threads)
        self.size = self._run.meta.input_size
        self.anchors = ssd_anchors(self.size, tuple(self._run.meta.config["strides"]))
        self.num_threads = num_threads
        self.min_score, self.nms_iou, self.tiles = min_score, nms_iou, tiles
        self.rotation_retry_below = rotation_retry_below
        self.rotated_min_score = rotated_min_score

    def _specs(self, h: int, w: int, angle: float) -> list[CropSpec]:
        specs = [CropSpec((w - 1) / 2, (h - 1) / 2, float(max(h, w)), angle)]
        if self.tiles > 1:
            side = 1.6 * max(h, w) / self.tiles
            for cy in np.linspace(side / 2, max(h - side / 2, side / 2), self.tiles):
                for cx in np.linspace(side / 2, max(w - side / 2, side / 2), self.tiles):
                    specs.append(CropSpec(float(cx), float(cy), side, angle))
        return specs

    def _detect(self, image: np.ndarray, angles: tuple[float, ...]) -> list[Detection]:
        """Detections per orientation (one batched forward pass), merged within each."""
        per_angle = [self._specs(image.shape[0], image.shape[1], a) for a in angles]
        specs = [sp for group in per_angle for sp in group]
        mats = [sp.matrix(self.size) for sp in specs]
        regs, logits = self._run(np.stack([warp(image, m, self.size) for m in mats]))
        out, start = [], 0
        for group in per_angle:
            stop = start + len(group)
            out += self._merge(regs[start:stop], logits[start:stop], mats[start:stop])
            start = stop
        return out

    def _merge(
        self, regs: np.ndarray, logits: np.ndarray, mats: list[np.ndarray]
    ) -> list[Detection]:
        boxes, kps, scores = [], [], []
        for r, c, m in zip(regs, logits, mats):
            b, k, s = decode(r, c, self.anchors, self.size, self.min_score)
            # to image pixels: crop units -> crop pixels -> image (corners of the rotated box)
            scale = self.size - 1
            for bb, kk, ss in zip(b, k, s):
                corners = (
                    np.array([[bb[0], bb[1]], [bb[2], bb[1]], [bb[2], bb[3]], [bb[0], bb[3]]])
                    * scale
                )
                boxes.append(from_crop(corners, m))
                kps.append(from_crop(kk * scale, m))
                scores.append(ss)
        if not scores:
            return []
        corners = np.stack(boxes)
        kps_arr = np.stack(kps)
        scores_arr = np.asarray(scores)
        # NMS on the rotated boxes' centres and sides, expressed as upright squares
        centre = corners.mean(1)
        side = np.linalg.norm(corners[:, 1] - corners[:, 0], axis=1)
        sq = np.concatenate([centre - side[:, None] / 2, centre + side[:, None] / 2], axis=1)
        packed = np.concatenate([corners.reshape(-1, 8), kps_arr.reshape(-1, 12)], axis=1)
        _, merged, sc = weighted_nms(sq, packed.reshape(-1, 10, 2), scores_arr, self.nms_iou)
        out = []
        for pk, s in zip(merged, sc):
            cn, kp = pk[:4], pk[4:]
            eye = kp[1] - kp[0]
            out.append(
                Detection(
                    box=np.r_[cn.min(0), cn.max(0)],
                    score=float(s),
                    keypoints=kp,
                    angle=float(np.degrees(np.arctan2(eye[1], eye[0]))),
                    centre=cn.mean(0),
                    size=float(np.linalg.norm(cn[1] - cn[0])),
                )
            )
        return out

    @holds_opencv_threads
    def detect(self, image: np.ndarray) -> list[Detection]:
        """Faces in an (H, W, 3) uint8 RGB image, highest score first."""
        found = self._detect(image, (0.0,))
        if (
            self.rotation_retry_below
            and max((d.score for d in found), default=0.0) < self.rotation_retry_below
        ):
            turned = [
                d
                for d in self._detect(image, (90.0, -90.0, 180.0))
                if d.score >= self.rotated_min_score
            ]
            found = _best_orientation(found + turned, self.nms_iou)
        return sorted(found, key=lambda d: -d.score)


def _best_orientation(dets: list[Detection], threshold: float) -> list[Detection]:
    """Across orientations, one face keeps its best-scoring detection: a detection whose box
    overlaps a better one, or whose centre lies inside it, is dropped."""
    keep: list[Detection] = []
    for d in sorted(dets, key=lambda d: -d.score):
        inside = [
            k.box[0] <= d.centre[0] <= k.box[2] and k.box[1] <= d.centre[1] <= k.box[3]
            for k in keep
        ]
        if not any(inside) and all(box_overlap(d.box, k.box) <= threshold for k in keep):
            keep.append(d)
    return keep


def landmark_crop(det: Detection, calibration: dict | None = None) -> CropSpec:
    """The landmark model's crop for a detection: upright by the eye line, centred and sized
    by the calibration (``calibration.json``) fitted on the 300-W training crops. Needs the
    detection's ``centre`` and ``size`` (BlazeFace convention)."""
    if det.centre is None or det.size is None:
        raise ValueError("landmark_crop: the detection has no square box (centre, size)")
    cal = calibration or load_calibration()
    a = np.radians(det.angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    centre = det.centre + rot @ (np.asarray(cal["offset"]) * det.size)
    return CropSpec(float(centre[0]), float(centre[1]), float(cal["scale"]) * det.size, -det.angle)


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION) -> dict:
    """The detection -> landmark-crop calibration (read once per path)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def box_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two ``[x0, y0, x1, y1]`` boxes."""
    return float(iou(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)[None])[0])
