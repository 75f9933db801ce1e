"""Training configuration: one frozen dataclass, loaded from a JSON file."""

from __future__ import annotations

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
    reg_weight: float = 2.0  # pixel-in-pixel heads: offset L1 weight against the cell CE
    seed: int = 0
    workers: int = 1
    threads: int = 2
    # fine-tuning: start from these weights (a training checkpoint or a bundled state dict)
    init_from: str | None = None
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
