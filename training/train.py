"""Train the sparse 106-point model: ``python -m training.train --config training/configs/sparse106.json``.

The shared loop of :mod:`training.loop` with this model's loss and evaluation, an explicit
config, a pure learning-rate function and checkpoints that rebuild the model on their own. ``--resume`` continues from
``<out_dir>/last.pt`` bit-exactly: data order and augmentation are drawn from
``(seed, epoch, index)``, so a resumed run sees exactly what an uninterrupted one would.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from dense_landmarks import scheme
from dense_landmarks.crop import from_crop
from dense_landmarks.metrics import angle_error, nme, normaliser
from dense_landmarks.models import build_model, model_config
from dense_landmarks.pose import pose_degrees
from training.config import TrainConfig, add_run_overrides, run_overrides
from training.data import LabelDataset
from training.loop import fit, lr_at, save_checkpoint
from training.losses import pose_targets, pose_weight, wing_loss

__all__ = ["compute_loss", "evaluate", "lr_at", "run", "save_checkpoint", "start_or_resume"]


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


@torch.no_grad()
def predict_dataset(
    model: nn.Module, ds: LabelDataset, batch_size: int = 128, device: torch.device | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Predictions for every face of an un-augmented dataset: points (N, 106, 2) image pixels
    (of the dataset's images) and pose (N, 3) degrees."""
    model.eval()
    pts_out, pose_out = [], []
    scale = model.cfg.input_size - 1
    for batch in DataLoader(ds, batch_size=batch_size, num_workers=0):
        pts, pose = model(model.normalise(batch["image"].to(device or "cpu")))
        for p, m in zip(pts.cpu().numpy() * scale, batch["matrix"].numpy()):
            pts_out.append(from_crop(p, m))
        pose_out.append(pose_degrees(pose.cpu().numpy()))
    return np.stack(pts_out), np.concatenate(pose_out)


def evaluate(
    model: nn.Module, ds: LabelDataset, device: torch.device | None = None
) -> dict[str, float]:
    """NME (%) on the 68 human points (inter-ocular, outer corners) and pose MAE (degrees)."""
    pred, pose = predict_dataset(model, ds, device=device)
    gt68 = scheme.to_68(ds.points)
    e = nme(scheme.to_68(pred), gt68, normaliser(gt68))
    pe = angle_error(pose, ds.pose).mean(0)
    return {
        "nme68": 100 * float(e.mean()),
        "pitch_mae": float(pe[0]),
        "yaw_mae": float(pe[1]),
        "roll_mae": float(pe[2]),
    }


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
    """(model, AdamW optimizer, start epoch, step, history, cfg): fresh from ``cfg.model`` (or
    fine-tuned from ``cfg.init_from``: a training checkpoint or a bundled state dict), or
    rebuilt from the checkpoint ``last`` when it is given and exists. A resumed run keeps the
    epochs its checkpoint fixed from a time budget."""
    torch.manual_seed(cfg.seed)  # the fresh model's initialisation
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
        if cfg.time_budget_s:
            was = ckpt["train_config"]
            cfg = replace(cfg, epochs=was["epochs"], time_budget_s=was.get("time_budget_s"))
        log(f"resumed from {last} at epoch {start}")
    elif cfg.init_from:
        ckpt = torch.load(cfg.init_from, map_location="cpu", weights_only=False)
        model.load_state_dict(ckpt["model"] if "model" in ckpt else ckpt)
        log(f"fine-tuning from {cfg.init_from}")
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    if state is not None:
        opt.load_state_dict(state)
    return model, opt, start, step, history, cfg


def run(
    cfg: TrainConfig,
    resume: bool = False,
    log=print,
    stop_after: int | None = None,
) -> list[dict[str, Any]]:
    """Train (or resume) according to ``cfg``; returns the per-epoch history.

    ``stop_after`` ends this invocation after that many epochs (the schedule still spans
    ``cfg.epochs``): train in chunks and ``resume`` later. The loop logs one line per epoch.
    """
    last = Path(cfg.out_dir) / "last.pt"
    model, opt, start, step, history, cfg = start_or_resume(cfg, last if resume else None, log)
    train_ds = LabelDataset(cfg.labels, "train", cfg.augment, cfg.seed, cfg.limit)
    val_ds = LabelDataset(cfg.labels, "val", cfg.augment, None, cfg.limit)
    return fit(
        cfg,
        model,
        opt,
        train_ds,
        lambda m, batch: compute_loss(m, batch, cfg),
        lambda m, device: evaluate(m, val_ds, device),
        "nme68",
        start,
        step,
        history,
        stop_after,
        log,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.train", description=__doc__)
    add_run_overrides(ap)
    args = ap.parse_args(argv)
    cfg = TrainConfig.from_json(args.config).with_overrides(**run_overrides(args))
    run(cfg, resume=args.resume, stop_after=args.stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
