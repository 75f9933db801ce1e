"""The boundary refiner: part crops through the refiner networks, arcs decoded into curves.

For each refined part, a similarity crop is cut from the full-resolution image along the part's
corner-to-corner axis (left eyes and brows mirrored into right-side crops, so both sides share
one network). The refiner predicts one boundary heatmap per contour arc. Each arc of the sparse
spline is then moved, sample by sample, along its normal to the heatmap's ridge (sub-pixel, by a
parabola through the peak); the corners of the lips, eyes and brows are re-read from where
their ridges end (:mod:`dense_landmarks.refine.ends`) and their arcs decoded again between the
moved corners, the ends of open parts stay, and the decoded arcs form the part's new control
points; :func:`dense_landmarks.contours.dense_contours` resamples them with the others.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from dense_landmarks import scheme
from dense_landmarks.crop import warp
from dense_landmarks.refine.arcs import decoded_parts
from dense_landmarks.refine.ends import corner_moves
from dense_landmarks.refine.parts import REFINE_PARTS, RefinePart, crop_matrices
from dense_landmarks.refine.ridge import MapAtlas, decode_arcs
from dense_landmarks.refine.splines import arc_jobs, arc_smoothing, part_points, spline_arcs
from dense_landmarks.runtime import WEIGHTS_DIR, make_runner
from dense_landmarks.threads import holds_opencv_threads

# corner re-reading rounds: on 600 training faces lips 1.49 -> 1.40 -> 1.38 -> 1.37 % IOD and
# eyes 1.08 -> 1.05 -> 1.03 -> 1.02 % for 0 to 3 rounds (python -m eval.refine --split train
# --limit 600 --corner-rounds N); each round costs one more arc decoding (two rounds: refinement
# 10.95 -> 16.42 ms on a loaded host, python -m eval.bench_pipeline --no-peer --stages)
CORNER_ROUNDS = 2

# parts the default pipeline leaves on the splines through the sparse points: with the sparse
# model of 2026-11-26 (GPU fine-tune) the nose refiner moved the contours away from the human
# nose points (held-out nose 1.81 -> 1.96 % IOD, NME68 3.57 -> 3.59 %: python -m eval.refine
# [--skip-parts], no names: every part refined), and on two GRID clips its bridge wiggled
# sideways
UNREFINED = ("nose_bridge", "nose_base")

# every part crop also runs mirrored and its maps are averaged with the plain crop's, mirrored
# back (a horizontal mirror keeps every arc's meaning: upper stays upper)
FLIP_AVERAGE = True


@dataclass
class DecodedArcs:
    """The decoded arcs of every refined part of every face (:meth:`Refiner.decode`).

    Attributes:
        jobs: per decoded part, (face index, :class:`RefinePart`, (2, 3) image -> crop matrix).
        arcs: (sum of the parts' arc counts, M, 2) float64 arcs, heatmap pixels, in job order.
        atlas: the heatmaps; index: (same,) int, the map of each arc in ``atlas``.
    """

    jobs: list[tuple[int, RefinePart, np.ndarray]]
    arcs: np.ndarray
    atlas: MapAtlas
    index: np.ndarray


class Refiner:
    """Runs the bundled boundary refiners (:data:`REFINE_PARTS`) on faces' sparse points.

    All crops of one model go through one batched forward pass; all arcs of all parts of all
    faces are decoded in one vectorised call (:func:`dense_landmarks.refine.ridge.decode_arcs`).

    Args:
        backend: ``"onnx"`` or ``"torch"``. num_threads: CPU threads.
        corner_rounds: how many times the corners of the lips, eyes and brows are re-read
            from where their ridges end (:mod:`dense_landmarks.refine.ends`), each time followed
            by decoding their arcs again between the moved corners; 0 keeps the sparse
            stage's corners (only to measure it).
        flip_average: run every crop with its mirror image (see :data:`FLIP_AVERAGE`).
        skip_parts: scheme parts not refined (default :data:`UNREFINED`; ``()`` refines every
            part of :data:`REFINE_PARTS`): a refine part whose scheme parts are all in it is
            left out, and a model left with no part is not loaded.
    """

    def __init__(
        self,
        backend: str = "onnx",
        num_threads: int = 1,
        corner_rounds: int = CORNER_ROUNDS,
        flip_average: bool = FLIP_AVERAGE,
        skip_parts: Sequence[str] = UNREFINED,
    ):
        self.corner_rounds = int(corner_rounds)
        self.flip_average = bool(flip_average)
        self.runners, self.size = {}, {}
        self.num_threads = num_threads
        unknown = set(skip_parts) - set(scheme.PART_NAMES)
        if unknown:
            raise ValueError(f"skip_parts: not parts of the scheme: {sorted(unknown)}")
        skip = set(skip_parts)
        kept = [p for p in REFINE_PARTS if not set(p.parts) <= skip]
        for model in sorted({p.model for p in kept}):
            runner = make_runner(model, backend, num_threads, arena=False)
            maps = int(runner.meta.config["num_maps"])
            for p in REFINE_PARTS:
                if p.model == model and len(p.arcs) != maps:
                    raise ValueError(
                        f"{model}: {maps} heatmaps, but part {p.name} has {len(p.arcs)} arcs"
                    )
            self.runners[model] = runner
            self.size[model] = runner.meta.input_size
        # the parts each model refines, in the order its crops are batched
        self._parts = {m: tuple(p for p in kept if p.model == m) for m in self.runners}

    @property
    def parts(self) -> tuple[RefinePart, ...]:
        """The refine parts this refiner runs (of :data:`REFINE_PARTS`), model by model."""
        return tuple(p for ps in self._parts.values() for p in ps)

    def without_parts(self, parts: Sequence[str]) -> Refiner | None:
        """A view of this refiner (sharing its sessions) without the models whose parts are all
        in ``parts`` (scheme part names), or None when no model is left. Models that refine
        other parts too stay whole.
        """
        skip = set(parts)
        drop = {m for m, ps in self._parts.items() if all(set(p.parts) <= skip for p in ps)}
        if not drop:
            return self
        if drop == set(self.runners):
            return None
        view = copy.copy(self)
        view.runners = {m: r for m, r in self.runners.items() if m not in drop}
        view.size = {m: v for m, v in self.size.items() if m not in drop}
        view._parts = {m: v for m, v in self._parts.items() if m not in drop}
        return view

    @staticmethod
    def available() -> bool:
        return all((WEIGHTS_DIR / f"{p.model}.onnx").exists() for p in REFINE_PARTS)

    @holds_opencv_threads
    def refine(
        self, image: np.ndarray, points106: np.ndarray, constrain: bool = True
    ) -> tuple[list[dict[str, np.ndarray]], np.ndarray]:
        """Refined control points and 106 points of every face.

        Args:
            image: (H, W, 3) uint8 RGB. points106: (F, 106, 2) sparse points, image pixels.
            constrain: decode with the shape constraints
                (:mod:`dense_landmarks.refine.constraints`); off only to measure them.
        Returns:
            control: per face, {scheme part: (R, 2) control points, image pixels: a closed
            ring, or an open polyline end to end} for the refined parts, to hand to
            :func:`dense_landmarks.contours.dense_contours` (a part whose sparse points are
            degenerate gets none: its sparse contour stays); points: (F, 106, 2) float64, a
            copy of ``points106`` whose refined parts' points moved along the sparse spline's
            normal onto the refined edge, i.e. onto the new curves, and whose corners of the
            lips, eyes and brows moved to where their ridges end (the ends of open parts stay).
        """
        pts, dec = self.decode(image, points106)
        control: list[dict[str, np.ndarray]] = [dict() for _ in range(len(pts))]
        if dec is None:
            return control, pts
        part_control, slots, knots = decoded_parts(
            [p for _, p, _ in dec.jobs],
            [m for _, _, m in dec.jobs],
            dec.arcs,
            [pts[f] for f, _, _ in dec.jobs] if constrain else None,
        )
        for (f, _, _), c in zip(dec.jobs, part_control):
            control[f].update(c)
        face = np.repeat([f for f, _, _ in dec.jobs], [len(s) for s in slots])
        pts[face, np.concatenate(slots)] = knots
        return control, pts

    @holds_opencv_threads
    def decode(
        self, image: np.ndarray, points106: np.ndarray
    ) -> tuple[np.ndarray, DecodedArcs | None]:
        """The refiner networks on every part crop, and the arcs decoded from their heatmaps.

        Args:
            image: (H, W, 3) uint8 RGB. points106: (F, 106, 2) sparse points, image pixels.
        Returns:
            points: (F, 106, 2) float64, a copy of ``points106`` with the corners moved by the
            :attr:`corner_rounds`; arcs: the decoded arcs (None where no face has a part to
            decode: non-finite or degenerate points).
        """
        pts = np.array(points106, dtype=np.float64, copy=True)
        if pts.ndim != 3 or pts.shape[1:] != (scheme.NUM_POINTS, 2):
            raise ValueError(f"points106: expected (F, 106, 2), got {pts.shape}")
        faces = np.flatnonzero(np.isfinite(pts).all(axis=(1, 2)))
        if not len(faces):
            return pts, None
        # jobs grouped by model, so each model's output stacks straight into the atlas
        todo = [
            (f, p, self.size[m]) for m, parts in self._parts.items() for f in faces for p in parts
        ]
        mats = crop_matrices(pts, todo)
        groups, start = [], 0
        for model, runner in self.runners.items():
            n, size = len(faces) * len(self._parts[model]), self.size[model]
            crops = self._crops(image, mats[start : start + n], size)
            (out,) = runner(crops)
            if self.flip_average:  # maps of the mirrored crops mirrored back: same arcs
                avg = _flipped(out[n:], 3)
                avg += out[:n]
                avg *= 0.5
                out = avg
            groups.append(out.reshape(-1, *out.shape[2:]))  # (n * arcs, h, w)
            start += n
        atlas = MapAtlas(groups)
        # the sparse splines' arcs between the corners, onto their ridges
        parts = tuple(p for _, p, _ in todo)
        face = np.array([f for f, _, _ in todo])
        arcs, none = spline_arcs(pts, face, parts, mats)
        index, smooth = np.arange(len(arcs)), arc_smoothing(parts)  # map a: arc a's
        jobs = [(f, p, m) for (f, p, _), m in zip(todo, mats)]
        if none.any():
            if none.all():
                return pts, None
            keep = np.flatnonzero(~none)
            rows = np.flatnonzero(~none[arc_jobs(parts)])
            arcs, index, smooth = arcs[rows], index[rows], smooth[rows]
            jobs = [jobs[j] for j in keep]
        decoded = decode_arcs(arcs, atlas, index, smooth=smooth)
        inverse = np.linalg.inv(np.stack([m for _, _, m in jobs])[:, :, :2])  # crop -> image
        for _ in range(self.corner_rounds):
            decoded = self._move_corners(pts, jobs, decoded, atlas, index, smooth, inverse)
        return pts, DecodedArcs(jobs, decoded, atlas, index)

    def _crops(self, image: np.ndarray, mats: np.ndarray, size: int) -> np.ndarray:
        """(n, size, size, C) crops of ``image`` through ``mats`` (n, 2, 3), followed by their
        mirror images (2n crops) with :attr:`flip_average`: one batch for the network."""
        first = warp(image, mats[0], size)
        n = len(mats)
        crops = np.empty((2 * n if self.flip_average else n, *first.shape), first.dtype)
        crops[0] = first
        for i in range(1, n):
            crops[i] = warp(image, mats[i], size)
        if self.flip_average:
            _flipped(crops[:n], 2, out=crops[n:])
        return crops

    @staticmethod
    def _move_corners(
        pts: np.ndarray,
        jobs: list[tuple[int, RefinePart, np.ndarray]],
        decoded: np.ndarray,
        atlas: MapAtlas,
        index: np.ndarray,
        smooth: np.ndarray,
        inverse: np.ndarray | None = None,
    ) -> np.ndarray:
        """Move the corners in ``pts`` (in place) to where the decoded arcs' ridges end, and
        decode the arcs again between them; the first decoding where nothing moved or a moved
        part became degenerate.

        ``decoded`` (A, M, 2) must be the decoding of the arcs of ``pts``: only the jobs with a
        moved point are decoded again (the others' rows are kept; arcs decode one by one).
        ``inverse``: optional (J, 2, 2), the inverses of the jobs' matrices' linear parts.
        """
        parts = tuple(p for _, p, _ in jobs)
        mats = np.stack([m for _, _, m in jobs])
        job, slot, move = corner_moves(parts, mats, decoded, atlas, index, inverse)
        if not len(job):
            return decoded
        face = np.array([jobs[j][0] for j in job])
        pts[face, slot] += move
        nonzero = (move != 0.0).any(axis=1)  # NaN moves too
        moved = np.zeros(pts.shape[:2], bool)
        moved[face[nonzero], slot[nonzero]] = True
        faces = np.array([f for f, _, _ in jobs])
        changed = (part_points(parts) & moved[faces]).any(axis=1)
        if not changed.any():
            return decoded
        sel = np.flatnonzero(changed)
        arcs, none = spline_arcs(pts, faces[sel], tuple(parts[j] for j in sel), mats[sel])
        if none.any():
            pts[face, slot] -= move
            return decoded
        if changed.all():
            return decode_arcs(arcs, atlas, index, smooth=smooth)
        rows = np.flatnonzero(changed[arc_jobs(parts)])
        out = decoded.copy()
        out[rows] = decode_arcs(arcs, atlas, index[rows], smooth=smooth[rows])
        return out


def _flipped(a: np.ndarray, axis: int, out: np.ndarray | None = None) -> np.ndarray:
    """``a`` with ``axis`` reversed (a mirror image: ``a[:, :, ::-1]`` for ``axis=2``), by
    OpenCV's flip; into ``out`` (same shape and dtype, C-contiguous) when given."""
    shape = a.shape
    grid = (math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1 :]))
    out = np.empty(shape, a.dtype) if out is None else out
    cv2.flip(np.ascontiguousarray(a).reshape(grid), 1, dst=out.reshape(grid))
    return out
