"""The refined parts: how each is cropped and which contour arcs its heatmap channels hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.refine.ends import EndRule
from dense_landmarks.refine.slots import SlotPrior


@dataclass(frozen=True)
class RefinePart:
    """One refined part: how to crop it and which arcs its heatmap channels hold.

    ``arcs``: per channel, (scheme part, u0, u1): the arc of the part's spline between knots u0
    and u1 (knot k = the part's k-th point; for a closed part u1 may equal the point count =
    back to 0). The arcs' ends are the part's corners: with an ``ends`` rule they are re-read
    from where the arcs' ridges end (:mod:`dense_landmarks.refine.ends`), else they stay where
    the sparse stage put them. With ``slots`` the interior points are drawn along the arcs
    towards their mean places (:mod:`dense_landmarks.refine.slots`).
    """

    name: str
    model: str
    axis: tuple[int, int]  # corner slots; the crop's x axis runs from the first to the second
    scale: float  # crop side = scale x corner distance
    mirror: bool
    arcs: tuple[tuple[str, int, int], ...]
    smooth: tuple[int, ...] = ()  # per arc: binomial smoothing passes of the decoded offsets
    ends: EndRule | None = None  # corners re-read from where the ridges end (closed parts)
    slots: SlotPrior | None = None  # interior points drawn to their mean places along the arcs

    def __hash__(self) -> int:
        # layout caches are keyed by tuples of parts (one per job): hashed once per instance
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict:
        # string hashes differ between processes: the cached hash is never pickled or copied
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def arc_smoothing(self) -> tuple[int, ...]:
        """Smoothing passes (:func:`~dense_landmarks.refine.ridge.snap_to_ridge`) of each arc."""
        return self.smooth or (0,) * len(self.arcs)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a[0] for a in self.arcs))


# where the ridges end: ``beyond`` is the median distance from a ridge's end to its half-value
# point over 700 training faces' corners (mouth 1.07, eyes 1.09, brows 1.29 heatmap pixels); the
# gains start from the least-squares gains there (mouth 0.83, eyes 0.90, brows 0.64) and were
# raised where the contour errors of 600 training faces fell (``python -m eval.refine --split
# train --limit 600``)
MOUTH_ENDS = EndRule(beyond=1.07, gain=1.0)
EYE_ENDS = EndRule(beyond=1.09, gain=1.0)
BROW_ENDS = EndRule(beyond=1.29, gain=0.9)

# interior points drawn along their arcs to the training labels' mean places
# (dense_landmarks.refine.slots): fractions and weights from ``python -m eval.slots --split train
# --limit 600``; the weights cut the human interior points' error (% IOD) there: lids 1.98 ->
# 1.75 (upper) and 2.04 -> 1.80 (lower), upper brow edges 3.84 -> 3.69, lower outer lip 3.15 ->
# 3.11, nose base 2.87 -> 2.83, bridge 3.42 -> 3.41; any weight made the upper outer lip, the
# inner lips and the jaw worse, and the lower brow edges have no human points
# fmt: off
MOUTH_SLOTS = SlotPrior(
    (0.205, 0.387, 0.501, 0.628, 0.811,  # outer upper lip
     0.216, 0.380, 0.500, 0.614, 0.780,  # outer lower lip
     0.362, 0.501, 0.651, 0.353, 0.502, 0.638),  # inner lips
    (0.0, 0.25, 0.0, 0.0),
)
# fmt: on
RIGHT_EYE_SLOTS = SlotPrior((0.332, 0.491, 0.649, 0.326, 0.502, 0.678), (1.0, 1.0))
LEFT_EYE_SLOTS = SlotPrior((0.357, 0.515, 0.673, 0.314, 0.489, 0.664), (1.0, 1.0))
RIGHT_BROW_SLOTS = SlotPrior((0.227, 0.470, 0.719, 0.197, 0.387, 0.628, 0.820), (0.75, 0.0))
LEFT_BROW_SLOTS = SlotPrior((0.287, 0.533, 0.771, 0.189, 0.372, 0.585, 0.823), (0.75, 0.0))
NOSE_SLOTS = SlotPrior(
    (0.316, 0.639, 0.176, 0.303, 0.369, 0.435, 0.502, 0.567, 0.627, 0.692, 0.794), (0.25, 0.25)
)

REFINE_PARTS: tuple[RefinePart, ...] = (
    RefinePart(
        "mouth",
        "refine_mouth",
        (84, 90),
        1.7,
        False,
        (("outer_lips", 0, 6), ("outer_lips", 6, 12), ("inner_lips", 0, 4), ("inner_lips", 4, 8)),
        ends=MOUTH_ENDS,
        slots=MOUTH_SLOTS,
    ),
    RefinePart(
        "right_eye",
        "refine_eye",
        (66, 70),
        1.6,
        False,
        (("right_eye", 0, 4), ("right_eye", 4, 8)),
        ends=EYE_ENDS,
        slots=RIGHT_EYE_SLOTS,
    ),
    # cropped inner -> outer and mirrored: its outer corner sits where a right eye's does; a
    # horizontal mirror keeps the upper lid on top, so channel 0 is the upper lid for both eyes
    RefinePart(
        "left_eye",
        "refine_eye",
        (75, 79),
        1.6,
        True,
        (("left_eye", 0, 4), ("left_eye", 4, 8)),
        ends=EYE_ENDS,
        slots=LEFT_EYE_SLOTS,
    ),
    # brows: upper edge (outer -> inner for the right brow), lower edge back round; the left brow
    # is cropped inner -> outer and mirrored like the left eye, so both share one network
    RefinePart(
        "right_brow",
        "refine_brow",
        (33, 37),
        1.5,
        False,
        (("right_brow", 0, 4), ("right_brow", 4, 9)),
        ends=BROW_ENDS,
        slots=RIGHT_BROW_SLOTS,
    ),
    RefinePart(
        "left_brow",
        "refine_brow",
        (42, 46),
        1.5,
        True,
        (("left_brow", 0, 4), ("left_brow", 4, 9)),
        ends=BROW_ENDS,
        slots=LEFT_BROW_SLOTS,
    ),
    # open parts: the arcs run end to end and the ends stay (ear points; bridge top and tip; the
    # wing tops). Scales hold 95 % of the training faces' part extents plus the crop jitter.
    # smoothing of the decoded offsets (held-out faces, python -m eval.refine): jaw 3.26 -> 3.21 %
    # with 4 passes; the nose's bridge loses its sideways steps at +0.02 %; lips, eyes and brows
    # lose 0.01-0.09 % with any (the brows' lower edge alone: +0.03 % for 2 passes), so theirs
    # stay unsmoothed
    RefinePart("jaw", "refine_jaw", (0, 32), 1.4, False, (("jaw", 0, 32),), smooth=(4,)),
    RefinePart(
        "nose",
        "refine_nose",
        (55, 65),
        3.3,
        False,
        (("nose_bridge", 0, 3), ("nose_base", 0, 10)),
        smooth=(4, 4),
        slots=NOSE_SLOTS,
    ),
)


def crop_matrix(points106: np.ndarray, part: RefinePart, size: int) -> np.ndarray:
    """(2, 3) image -> crop matrix for ``part`` of a face with (106, 2) points."""
    return crop_matrices(np.asarray(points106)[None], [(0, part, size)])[0]


@lru_cache(maxsize=32)
def _mean_weights(part: RefinePart) -> np.ndarray:
    """(106,) weights that average the part's points."""
    w = np.zeros(scheme.NUM_POINTS)
    idx = [i for p in part.parts for i in scheme.PARTS[p].indices]
    w[idx] = 1.0 / len(idx)
    return w


