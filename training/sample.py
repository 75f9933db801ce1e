"""The one sample type every reader produces, and point provenance codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import numpy as np


class Provenance(IntEnum):
    """Where a label point came from (stored per point as uint8)."""

    HUMAN = 0  #: drawn by an annotator
    SPLINE = 1  #: on a spline through human points of the same contour
    TEACHER = 2  #: from a teacher model, aligned to the human points
    MISSING = 3  #: no evidence; weight 0


#: Default loss weight per provenance (indexable by the uint8 code).
PROVENANCE_WEIGHT = np.array([1.0, 0.7, 0.4, 0.0], dtype=np.float32)

SCHEMES = {"jd106": 106, "ibug68": 68, "wflw98": 98}


@dataclass
class Sample:
    """A labelled face.

    Attributes:
        image_path: image file.
        points: (N, 2) float64 (x, y) pixels, centre of the top-left pixel at (0, 0).
        scheme: ``"jd106"``, ``"ibug68"`` or ``"wflw98"``; N must match.
        provenance: (N,) uint8 :class:`Provenance` codes.
        weights: (N,) float32 per-point weights (0 for invisible/missing points).
        box: optional (4,) float64 ``[x0, y0, x1, y1]`` face box from the annotation.
    """

    image_path: Path
    points: np.ndarray
    scheme: str
    provenance: np.ndarray = field(default=None)  # type: ignore[assignment]
    weights: np.ndarray = field(default=None)  # type: ignore[assignment]
    box: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"{self.image_path}: unknown scheme {self.scheme!r}")
        n = SCHEMES[self.scheme]
        self.image_path = Path(self.image_path)
        self.points = np.asarray(self.points, dtype=np.float64)
        if self.points.shape != (n, 2):
            raise ValueError(
                f"{self.image_path}: {self.scheme} needs ({n}, 2) points, got {self.points.shape}"
            )
        if self.provenance is None:
            self.provenance = np.full(n, Provenance.HUMAN, dtype=np.uint8)
        self.provenance = np.asarray(self.provenance, dtype=np.uint8).reshape(n)
        if self.weights is None:
            self.weights = PROVENANCE_WEIGHT[self.provenance]
        self.weights = np.asarray(self.weights, dtype=np.float32).reshape(n)
        if self.box is not None:
            self.box = np.asarray(self.box, dtype=np.float64).reshape(4)
