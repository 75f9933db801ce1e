"""Weight files shipped in the package: ``<name>.pt`` (state dict) + ``<name>.json`` (metadata).

The metadata carries the sha256 of the ``.pt`` file (and of the ``.onnx`` graph), the landmark
scheme version, the input size and normalisation; :func:`load_weights` checks the hash and
the metadata against the registry (:func:`dense_landmarks.runtime.check_meta`, the same checks
the onnxruntime path runs) before loading, so a mismatched or corrupted file fails loudly.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from dense_landmarks import scheme
from dense_landmarks.atomic import atomic_write_bytes, atomic_write_text
from dense_landmarks.models.configs import PRETRAINED_CFGS
from dense_landmarks.runtime.meta import WEIGHTS_DIR, WeightsError, check_meta, sha256_bytes

__all__ = ["WEIGHTS_DIR", "WeightsError", "load_weights", "save_weights", "sha256_bytes"]


def save_weights(
    model: nn.Module, cfg: Any, path: str | Path, extra: dict[str, Any] | None = None
) -> dict:
    """Write ``path`` (.pt state dict) and its ``.json`` metadata atomically; return the metadata."""
    path = Path(path)
    buf = io.BytesIO()
    torch.save({k: v.detach().cpu().clone() for k, v in model.state_dict().items()}, buf)
    data = buf.getvalue()
    meta = {
        "name": cfg.name,
        "sha256": sha256_bytes(data),
        "scheme": scheme.SCHEME_VERSION,
        "input_size": cfg.input_size,
        "mean": list(cfg.mean),
        "std": list(cfg.std),
        "config": asdict(cfg),
        **(extra or {}),
    }
    atomic_write_bytes(path, data)
    atomic_write_text(path.with_suffix(".json"), json.dumps(meta, indent=1) + "\n")
    return meta


def load_weights(model: nn.Module, cfg: Any, path: str | Path) -> dict:
    """Load ``path`` into ``model`` after checking hash, scheme, input size and normalisation.

    A registered model's metadata is checked against its registry entry
    (:func:`dense_landmarks.runtime.check_meta`); any model's against ``cfg``.
    """
    path = Path(path)
    meta_path = path.with_suffix(".json")
    try:
        data = path.read_bytes()
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WeightsError(f"{path}: cannot read weights or metadata ({exc})") from None
    if cfg.name in PRETRAINED_CFGS and PRETRAINED_CFGS[cfg.name].arch == cfg:
        check_meta(meta, cfg.name, meta_path)
    checks = {
        "sha256": (meta.get("sha256"), sha256_bytes(data)),
        "scheme": (meta.get("scheme"), scheme.SCHEME_VERSION),
        "name": (meta.get("name"), cfg.name),
        "input_size": (meta.get("input_size"), cfg.input_size),
        "mean": (meta.get("mean"), list(cfg.mean)),
        "std": (meta.get("std"), list(cfg.std)),
    }
    for key, (stored, expected) in checks.items():
        if stored != expected:
            raise WeightsError(f"{path}: {key} is {stored!r}, expected {expected!r}")
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return meta
