"""Training data for the boundary refiners: jittered part crops and boundary heatmap targets.

Targets follow LAB: each contour arc of the labels (the part's closed spline through the human
and spline points, the same curve ``curves`` draws) becomes a Gaussian ridge, sigma 0.75
heatmap pixels, around the arc. Crops are jittered (shift, scale, angle) like the errors of the
sparse stage they will refine, flipped at random (a horizontal mirror keeps upper arcs upper),
and get the sparse model's photometric augmentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.spatial import cKDTree
from torch.utils.data import Dataset

from dense_landmarks import scheme
from dense_landmarks.crop import to_crop, warp
from dense_landmarks.refine import REFINE_PARTS, RefinePart, arc_points, crop_matrix
from dense_landmarks.refine.ridge import to_heatmap
from training.augment import AugmentConfig, photometric
from training.data import load_images
from training.loop import split_index
from training.sample import PROVENANCE_WEIGHT

SIGMA = 0.75  # heatmap pixels
RIDGE_REACH = 6.0  # heatmap pixels: the ridge is exactly 0 beyond (exp(-32) < 1e-13)


@dataclass(frozen=True)
class RefineJitter:
    shift: float = 0.06  # of the crop side
    angle: float = 8.0  # degrees (s.d.)
    scale: float = 0.08  # log scale (s.d.)
    flip_prob: float = 0.5


def render_targets(points106: np.ndarray, part: RefinePart, m: np.ndarray, size: int) -> np.ndarray:
    """(K, size/2, size/2) float32 heatmaps of the part's arcs for crop matrix ``m``."""
    h = size // 2
    ys, xs = np.mgrid[0:h, 0:h]
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
    out = np.zeros((len(part.arcs), h, h), np.float32)
    for ch, (name, u0, u1) in enumerate(part.arcs):
        pts = to_crop(points106[list(scheme.PARTS[name].indices)], m)
        arc = to_heatmap(arc_points(pts, u0, u1, 64, closed=scheme.PARTS[name].closed))
        out[ch] = np.exp(-(ridge_distance(grid, arc) ** 2) / (2 * SIGMA**2)).reshape(h, h)
    return out


def ridge_distance(grid: np.ndarray, arc: np.ndarray, spacing: float = 0.05) -> np.ndarray:
    """(M,) distance of each (M, 2) query point to the (K, 2) polyline ``arc``, within
    ``spacing / 2`` of the exact one (``curves.point_to_curve``) up to ``RIDGE_REACH`` and
    ``inf`` beyond it (where the ridge is 0): the arc is sampled every ``spacing`` pixels and
    searched with a k-d tree, about 20 x faster than the exact distance."""
    seg = np.diff(arc, axis=0)
    n = np.maximum(1, np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / spacing)).astype(int)
    t = np.concatenate([np.arange(k) / k for k in n])
    dense = np.repeat(arc[:-1], n, axis=0) + np.repeat(seg, n, axis=0) * t[:, None]
    dense = np.vstack([dense, arc[-1:]])
    d, _ = cKDTree(dense).query(grid, distance_upper_bound=RIDGE_REACH)
    return d


def arc_trust(trust106: np.ndarray, part: RefinePart) -> np.ndarray:
    """(len(part.arcs),) float32 loss weight per heatmap channel: the mean trust of the label
    points its arc runs through (``trust106`` (106,), e.g. ``PROVENANCE_WEIGHT[provenance]``),
    so an arc drawn through teacher points (a brow's lower edge) counts less than one through
    human points."""
    out = []
    for name, u0, u1 in part.arcs:
        idx = scheme.PARTS[name].indices
        out.append(np.mean([trust106[idx[u % len(idx)]] for u in range(u0, u1 + 1)]))
    return np.asarray(out, dtype=np.float32)


def jittered_matrix(
    points106: np.ndarray,
    part: RefinePart,
    size: int,
    rng: np.random.Generator | None,
    jitter: RefineJitter,
) -> np.ndarray:
    """The inference crop matrix, perturbed like sparse-stage errors (unperturbed if rng is None)."""
    m = crop_matrix(points106, part, size)
    if rng is None:
        return m
    c = (size - 1) / 2
    a = np.radians(rng.normal(0, jitter.angle))
    k = np.exp(rng.normal(0, jitter.scale))
    rot = k * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    t = rng.uniform(-jitter.shift, jitter.shift, 2) * size
    about = np.hstack([rot, (np.array([c, c]) - rot @ np.array([c, c]) + t)[:, None]])
    m = about @ np.vstack([m, [0, 0, 1]])
    if rng.random() < jitter.flip_prob:
        m = np.array([[-1.0, 0.0, size - 1.0], [0.0, 1.0, 0.0]]) @ np.vstack([m, [0, 0, 1]])
    return m


class RefineDataset(Dataset):
    """(face, part) crops of one split of a prepared-labels ``.npz`` (or pack) for one refiner
    model; index ``k = e * len + i`` is item ``i`` of epoch ``e`` (see :mod:`training.loop`)."""

    def __init__(
        self,
        labels: str | Path,
        split: str,
        model: str,
        size: int,
        seed: int | None,
        limit: int | None = None,
        jitter: RefineJitter = RefineJitter(),
        provenance_weighting: bool = False,
    ):
        d = dict(np.load(labels))
        keep = d["val"] if split == "val" else ~d["val"]
        rows = np.flatnonzero(keep)[:limit]
        self.points = d["points"][rows].astype(np.float64)
        # per face, per slot: how much a label point is trusted (human 1 ... teacher 0.4)
        self.trust = PROVENANCE_WEIGHT[d["provenance"][rows]]
        self.provenance_weighting = provenance_weighting
        self.images = load_images(d, rows)
        self.parts = [p for p in REFINE_PARTS if p.model == model]
        self.items = [(i, p) for i in range(len(rows)) for p in self.parts]
        self.size, self.seed, self.jitter = size, seed, jitter
        self.photo = AugmentConfig(occlusion_prob=0.1, full_rotation_prob=0.0)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, k: int) -> dict[str, torch.Tensor]:
        epoch, i = split_index(k, len(self))
        rng = None if self.seed is None else np.random.default_rng([self.seed, epoch, i])
        face, part = self.items[i]
        m = jittered_matrix(self.points[face], part, self.size, rng, self.jitter)
        crop = warp(self.images[face], m, self.size)
        if rng is not None:
            crop = photometric(crop, self.photo, rng)
        target = render_targets(self.points[face], part, m, self.size)
        weight = (
            arc_trust(self.trust[face], part)
            if self.provenance_weighting
            else np.ones(len(part.arcs), np.float32)
        )
        return {
            "image": torch.from_numpy(np.ascontiguousarray(crop)),
            "target": torch.from_numpy(target),
            "weight": torch.from_numpy(weight),
            "matrix": torch.from_numpy(m),
            "index": torch.tensor(i),
        }
