"""The model factory: ``create_model(name, pretrained=True)`` over the registry.

The registry's configs are torch-free data in :mod:`dense_landmarks.models.configs`
(:data:`~dense_landmarks.models.configs.PRETRAINED_CFGS`); this module pairs each config type
with its network class.
"""

from __future__ import annotations

from types import MappingProxyType

from torch import nn

from dense_landmarks.detection.blazeface import BlazeFace
from dense_landmarks.detection.blazeface_full import BlazeFaceFull
from dense_landmarks.models.configs import (
    PRETRAINED_CFGS,
    BlazeFaceConfig,
    BlazeFaceFullConfig,
    PFLDConfig,
    RefinerConfig,
    pretrained_cfg,
)
from dense_landmarks.models.pfld import PFLD
from dense_landmarks.models.refiner import BoundaryRefiner
from dense_landmarks.models.weights import WeightsError, load_weights
from dense_landmarks.runtime.meta import WEIGHTS_DIR

#: config type -> network class.
_CLASSES: dict[type, type[nn.Module]] = {
    PFLDConfig: PFLD,
    BlazeFaceConfig: BlazeFace,
    BlazeFaceFullConfig: BlazeFaceFull,
    RefinerConfig: BoundaryRefiner,
}
#: name -> (config, model class).
MODELS = MappingProxyType({n: (c.arch, _CLASSES[type(c.arch)]) for n, c in PRETRAINED_CFGS.items()})


def list_models() -> list[str]:
    return sorted(PRETRAINED_CFGS)


def model_config(name: str) -> object:
    """The architecture config of registered model ``name`` (``KeyError`` if unknown)."""
    return pretrained_cfg(name).arch


def build_model(cfg: object) -> nn.Module:
    """A fresh model from a config (as stored in a checkpoint)."""
    if type(cfg) not in _CLASSES:
        raise KeyError(f"no model class for config {type(cfg).__name__}")
    return _CLASSES[type(cfg)](cfg)


def create_model(name: str, pretrained: bool = True) -> nn.Module:
    """Build a registered model; with ``pretrained`` load its bundled, hash-checked weights.

    Raises:
        KeyError: unknown name. WeightsError: no bundled weights or a failed check.
    """
    cfg = model_config(name)
    model = build_model(cfg)
    if pretrained:
        path = WEIGHTS_DIR / f"{name}.pt"
        if not path.exists():
            raise WeightsError(f"no bundled weights for {name!r} ({path} is missing)")
        load_weights(model, cfg, path)
        model.eval()
    return model
