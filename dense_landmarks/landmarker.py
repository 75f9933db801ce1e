"""``DenseLandmarker``: detector -> sparse 106 points and pose -> dense contours, per image.

    import dense_landmarks as dl
    lm = dl.DenseLandmarker()                      # bundled weights, CPU, no downloads
    faces = lm.detect(image_rgb)                   # list[dl.Face], largest first
    faces = lm.detect(image_rgb, boxes=[[x0, y0, x1, y1]])   # skip detection
    faces = lm.detect(image_rgb, density=2000)     # contour points per face

Images are (H, W, 3) uint8 RGB (gray, RGBA and 16-bit arrays are converted); all coordinates are
pixels of the input image.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from dense_landmarks.contours import DEFAULT_DENSITY, dense_contours
from dense_landmarks.crop import CropSpec, box_crop
from dense_landmarks.face import Face
from dense_landmarks.imageio import to_rgb8
from dense_landmarks.quality import DEFAULT_MIN_QUALITY, face_quality
from dense_landmarks.sparse import upright_crop
from dense_landmarks.threads import holds_opencv_threads

#: A user detector: image -> (F, 4) boxes, or (boxes, scores).
DetectorFn = Callable[[np.ndarray], "np.ndarray | tuple[np.ndarray, np.ndarray]"]


class DenseLandmarker:
    """Dense facial landmarks for every face in an image.

    Args:
        backend: ``"onnx"`` (default, onnxruntime) or ``"torch"``; both run the bundled weights.
        num_threads: CPU threads for each model and for OpenCV while a call runs
            (:mod:`dense_landmarks.threads`).
        detector: ``"blazeface"`` (bundled), or a callable ``image -> boxes`` (F, 4) or
            ``(boxes, scores)``; its boxes are used like ``boxes=`` (landmark-style face boxes).
        density: default contour points per face.
        min_score: detection threshold (bundled detector).
        tiles: detector tiling (None: automatic from the image size; 1: whole image only;
            n > 1: also an n x n grid of overlapping tiles). See
            :class:`dense_landmarks.detection.FaceDetector`.
        min_quality: detected faces whose landmark quality (:mod:`dense_landmarks.quality`,
            in [0, 1]) is below this are dropped (non-faces, collapsed faces); 0 keeps all.
            Faces from ``boxes=`` are never dropped; every face carries its ``quality``.
        passes: landmark passes (2: re-crop each face upright from the first pass).
        refine: refine every part with the boundary-heatmap networks (default: when bundled);
            their contours come from the heatmaps and their points (corners and ends excepted)
            move onto them. See :mod:`dense_landmarks.refine`.
    """

    def __init__(
        self,
        backend: str = "onnx",
        num_threads: int = 1,
        detector: str | DetectorFn = "blazeface",
        density: int = DEFAULT_DENSITY,
        min_score: float = 0.5,
        tiles: int | None = None,
        passes: int = 2,
        refine: bool | None = None,
        min_quality: float = DEFAULT_MIN_QUALITY,
    ):
        from dense_landmarks.sparse import SparseLandmarker

        if not 0.0 <= min_quality <= 1.0:
            raise ValueError(f"min_quality: expected a value in [0, 1], got {min_quality!r}")
        self.min_quality = float(min_quality)

        self.sparse = SparseLandmarker(backend=backend, num_threads=num_threads, passes=passes)
        # the quality check pass: the landmark network once more on each face's final crop
        self._check = SparseLandmarker(
            backend=backend, num_threads=num_threads, passes=1, pose="network"
        )
        if detector == "blazeface":
            from dense_landmarks.detection import FaceDetector

            self.detector: object = FaceDetector(
                backend, num_threads, min_score=min_score, tiles=tiles
            )
        elif callable(detector):
            self.detector = detector
        else:
            raise ValueError(f"detector: expected 'blazeface' or a callable, got {detector!r}")
        self.density = int(density)
        self.num_threads = num_threads
        self.backend = backend
        from dense_landmarks.refine import Refiner

        use = Refiner.available() if refine is None else refine
        self.refiner = Refiner(backend, num_threads) if use else None

    def _first_crops(self, image: np.ndarray) -> tuple[list[CropSpec], np.ndarray, np.ndarray]:
        from dense_landmarks.detection import FaceDetector, landmark_crop

        if isinstance(self.detector, FaceDetector):
            dets = self.detector.detect(image)
            return (
                [landmark_crop(d) for d in dets],
                np.array([d.box for d in dets]).reshape(-1, 4),
                np.array([d.score for d in dets]),
            )
        out = self.detector(image)
        boxes, scores = out if isinstance(out, tuple) else (out, None)
        boxes = _check_boxes(boxes, "detector output")
        scores = (
            np.ones(len(boxes))
            if scores is None
            else np.asarray(scores, dtype=np.float64).reshape(-1)
        )
        return [box_crop(b) for b in boxes], boxes, scores

    @holds_opencv_threads
    def detect(
        self,
        image: np.ndarray,
        boxes: Sequence[Sequence[float]] | np.ndarray | None = None,
        density: int | None = None,
    ) -> list[Face]:
        """Faces in ``image``, largest first.

        Args:
            image: (H, W, 3) uint8 RGB (other layouts converted, see ``to_rgb8``).
            boxes: optional (F, 4) ``[x0, y0, x1, y1]`` face boxes (pixels) that skip detection;
                the box should span the face from brows to chin (the second pass corrects a
                loose one). Scores are 1.0.
            density: contour points per face (default: the constructor's).
        Returns:
            list of :class:`dense_landmarks.Face`.
        """
        img = to_rgb8(image)
        if boxes is not None:
            b = _check_boxes(boxes, "boxes")
            specs, det_boxes, scores = [box_crop(x) for x in b], b, np.ones(len(b))
        else:
            specs, det_boxes, scores = self._first_crops(img)
        pts, pose = self.sparse.predict_crops(img, specs)
        check = self._check.predict_crops(img, [upright_crop(p) for p in pts])[0]
        quality = np.array([face_quality(p, sp, c) for p, sp, c in zip(pts, specs, check)])
        if boxes is None and self.min_quality > 0 and len(pts):
            keep = quality >= self.min_quality
            pts, pose, quality = pts[keep], pose[keep], quality[keep]
            det_boxes, scores = det_boxes[keep], scores[keep]
        n = self.density if density is None else int(density)
        control: list[dict[str, np.ndarray]] = [{} for _ in pts]
        if self.refiner is not None and len(pts):
            # refined parts' control points; their 106 points moved onto the refined curves
            control, pts = self.refiner.refine(img, pts)
        contours = [_contours(p, n, c) for p, c in zip(pts, control)]
        faces = [
            Face(box=bx, score=float(s), points=p, pose=q, contours=c, quality=float(qa))
            for bx, s, p, q, c, qa in zip(det_boxes, scores, pts, pose, contours, quality)
        ]
        return sorted(faces, key=lambda f: -float(np.ptp(f.points[:, 0]) * np.ptp(f.points[:, 1])))


def _contours(points: np.ndarray, n: int, control: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Dense contours through the refined control points; should a refined curve be degenerate
    (all its points on one line), the face's sparse contours instead."""
    try:
        return dense_contours(points, n, control=control)
    except ValueError:
        if not control:
            raise
        return dense_contours(points, n)


def _check_boxes(boxes: object, name: str) -> np.ndarray:
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, 4))
    arr = arr.reshape(-1, 4) if arr.ndim == 1 and arr.size == 4 else arr
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{name}: expected (F, 4) boxes [x0, y0, x1, y1], got shape {arr.shape}")
    if (
        not np.isfinite(arr).all()
        or (arr[:, 2] <= arr[:, 0]).any()
        or (arr[:, 3] <= arr[:, 1]).any()
    ):
        raise ValueError(f"{name}: boxes must be finite with x1 > x0 and y1 > y0")
    return arr
