"""The model registry and ``create_model(name, pretrained=True)``."""

from __future__ import annotations

from types import MappingProxyType

from torch import nn

from dense_landmarks.detection.blazeface import BlazeFace, BlazeFaceConfig
from dense_landmarks.detection.blazeface_full import BlazeFaceFull, BlazeFaceFullConfig
from dense_landmarks.models.pfld import PFLD, PFLDConfig
from dense_landmarks.models.refiner import BoundaryRefiner, RefinerConfig
from dense_landmarks.models.weights import WEIGHTS_DIR, WeightsError, load_weights

#: name -> (config, model class).
_REGISTRY: dict[str, tuple[object, type[nn.Module]]] = {
    "pfld106_s": (PFLDConfig("pfld106_s", width=0.25, input_size=112), PFLD),
    "pfld106_m": (PFLDConfig("pfld106_m", width=0.5, input_size=112), PFLD),
    "blazeface_short": (BlazeFaceConfig(), BlazeFace),
    "blazeface_full": (BlazeFaceFullConfig(), BlazeFaceFull),
    "refine_mouth": (RefinerConfig("refine_mouth", num_maps=4), BoundaryRefiner),
    # eyes on 48 px crops of 1.6 eye widths: the eye keeps ~30 px, and the network costs less
    # than on 64 px crops of 2 eye widths
    "refine_eye": (RefinerConfig("refine_eye", num_maps=2, input_size=48), BoundaryRefiner),
    # brows, jaw, nose: half-width networks (brows on 48 px crops) keep all parts of a face inside
    # the 5 ms refinement budget
    "refine_brow": (
        RefinerConfig("refine_brow", num_maps=2, input_size=48, width=8),
        BoundaryRefiner,
    ),
    "refine_jaw": (
        RefinerConfig("refine_jaw", num_maps=1, input_size=64, width=16),
        BoundaryRefiner,
    ),
    "refine_nose": (
        RefinerConfig("refine_nose", num_maps=2, input_size=64, width=8),
        BoundaryRefiner,
    ),
}
MODELS = MappingProxyType(_REGISTRY)


def list_models() -> list[str]:
    return sorted(_REGISTRY)


def model_config(name: str) -> object:
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(list_models())}")
    return _REGISTRY[name][0]


def build_model(cfg: object) -> nn.Module:
    """A fresh model from a config (as stored in a checkpoint)."""
    for known_cfg, cls in _REGISTRY.values():
        if type(known_cfg) is type(cfg):
            return cls(cfg)
    raise KeyError(f"no model class for config {type(cfg).__name__}")


def create_model(name: str, pretrained: bool = True) -> nn.Module:
    """Build a registered model; with ``pretrained`` load its bundled, hash-checked weights.

    Raises:
        KeyError: unknown name. WeightsError: no bundled weights or a failed check.
    """
    cfg, cls = _REGISTRY[name] if name in _REGISTRY else (model_config(name), None)
    model = cls(cfg)
    if pretrained:
        path = WEIGHTS_DIR / f"{name}.pt"
        if not path.exists():
            raise WeightsError(f"no bundled weights for {name!r} ({path} is missing)")
        load_weights(model, cfg, path)
        model.eval()
    return model
