"""Training configuration: one frozen dataclass, loaded from a JSON file."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from training.augment import AugmentConfig


def config_from_dict(cls: type, d: dict[str, Any], where: str = "config") -> Any:
    """Build a frozen config dataclass from a dict, refusing unknown keys (nested
    ``augment`` dicts become :class:`AugmentConfig`)."""
    unknown = set(d) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"{where}: unknown settings {sorted(unknown)}")
    d = dict(d)
    if isinstance(d.get("augment"), dict):
        d["augment"] = AugmentConfig(**d["augment"])
    return cls(**d)


def config_from_json(cls: type, path: str | Path) -> Any:
    """:func:`config_from_dict` on a JSON file; errors name the file."""
    try:
        return config_from_dict(cls, json.loads(Path(path).read_text(encoding="utf-8")), str(path))
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"{path}: bad training config ({exc})") from None


def add_run_overrides(ap: argparse.ArgumentParser) -> None:
    """Command-line settings both trainers take (the run's own, and overrides of its JSON
    config)."""
    ap.add_argument("--config", required=True, help="JSON training config (training/configs/)")
    ap.add_argument("--resume", action="store_true", help="continue from <out_dir>/last.pt")
    ap.add_argument("--stop-after", type=int, default=None, help="run at most N epochs now")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--out-dir", default=None)
    ap.add_argument("--labels", default=None, help="prepared labels .npz or pack")
    ap.add_argument("--device", default=None, help="cpu, cuda or auto")
    ap.add_argument("--workers", type=int, default=None, help="data loader processes")
    ap.add_argument("--time-budget", type=float, default=None, help="fit the epochs to N s")
    ap.add_argument("--init-from", default=None, help="fine-tune from these weights")


def run_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The config overrides of :func:`add_run_overrides` given on the command line."""
    d = {
        "epochs": args.epochs,
        "out_dir": args.out_dir,
        "labels": args.labels,
        "device": args.device,
        "workers": args.workers,
        "time_budget_s": args.time_budget,
        "init_from": args.init_from,
    }
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run depends on (passed explicitly; no global state)."""

    model: str = "pfld106_s"  # registry name
    labels: str = "cache/labels_300w.npz"  # from training.labels.prepare
    out_dir: str = "runs/pfld106_s"
    epochs: int = 120
    batch_size: int = 64
    lr: float = 3e-3
    min_lr_ratio: float = 0.01
    warmup_epochs: float = 1.0
    weight_decay: float = 5e-5
    pose_loss_weight: float = 5.0
    pose_weight_strength: float = 2.0
    seed: int = 0
    workers: int = 1
    threads: int = 2
    device: str = "cpu"  # "cpu", "cuda" or "auto"
    eval_every: int = 1  # epochs between evaluations (and the last epoch)
    time_budget_s: float | None = None  # fit the epochs to this wall-clock budget
    init_from: str | None = None  # fine-tuning: a training checkpoint or a bundled state dict
    limit: int | None = None  # use only the first N faces of each split (tests, smoke runs)
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        return config_from_dict(cls, d)

    @classmethod
    def from_json(cls, path: str | Path) -> TrainConfig:
        return config_from_json(cls, path)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_overrides(self, **kw: Any) -> TrainConfig:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})
