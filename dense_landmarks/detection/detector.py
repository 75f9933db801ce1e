"""Face detection with BlazeFace: any face size, multi-face, any in-plane rotation, huge images.

The bundled full-range BlazeFace (192 x 192 input) first sees the whole image letterboxed.
Unless every face that finds is large (at least ``PORTRAIT_FACE`` of the image's longer side: a
portrait, or a close group), an automatic pyramid of overlapping square tiles follows, sized from the image so that the
smallest face asked for (``min_face``) reaches the network at a size it finds; the tiles run in
one batch, and the detections of every level go through one weighted NMS (a detection cut by
a tile's inner border is dropped first: the overlapping neighbour tile holds that face whole).
Low-contrast photos are stretched before detection. When nothing is found upright with
confidence, or the faces found lie on their side, the detector also tries the image turned by
quarter turns, and each face keeps its best orientation. Each detection carries its six
keypoints (subject's right eye, left eye, nose tip, mouth, right ear, left ear) and the
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
from dense_landmarks.detection.prepare import prepare_image
from dense_landmarks.models.configs import pretrained_cfg
from dense_landmarks.runtime import make_runner
from dense_landmarks.threads import holds_opencv_threads

KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth", "right_ear", "left_ear")
#: detection -> landmark-crop calibration, one entry per model
CALIBRATION = Path(__file__).with_name("calibration.json")
#: detector name -> bundled weights
MODELS = {"full": "blazeface_full", "short": "blazeface_short"}
#: the smallest face (box side, pixels of the network input) each model finds reliably
MIN_INPUT_FACE = {"full": 12.0, "short": 24.0}
#: default smallest face to find: this fraction of the image's longer side, but not below
#: ``MIN_FACE_PX`` pixels
MIN_FACE_FRACTION = 0.03
MIN_FACE_PX = 24.0
#: when every face of the whole-image pass is at least this fraction of the image's longer side
#: (a portrait, a close group), the tiles (small faces) are skipped: on the AFW photos this
#: skips them on 77 of 185 photos (21 of them with several faces) and misses no face that the
#: tiles find (``python -m eval.detector_recall``: 325 / 316 / 314 of 337 either way)
PORTRAIT_FACE = 0.15
#: the short-range probe's score and face size (fraction of the image's longer side) that make
#: its lone face a portrait (``portrait_probe``)
PORTRAIT_SCORE = 0.8
PROBE_FACE = 0.13


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
        model: the detector model that found it (``"full"`` or ``"short"``): its box
            convention picks the calibration of :func:`landmark_crop`.
    """

    box: np.ndarray
    score: float
    keypoints: np.ndarray | None = None
    angle: float = 0.0
    centre: np.ndarray | None = None
    size: float | None = None
    model: str = "full"

    @classmethod
    def from_box(cls, box: np.ndarray, score: float = 1.0) -> Detection:
        """A box-only detection (landmark-style box ``[x0, y0, x1, y1]``)."""
        return cls(box=np.asarray(box, dtype=np.float64).reshape(4), score=float(score))


def tile_sides(h: int, w: int, min_face: float, model: str = "full") -> list[float]:
    """Square crop sides (pixels) of the automatic pyramid for an (h, w) image: the whole image,
    then tiles halving in size until a ``min_face`` face fills ``MIN_INPUT_FACE`` input pixels
    (the last level just small enough)."""
    side = float(max(h, w))
    size = float(pretrained_cfg(MODELS[model]).arch.input_size)
    needed = min_face * size / MIN_INPUT_FACE[model]  # the largest crop that still finds it
    sides = [side]
    while sides[-1] > needed * 1.05:
        sides.append(max(sides[-1] / 2.0, needed))
    return sides


def tile_grid(h: int, w: int, side: float) -> list[tuple[float, float]]:
    """Centres of ``side`` x ``side`` tiles covering an (h, w) image with at least half a tile of
    overlap, so every face up to half a tile lies wholly inside one of them."""

    def axis(n: int) -> np.ndarray:
        if n <= side:
            return np.array([(n - 1) / 2.0])
        k = int(np.ceil((n - side) / (side / 2.0))) + 1
        return np.linspace(side / 2.0 - 0.5, n - side / 2.0 - 0.5, k)

    return [(float(x), float(y)) for y in axis(h) for x in axis(w)]


