"""The face result schema shared by every output (API, JSON, NPZ, CLI).

JSON layout of one face (``Face.to_dict``), schema ``dense-landmarks/face-v2``::

    {
      "schema": "dense-landmarks/face-v2",
      "scheme": "jd106-lapa-v1",
      "layout": "dense-1000",             # contours' layout: "dense-1000" (fixed per-part
                                          # counts, scheme.DENSE_LAYOUT), "proportional"
                                          # (density=N), or null (unknown / none)
      "box": [x0, y0, x1, y1],            # face box, pixels of the input image
      "score": 0.98,                      # detector confidence in [0, 1] (1.0 for given boxes
                                          # and faces found from previous points)
      "quality": null,                    # landmark quality in [0, 1], null until estimated
      "track_id": null,                   # video track identity (int), null outside tracking
      "pose": {"pitch": p, "yaw": y, "roll": r},   # degrees (null when unknown)
      "points106": [[x, y], ... 106],     # JD-106 / LaPa order
      "contours": {"jaw": [[x, y], ...], "right_brow": [...], ...}   # dense, scheme part order
    }

Coordinates are float (x, y) pixels of the input image with the centre of the top-left pixel at
(0, 0); left/right are the subject's own sides. Floats are written with full precision, so a
JSON round trip is lossless. NPZ (``Face.to_arrays``) stores the same fields as arrays under
``<prefix>box``, ``<prefix>points106``, ``<prefix>contour_<part>``, ... .

Changes from ``face-v1``: ``layout``, ``quality`` and ``track_id`` were added, and contours
default to the fixed ``dense-1000`` layout. :meth:`Face.from_dict` reads v1 documents too
(``layout``, ``quality`` and ``track_id`` become null); v1 readers refuse v2 documents by
their ``schema`` field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dense_landmarks import scheme

FACE_SCHEMA = "dense-landmarks/face-v2"
#: Older schemas :meth:`Face.from_dict` still reads.
READABLE_SCHEMAS = (FACE_SCHEMA, "dense-landmarks/face-v1")
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
        layout: the contours' layout: a name of :data:`dense_landmarks.scheme.DENSE_LAYOUTS`
            (its per-part counts are checked), ``"proportional"``, or None.
        quality: landmark quality in [0, 1], or None (not estimated).
        track_id: video track identity, or None (not tracked).
    """

    box: np.ndarray
    score: float
    points: np.ndarray
    pose: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    contours: dict[str, np.ndarray] = field(default_factory=dict)
    layout: str | None = None
    quality: float | None = None
    track_id: int | None = None

    def __post_init__(self) -> None:
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
        if self.layout in scheme.DENSE_LAYOUTS and self.contours:
            counts = {k: len(v) for k, v in self.contours.items()}
            want = {k: p.count for k, p in scheme.DENSE_LAYOUTS[self.layout].items()}
            if counts != want:
                raise ValueError(f"Face.contours: counts {counts} do not follow {self.layout}")
        self.quality = None if self.quality is None else float(self.quality)
        self.track_id = None if self.track_id is None else int(self.track_id)

    @property
    def points68(self) -> np.ndarray:
        """(68, 2) float64 iBUG 300-W points (a subset of :attr:`points`)."""
        return scheme.to_68(self.points)

    @property
    def dense(self) -> np.ndarray:
        """(N, 2) float64 all contour points concatenated in part order (N = 1000 for
        ``dense-1000``; index with :data:`dense_landmarks.scheme.DENSE_OFFSETS` and
        :data:`~dense_landmarks.scheme.DENSE_POINTS`)."""
        if not self.contours:
            return np.zeros((0, 2))
        return np.concatenate(list(self.contours.values()))

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON-ready dict (see module docstring)."""
        return {
            "schema": FACE_SCHEMA,
            "scheme": scheme.SCHEME_VERSION,
            "layout": self.layout,
            "box": [float(v) for v in self.box],
            "score": self.score,
            "quality": self.quality,
            "track_id": self.track_id,
            "pose": {
                k: (float(v) if np.isfinite(v) else None) for k, v in zip(POSE_KEYS, self.pose)
            },
            "points106": _xy_list(self.points),
            "contours": {k: _xy_list(v) for k, v in self.contours.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Face:
        """Inverse of :meth:`to_dict` (v1 documents read too); ``ValueError`` for another
        schema or scheme."""
        if d.get("schema") not in READABLE_SCHEMAS:
            raise ValueError(
                f"face: unsupported schema {d.get('schema')!r}, expected one of {READABLE_SCHEMAS}"
            )
        if d.get("scheme") != scheme.SCHEME_VERSION:
            raise ValueError(f"face: unsupported scheme {d.get('scheme')!r}")
        pose = d.get("pose") or {}
        return cls(
            box=np.asarray(d["box"], dtype=np.float64),
            score=float(d["score"]),
            points=np.asarray(d["points106"], dtype=np.float64),
            pose=np.array(
                [np.nan if pose.get(k) is None else pose[k] for k in POSE_KEYS], dtype=np.float64
            ),
            contours={
                k: np.asarray(v, dtype=np.float64).reshape(-1, 2) for k, v in d["contours"].items()
            },
            layout=d.get("layout"),
            quality=d.get("quality"),
            track_id=d.get("track_id"),
        )

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict` (lossless for float64)."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Face:
        return cls.from_dict(json.loads(text))

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """NPZ-ready arrays: ``<prefix>box`` (4,), ``score``, ``quality`` and ``track_id``
        (0-d; NaN / -1 when None), ``points106`` (106, 2), ``pose`` (3,), ``layout`` (0-d str,
        "" when None), ``contour_<part>`` (n, 2)."""
        arrays = {
            "box": self.box,
            "score": np.array(self.score),
            "quality": np.array(np.nan if self.quality is None else self.quality),
            "track_id": np.array(-1 if self.track_id is None else self.track_id, dtype=np.int64),
            "points106": self.points,
            "pose": self.pose,
            "layout": np.array(self.layout or ""),
            **{f"contour_{k}": v for k, v in self.contours.items()},
        }
        return {prefix + k: v for k, v in arrays.items()}

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str = "") -> Face:
        """Inverse of :meth:`to_arrays` (``arrays``: a dict or an open ``np.load`` file)."""
        keys = [k for k in arrays.keys() if k.startswith(prefix + "contour_")]
        quality = float(arrays[prefix + "quality"])
        track = int(arrays[prefix + "track_id"])
        return cls(
            box=arrays[prefix + "box"],
            score=float(arrays[prefix + "score"]),
            points=arrays[prefix + "points106"],
            pose=arrays[prefix + "pose"],
            contours={k[len(prefix) + len("contour_") :]: arrays[k] for k in keys},
            layout=str(arrays[prefix + "layout"]) or None,
            quality=None if np.isnan(quality) else quality,
            track_id=None if track < 0 else track,
        )
