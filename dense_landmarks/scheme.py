"""The 106-point landmark scheme (JD-106 / LaPa layout) as named data.

Every index map, part list and flip permutation in the project comes from this module; no
other file may spell landmark indices as numbers.

Coordinates are (x, y) pixels; *left* and *right* are the subject's own (anatomical) sides,
so in an upright, frontal photo the subject's ``right_eye`` is on the image's left.

Layout (0-based indices, checked against the LaPa fixtures in ``../shared/fixtures/lapa``):

=============== ========= ====================================================== ======
part            indices   order                                                  closed
=============== ========= ====================================================== ======
jaw             0-32      subject's right ear -> chin (16) -> left ear            no
right_brow      33-41     upper 33-37 outer->inner, lower 38-41 inner->outer      yes
left_brow       42-50     upper 42-46 inner->outer, lower 47-50 outer->inner      yes
nose_bridge     51-54     top -> tip                                              no
nose_base       55-65     right wing top -> right wing -> base (60) -> left wing  no
right_eye       66-73     outer corner 66, upper lid 67-69, inner 70, lower 71-73 yes
left_eye        75-82     inner corner 75, upper lid 76-78, outer 79, lower 80-82 yes
outer_lips      84-95     right corner 84, upper 85-89, left corner 90, lower     yes
inner_lips      96-103    right corner 96, upper 97-99, left corner 100, lower    yes
=============== ========= ====================================================== ======

Single points: eye centres 74 (right) and 83 (left), pupils 104 (right) and 105 (left).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

SCHEME_NAME = "jd106"
SCHEME_VERSION = "jd106-lapa-v1"
NUM_POINTS = 106
NUM_POINTS_68 = 68


@dataclass(frozen=True)
class Part:
    """One facial part: an ordered run of scheme indices forming an open or closed contour."""

    name: str
    indices: tuple[int, ...]
    closed: bool

    def __len__(self) -> int:
        return len(self.indices)


def _run(start: int, stop: int) -> tuple[int, ...]:
    return tuple(range(start, stop))


_PART_LIST = (
    Part("jaw", _run(0, 33), closed=False),
    Part("right_brow", _run(33, 42), closed=True),
    Part("left_brow", _run(42, 51), closed=True),
    Part("nose_bridge", _run(51, 55), closed=False),
    Part("nose_base", _run(55, 66), closed=False),
    Part("right_eye", _run(66, 74), closed=True),
    Part("left_eye", _run(75, 83), closed=True),
    Part("outer_lips", _run(84, 96), closed=True),
    Part("inner_lips", _run(96, 104), closed=True),
)

#: Part name -> :class:`Part`, in the stable output order used by every API.
PARTS: MappingProxyType[str, Part] = MappingProxyType({p.name: p for p in _PART_LIST})
PART_NAMES: tuple[str, ...] = tuple(PARTS)

#: Named single points (index into the 106 scheme).
POINTS: MappingProxyType[str, int] = MappingProxyType(
    {"right_eye_centre": 74, "left_eye_centre": 83, "right_pupil": 104, "left_pupil": 105}
)

#: Sub-runs of closed parts that the boundary models and label preparation name separately.
#: Each is an ordered index run along the part's outline (endpoints shared with the neighbour).
SUB_CONTOURS: MappingProxyType[str, tuple[int, ...]] = MappingProxyType(
    {
        "right_brow_upper": _run(33, 38),
        "right_brow_lower": (37, 38, 39, 40, 41, 33),
        "left_brow_upper": _run(42, 47),
        "left_brow_lower": (46, 47, 48, 49, 50, 42),
        "right_eye_upper": _run(66, 71),
        "right_eye_lower": (70, 71, 72, 73, 66),
        "left_eye_upper": _run(75, 80),
        "left_eye_lower": (79, 80, 81, 82, 75),
        "outer_lips_upper": _run(84, 91),
        "outer_lips_lower": (90, 91, 92, 93, 94, 95, 84),
        "inner_lips_upper": _run(96, 101),
        "inner_lips_lower": (100, 101, 102, 103, 96),
    }
)

# Mirror pairs (subject's right <-> left); every index not listed maps to itself.
# fmt: off
_MIRROR_PAIRS: tuple[tuple[int, int], ...] = (
    *((i, 32 - i) for i in range(16)),                  # jaw
    (33, 46), (34, 45), (35, 44), (36, 43), (37, 42),   # brow upper edges
    (38, 50), (39, 49), (40, 48), (41, 47),             # brow lower edges
    (55, 65), (56, 64), (57, 63), (58, 62), (59, 61),   # nose base and wings
    (66, 79), (67, 78), (68, 77), (69, 76), (70, 75),   # eye corners and upper lids
    (71, 82), (72, 81), (73, 80), (74, 83),             # lower lids and eye centres
    (84, 90), (85, 89), (86, 88), (91, 95), (92, 94),   # outer lips
    (96, 100), (97, 99), (101, 103),                    # inner lips
    (104, 105),                                         # pupils
)
# fmt: on


def _flip_permutation() -> np.ndarray:
    perm = np.arange(NUM_POINTS)
    for a, b in _MIRROR_PAIRS:
        perm[a], perm[b] = b, a
    perm.setflags(write=False)
    return perm


#: ``points_mirrored[FLIP_PERMUTATION]`` relabels a horizontally mirrored face: entry i is the
#: index whose mirrored point becomes point i. It is an involution.
FLIP_PERMUTATION: np.ndarray = _flip_permutation()

# iBUG 300-W 68-point order expressed in 106 indices. Eyes: the 68 scheme's two lid points per
# lid are the outer two of the three 106 lid points.
# fmt: off
_IBUG68_FROM_106 = (
    *range(0, 33, 2),               # 0-16 jaw: every other 106 jaw point
    *range(33, 38),                 # 17-21 right brow (upper edge)
    *range(42, 47),                 # 22-26 left brow (upper edge)
    *range(51, 55),                 # 27-30 nose bridge
    *range(58, 63),                 # 31-35 nose base
    66, 67, 69, 70, 71, 73,         # 36-41 right eye
    75, 76, 78, 79, 80, 82,         # 42-47 left eye
    *range(84, 96),                 # 48-59 outer lips
    *range(96, 104),                # 60-67 inner lips
)
# fmt: on

#: ``points106[IBUG68_FROM_106]`` is the (68, 2) iBUG 300-W layout.
IBUG68_FROM_106: np.ndarray = np.asarray(_IBUG68_FROM_106, dtype=np.int64)
IBUG68_FROM_106.setflags(write=False)

#: Named iBUG-68 points used by metrics (0-based 68 indices).
IBUG68_POINTS: MappingProxyType[str, int] = MappingProxyType(
    {
        "right_eye_outer": 36,
        "right_eye_inner": 39,
        "left_eye_inner": 42,
        "left_eye_outer": 45,
        "nose_tip": 30,
        "chin": 8,
        "mouth_right": 48,
        "mouth_left": 54,
    }
)

#: iBUG-68 horizontal-flip permutation derived from the 106 one (same convention).
IBUG68_FLIP_PERMUTATION: np.ndarray = np.asarray(
    [int(np.flatnonzero(IBUG68_FROM_106 == FLIP_PERMUTATION[i])[0]) for i in IBUG68_FROM_106]
)
IBUG68_FLIP_PERMUTATION.setflags(write=False)


def check_points(points: np.ndarray, n: int = NUM_POINTS, name: str = "points") -> np.ndarray:
    """Return ``points`` as a float64 (n, 2) array or raise ``ValueError`` naming the problem."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.shape != (n, 2):
        raise ValueError(f"{name}: expected shape ({n}, 2), got {arr.shape}")
    return arr


