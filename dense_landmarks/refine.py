"""Boundary refinement of lips and eyes (LAB-style): part crops, heatmaps, decoding.

For each refined part, a similarity crop is cut from the full-resolution image along the part's
corner-to-corner axis (left eyes mirrored into right-eye crops, so both eyes share one network).
The refiner predicts one boundary heatmap per contour arc. Each arc of the sparse spline is then
moved, sample by sample, along its normal to the heatmap's ridge (sub-pixel, by a parabola
through the peak), the corners stay, and the part is refitted as a closed curve and resampled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from curves import fit_curve
from dense_landmarks import scheme
from dense_landmarks.crop import CropSpec, from_crop, to_crop, warp

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
SNAP_PASSES = 2


@dataclass(frozen=True)
class RefinePart:
    """One refined part: how to crop it and which arcs its heatmap channels hold.

    ``arcs``: per channel, (scheme part, u0, u1): the arc of the part's closed spline between
    knots u0 and u1 (knot k = the part's k-th point; u1 may equal the point count = back to 0).
    """

    name: str
    model: str
    axis: tuple[int, int]  # corner slots; the crop's x axis runs from the first to the second
    scale: float  # crop side = scale x corner distance
    mirror: bool
    arcs: tuple[tuple[str, int, int], ...]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a[0] for a in self.arcs))


REFINE_PARTS: tuple[RefinePart, ...] = (
    RefinePart(
        "mouth",
        "refine_mouth",
        (84, 90),
        1.7,
        False,
        (("outer_lips", 0, 6), ("outer_lips", 6, 12), ("inner_lips", 0, 4), ("inner_lips", 4, 8)),
    ),
    RefinePart(
        "right_eye", "refine_eye", (66, 70), 2.0, False, (("right_eye", 0, 4), ("right_eye", 4, 8))
    ),
    # cropped inner -> outer and mirrored: its outer corner sits where a right eye's does; a
    # horizontal mirror keeps the upper lid on top, so channel 0 is the upper lid for both eyes
    RefinePart(
        "left_eye", "refine_eye", (75, 79), 2.0, True, (("left_eye", 0, 4), ("left_eye", 4, 8))
    ),
)


def crop_matrix(points106: np.ndarray, part: RefinePart, size: int) -> np.ndarray:
    """(2, 3) image -> crop matrix for ``part`` of a face with (106, 2) points."""
    a, b = points106[part.axis[0]], points106[part.axis[1]]
    d = b - a
    width = float(np.hypot(*d))
    idx = [i for p in part.parts for i in scheme.PARTS[p].indices]
    centre = points106[idx].mean(axis=0)
    angle = float(np.degrees(np.arctan2(d[1], d[0])))
    m = CropSpec(float(centre[0]), float(centre[1]), part.scale * max(width, 1.0), -angle).matrix(
        size
    )
    if part.mirror:
        m = np.array([[-1.0, 0.0, size - 1.0], [0.0, 1.0, 0.0]]) @ np.vstack([m, [0, 0, 1]])
    return m


def arc_points(points: np.ndarray, u0: float, u1: float, n: int, curve=None) -> np.ndarray:
    """``n`` points of the closed spline through ``points`` (K, 2) from knot u0 to u1, by
    parameter (ends included). Pass ``curve`` (that spline, already fitted) to reuse it."""
    curve = fit_curve(points, True, merge_duplicates=True) if curve is None else curve
    # merged duplicates shorten the knot list: rescale the parameters to the curve's own knots
    return curve.evaluate(np.linspace(u0, u1, n) * (len(curve.points) / len(points)))


def to_heatmap(p: np.ndarray) -> np.ndarray:
    """Crop pixels -> heatmap pixels (heatmaps are half resolution)."""
    return (np.asarray(p) - 0.5) / 2.0


def from_heatmap(q: np.ndarray) -> np.ndarray:
    return np.asarray(q) * 2.0 + 0.5


def _sample(hm: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Heatmap values at (..., 2) (x, y) positions by bicubic interpolation.

    Bilinear sampling would make every profile piecewise linear, with its maximum stuck on a
    grid line (up to half a heatmap pixel off); bicubic keeps the ridge smooth.
    """
    import cv2

    mx = np.ascontiguousarray(xy[..., 0], dtype=np.float32).reshape(1, -1)
    my = np.ascontiguousarray(xy[..., 1], dtype=np.float32).reshape(1, -1)
    vals = cv2.remap(
        np.asarray(hm, dtype=np.float32), mx, my, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return vals.reshape(xy.shape[:-1]).astype(np.float64)


def snap_to_ridge(
    arc: np.ndarray, heatmap: np.ndarray, reach: float = 4.0, min_peak: float = 0.25
) -> np.ndarray:
    """Move interior points of an arc (M, 2) (heatmap pixels) along their normals to the ridge.

    ``arc`` may also be (A, M, 2) with ``heatmap`` (A, h, w): A arcs at once.
    A point moves by its offset times a confidence that ramps from 0 (ridge peak below
    ``min_peak``) to 1 (``2 * min_peak``) -- continuous, so tiny input changes never make a point
    jump. Offsets are median-filtered over neighbours to drop single outliers. Ends never move.
    """
    single = arc.ndim == 2
    arcs = arc[None] if single else arc
    maps = np.asarray(heatmap)[None] if single else np.asarray(heatmap)
    tangent = np.gradient(arcs, axis=1)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=2, keepdims=True), 1e-9)
    normal = np.stack([-tangent[..., 1], tangent[..., 0]], axis=2)
    steps = np.arange(-reach, reach + 1e-9, 0.25)
    samples = (
        arcs[:, :, None, :] + steps[None, None, :, None] * normal[:, :, None, :]
    )  # (A, M, T, 2)
    vals = np.stack([_sample(h, s) for h, s in zip(maps, samples)])  # (A, M, T)
    best = vals.argmax(axis=2)
    i = np.clip(best, 1, len(steps) - 2)
    left, mid, right = (
        np.take_along_axis(vals, (i + d)[..., None], axis=2)[..., 0] for d in (-1, 0, 1)
    )
    peak = np.take_along_axis(vals, best[..., None], axis=2)[..., 0]
    den = left - 2 * mid + right
    frac = np.where(
        np.abs(den) > 1e-9, 0.5 * (left - right) / np.where(np.abs(den) > 1e-9, den, 1.0), 0.0
    )
    offset = steps[i] + np.clip(frac, -1, 1) * 0.25
    offset = offset * np.clip((peak - min_peak) / min_peak, 0.0, 1.0)
    inner = offset[:, 1:-1]  # the corners never move and do not vote
    if inner.shape[1] >= 3:
        padded = np.pad(inner, ((0, 0), (1, 1)), mode="edge")
        offset[:, 1:-1] = np.median(
            np.stack([padded[:, :-2], padded[:, 1:-1], padded[:, 2:]]), axis=0
        )
    offset[:, [0, -1]] = 0.0
    out = arcs + offset[..., None] * normal
    return out[0] if single else out


