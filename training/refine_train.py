"""Train a boundary refiner: ``python -m training.refine_train --config training/configs/refine_mouth.json``.

Same conventions as :mod:`training.train` (explicit config, pure learning-rate function,
self-contained checkpoints, bit-exact ``--resume``); the loss is a foreground-weighted MSE on
the boundary heatmaps.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from dense_landmarks.atomic import atomic_write_text
from training.config import config_from_json
from training.refine_data import RefineDataset
from training.train import lr_at, save_checkpoint, start_or_resume


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
def evaluate(model, ds: RefineDataset, cfg: RefineConfig) -> float:
    model.eval()
    losses = []
    for batch in DataLoader(ds, batch_size=128, num_workers=0):
        pred = model(model.normalise(batch["image"]))
        w = batch["weight"] if cfg.provenance_weighting else None
        losses.append(
            float(heatmap_loss(pred, batch["target"], cfg.foreground_weight, w)) * len(pred)
        )
    return float(np.sum(losses) / len(ds))


def run(
    cfg: RefineConfig, resume: bool = False, stop_after: int | None = None, log=print
) -> list[dict]:
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    out = Path(cfg.out_dir)
    last = out / "last.pt"
    model, opt, start, step, history = start_or_resume(cfg, last if resume else None, log)
    size = model.cfg.input_size
    pw = cfg.provenance_weighting
    train = RefineDataset(
        cfg.labels, "train", cfg.model, size, cfg.seed, cfg.limit, provenance_weighting=pw
    )
    val = RefineDataset(
        cfg.labels, "val", cfg.model, size, None, cfg.limit, provenance_weighting=pw
    )
    per_epoch = len(train) // cfg.batch_size
    total, warm = per_epoch * cfg.epochs, int(cfg.warmup_epochs * per_epoch)
    end = cfg.epochs if stop_after is None else min(cfg.epochs, start + stop_after)
    for epoch in range(start, end):
        t0 = time.perf_counter()
        model.train()
        train.set_epoch(epoch)
        order = np.random.default_rng([cfg.seed, epoch]).permutation(len(train)).tolist()
        losses = []
        for batch in DataLoader(
            train, batch_size=cfg.batch_size, sampler=order, num_workers=cfg.workers, drop_last=True
        ):
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, warm, cfg.lr, cfg.min_lr_ratio)
            loss = heatmap_loss(
                model(model.normalise(batch["image"])),
                batch["target"],
                cfg.foreground_weight,
                batch["weight"] if cfg.provenance_weighting else None,
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        val_loss = evaluate(model, val, cfg)
        rec = {
            "epoch": epoch + 1,
            "loss": float(np.mean(losses)),
            "val_loss": val_loss,
            "score": val_loss,
            "seconds": time.perf_counter() - t0,
        }
        history.append(rec)
        log(json.dumps({k: round(v, 5) if isinstance(v, float) else v for k, v in rec.items()}))
        save_checkpoint(last, model, opt, cfg, epoch + 1, step, history)
        if val_loss <= min(h["val_loss"] for h in history):
            save_checkpoint(out / "best.pt", model, opt, cfg, epoch + 1, step, history)
    atomic_write_text(out / "history.json", json.dumps(history, indent=1))
    return history


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.refine_train", description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--stop-after", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--labels", default=None, help="prepared labels .npz (default: the config's)")
    ap.add_argument("--init-from", default=None, help="fine-tune from these weights")
    args = ap.parse_args(argv)
    cfg = RefineConfig.from_json(args.config)
    cfg = replace(
        cfg,
        labels=args.labels or cfg.labels,
        init_from=args.init_from or cfg.init_from,
        epochs=args.epochs or cfg.epochs,
    )
    run(cfg, resume=args.resume, stop_after=args.stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