class FaceDetector:
    """BlazeFace detector (full range by default) with an automatic tile pyramid.

    Args:
        backend: ``"onnx"`` (default) or ``"torch"``.
        num_threads: CPU threads.
        min_score: detection threshold on the sigmoid score.
        nms_iou: IoU above which detections are merged.
        tiles: ``None`` (default): the automatic pyramid (see :func:`tile_sides`); 1: the whole
            image only; n > 1: the whole image and an n x n grid of overlapping tiles.
        model: ``"full"`` (full-range BlazeFace, 192 px input) or ``"short"`` (128 px, faces
            within ~2 m of a selfie camera).
        min_face: the smallest face side (pixels) the automatic pyramid looks for (default:
            3 % of the image's longer side, at least 24 px).
        rotation_retry_below: when no upright detection scores this high, the image is also
            tried turned by 90, 180 and 270 degrees, and each face keeps its best orientation
            (BlazeFace finds turned faces with low scores and wrong keypoints). Upright
            detections whose eye line is closer to vertical than horizontal also trigger a try
            at that quarter turn (a turned group photo). 0 disables both.
        rotated_min_score: threshold for detections in the turned images (they are tried
            because something may be missing, and false positives there score up to ~0.7).
        prepare: stretch low-contrast images before detection
            (:func:`dense_landmarks.detection.prepare.prepare_image`).
        portrait_probe: with the full-range model, first run the (cheaper) short-range model on
            the whole image: when it finds one confident, upright face of at least
            ``PROBE_FACE`` of the image (a portrait, a webcam frame), that is the answer and the
            full-range model and its tiles are skipped. Off by default: on the AFW group photos
            it cost 6 of 337 faces (a large face found, smaller ones behind it never looked
            for); for video of one person it saves the full-range pass.
    """

    def __init__(
        self,
        backend: str = "onnx",
        num_threads: int = 1,
        min_score: float = 0.5,
        nms_iou: float = 0.3,
        tiles: int | None = None,
        model: str = "full",
        min_face: float | None = None,
        rotation_retry_below: float = 0.8,
        rotated_min_score: float = 0.75,
        prepare: bool = True,
        portrait_probe: bool = False,
    ):
        if model not in MODELS:
            raise ValueError(f"model: expected one of {sorted(MODELS)}, got {model!r}")
        if tiles is not None and (int(tiles) != tiles or tiles < 1):
            raise ValueError(f"tiles: expected None (automatic) or an integer >= 1, got {tiles!r}")
        if min_face is not None and not min_face > 0:
            raise ValueError(f"min_face: expected a positive size in pixels, got {min_face!r}")
        self._run = make_runner(MODELS[model], backend, num_threads)
        self.size = self._run.meta.input_size
        cfg = self._run.meta.config
        self.anchors = ssd_anchors(
            self.size, tuple(cfg["strides"]), per_layer=int(cfg.get("anchors_per_cell", 2))
        )
        self.model, self.num_threads = model, num_threads
        self.min_score, self.nms_iou, self.tiles = min_score, nms_iou, tiles
        self.min_face, self.prepare = min_face, prepare
        self.rotation_retry_below = rotation_retry_below
        self.rotated_min_score = rotated_min_score
        self._probe = (
            FaceDetector(backend, num_threads, min_score, nms_iou, 1, "short", prepare=False)
            if portrait_probe and model == "full"
            else None
        )

    def crop_sides(self, h: int, w: int) -> list[float]:
        """The crop sides (pixels) used on an (h, w) image, whole image first."""
        if self.tiles is None:
            min_face = self.min_face or max(MIN_FACE_PX, MIN_FACE_FRACTION * max(h, w))
            return tile_sides(h, w, min_face, self.model)
        if self.tiles == 1:
            return [float(max(h, w))]
        return [float(max(h, w)), 1.6 * max(h, w) / self.tiles]

    def _levels(self, h: int, w: int, angle: float) -> list[list[CropSpec]]:
        """The crops of each pyramid level (the whole image, then tiles), turned by ``angle``."""
        sides = self.crop_sides(h, w)
        levels = [[CropSpec((w - 1) / 2, (h - 1) / 2, sides[0], angle)]]
        for side in sides[1:]:
            levels.append([CropSpec(cx, cy, side, angle) for cx, cy in tile_grid(h, w, side)])
        return levels

    def _candidates(self, image: np.ndarray, specs: list[CropSpec]) -> list[Candidates]:
        """Raw detections of each crop in ``specs`` (one batched forward pass), in image pixels:
        rotated box corners (N, 4, 2), keypoints (N, 6, 2), scores (N,). Crops smaller than the
        image are tiles: their faces cut by an inner tile border are dropped."""
        h, w = image.shape[:2]
        if not specs:
            return []
        mats = [sp.matrix(self.size) for sp in specs]
        regs, logits = self._run(np.stack([warp(image, m, self.size) for m in mats]))
        scale = self.size - 1
        unit = np.array([[0, 1], [2, 1], [2, 3], [0, 3]])  # box corner -> (x, y) of x0 y0 x1 y1
        out = []
        for r, c, sp, m in zip(regs, logits, specs, mats):
            b, k, sc = decode(r, c, self.anchors, self.size, self.min_score)
            if sp.side < max(h, w) and len(sc):
                keep = ~_cut_by_tile(b, sp, (h, w))
                b, k, sc = b[keep], k[keep], sc[keep]
            if not len(sc):
                out.append(_no_candidates())
                continue
            # crop units -> crop pixels -> image (corners of the rotated box)
            corners = from_crop((b[:, unit] * scale).reshape(-1, 2), m).reshape(-1, 4, 2)
            kps = from_crop((k * scale).reshape(-1, 2), m).reshape(-1, 6, 2)
            out.append((corners, kps, sc.astype(np.float64)))
        return out

    def _merge(self, cands: Candidates) -> list[Detection]:
        """One weighted NMS over candidates from every crop of one orientation."""
        corners, kps_arr, scores_arr = cands
        if not len(scores_arr):
            return []
        # NMS on the rotated boxes' centres and sides, as upright squares
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
                    model=self.model,
                )
            )
        return _suppress_nested(out)

    def _detect(
        self, image: np.ndarray, angle: float, done: list[Candidates] | None = None
    ) -> list[Detection]:
        """Faces in one orientation. ``done``: candidates of the first levels, already run.
        The tiles are skipped when every face the whole image shows is large (a portrait or a
        close group: ``PORTRAIT_FACE``)."""
        h, w = image.shape[:2]
        levels = self._levels(h, w, angle)
        cands = list(done or [_concat(self._candidates(image, levels[0]))])
        if len(cands) == 1:
            first = self._merge(cands[0])
            large = [d.size >= PORTRAIT_FACE * max(h, w) for d in first]
            if len(levels) == 1 or (large and all(large)):
                return first
        rest = [sp for level in levels[len(cands) :] for sp in level]
        return self._merge(_concat([*cands, *self._candidates(image, rest)]))

    @holds_opencv_threads
    def detect(self, image: np.ndarray) -> list[Detection]:
        """Faces in an (H, W, 3) uint8 RGB image, highest score first."""
        if self.prepare:
            image = prepare_image(image)
        h, w = image.shape[:2]
        if self._probe is not None:
            first = self._probe._detect(image, 0.0)
            if (
                len(first) == 1
                and first[0].score >= PORTRAIT_SCORE
                and first[0].size >= PROBE_FACE * max(h, w)
                and abs(first[0].angle) <= 30.0
            ):
                return first
        found = self._detect(image, 0.0)
        if not self.rotation_retry_below:
            return found
        turned: list[Detection] = []
        if max((d.score for d in found), default=0.0) < self.rotation_retry_below:
            # nothing confident upright: probe each quarter turn on the two coarsest levels,
            # and finish the pyramid where a face shows
            for a in (90.0, -90.0, 180.0):
                probe = [_concat(self._candidates(image, lv)) for lv in self._levels(h, w, a)[:2]]
                if any((c[2] >= self.rotated_min_score).any() for c in probe):
                    turned += self._detect(image, a, probe)
        else:  # faces on their side: the photo may be turned
            for a in sorted({_turn_for(d.angle) for d in found if abs(d.angle) > 30.0}):
                turned += self._detect(image, a)
        turned = [d for d in turned if d.score >= self.rotated_min_score]
        if not turned:
            return found
        return sorted(_best_orientation(found + turned, self.nms_iou), key=lambda d: -d.score)


