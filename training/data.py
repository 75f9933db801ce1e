"""The prepared-label dataset: images in memory, deterministic per-(seed, epoch, index) augmentation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from dense_landmarks.imageio import read_image
from training.augment import AugmentConfig, augment
from training.loop import split_index
from training.pack import is_pack, packed_image
from training.sample import PROVENANCE_WEIGHT


def load_images(labels: dict[str, np.ndarray], rows: np.ndarray) -> list[np.ndarray]:
    """The (H, W, 3) uint8 RGB images of ``rows`` of a labels dict: decoded from a pack
    (:mod:`training.pack`) when it is one, else read from ``paths`` (a photo read once)."""
    if is_pack(labels):
        return [packed_image(labels, int(r)) for r in rows]
    photos: dict[str, np.ndarray] = {}
    for p in map(str, labels["paths"][rows]):
        if p not in photos:
            photos[p] = read_image(p)
    return [photos[str(p)] for p in labels["paths"][rows]]


class LabelDataset(Dataset):
    """Faces of one split of a prepared-labels ``.npz`` (see ``training.labels.prepare``).

    Items are dicts of tensors: ``image`` (S, S, 3) uint8, ``points`` (106, 2) float32 crop
    pixels, ``weights`` (106,), ``pose`` (3,) degrees, ``matrix`` (2, 3) float64 image->crop,
    ``index`` (): the face's row. Index ``k = e * len + i`` is item ``i`` of epoch ``e``
    (:class:`training.loop.EpochSampler`); with a seed, its augmentation is drawn from
    ``default_rng([seed, e, i])``: the same on any worker and after a resume. ``labels`` may be
    a pack (:mod:`training.pack`).
    """

    def __init__(
        self,
        labels: str | Path | dict,
        split: str,
        cfg: AugmentConfig,
        seed: int | None,
        limit: int | None = None,
    ):
        d = dict(np.load(labels)) if not isinstance(labels, dict) else labels
        if split not in ("train", "val", "all"):
            raise ValueError(f"split: expected train, val or all, got {split!r}")
        keep = (
            np.ones(len(d["paths"]), bool)
            if split == "all"
            else (d["val"] if split == "val" else ~d["val"])
        )
        rows = np.flatnonzero(keep)[:limit]
        self.rows = rows
        self.points = d["points"][rows].astype(np.float64)
        self.weights = PROVENANCE_WEIGHT[d["provenance"][rows]]
        self.pose = d["pose"][rows].astype(np.float64)
        self.paths = [str(p) for p in d["paths"][rows]]
        self.images = load_images(d, rows)
        self.cfg = cfg
        self.seed = seed

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, k: int) -> dict[str, torch.Tensor]:
        epoch, i = split_index(k, len(self))
        rng = None if self.seed is None else np.random.default_rng([self.seed, epoch, i])
        a = augment(self.images[i], self.points[i], self.weights[i], self.pose[i], self.cfg, rng)
        return {
            "image": torch.from_numpy(np.ascontiguousarray(a.image)),
            "points": torch.from_numpy(a.points.astype(np.float32)),
            "weights": torch.from_numpy(a.weights.astype(np.float32)),
            "pose": torch.from_numpy(a.pose.astype(np.float32)),
            "matrix": torch.from_numpy(a.matrix),
            "index": torch.tensor(i),
        }
