"""The prepared-label dataset: images in memory, deterministic per-(seed, epoch, index) augmentation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from dense_landmarks.imageio import read_image
from training.augment import AugmentConfig, augment
from training.sample import PROVENANCE_WEIGHT


class LabelDataset(Dataset):
    """Faces of one split of a prepared-labels ``.npz`` (see ``training.labels.prepare``).

    Items are dicts of tensors: ``image`` (S, S, 3) uint8, ``points`` (106, 2) float32 crop
    pixels, ``weights`` (106,), ``pose`` (3,) degrees, ``matrix`` (2, 3) float64 image->crop,
    ``index`` (): the face's row. With ``augment_cfg`` and a seed, item ``i`` of epoch ``e`` is
    drawn from ``default_rng([seed, e, i])``: the same on any worker and after a resume.
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
        self.images = [read_image(p) for p in self.paths]
        self.cfg = cfg
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        rng = None if self.seed is None else np.random.default_rng([self.seed, self.epoch, int(i)])
        a = augment(self.images[i], self.points[i], self.weights[i], self.pose[i], self.cfg, rng)
        return {
            "image": torch.from_numpy(np.ascontiguousarray(a.image)),
            "points": torch.from_numpy(a.points.astype(np.float32)),
            "weights": torch.from_numpy(a.weights.astype(np.float32)),
            "pose": torch.from_numpy(a.pose.astype(np.float32)),
            "matrix": torch.from_numpy(a.matrix),
            "index": torch.tensor(i),
        }
