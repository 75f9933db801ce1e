"""Bundled weight files and the one loader that checks them.

A bundled model ``<name>`` is three files in :data:`WEIGHTS_DIR`: ``<name>.json`` (metadata),
``<name>.pt`` (PyTorch state dict) and ``<name>.onnx`` (inference graph). The metadata carries
the sha256 of both weight files (``sha256``, ``onnx_sha256``), the landmark scheme version, the
input size and the normalisation. :func:`load_model_meta` checks all of them against the
registry's :class:`~dense_landmarks.models.configs.PretrainedCfg`, so a corrupted, swapped or
stale file fails loudly with its path instead of predicting garbage.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dense_landmarks.models.configs import pretrained_cfg

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
#: weight format -> (file suffix, metadata key of its sha256)
FORMATS = {"pt": (".pt", "sha256"), "onnx": (".onnx", "onnx_sha256")}


class WeightsError(RuntimeError):
    """A weight file that is missing, corrupted or made for another model/scheme."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=64)
def _file_sha256(path: Path, mtime_ns: int, size: int) -> str:
    return sha256_bytes(path.read_bytes())


def file_sha256(path: Path) -> str:
    """sha256 of a file (cached per path, modification time and size)."""
    st = path.stat()
    return _file_sha256(path, st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class ModelMeta:
    """A bundled model's checked metadata.

    Attributes:
        name: registry name. input_size: crop side S (input (B, S, S, 3) uint8 RGB).
        mean, std: normalisation on x / 255 (folded into the ONNX graph).
        config: the architecture config as stored (a dict). raw: the whole metadata file.
        paths: weight format (``"pt"``, ``"onnx"``) -> file, each hash-checked.
    """

    name: str
    input_size: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    config: dict[str, Any]
    raw: dict[str, Any]
    paths: dict[str, Path]


def check_meta(meta: dict[str, Any], name: str, where: Path | str) -> None:
    """Raise :class:`WeightsError` unless ``meta`` matches the registry entry of ``name``:
    name, scheme version, input size, mean, std and every architecture field."""
    cfg = pretrained_cfg(name)
    arch = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cfg.arch).items()}
    stored = {k: meta.get("config", {}).get(k) for k in arch}
    checks = {
        "name": (meta.get("name"), cfg.name),
        "scheme": (meta.get("scheme"), cfg.scheme),
        "input_size": (meta.get("input_size"), cfg.arch.input_size),
        "mean": (meta.get("mean"), list(cfg.arch.mean)),
        "std": (meta.get("std"), list(cfg.arch.std)),
        "config": (stored, arch),
    }
    for key, (got, expected) in checks.items():
        if got != expected:
            raise WeightsError(f"{where}: {key} is {got!r}, expected {expected!r}")


def load_model_meta(
    name: str, formats: tuple[str, ...] = ("onnx", "pt"), weights_dir: Path | None = None
) -> ModelMeta:
    """Read and check ``<name>.json`` and the sha256 of each weight file in ``formats``.

    Args:
        name: registry name (see :func:`dense_landmarks.models.configs.bundled_models`).
        formats: weight files that must exist and match their hashes (``"onnx"``, ``"pt"``).
        weights_dir: folder of the files (default :data:`WEIGHTS_DIR`).
    Raises:
        KeyError: unknown name. WeightsError: a missing file or a failed check.
    """
    folder = Path(weights_dir) if weights_dir is not None else WEIGHTS_DIR
    pretrained_cfg(name)  # KeyError for unknown names
    meta_path = folder / f"{name}.json"
    try:
        raw = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WeightsError(f"{meta_path}: cannot read model metadata ({exc})") from None
    check_meta(raw, name, meta_path)
    paths = {}
    for fmt in formats:
        suffix, key = FORMATS[fmt]
        path = folder / f"{name}{suffix}"
        if not path.exists():
            raise WeightsError(f"{path}: bundled {fmt} weights missing")
        digest = file_sha256(path)
        if digest != raw.get(key):
            raise WeightsError(f"{path}: sha256 {digest[:12]}... does not match {meta_path.name}")
        paths[fmt] = path
    return ModelMeta(
        name=name,
        input_size=int(raw["input_size"]),
        mean=tuple(raw["mean"]),
        std=tuple(raw["std"]),
        config=dict(raw["config"]),
        raw=raw,
        paths=paths,
    )
