"""Train a boundary refiner: ``python -m training.refine_train --config training/configs/refine_mouth.json``.

The shared loop of :mod:`training.loop`, as :mod:`training.train` uses it (explicit config, pure
learning-rate function, self-contained checkpoints, bit-exact ``--resume``); the loss is a foreground-weighted MSE on
the boundary heatmaps.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from training.config import add_run_overrides, config_from_json, run_overrides
from training.loop import fit, to_device
from training.refine_data import RefineDataset
from training.train import start_or_resume


@dataclass(frozen=True)
class RefineConfig:
    model: str = "refine_mouth"
    labels: str = "cache/labels_300w.npz"
    out_dir: str = "runs/refine_mouth"
    epochs: int = 30
    batch_size: int = 64
    lr: float = 3e-3
    min_lr_ratio: float = 0.01
    warmup_epochs: float = 1.0
    weight_decay: float = 1e-4
    foreground_weight: float = 10.0
    provenance_weighting: bool = False  # weight each arc's channel by its label points' trust
    seed: int = 0
    workers: int = 1
    threads: int = 2
    device: str = "cpu"  # "cpu", "cuda" or "auto"
    eval_every: int = 1
    time_budget_s: float | None = None  # fit the epochs to this wall-clock budget
    init_from: str | None = None  # fine-tuning: a training checkpoint or a bundled state dict
    limit: int | None = None

    @classmethod
    def from_json(cls, path: str | Path) -> RefineConfig:
        return config_from_json(cls, path)

    def to_dict(self) -> dict:
        return asdict(self)


def heatmap_loss(
    pred: torch.Tensor, target: torch.Tensor, fg: float, weight: torch.Tensor | None = None
) -> torch.Tensor:
    """MSE weighted 1 + fg x target, so the thin ridges are not drowned by background.

    pred, target: (B, C, h, w); weight: optional (B, C) per-channel factors.
    """
    err = ((pred - target) ** 2) * (1.0 + fg * target)
    if weight is not None:
        err = err * weight[:, :, None, None]
    return err.mean()


@torch.no_grad()
def evaluate(
    model, ds: RefineDataset, cfg: RefineConfig, device: torch.device | None = None
) -> dict[str, float]:
    """Mean heatmap loss over the un-jittered validation crops."""
    model.eval()
    total = 0.0
    for batch in DataLoader(ds, batch_size=128, num_workers=0):
        batch = to_device(batch, device or torch.device("cpu"))
        total += float(batch_loss(model, batch, cfg)) * len(batch["image"])
    return {"val_loss": total / len(ds)}


def batch_loss(model, batch: dict[str, torch.Tensor], cfg: RefineConfig) -> torch.Tensor:
    """The training loss of one batch (on the model's device)."""
    return heatmap_loss(
        model(model.normalise(batch["image"])),
        batch["target"],
        cfg.foreground_weight,
        batch["weight"] if cfg.provenance_weighting else None,
    )


def run(
    cfg: RefineConfig, resume: bool = False, stop_after: int | None = None, log=print
) -> list[dict]:
    """Train (or resume) one refiner according to ``cfg``; returns the per-epoch history."""
    last = Path(cfg.out_dir) / "last.pt"
    model, opt, start, step, history, cfg = start_or_resume(cfg, last if resume else None, log)
    size = model.cfg.input_size
    pw = cfg.provenance_weighting
    train = RefineDataset(
        cfg.labels, "train", cfg.model, size, cfg.seed, cfg.limit, provenance_weighting=pw
    )
    val = RefineDataset(
        cfg.labels, "val", cfg.model, size, None, cfg.limit, provenance_weighting=pw
    )
    return fit(
        cfg,
        model,
        opt,
        train,
        lambda m, batch: batch_loss(m, batch, cfg),
        lambda m, device: evaluate(m, val, cfg, device),
        "val_loss",
        start,
        step,
        history,
        stop_after,
        log,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.refine_train", description=__doc__)
    add_run_overrides(ap)
    args = ap.parse_args(argv)
    cfg = replace(RefineConfig.from_json(args.config), **run_overrides(args))
    run(cfg, resume=args.resume, stop_after=args.stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
