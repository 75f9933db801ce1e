"""The face result schema shared by every output (API, JSON, NPZ, CLI).

JSON layout of one face (``Face.to_dict``)::

    {
      "schema": "dense-landmarks/face-v1",
      "scheme": "jd106-lapa-v1",
      "box": [x0, y0, x1, y1],            # face box, pixels of the input image
      "score": 0.98,                      # detector confidence in [0, 1] (1.0 for given boxes)
      "quality": 0.97,                    # landmark quality in [0, 1] (null when unknown)
      "pose": {"pitch": p, "yaw": y, "roll": r},   # degrees (null when unknown)
      "points106": [[x, y], ... 106],     # JD-106 / LaPa order
      "contours": {"jaw": [[x, y], ...], "right_brow": [...], ...}   # dense, scheme part order
    }

Coordinates are float (x, y) pixels of the input image with the centre of the top-left pixel at
(0, 0); left/right are the subject's own sides. Floats are written with full precision, so a
JSON round trip is lossless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dense_landmarks import scheme

FACE_SCHEMA = "dense-landmarks/face-v1"
POSE_KEYS = ("pitch", "yaw", "roll")


def _xy_list(arr: np.ndarray) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in np.asarray(arr, dtype=np.float64)]


@dataclass
class Face:
    """One detected face.

    Attributes:
        box: (4,) float64 ``[x0, y0, x1, y1]`` pixels.
        score: detector confidence in [0, 1].
        points: (106, 2) float64 JD-106 points, pixels.
        pose: (3,) float64 pitch, yaw, roll in degrees.
        contours: part name -> (n, 2) float64 dense contour points, pixels, in
            :data:`dense_landmarks.scheme.PART_NAMES` order.
        quality: landmark quality in [0, 1] (:mod:`dense_landmarks.quality`), None if unknown.
    """

    box: np.ndarray
    score: float
    points: np.ndarray
    pose: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    contours: dict[str, np.ndarray] = field(default_factory=dict)
    quality: float | None = None

    def __post_init__(self) -> None:
        self.quality = None if self.quality is None else float(self.quality)
        self.box = np.asarray(self.box, dtype=np.float64).reshape(4)
        self.score = float(self.score)
        self.points = scheme.check_points(self.points, name="Face.points")
        self.pose = np.asarray(self.pose, dtype=np.float64).reshape(3)
        unknown = set(self.contours) - set(scheme.PART_NAMES)
        if unknown:
            raise ValueError(f"Face.contours: unknown parts {sorted(unknown)}")
        self.contours = {
            k: np.asarray(self.contours[k], dtype=np.float64).reshape(-1, 2)
            for k in scheme.PART_NAMES
            if k in self.contours
        }

    @property
    def points68(self) -> np.ndarray:
        """(68, 2) float64 iBUG 300-W points (a subset of :attr:`points`)."""
        return scheme.to_68(self.points)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON-ready dict (see module docstring)."""
        return {
            "schema": FACE_SCHEMA,
            "scheme": scheme.SCHEME_VERSION,
            "box": [float(v) for v in self.box],
            "score": self.score,
            "quality": self.quality,
            "pose": {
                k: (float(v) if np.isfinite(v) else None) for k, v in zip(POSE_KEYS, self.pose)
            },
            "points106": _xy_list(self.points),
            "contours": {k: _xy_list(v) for k, v in self.contours.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Face:
        """Inverse of :meth:`to_dict`; raises ``ValueError`` for another schema or scheme."""
        if d.get("schema") != FACE_SCHEMA:
            raise ValueError(
                f"face: unsupported schema {d.get('schema')!r}, expected {FACE_SCHEMA!r}"
            )
        if d.get("scheme") != scheme.SCHEME_VERSION:
            raise ValueError(f"face: unsupported scheme {d.get('scheme')!r}")
        pose = d.get("pose") or {}
        return cls(
            box=np.asarray(d["box"], dtype=np.float64),
            score=float(d["score"]),
            quality=d.get("quality"),
            points=np.asarray(d["points106"], dtype=np.float64),
            pose=np.array(
                [np.nan if pose.get(k) is None else pose[k] for k in POSE_KEYS], dtype=np.float64
            ),
            contours={
                k: np.asarray(v, dtype=np.float64).reshape(-1, 2) for k, v in d["contours"].items()
            },
        )

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict` (lossless for float64)."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Face:
        return cls.from_dict(json.loads(text))