def to_68(points106: np.ndarray) -> np.ndarray:
    """Select the iBUG 300-W 68 points from JD-106 points.

    Args:
        points106: (106, 2) float (x, y) pixels, or (B, 106, 2).
    Returns:
        (68, 2) (or (B, 68, 2)) float64, iBUG order, same coordinate space.
    """
    arr = np.asarray(points106, dtype=np.float64)
    if arr.shape[-2:] != (NUM_POINTS, 2):
        raise ValueError(f"points106: expected (..., 106, 2), got {arr.shape}")
    return arr[..., IBUG68_FROM_106, :]


def mirror_points(
    points: np.ndarray, width: float, perm: np.ndarray = FLIP_PERMUTATION
) -> np.ndarray:
    """Mirror landmarks for a horizontally flipped image and relabel left/right.

    Args:
        points: (N, 2) float (x, y) pixels of an image ``width`` pixels wide
            (pixel-centre convention: x -> width - 1 - x).
        width: image width in pixels.
        perm: flip permutation of the scheme (``FLIP_PERMUTATION`` or
            ``IBUG68_FLIP_PERMUTATION``).
    Returns:
        (N, 2) float64 points of the mirrored face, in the same scheme.
    """
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] != len(perm):
        raise ValueError(f"points: expected ({len(perm)}, 2), got {arr.shape}")
    out = arr.copy()
    out[:, 0] = (width - 1.0) - out[:, 0]
    return out[perm]


