"""Sparse 106-point landmarks and head pose for given face boxes (the first stage).

Two passes: the first crops each face box as it is (any in-plane rotation), the second
re-crops the face upright from the first pass's eye line and landmark box, which is the
framing the network sees most in training. Both passes batch all faces of an image.

Backends: ``"onnx"`` (default; onnxruntime on the bundled ``.onnx`` file, no torch import) or
``"torch"`` (eager PyTorch on the bundled weights), loaded by :mod:`dense_landmarks.runtime`.
They agree to well under 0.05 px. :class:`SparseLandmarker` is the default
:class:`~dense_landmarks.stages.SparseStage`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from dense_landmarks import scheme
from dense_landmarks.crop import BOX_SCALE, CropSpec, box_crop, landmark_box, to_crop, warp
from dense_landmarks.pose import head_pose, pose_degrees
from dense_landmarks.runtime import make_runner
from dense_landmarks.threads import holds_opencv_threads

DEFAULT_MODEL = "pfld106_s"
_RIGHT_EYE = list(scheme.PARTS["right_eye"].indices)
_LEFT_EYE = list(scheme.PARTS["left_eye"].indices)


def upright_crop(points106: np.ndarray, scale: float = BOX_SCALE) -> CropSpec:
    """Crop that shows a face upright: angle from the eye line, box from its landmarks.

    Args:
        points106: (106, 2) float image pixels.
    """
    pts = np.asarray(points106, dtype=np.float64)
    d = pts[_LEFT_EYE].mean(0) - pts[_RIGHT_EYE].mean(0)
    roll = float(np.degrees(np.arctan2(d[1], d[0])))
    c = pts.mean(0)
    a = np.radians(-roll)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    up = (pts - c) @ rot.T  # points in the upright frame, around c
    box = landmark_box(up)
    centre_up = (box[:2] + box[2:]) / 2
    centre = centre_up @ rot + c  # back to the image (rot is orthonormal)
    side = scale * float(max(box[2] - box[0], box[3] - box[1]))
    return CropSpec(float(centre[0]), float(centre[1]), side, -roll)


# optional (``SparseLandmarker(final_turns=FINAL_TURNS)``): the final pass's crops turned by
# these angles too and averaged in. On 500 training faces NME68 after refinement 3.88 -> 3.84 %
# (-12/+12 as well: 3.84 %), held out 3.75 -> 3.71 % (python -m eval.refine [--final-turns]),
# but four more crops take the landmark stage from about 6 to 13 ms, which made the pipeline
# slower than issue 10 allows (python -m eval.bench_ab), so it is off by default
FINAL_TURNS = (-6.0, 6.0)


class SparseLandmarker:
    """106 points and pose for face boxes.

    Args:
        model: registry name of the bundled model.
        backend: ``"onnx"`` or ``"torch"``.
        num_threads: CPU threads for inference.
        passes: 1 (box crop only) or 2 (then an upright re-crop).
        pose: ``"pnp"`` (default: PnP of the predicted points against the canonical 3D face,
            as the training labels were made) or ``"network"`` (the auxiliary pose branch).
        flip_last: average the final pass with its mirrored crop (one more crop in the same
            batch): NME68 on held-out faces 4.93 -> 4.73 % (``python -m eval.sparse``, model
            card); the mirrored half is also the quality check of :meth:`predict_crops_checked`.
        final_turns: extra in-plane turns (degrees) of the final pass's crops, run in the same
            batch (each with its mirrored crop under ``flip_last``) and averaged with it
            (default ``()``: the final crop alone; :data:`FINAL_TURNS` is the measured option).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        backend: str = "onnx",
        num_threads: int = 1,
        passes: int = 2,
        pose: str = "pnp",
        flip_last: bool = True,
        final_turns: Sequence[float] = (),
    ):
        self.flip_last = bool(flip_last)
        self.final_turns = tuple(float(t) for t in final_turns)
        if not all(np.isfinite(self.final_turns)):
            raise ValueError(f"final_turns: expected finite degrees, got {final_turns!r}")
        if passes not in (1, 2):
            raise ValueError(f"passes: expected 1 or 2, got {passes}")
        self.passes = passes
        if pose not in ("pnp", "network"):
            raise ValueError(f"pose: expected 'pnp' or 'network', got {pose!r}")
        self.pose = pose
        self._run = make_runner(model, backend, num_threads)
        self.meta = self._run.meta.raw
        self.input_size = self._run.meta.input_size
        self.num_threads = num_threads
        self.backend = backend

    def _infer(
        self, image: np.ndarray, specs: list[CropSpec], flip_average: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        out, pose, _ = self._infer_checked(image, specs, flip_average)
        return out, pose

    def _infer_checked(
        self, image: np.ndarray, specs: list[CropSpec], flip_average: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(points, pose, mirrored): with ``flip_average`` the points are the mean of the plain
        and the mirrored crop's, and ``mirrored`` (F, 106, 2) the mirrored crop's alone."""
        s = self.input_size
        mirrored = None
        mats = [sp.matrix(s) for sp in specs]
        crops = np.stack([warp(image, m, s) for m in mats])
        invs = [cv2.invertAffineTransform(m) for m in mats]  # crop -> image, as from_crop
        if flip_average:  # the mirrored crops in the same batch
            crops = np.concatenate([crops, crops[:, :, ::-1]])
        pts, pose_raw = self._run(crops)
        pts = pts * (s - 1)  # crop pixels
        if flip_average:
            n = len(mats)
            back = pts[n:].copy()
            back[..., 0] = (s - 1) - back[..., 0]
            back = back[:, scheme.FLIP_PERMUTATION]
            mirrored = np.stack([to_crop(p, inv) for p, inv in zip(back, invs)])
            pts, pose_raw = (pts[:n] + back) / 2, pose_raw[:n]

        out = np.stack([to_crop(p, inv) for p, inv in zip(pts, invs)])
        pose = pose_degrees(pose_raw)
        # the network's roll is relative to its crop: add the crop's own rotation back
        pose[:, 2] = (pose[:, 2] - np.array([sp.angle for sp in specs]) + 180.0) % 360.0 - 180.0
        return out, pose, mirrored

    def _final(
        self, image: np.ndarray, specs: list[CropSpec], flip_average: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The final pass: ``specs`` and their :attr:`final_turns` in one batch, averaged; the
        pose and the mirrored check are the unturned crops'."""
        if not self.final_turns:
            return self._infer_checked(image, specs, flip_average)
        turned = [replace(sp, angle=sp.angle + t) for t in self.final_turns for sp in specs]
        pts, pose, mirrored = self._infer_checked(image, specs + turned, flip_average)
        n = len(specs)
        mean = pts.reshape(len(self.final_turns) + 1, n, *pts.shape[1:]).mean(axis=0)
        return mean, pose[:n], None if mirrored is None else mirrored[:n]

    @holds_opencv_threads
    def predict(
        self, image: np.ndarray, boxes: np.ndarray, angles: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Landmarks for faces in ``boxes``.

        Args:
            image: (H, W, 3) uint8 RGB.
            boxes: (F, 4) float ``[x0, y0, x1, y1]`` landmark-style face boxes, image pixels.
            angles: optional (F,) in-plane angles (degrees) that make each face upright in its
                crop (e.g. from detector keypoints); 0 when omitted.
        Returns:
            points (F, 106, 2) float64 image pixels; pose (F, 3) pitch, yaw, roll degrees.
        """
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        angles = (
            np.zeros(len(boxes))
            if angles is None
            else np.asarray(angles, dtype=np.float64).reshape(-1)
        )
        return self.predict_crops(image, [box_crop(b, a) for b, a in zip(boxes, angles)])

    @holds_opencv_threads
    def predict_crops(
        self,
        image: np.ndarray,
        specs: Sequence[CropSpec],
        passes: int | None = None,
        flip_average: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`predict`, from first-pass crops (e.g. a detector's upright crops).

        Args:
            image: (H, W, 3) uint8 RGB. specs: F crops (image pixels).
            passes: override of the constructor's ``passes`` (1: these crops only, e.g. the
                upright crops of previous points, which are already the second pass's framing).
            flip_average: True: average every pass's points with those of the mirrored crop
                (mapped back and re-labelled by :data:`dense_landmarks.scheme.FLIP_PERMUTATION`),
                run in the same batch: twice the network cost, about half the frame-to-frame
                noise the network adds (the video tracker's setting); False: no pass; None
                (default): the final pass only when the stage's ``flip_last`` is set. The pose
                stays the plain crop's.
        Returns:
            points (F, 106, 2) float64 image pixels; pose (F, 3) pitch, yaw, roll degrees.
        """
        pts, pose, _ = self._predict(image, specs, passes, flip_average, check=False)
        return pts, pose

    @holds_opencv_threads
    def predict_crops_checked(
        self, image: np.ndarray, specs: Sequence[CropSpec], passes: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`predict_crops` plus the quality check points (F, 106, 2) of
        :mod:`dense_landmarks.quality`: with ``flip_last`` the final pass's mirrored crop alone
        (no extra network call), else the network once more on the upright crops the points
        define."""
        return self._predict(image, specs, passes, None, check=True)

    def _predict(
        self,
        image: np.ndarray,
        specs: Sequence[CropSpec],
        passes: int | None,
        flip_average: bool | None,
        check: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        passes = self.passes if passes is None else passes
        if passes not in (1, 2):
            raise ValueError(f"passes: expected 1 or 2, got {passes}")
        if len(specs) == 0:
            return np.zeros((0, 106, 2)), np.zeros((0, 3)), np.zeros((0, 106, 2))
        every = bool(flip_average)
        last = every or (flip_average is None and self.flip_last)
        if passes == 1:
            pts, pose, mirrored = self._final(image, list(specs), last)
        else:
            pts, pose, mirrored = self._infer_checked(image, list(specs), every)
            pts, pose, mirrored = self._final(image, [upright_crop(p) for p in pts], last)
        if check and mirrored is None:
            mirrored, _ = self._infer(image, [upright_crop(p) for p in pts])
        if self.pose == "pnp":
            pose = np.stack([head_pose(p, None, image.shape[:2]) for p in pts])
        return pts, pose, mirrored
