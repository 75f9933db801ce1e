"""The pipeline's stages, one protocol each, and the functions that build the defaults.

========== =============================================== ======================================
stage      protocol                                        bundled implementation
========== =============================================== ======================================
detector   :class:`Detector`: image -> detections          :class:`~dense_landmarks.detection.FaceDetector`
sparse     :class:`SparseStage`: image + crops -> points   :class:`~dense_landmarks.sparse.SparseLandmarker`
refiner    :class:`Refiner`: image + points -> control     :class:`~dense_landmarks.refine.Refiner`
densifier  :class:`Densifier`: points + control -> contours :class:`ContourDensifier`
========== =============================================== ======================================

:class:`~dense_landmarks.landmarker.DenseLandmarker` composes them
(:func:`~dense_landmarks.landmarker.build_landmarker` makes the default).
"""

from dense_landmarks.stages.build import Stages, build_stages
from dense_landmarks.stages.densifier import ContourDensifier, Densifier
from dense_landmarks.stages.detector import (
    CallableDetector,
    Detection,
    Detector,
    DetectorFn,
    as_detector,
    check_boxes,
    detection_crop,
)
from dense_landmarks.stages.refiner import Refiner
from dense_landmarks.stages.sparse import SparseStage

__all__ = [
    "CallableDetector",
    "ContourDensifier",
    "Densifier",
    "Detection",
    "Detector",
    "DetectorFn",
    "Refiner",
    "SparseStage",
    "Stages",
    "as_detector",
    "build_stages",
    "check_boxes",
    "detection_crop",
]
