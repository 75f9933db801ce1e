"""Train the sparse 106-point model: ``python -m training.train --config training/configs/sparse106.json``.

A plain loop (``train_one_epoch``, ``evaluate``) with an explicit config, a pure learning-rate
function and checkpoints that rebuild the model on their own. ``--resume`` continues from
``<out_dir>/last.pt`` bit-exactly: data order and augmentation are drawn from
``(seed, epoch, index)``, so a resumed run sees exactly what an uninterrupted one would.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from dense_landmarks import scheme
from dense_landmarks.atomic import atomic_write_bytes, atomic_write_text
from dense_landmarks.crop import from_crop
from dense_landmarks.metrics import angle_error, nme, normaliser
from dense_landmarks.models import build_model, model_config
from dense_landmarks.pose import pose_degrees
from training.config import TrainConfig
from training.data import LabelDataset
from training.losses import pose_targets, pose_weight, wing_loss


def lr_at(
    step: int, total_steps: int, warmup_steps: int, base_lr: float, min_ratio: float
) -> float:
    """Linear warm-up to ``base_lr``, then cosine decay to ``base_lr * min_ratio``."""
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    t = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return base_lr * (min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * t)))


def _loader(ds: LabelDataset, cfg: TrainConfig, epoch: int, shuffle: bool) -> DataLoader:
    ds.set_epoch(epoch)
    order = (
        np.random.default_rng([cfg.seed, epoch]).permutation(len(ds))
        if shuffle
        else np.arange(len(ds))
    )
    return DataLoader(
        ds,
        batch_size=cfg.batch_size,
        sampler=order.tolist(),
        num_workers=cfg.workers,
        drop_last=shuffle,
        persistent_workers=False,
    )


def compute_loss(
    model: nn.Module, batch: dict[str, torch.Tensor], cfg: TrainConfig
) -> torch.Tensor:
    x = model.normalise(batch["image"])
    pts, pose = model(x)
    scale = model.cfg.input_size - 1
    per_face = wing_loss(pts * scale, batch["points"], batch["weights"])
    w = pose_weight(batch["pose"], cfg.pose_weight_strength)
    lm = (per_face * w).sum() / w.sum()
    pose_l = ((pose - pose_targets(batch["pose"])) ** 2).mean()
    return lm + cfg.pose_loss_weight * pose_l


def train_one_epoch(
    model: nn.Module,
    ds: LabelDataset,
    opt: torch.optim.Optimizer,
    cfg: TrainConfig,
    epoch: int,
    step: int,
    total_steps: int,
    progress: bool = True,
) -> tuple[float, int]:
    """One pass over the training set; returns (mean loss, next global step)."""
    model.train()
    loader = _loader(ds, cfg, epoch, shuffle=True)
    warm = int(cfg.warmup_epochs * len(loader))
    losses = []
    bar = tqdm(
        loader,
        desc=f"epoch {epoch + 1}/{cfg.epochs}",
        disable=not progress,
        mininterval=5,
        leave=False,
    )
    for batch in bar:
        for g in opt.param_groups:
            g["lr"] = lr_at(step, total_steps, warm, cfg.lr, cfg.min_lr_ratio)
        loss = compute_loss(model, batch, cfg)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
        bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
    return float(np.mean(losses)) if losses else float("nan"), step


@torch.no_grad()
def predict_dataset(
    model: nn.Module, ds: LabelDataset, batch_size: int = 128
) -> tuple[np.ndarray, np.ndarray]:
    """Predictions for every face of an un-augmented dataset: points (N, 106, 2) image pixels
    and pose (N, 3) degrees."""
    model.eval()
    pts_out, pose_out = [], []
    scale = model.cfg.input_size - 1
    for batch in DataLoader(ds, batch_size=batch_size, num_workers=0):
        pts, pose = model(model.normalise(batch["image"]))
        for p, m in zip(pts.numpy() * scale, batch["matrix"].numpy()):
            pts_out.append(from_crop(p, m))
        pose_out.append(pose_degrees(pose.numpy()))
    return np.stack(pts_out), np.concatenate(pose_out)


def evaluate(model: nn.Module, ds: LabelDataset) -> dict[str, float]:
    """NME (%) on the 68 human points (inter-ocular, outer corners) and pose MAE (degrees)."""
    pred, pose = predict_dataset(model, ds)
    gt68 = scheme.to_68(ds.points)
    e = nme(scheme.to_68(pred), gt68, normaliser(gt68))
    pe = angle_error(pose, ds.pose).mean(0)
    return {
        "nme68": 100 * float(e.mean()),
        "pitch_mae": float(pe[0]),
        "yaw_mae": float(pe[1]),
        "roll_mae": float(pe[2]),
    }


def save_checkpoint(
    path: Path,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    cfg: Any,
    epoch: int,
    step: int,
    history: list[dict[str, Any]],
) -> None:
    """Atomically write everything needed to rebuild the model and resume the run.

    ``cfg`` is the run's config (``TrainConfig`` or ``RefineConfig``: anything with ``to_dict``).
    """
    state = {
        "model_config": asdict(model.cfg),
        "model_config_type": type(model.cfg).__name__,
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "train_config": cfg.to_dict(),
        "epoch": epoch,
        "step": step,
        "history": history,
    }
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic_write_bytes(path, buf.getvalue())


def model_from_checkpoint(ckpt: dict[str, Any]) -> nn.Module:
    """Rebuild the model stored in a checkpoint (architecture from its own config)."""
    base = model_config(ckpt["model_config"]["name"])
    cfg = type(base)(
        **{
            **ckpt["model_config"],
            "mean": tuple(ckpt["model_config"]["mean"]),
            "std": tuple(ckpt["model_config"]["std"]),
        }
    )
    model = build_model(cfg)
    model.load_state_dict(ckpt["model"])
    return model


def start_or_resume(cfg: Any, last: Path | None, log=print):
    """(model, AdamW optimizer, start epoch, step, history): fresh from ``cfg.model``, or
    rebuilt from the checkpoint ``last`` when it is given and exists."""
    model = build_model(model_config(cfg.model))
    start, step, history, state = 0, 0, [], None
    if last is not None and last.exists():
        ckpt = torch.load(last, map_location="cpu", weights_only=False)
        model = model_from_checkpoint(ckpt)
        start, step, history, state = (
            ckpt["epoch"],
            ckpt["step"],
            ckpt["history"],
            ckpt["optimizer"],
        )
        log(f"resumed from {last} at epoch {start}")
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    if state is not None:
        opt.load_state_dict(state)
    return model, opt, start, step, history


def run(
    cfg: TrainConfig,
    resume: bool = False,
    progress: bool = True,
    log=print,
    stop_after: int | None = None,
) -> list[dict[str, Any]]:
    """Train (or resume) according to ``cfg``; returns the per-epoch history.

    ``stop_after`` ends this invocation after that many epochs (the schedule still spans
    ``cfg.epochs``): train in chunks and ``resume`` later.
    """
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    out = Path(cfg.out_dir)
    last = out / "last.pt"
    model, opt, start, step, history = start_or_resume(cfg, last if resume else None, log)
    train_ds = LabelDataset(cfg.labels, "train", cfg.augment, cfg.seed, cfg.limit)
    val_ds = LabelDataset(cfg.labels, "val", cfg.augment, None, cfg.limit)
    steps_per_epoch = len(train_ds) // cfg.batch_size
    total = steps_per_epoch * cfg.epochs
    end = cfg.epochs if stop_after is None else min(cfg.epochs, start + stop_after)
    for epoch in range(start, end):
        t0 = time.perf_counter()
        loss, step = train_one_epoch(model, train_ds, opt, cfg, epoch, step, total, progress)
        metrics = evaluate(model, val_ds)
        rec = {"epoch": epoch + 1, "loss": loss, **metrics, "seconds": time.perf_counter() - t0}
        history.append(rec)
        log(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in rec.items()}))
        save_checkpoint(last, model, opt, cfg, epoch + 1, step, history)
        if metrics["nme68"] <= min(h["nme68"] for h in history):
            save_checkpoint(out / "best.pt", model, opt, cfg, epoch + 1, step, history)
    atomic_write_text(out / "history.json", json.dumps(history, indent=1))
    return history


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.train", description=__doc__)
    ap.add_argument("--config", required=True, help="JSON training config (training/configs/)")
    ap.add_argument("--resume", action="store_true", help="continue from <out_dir>/last.pt")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--out-dir", default=None)
    ap.add_argument("--stop-after", type=int, default=None, help="run at most N epochs now")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    cfg = TrainConfig.from_json(args.config).with_overrides(
        epochs=args.epochs, out_dir=args.out_dir
    )
    run(cfg, resume=args.resume, progress=not args.no_progress, stop_after=args.stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