def part_points(points106: np.ndarray) -> dict[str, np.ndarray]:
    """Split (106, 2) points into ``{part name: (n, 2) float64}`` in :data:`PART_NAMES` order."""
    arr = check_points(points106, name="points106")
    return {name: arr[list(part.indices)] for name, part in PARTS.items()}


# --- the fixed dense layout --------------------------------------------------------------------
#
# A dense layout gives every part a fixed number of contour points, so dense index i is the same
# anatomical place in every face and frame. Each part is cut at anatomical corners (scheme points)
# into arcs; every arc is resampled on its own, evenly by arc length, from its start corner
# (included) towards its end corner (excluded: it starts the next arc); an open part ends with its
# end corner. So corners land on fixed indices (:data:`DENSE_POINTS`).


@dataclass(frozen=True)
class DenseArc:
    """One arc of a part in a dense layout: ``count`` points from scheme point ``start``
    (included, the arc's first point) along the part towards scheme point ``end`` (excluded)."""

    name: str
    start: int
    end: int
    count: int


@dataclass(frozen=True)
class DensePart:
    """A part in a dense layout: its arcs in order; an open part adds its end corner."""

    name: str
    arcs: tuple[DenseArc, ...]
    closed: bool

    @property
    def count(self) -> int:
        return sum(a.count for a in self.arcs) + (0 if self.closed else 1)


def _dense(name: str, *arcs: tuple[str, int, int, int]) -> DensePart:
    return DensePart(name, tuple(DenseArc(*a) for a in arcs), PARTS[name].closed)


# fmt: off
_DENSE_1000 = (
    # jaw: subject's right ear (0) -> chin (16) -> left ear (32); the chin at dense index 110
    _dense("jaw", ("right", 0, 16, 110), ("left", 16, 32, 110)),
    # brows: outer -> inner along the upper edge, back along the lower edge (right brow);
    # the left brow runs inner -> outer along the upper edge, as the scheme does
    _dense("right_brow", ("upper", 33, 37, 40), ("lower", 37, 33, 40)),
    _dense("left_brow", ("upper", 42, 46, 40), ("lower", 46, 42, 40)),
    _dense("nose_bridge", ("bridge", 51, 54, 31)),                 # top of the bridge -> tip
    _dense("nose_base", ("right", 55, 60, 37), ("left", 60, 65, 37)),  # right wing -> base -> left
    # eyes: right eye outer corner -> upper lid -> inner corner -> lower lid; the left eye starts
    # at its inner corner, as the scheme does
    _dense("right_eye", ("upper", 66, 70, 64), ("lower", 70, 66, 64)),
    _dense("left_eye", ("upper", 75, 79, 64), ("lower", 79, 75, 64)),
    # lips: right corner -> upper lip -> left corner -> lower lip
    _dense("outer_lips", ("upper", 84, 90, 64), ("lower", 90, 84, 64)),
    _dense("inner_lips", ("upper", 96, 100, 64), ("lower", 100, 96, 64)),
)
# fmt: on

#: Layout name -> part name -> :class:`DensePart` (scheme part order).
DENSE_LAYOUTS: MappingProxyType[str, MappingProxyType[str, DensePart]] = MappingProxyType(
    {"dense-1000": MappingProxyType({p.name: p for p in _DENSE_1000})}
)
DEFAULT_DENSE_LAYOUT = "dense-1000"
DENSE_PARTS = DENSE_LAYOUTS[DEFAULT_DENSE_LAYOUT]
#: Part name -> number of points in ``dense-1000`` (they add up to :data:`NUM_DENSE`).
DENSE_LAYOUT: MappingProxyType[str, int] = MappingProxyType(
    {k: p.count for k, p in DENSE_PARTS.items()}
)
NUM_DENSE = sum(DENSE_LAYOUT.values())
#: Part name -> index of its first point in the concatenated (1000, 2) dense array.
DENSE_OFFSETS: MappingProxyType[str, int] = MappingProxyType(
    dict(zip(DENSE_LAYOUT, np.cumsum([0, *DENSE_LAYOUT.values()])[:-1].tolist()))
)