Candidates = tuple[np.ndarray, np.ndarray, np.ndarray]


def _no_candidates() -> Candidates:
    return np.zeros((0, 4, 2)), np.zeros((0, 6, 2)), np.zeros(0)


def _concat(parts: list[Candidates]) -> Candidates:
    if not parts:
        return _no_candidates()
    return tuple(np.concatenate(arrs) for arrs in zip(*parts))  # type: ignore[return-value]


def _turn_for(angle: float) -> float:
    """The quarter turn (crop angle: 90, -90 or 180 degrees) that makes a face whose eye line
    lies at ``angle`` degrees (more than 30 off horizontal) upright."""
    if abs(angle) > 135.0:
        return 180.0
    return -90.0 if angle > 0 else 90.0


def _cut_by_tile(boxes: np.ndarray, spec: CropSpec, hw: tuple[int, int]) -> np.ndarray:
    """(N,) bool: boxes (N, 4) in crop units [0, 1] of a tile that cross one of the tile's borders
    lying inside the image (the neighbouring tile holds that face whole). Quarter-turned tiles
    are squares over the same region, so the test is made on the region's image borders."""
    h, w = hw
    half = spec.side / 2.0
    # tile borders inside the image, as (x0, y0, x1, y1) flags in image axes
    inner = np.array(
        [spec.cx - half > 0, spec.cy - half > 0, spec.cx + half < w - 1, spec.cy + half < h - 1]
    )
    # crop-unit box -> image-axis extent (quarter turns permute the sides)
    k = int(np.round(spec.angle / 90.0)) % 4
    x0, y0, x1, y1 = boxes.T
    sides = [x0 < 0.0, y0 < 0.0, x1 > 1.0, y1 > 1.0]  # crosses left, top, right, bottom (crop)
    # content turned clockwise by k quarters in the crop: crop side j shows image side (j - k) % 4
    cut = np.zeros(len(boxes), bool)
    for j in range(4):
        cut |= sides[j] & inner[(j - k) % 4]
    return cut


