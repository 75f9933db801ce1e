"""``build_stages``: the bundled stages, each built on its own and handed to the composition."""

from __future__ import annotations

from dataclasses import dataclass

from dense_landmarks.stages.densifier import ContourDensifier, Densifier
from dense_landmarks.stages.detector import Detector, DetectorFn, as_detector
from dense_landmarks.stages.refiner import Refiner
from dense_landmarks.stages.sparse import SparseStage


@dataclass
class Stages:
    """One of each stage (``detector`` None: faces come only from boxes or points;
    ``refiner`` None: sparse contours)."""

    sparse: SparseStage
    detector: Detector | None = None
    refiner: Refiner | None = None
    densifier: Densifier | None = None

    def __post_init__(self) -> None:
        if self.densifier is None:
            self.densifier = ContourDensifier()


def build_stages(
    backend: str = "onnx",
    num_threads: int = 1,
    detector: str | Detector | DetectorFn | None = "blazeface",
    min_score: float = 0.5,
    tiles: int | None = None,
    passes: int = 2,
    refine: bool | None = None,
) -> Stages:
    """The bundled stages.

    Args:
        backend: ``"onnx"`` (onnxruntime; no torch import) or ``"torch"``.
        num_threads: CPU threads per model.
        detector: ``"blazeface"`` (bundled full range, with ``min_score`` and ``tiles``: None
            picks the tile pyramid from the image size, see
            :class:`~dense_landmarks.detection.FaceDetector`), a
            :class:`Detector`, a callable ``image -> boxes | (boxes, scores)``, or None.
        passes: sparse passes (2: re-crop each face upright from the first pass).
        refine: boundary refinement of every part (default: when its weights are bundled).
    """
    from dense_landmarks.refine import Refiner as BoundaryRefiner
    from dense_landmarks.sparse import SparseLandmarker

    sparse = SparseLandmarker(backend=backend, num_threads=num_threads, passes=passes)
    if detector == "blazeface":
        from dense_landmarks.detection import FaceDetector

        det: Detector | None = FaceDetector(backend, num_threads, min_score=min_score, tiles=tiles)
    elif detector is None:
        det = None
    elif isinstance(detector, str):
        raise ValueError(
            f"detector: expected 'blazeface', a Detector or a callable, got {detector!r}"
        )
    else:
        det = as_detector(detector)
    use = BoundaryRefiner.available() if refine is None else refine
    refiner = BoundaryRefiner(backend, num_threads) if use else None
    return Stages(sparse=sparse, detector=det, refiner=refiner)
