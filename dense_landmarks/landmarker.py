"""``DenseLandmarker``: the stages composed: detector -> sparse -> refiner -> densifier.

    import dense_landmarks as dl
    lm = dl.build_landmarker()                     # bundled weights, CPU, no downloads
    faces = lm.detect(image_rgb)                   # list[dl.Face], largest first
    faces = lm.detect(image_rgb, boxes=[[x0, y0, x1, y1]])   # skip detection
    faces = lm.from_points(next_frame, prev_points)          # track: (F, 106, 2), no detector
    faces = lm.detect(image_rgb, density=2000)     # length-proportional contours, 2000 points

Three entry points share one path (crops -> sparse -> refine -> densify): from an image (the
detector's detections), from boxes, and from previous points (each face re-cropped upright from
its points, which is what a video tracker calls every frame). Images are (H, W, 3) uint8 RGB
(gray, RGBA and 16-bit arrays are converted); all coordinates are pixels of the input image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.contours import DEFAULT_DENSITY, Density, check_density, layout_name
from dense_landmarks.convention import LABEL_OFFSET_PX, to_label_convention
from dense_landmarks.crop import CropSpec, landmark_box
from dense_landmarks.face import Face
from dense_landmarks.imageio import to_rgb8
from dense_landmarks.quality import DEFAULT_MIN_QUALITY, face_quality
from dense_landmarks.sparse import upright_crop
from dense_landmarks.stages import (
    Densifier,
    Detection,
    Detector,
    DetectorFn,
    Refiner,
    SparseStage,
    Stages,
    build_stages,
    check_boxes,
    detection_crop,
)
from dense_landmarks.threads import opencv_threads

__all__ = ["DenseLandmarker", "DetectorFn", "build_landmarker"]


class DenseLandmarker:
    """Dense facial landmarks for every face in an image.

    ``DenseLandmarker(...)`` builds the bundled stages (:func:`build_landmarker` is the same);
    :meth:`from_stages` composes any stages that follow the protocols of
    :mod:`dense_landmarks.stages`.

    Args:
        backend: ``"onnx"`` (default, onnxruntime) or ``"torch"``; both run the bundled weights.
        num_threads: CPU threads for each model and for OpenCV while a call runs
            (:mod:`dense_landmarks.threads`; the caller's setting is restored after).
        detector: ``"blazeface"`` (bundled), a :class:`~dense_landmarks.stages.Detector`, or a
            callable ``image -> boxes`` (F, 4) or ``(boxes, scores)``; its boxes are used like
            ``boxes=`` (landmark-style face boxes).
        density: default contours: ``"dense-1000"`` (fixed per-part counts, index i the same
            anatomical place in every face; :data:`dense_landmarks.scheme.DENSE_LAYOUTS`) or an
            int (that many points shared by part length).
        min_score: detection threshold (bundled detector).
        tiles: detector tiling (None: automatic from the image size; 1: whole image only;
            n > 1: also an n x n grid of overlapping tiles). See
            :class:`dense_landmarks.detection.FaceDetector`.
        min_quality: detected faces whose landmark quality (:mod:`dense_landmarks.quality`,
            in [0, 1]) is below this are dropped (non-faces, collapsed faces); 0 keeps all.
            Faces from ``boxes=`` and :meth:`from_points` are never dropped; every face
            carries its ``quality``.
        passes: landmark passes (2: re-crop each face upright from the first pass).
        refine: refine every part with the boundary-heatmap networks (default: when bundled).
        label_offset: image pixels along each face's horizontal axis by which the output points
            and contours move from the networks' mirror-consistent places into the 300-W
            labels' convention (:mod:`dense_landmarks.convention`; 0: no move).
    """

    def __init__(
        self,
        backend: str = "onnx",
        num_threads: int = 1,
        detector: str | Detector | DetectorFn | None = "blazeface",
        density: Density = DEFAULT_DENSITY,
        min_score: float = 0.5,
        tiles: int | None = None,
        passes: int = 2,
        refine: bool | None = None,
        min_quality: float = DEFAULT_MIN_QUALITY,
        label_offset: float = LABEL_OFFSET_PX,
    ):
        stages = build_stages(backend, num_threads, detector, min_score, tiles, passes, refine)
        self._compose(stages, density, num_threads, min_quality, label_offset)
        self.backend = backend

    @classmethod
    def from_stages(
        cls,
        sparse: SparseStage,
        detector: Detector | None = None,
        refiner: Refiner | None = None,
        densifier: Densifier | None = None,
        density: Density = DEFAULT_DENSITY,
        num_threads: int = 1,
        min_quality: float = 0.0,
        label_offset: float = 0.0,
    ) -> DenseLandmarker:
        """Compose given stages (None: no detector / no refinement / the bundled densifier);
        ``min_quality`` as in the class (0: keep every detected face); ``label_offset`` as in
        the class (0: the stages' own outputs; the bundled stages' value is
        :data:`dense_landmarks.convention.LABEL_OFFSET_PX`)."""
        obj = cls.__new__(cls)
        stages = Stages(sparse, detector, refiner, densifier)
        obj._compose(stages, density, num_threads, min_quality, label_offset)
        obj.backend = getattr(sparse, "backend", None)
        return obj

    def _compose(
        self,
        stages: Stages,
        density: Density,
        num_threads: int,
        min_quality: float,
        label_offset: float,
    ) -> None:
        if not 0.0 <= min_quality <= 1.0:
            raise ValueError(f"min_quality: expected a value in [0, 1], got {min_quality!r}")
        if not np.isfinite(label_offset):
            raise ValueError(f"label_offset: expected a finite number, got {label_offset!r}")
        self.label_offset = float(label_offset)
        self.min_quality = float(min_quality)
        self.sparse = stages.sparse
        self.detector = stages.detector
        self.refiner = stages.refiner
        self.densifier = stages.densifier
        self.density = check_density(density)
        self.num_threads = int(num_threads)

    # --- entry points -----------------------------------------------------------------------

    def detect(
        self,
        image: np.ndarray,
        boxes: Sequence[Sequence[float]] | np.ndarray | None = None,
        density: Density | None = None,
    ) -> list[Face]:
        """Faces in ``image``, largest first.

        Args:
            image: (H, W, 3) uint8 RGB (other layouts converted, see ``to_rgb8``).
            boxes: optional (F, 4) ``[x0, y0, x1, y1]`` face boxes (pixels) that skip detection;
                the box should span the face from brows to chin (the second pass corrects a
                loose one). Scores are 1.0.
            density: contours (default: the constructor's), see the class.
        Returns:
            list of :class:`dense_landmarks.Face`.
        """
        img = to_rgb8(image)
        if boxes is not None:
            dets = [Detection.from_box(b) for b in check_boxes(boxes, "boxes")]
            return self._from_detections(img, dets, density, drop=False)
        if self.detector is None:
            raise ValueError(
                "detect: this landmarker has no detector; pass boxes= or use from_points"
            )
        else:
            with opencv_threads(self.num_threads):
                dets = self.detector.detect(img)
        return self.from_detections(img, dets, density)

    def from_detections(
        self, image: np.ndarray, detections: Sequence[Detection], density: Density | None = None
    ) -> list[Face]:
        """Faces for given detections (e.g. from another detector), largest first; those under
        ``min_quality`` are dropped."""
        return self._from_detections(to_rgb8(image), list(detections), density, drop=True)

    def _from_detections(
        self, img: np.ndarray, dets: list[Detection], density: Density | None, drop: bool
    ) -> list[Face]:
        faces = self._faces(
            img,
            [detection_crop(d) for d in dets],
            None,
            [d.box for d in dets],
            [d.score for d in dets],
            density,
            self.min_quality if drop else 0.0,
        )
        return sorted(faces, key=lambda f: -float(np.ptp(f.points[:, 0]) * np.ptp(f.points[:, 1])))

    def from_points(
        self,
        image: np.ndarray,
        points106: np.ndarray,
        density: Density | None = None,
        passes: int | None = None,
    ) -> list[Face]:
        """Faces re-found from previous points, e.g. the last video frame's (no detector call).

        Each face is cropped upright from its points (:func:`dense_landmarks.sparse.upright_crop`,
        the sparse stage's second-pass framing), then the sparse stage, refinement and
        densification run as in :meth:`detect`.

        Args:
            image: (H, W, 3) uint8 RGB, e.g. the next frame.
            points106: (F, 106, 2) or (106, 2) float points, pixels of ``image``.
            density: contours (default: the constructor's).
            passes: sparse passes (default: the sparse stage's own, 2 for the bundled one): 2
                re-crops each face upright from this frame's first pass, as :meth:`detect` does
                (on shifted copies of a photo: 1.8 % of the inter-ocular distance from the
                shifted first detection, vs 4.3 % with 1 pass, ``tests/.../test_stages.py``);
                1 uses the previous points' crop only (half the sparse cost).
        Returns:
            list of :class:`dense_landmarks.Face` in the order of ``points106`` (not sorted):
            ``box`` is the new points' bounding box, ``score`` 1.0 and ``quality`` set (a
            tracker can re-detect when it falls); none is dropped.
        """
        img = to_rgb8(image)
        pts = np.asarray(points106, dtype=np.float64)
        pts = pts[None] if pts.shape == (scheme.NUM_POINTS, 2) else pts
        if pts.ndim != 3 or pts.shape[1:] != (scheme.NUM_POINTS, 2):
            raise ValueError(f"points106: expected (F, 106, 2), got {pts.shape}")
        if not np.isfinite(pts).all():
            raise ValueError("points106: non-finite values")
        return self._faces(img, [upright_crop(p) for p in pts], passes, None, None, density, 0.0)

    # --- the one path -----------------------------------------------------------------------

    def _faces(
        self,
        img: np.ndarray,
        specs: list[CropSpec],
        passes: int | None,
        boxes: list[np.ndarray] | None,
        scores: list[float] | None,
        density: Density | None,
        min_quality: float,
    ) -> list[Face]:
        n = self.density if density is None else check_density(density)
        with opencv_threads(self.num_threads):
            pts, pose, check = self._sparse_checked(img, specs, passes)
            quality = np.array([face_quality(p, sp, c) for p, sp, c in zip(pts, specs, check)])
            if min_quality > 0 and len(pts):
                keep = np.flatnonzero(quality >= min_quality)
                pts, pose, quality = pts[keep], pose[keep], quality[keep]
                boxes = None if boxes is None else [boxes[i] for i in keep]
                scores = None if scores is None else [scores[i] for i in keep]
            control: list[dict[str, np.ndarray]] = [{} for _ in pts]
            if self.refiner is not None and len(pts):
                # refined parts' control points; their 106 points moved onto the refined curves
                control, pts = self.refiner.refine(img, pts)
            pts, control = to_label_convention(pts, control, self.label_offset)
            contours = densify_faces(self.densifier, pts, control, n)
        boxes = [landmark_box(p) for p in pts] if boxes is None else boxes
        scores = [1.0] * len(pts) if scores is None else scores
        return [
            Face(
                box=bx,
                score=float(s),
                points=p,
                pose=q,
                contours=c,
                layout=recorded_layout(c, n),
                quality=float(qa),
            )
            for bx, s, p, q, c, qa in zip(boxes, scores, pts, pose, contours, quality)
        ]

    def _sparse_checked(
        self, img: np.ndarray, specs: list[CropSpec], passes: int | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sparse stage's points, pose and quality check points (:mod:`dense_landmarks.quality`
        cue ``drift``): the bundled stage's own check (:meth:`SparseLandmarker.predict_crops_checked`),
        else, for any :class:`SparseStage`, one more pass on the crops the points define."""
        checked = getattr(self.sparse, "predict_crops_checked", None)
        if checked is not None:
            return checked(img, specs, passes=passes)
        pts, pose = self.sparse.predict_crops(img, specs, passes=passes)
        if not len(pts):
            return pts, pose, pts
        check, _ = self.sparse.predict_crops(img, [upright_crop(p) for p in pts], passes=1)
        return pts, pose, check


def densify_faces(
    densifier: Densifier,
    points106: Sequence[np.ndarray],
    controls: Sequence[dict[str, np.ndarray]],
    density: Density,
) -> list[dict[str, np.ndarray]]:
    """Contours of many faces: the densifier's own batched ``densify_faces`` where it has one
    (the bundled :class:`~dense_landmarks.stages.ContourDensifier`), else face by face."""
    batched = getattr(densifier, "densify_faces", None)
    if batched is not None:
        return batched(points106, controls, density)
    return [densifier.densify(p, c, density) for p, c in zip(points106, controls)]


def recorded_layout(contours: dict[str, np.ndarray], density: Density) -> str | None:
    """The layout name a face records (:attr:`Face.layout`): the density's, when the
    densifier's output follows it, else None."""
    counts = {k: len(v) for k, v in contours.items()}
    if isinstance(density, str):
        want = {k: p.count for k, p in scheme.DENSE_LAYOUTS[density].items()}
        return density if counts == want else None
    return layout_name(density) if sum(counts.values()) == density else None


def build_landmarker(
    backend: str = "onnx",
    num_threads: int = 1,
    detector: str | Detector | DetectorFn | None = "blazeface",
    density: Density = DEFAULT_DENSITY,
    min_score: float = 0.5,
    tiles: int | None = None,
    passes: int = 2,
    refine: bool | None = None,
    min_quality: float = DEFAULT_MIN_QUALITY,
    label_offset: float = LABEL_OFFSET_PX,
) -> DenseLandmarker:
    """The default pipeline: the stages of :func:`~dense_landmarks.stages.build_stages` composed
    by :class:`DenseLandmarker` (arguments as there)."""
    return DenseLandmarker(
        backend,
        num_threads,
        detector,
        density,
        min_score,
        tiles,
        passes,
        refine,
        min_quality,
        label_offset,
    )
