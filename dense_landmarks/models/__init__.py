"""Models: one frozen config dataclass each, small modules, and one factory.

Light to import: the configs (:mod:`dense_landmarks.models.configs`) are torch-free; the
factory and weight I/O (torch) load on first use of their names.
"""

from __future__ import annotations

from dense_landmarks.models.configs import PRETRAINED_CFGS, bundled_models, pretrained_cfg

_LAZY = {
    "build_model": "dense_landmarks.models.factory",
    "create_model": "dense_landmarks.models.factory",
    "list_models": "dense_landmarks.models.factory",
    "model_config": "dense_landmarks.models.factory",
    "WeightsError": "dense_landmarks.runtime.meta",  # torch-free
    "load_weights": "dense_landmarks.models.weights",
    "save_weights": "dense_landmarks.models.weights",
}

__all__ = ["PRETRAINED_CFGS", "bundled_models", "pretrained_cfg", *sorted(_LAZY)]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        return getattr(module, name)
    raise AttributeError(f"module 'dense_landmarks.models' has no attribute {name!r}")