def _suppress_nested(dets: list[Detection]) -> list[Detection]:
    """Drop a detection whose centre lies inside a higher-scoring, larger detection's box (a part
    of a face seen as a face at another scale); ``dets`` highest score first."""
    keep: list[Detection] = []
    for d in dets:
        if not any(
            k.size > d.size
            and k.box[0] <= d.centre[0] <= k.box[2]
            and k.box[1] <= d.centre[1] <= k.box[3]
            for k in keep
        ):
            keep.append(d)
    return keep


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
    by its model's calibration (``calibration.json``) fitted on the 300-W training crops.
    Needs the detection's ``centre`` and ``size`` (BlazeFace convention)."""
    if det.centre is None or det.size is None:
        raise ValueError("landmark_crop: the detection has no square box (centre, size)")
    cal = calibration or load_calibration()[det.model]
    a = np.radians(det.angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    centre = det.centre + rot @ (np.asarray(cal["offset"]) * det.size)
    return CropSpec(float(centre[0]), float(centre[1]), float(cal["scale"]) * det.size, -det.angle)


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION) -> dict:
    """The detection -> landmark-crop calibrations, model name -> {offset, scale, ...} (read
    once per path)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def box_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two ``[x0, y0, x1, y1]`` boxes."""
    return float(iou(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)[None])[0])