@lru_cache(maxsize=64)
def crop_table(parts: tuple[RefinePart, ...]) -> tuple[np.ndarray, ...]:
    """Per job of a sequence of jobs' parts (read-only): the axis corner slots (J,), (J,) int
    each; the (J, 106) weights that average each part's points; the scales (J,) float; the
    mirrored jobs (J,) bool."""
    out = (
        np.array([p.axis[0] for p in parts], dtype=np.int64),
        np.array([p.axis[1] for p in parts], dtype=np.int64),
        np.stack([_mean_weights(p) for p in parts]),
        np.array([p.scale for p in parts], dtype=np.float64),
        np.array([p.mirror for p in parts], dtype=bool),
    )
    for a in out:
        a.flags.writeable = False
    return out


def crop_matrices(points106: np.ndarray, jobs: Sequence[tuple[int, RefinePart, int]]) -> np.ndarray:
    """Crop matrices of many (face, part, crop size) jobs at once.

    A part's crop is centred on the mean of its points, its x axis runs from the part's first
    axis corner to the second (mirrored for ``part.mirror``), and its side is ``part.scale``
    times their distance (at least 1 pixel).

    Args:
        points106: (F, 106, 2) float image pixels. jobs: (face index, part, crop size).
    Returns:
        (J, 2, 3) float64 image -> crop matrices (:class:`dense_landmarks.crop.CropSpec`'s
        convention: pixel centres at both ends).
    """
    pts = np.asarray(points106, dtype=np.float64)
    axis0, axis1, weights, scale, mirror = crop_table(tuple(p for _, p, _ in jobs))
    face = np.array([f for f, _, _ in jobs])
    a = pts[face, axis0]
    d = pts[face, axis1] - a
    centre = np.einsum("jk,jkd->jd", weights, pts[face])
    width = np.hypot(d[:, 0], d[:, 1])
    size = np.array([s for _, _, s in jobs], dtype=np.float64)
    k = size / (scale * np.maximum(width, 1.0))
    w = np.maximum(width, 1e-12)
    cos, sin = d[:, 0] / w, d[:, 1] / w
    # rotate the axis onto +x: R = [[cos, sin], [-sin, cos]], scaled by k
    rot = np.empty((len(face), 2, 2))
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1] = cos, sin, -sin, cos
    rot *= k[:, None, None]
    c = (size - 1) / 2.0
    m = np.empty((len(face), 2, 3))
    m[:, :, :2] = rot
    m[:, :, 2] = c[:, None] - np.einsum("jik,jk->ji", rot, centre)
    m[mirror, 0] *= -1.0
    m[mirror, 0, 2] += size[mirror] - 1.0
    return m