def refine_part_contours(
    points106: np.ndarray, part: RefinePart, heatmaps: np.ndarray, m: np.ndarray, samples: int = 24
) -> dict[str, np.ndarray]:
    """Refined closed control polygons (image pixels) for each scheme part of ``part``."""
    out: dict[str, list[np.ndarray]] = {}
    crop_pts = {
        name: to_crop(points106[list(scheme.PARTS[name].indices)], m) for name in part.parts
    }
    fitted = {name: fit_curve(p, True, merge_duplicates=True) for name, p in crop_pts.items()}
    arcs = np.stack(
        [
            to_heatmap(arc_points(crop_pts[name], u0, u1, samples, fitted[name]))
            for name, u0, u1 in part.arcs
        ]
    )
    for _ in range(
        SNAP_PASSES
    ):  # more passes search along corrected normals (1 measured as good as 2)
        arcs = snap_to_ridge(arcs, heatmaps[: len(part.arcs)])
    for (name, u0, _), arc in zip(part.arcs, arcs):
        out.setdefault(name, []).append((u0, from_heatmap(arc)))
    result = {}
    for name, arcs in out.items():
        arcs.sort(key=lambda a: a[0])  # arcs in the part's own order: u from 0 round to 0
        ring = np.vstack([a[1][:-1] for a in arcs])
        result[name] = from_crop(ring, m)
    return result


def snap_points(points106: np.ndarray, contours: dict[str, np.ndarray]) -> np.ndarray:
    """Move the points of refined parts onto their refined contours (nearest point), corners
    excepted. Returns a new (106, 2) array."""
    out = np.array(points106, dtype=np.float64, copy=True)
    corners = {i for p in REFINE_PARTS for i in p.axis} | {96, 100}
    for name, dense in contours.items():
        ring = np.vstack([dense, dense[:1]])
        a, d = ring[:-1], np.diff(ring, axis=0)
        len2 = np.maximum((d**2).sum(1), 1e-12)
        for i in scheme.PARTS[name].indices:
            if i in corners:
                continue
            t = np.clip(((out[i] - a) * d).sum(1) / len2, 0, 1)
            proj = a + t[:, None] * d
            out[i] = proj[np.argmin(((proj - out[i]) ** 2).sum(1))]
    return out


class Refiner:
    """Runs the bundled boundary refiners (mouth, eyes) on faces' sparse points.

    Args:
        backend: ``"onnx"`` or ``"torch"``. num_threads: CPU threads.
    """

    def __init__(self, backend: str = "onnx", num_threads: int = 1):
        from dense_landmarks.sparse import make_runner

        self.runners, self.size = {}, {}
        for model in sorted({p.model for p in REFINE_PARTS}):
            meta = json.loads((WEIGHTS_DIR / f"{model}.json").read_text(encoding="utf-8"))
            self.runners[model] = make_runner(model, backend, num_threads, meta)
            self.size[model] = int(meta["input_size"])

    @staticmethod
    def available() -> bool:
        return all((WEIGHTS_DIR / f"{p.model}.onnx").exists() for p in REFINE_PARTS)

    def refine(self, image: np.ndarray, points106: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Refined control rings per face: list over faces of {scheme part: (M, 2) pixels}.

        Args:
            image: (H, W, 3) uint8 RGB. points106: (F, 106, 2) sparse points, pixels.
        """
        faces = [dict() for _ in range(len(points106))]
        for model, runner in self.runners.items():
            parts = [p for p in REFINE_PARTS if p.model == model]
            jobs = [
                (f, p, crop_matrix(pts, p, self.size[model]))
                for f, pts in enumerate(points106)
                for p in parts
            ]
            if not jobs:
                continue
            crops = np.stack([warp(image, m, self.size[model]) for _, _, m in jobs])
            (maps,) = runner(crops)
            for (f, p, m), hm in zip(jobs, maps):
                try:
                    faces[f].update(refine_part_contours(points106[f], p, hm, m))
                except ValueError:  # a degenerate arc: keep the sparse contour for this part
                    continue
        return faces