def dense_corners(layout: str = DEFAULT_DENSE_LAYOUT) -> dict[tuple[str, int], int]:
    """(part, scheme index of a corner) -> index of that corner in the part's dense points."""
    out = {}
    for name, part in DENSE_LAYOUTS[layout].items():
        i = 0
        for arc in part.arcs:
            out[(name, arc.start)] = i
            i += arc.count
        if not part.closed:
            out[(name, part.arcs[-1].end)] = i
    return out


def arc_indices(part: str, arc: DenseArc) -> tuple[int, ...]:
    """Scheme indices along ``arc`` of ``part``, from its start corner to its end corner."""
    idx = PARTS[part].indices
    i, out = idx.index(arc.start), []
    while True:
        out.append(idx[i])
        if idx[i] == arc.end:
            return tuple(out)
        i = (i + 1) % len(idx)


def _dense_flip(layout: str) -> np.ndarray:
    parts = DENSE_LAYOUTS[layout]
    offsets = np.cumsum([0, *(p.count for p in parts.values())])[:-1]
    base = dict(zip(parts, offsets.tolist()))
    corners = dense_corners(layout)
    owner = {i: name for name, p in PARTS.items() for i in p.indices}
    perm = np.arange(sum(p.count for p in parts.values()))
    for name, part in parts.items():
        first = 0
        for arc in part.arcs:
            a0 = int(FLIP_PERMUTATION[arc.start])
            other = owner[a0]
            perm[base[name] + first] = base[other] + corners[(other, a0)]
            start = 0
            for b in parts[other].arcs:
                mirror = {int(FLIP_PERMUTATION[i]) for i in arc_indices(name, arc)}
                if set(arc_indices(other, b)) == mirror:
                    if b.count != arc.count:
                        raise ValueError(f"{layout}: {name}.{arc.name} and its mirror differ")
                    k = np.arange(1, arc.count)
                    mirrored = k if b.start == a0 else b.count - k
                    perm[base[name] + first + k] = base[other] + start + mirrored
                    break
                start += b.count
            else:
                raise ValueError(f"{layout}: no mirror arc for {name}.{arc.name}")
            first += arc.count
        if not part.closed:
            end = int(FLIP_PERMUTATION[part.arcs[-1].end])
            perm[base[name] + first] = base[owner[end]] + corners[(owner[end], end)]
    perm.setflags(write=False)
    return perm


#: ``dense_mirrored[DENSE_FLIP_PERMUTATION]`` relabels the (1000, 2) dense points of a
#: horizontally mirrored face (same convention as :data:`FLIP_PERMUTATION`); an involution.
DENSE_FLIP_PERMUTATION: np.ndarray = _dense_flip(DEFAULT_DENSE_LAYOUT)

#: Named anatomical points of ``dense-1000`` -> index into the concatenated (1000, 2) array.
DENSE_POINTS: MappingProxyType[str, int] = MappingProxyType(
    {
        name: DENSE_OFFSETS[part] + dense_corners()[(part, idx)]
        for name, part, idx in (
            ("right_ear", "jaw", 0),
            ("chin", "jaw", 16),
            ("left_ear", "jaw", 32),
            ("right_brow_outer", "right_brow", 33),
            ("right_brow_inner", "right_brow", 37),
            ("left_brow_inner", "left_brow", 42),
            ("left_brow_outer", "left_brow", 46),
            ("nose_bridge_top", "nose_bridge", 51),
            ("nose_tip", "nose_bridge", 54),
            ("right_nose_wing", "nose_base", 55),
            ("nose_base", "nose_base", 60),
            ("left_nose_wing", "nose_base", 65),
            ("right_eye_outer", "right_eye", 66),
            ("right_eye_inner", "right_eye", 70),
            ("left_eye_inner", "left_eye", 75),
            ("left_eye_outer", "left_eye", 79),
            ("mouth_right", "outer_lips", 84),
            ("mouth_left", "outer_lips", 90),
            ("inner_mouth_right", "inner_lips", 96),
            ("inner_mouth_left", "inner_lips", 100),
        )
    }
)
