"""Model configs and the registry's pretrained configs, as torch-free data.

Each model has a frozen architecture config (input size and normalisation included). The
registry (:data:`PRETRAINED_CFGS`, in the spirit of timm's ``pretrained_cfg``) names every
bundled model with the config its shipped weights were made for; the runtime loader
(:func:`dense_landmarks.runtime.load_model_meta`) checks each weight file's metadata against it,
and :func:`dense_landmarks.models.create_model` builds the network from it. This module imports
no torch, so the onnxruntime path can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from dense_landmarks import scheme

Mean = tuple[float, float, float]


@dataclass(frozen=True)
class PFLDConfig:
    """Architecture of one PFLD variant (sparse 106 points + pose)."""

    name: str
    width: float = 0.25
    input_size: int = 112
    num_points: int = 106
    pose_dims: int = 4
    mean: Mean = (0.5, 0.5, 0.5)  # on x / 255
    std: Mean = (0.5, 0.5, 0.5)

    def ch(self, c: int) -> int:
        """Backbone channels scaled by ``width`` (multiples of 8)."""
        return max(8, round(c * self.width / 8) * 8)


@dataclass(frozen=True)
class RefinerConfig:
    """Architecture of one boundary-heatmap refiner (one heatmap per contour arc)."""

    name: str
    num_maps: int
    input_size: int = 64
    width: int = 16
    mean: Mean = (0.5, 0.5, 0.5)
    std: Mean = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class BlazeFaceConfig:
    """BlazeFace short-range detector (converted from MediaPipe) and its SSD anchors."""

    name: str = "blazeface_short"
    input_size: int = 128
    mean: Mean = (0.5, 0.5, 0.5)  # x / 255 -> [-1, 1]
    std: Mean = (0.5, 0.5, 0.5)
    strides: tuple[int, ...] = (8, 16, 16, 16)
    min_scale: float = 0.1484375
    max_scale: float = 0.75


@dataclass(frozen=True)
class BlazeFaceFullConfig:
    """BlazeFace full-range detector (converted from MediaPipe): one anchor per cell of the
    48 x 48 grid (stride 4 on the 192 px input)."""

    name: str = "blazeface_full"
    input_size: int = 192
    mean: Mean = (0.5, 0.5, 0.5)  # x / 255 -> [-1, 1]
    std: Mean = (0.5, 0.5, 0.5)
    strides: tuple[int, ...] = (4,)
    anchors_per_cell: int = 1


@dataclass(frozen=True)
class PretrainedCfg:
    """What a bundled model's files must be: ``<name>.pt``, ``<name>.onnx``, ``<name>.json``.

    Attributes:
        arch: the architecture config (input size and normalisation included).
        outputs: the ONNX graph's output names (input: ``crops``, (B, S, S, 3) uint8 RGB).
        scheme: landmark scheme version the weights were trained for.
        bundled: whether the package ships weights for it.
    """

    arch: PFLDConfig | RefinerConfig | BlazeFaceConfig | BlazeFaceFullConfig
    outputs: tuple[str, ...]
    scheme: str = scheme.SCHEME_VERSION
    bundled: bool = True

    @property
    def name(self) -> str:
        return self.arch.name


_PTS, _MAPS = ("points", "pose"), ("heatmaps",)
_CFGS = (
    PretrainedCfg(PFLDConfig("pfld106_s", width=0.25, input_size=112), _PTS),
    PretrainedCfg(PFLDConfig("pfld106_m", width=0.5, input_size=112), _PTS, bundled=False),
    PretrainedCfg(BlazeFaceConfig(), ("regressors", "scores")),
    PretrainedCfg(BlazeFaceFullConfig(), ("regressors", "scores")),
    PretrainedCfg(RefinerConfig("refine_mouth", num_maps=4), _MAPS),
    # eyes on 48 px crops of 1.6 eye widths: the eye keeps ~30 px, and the network costs less
    # than on 64 px crops of 2 eye widths
    PretrainedCfg(RefinerConfig("refine_eye", num_maps=2, input_size=48), _MAPS),
    # brows, jaw, nose: half-width networks (brows on 48 px crops) keep all parts of a face
    # inside the 5 ms refinement budget
    PretrainedCfg(RefinerConfig("refine_brow", num_maps=2, input_size=48, width=8), _MAPS),
    PretrainedCfg(RefinerConfig("refine_jaw", num_maps=1, input_size=64, width=16), _MAPS),
    PretrainedCfg(RefinerConfig("refine_nose", num_maps=2, input_size=64, width=8), _MAPS),
)

#: Registry: model name -> :class:`PretrainedCfg`.
PRETRAINED_CFGS: MappingProxyType[str, PretrainedCfg] = MappingProxyType({c.name: c for c in _CFGS})


def pretrained_cfg(name: str) -> PretrainedCfg:
    """The registry entry of ``name``; ``KeyError`` naming the known models otherwise."""
    if name not in PRETRAINED_CFGS:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(sorted(PRETRAINED_CFGS))}")
    return PRETRAINED_CFGS[name]


def bundled_models() -> list[str]:
    """Names of the models whose weights ship in the package."""
    return [n for n, c in PRETRAINED_CFGS.items() if c.bundled]
