"""Sparse 106-point landmarks and head pose for given face boxes (the first stage).

Two passes: the first crops each face box as it is (any in-plane rotation), the second
re-crops the face upright from the first pass's eye line and landmark box, which is the
framing the network sees most in training. Both passes batch all faces of an image.

Backends: ``"onnx"`` (default; onnxruntime on the bundled ``.onnx`` file, no torch import) or
``"torch"`` (eager PyTorch on the bundled weights). They agree to well under 0.05 px.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.crop import BOX_SCALE, CropSpec, box_crop, from_crop, landmark_box, warp
from dense_landmarks.pose import head_pose, pose_degrees
from dense_landmarks.threads import holds_opencv_threads

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
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


class _OnnxRunner:
    def __init__(self, path: Path, num_threads: int, arena: bool = True):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.enable_cpu_mem_arena = arena
        so.intra_op_num_threads = num_threads
        so.inter_op_num_threads = 1
        # idle workers sleep instead of spinning: with one pool per model (detector, landmarks,
        # refiners), spinning pools took the cores from each other (2 threads ran 2.4x slower
        # than 1 on 2 cores)
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(self.session.run(None, {"crops": crops}))


class _TorchRunner:
    def __init__(self, name: str, num_threads: int):
        import torch

        from dense_landmarks.models import create_model
        from dense_landmarks.models.export import InferenceWrapper

        torch.set_num_threads(num_threads)
        self.torch = torch
        model = create_model(name, pretrained=True)
        self.model = InferenceWrapper(model) if hasattr(model, "normalise") else model

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with self.torch.inference_mode():
            outs = self.model(self.torch.from_numpy(crops))
        outs = (outs,) if isinstance(outs, self.torch.Tensor) else outs
        return tuple(o.numpy() for o in outs)


def make_runner(name: str, backend: str, num_threads: int, meta: dict, arena: bool = True):
    """A callable (B, S, S, 3) uint8 -> model outputs (numpy) for a bundled model.

    ``arena=False`` turns off onnxruntime's CPU memory arena: for the refiners' small, varying
    batches plain allocation measured slightly faster in alternating runs.
    """
    if backend == "onnx":
        path = _checked_onnx(WEIGHTS_DIR / f"{name}.onnx", meta)
        return _OnnxRunner(path, num_threads, arena)
    if backend == "torch":
        return _TorchRunner(name, num_threads)
    raise ValueError(f"backend: expected 'onnx' or 'torch', got {backend!r}")


class SparseLandmarker:
    """106 points and pose for face boxes.

    Args:
        model: registry name of the bundled model.
        backend: ``"onnx"`` or ``"torch"``.
        num_threads: CPU threads for inference.
        passes: 1 (box crop only) or 2 (then an upright re-crop).
        pose: ``"pnp"`` (default: PnP of the predicted points against the canonical 3D face,
            as the training labels were made) or ``"network"`` (the auxiliary pose branch).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        backend: str = "onnx",
        num_threads: int = 1,
        passes: int = 2,
        pose: str = "pnp",
    ):
        meta_path = WEIGHTS_DIR / f"{model}.json"
        if not meta_path.exists():
            raise FileNotFoundError(f"no bundled model {model!r} ({meta_path} missing)")
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if self.meta.get("scheme") != scheme.SCHEME_VERSION:
            raise ValueError(
                f"{meta_path}: scheme {self.meta.get('scheme')!r} is not {scheme.SCHEME_VERSION!r}"
            )
        self.input_size = int(self.meta["input_size"])
        if passes not in (1, 2):
            raise ValueError(f"passes: expected 1 or 2, got {passes}")
        self.passes = passes
        if pose not in ("pnp", "network"):
            raise ValueError(f"pose: expected 'pnp' or 'network', got {pose!r}")
        self.pose = pose
        self._run = make_runner(model, backend, num_threads, self.meta)
        self.num_threads = num_threads
        self.backend = backend

    def _infer(self, image: np.ndarray, specs: list[CropSpec]) -> tuple[np.ndarray, np.ndarray]:
        s = self.input_size
        mats = [sp.matrix(s) for sp in specs]
        crops = np.stack([warp(image, m, s) for m in mats])
        pts, pose_raw = self._run(crops)

        out = np.stack([from_crop(p * (s - 1), m) for p, m in zip(pts, mats)])
        pose = pose_degrees(pose_raw)
        # the network's roll is relative to its crop: add the crop's own rotation back
        pose[:, 2] = (pose[:, 2] - np.array([sp.angle for sp in specs]) + 180.0) % 360.0 - 180.0
        return out, pose

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
        self, image: np.ndarray, specs: list[CropSpec]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`predict`, from first-pass crops (e.g. a detector's upright crops)."""
        if len(specs) == 0:
            return np.zeros((0, 106, 2)), np.zeros((0, 3))
        pts, pose = self._infer(image, list(specs))
        if self.passes == 2:
            pts, pose = self._infer(image, [upright_crop(p) for p in pts])
        if self.pose == "pnp":
            pose = np.stack([head_pose(p, None, image.shape[:2]) for p in pts])
        return pts, pose


def _checked_onnx(path: Path, meta: dict) -> Path:
    import hashlib

    if not path.exists():
        raise FileNotFoundError(f"{path}: bundled ONNX model missing")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != meta.get("onnx_sha256"):
        raise ValueError(f"{path}: sha256 {digest[:12]}... does not match its metadata")
    return path
