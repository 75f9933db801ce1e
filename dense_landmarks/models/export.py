"""Inference wrapper and ONNX export: uint8 NHWC crops in, the model's outputs out.

The wrapper folds normalisation into the graph, so both backends take the same input:
(B, S, S, 3) uint8 RGB crops. Output names come from the registry
(:attr:`dense_landmarks.models.configs.PretrainedCfg.outputs`): PFLD ``points`` (B, P, 2) in
crop units (x (S - 1) for crop pixels) and ``pose`` (B, 4) raw (see
:func:`dense_landmarks.pose.pose_degrees`); refiners ``heatmaps`` (B, K, S/2, S/2); BlazeFace
``regressors`` (B, 896, 16) and ``scores`` (B, 896).
"""

from __future__ import annotations

import io
from pathlib import Path

import torch
from torch import Tensor, nn

from dense_landmarks.models.configs import pretrained_cfg


class InferenceWrapper(nn.Module):
    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model.eval()

    def forward(self, crops: Tensor) -> tuple[Tensor, Tensor]:
        return self.model(self.model.normalise(crops))


def inference_module(model: nn.Module) -> nn.Module:
    """The module that takes (B, S, S, 3) uint8 crops: models with a ``normalise`` step are
    wrapped; BlazeFace normalises inside its own forward."""
    return InferenceWrapper(model) if hasattr(model, "normalise") else model.eval()


def export_onnx(model: nn.Module, path: str | Path | None = None, opset: int = 17) -> bytes:
    """Export a registered model (uint8 crops in) with a dynamic batch axis; write ``path`` if
    given. Works for every model of the registry (sparse, refiners, BlazeFace)."""
    outputs = list(pretrained_cfg(model.cfg.name).outputs)
    return _export(inference_module(model), model.cfg.input_size, outputs, path, opset)


def export_onnx_blazeface(
    model: nn.Module, path: str | Path | None = None, opset: int = 17
) -> bytes:
    """Export BlazeFace: (B, 128, 128, 3) uint8 -> regressors (B, 896, 16), scores (B, 896)."""
    return export_onnx(model, path, opset)


def _export(
    model: nn.Module, size: int, outputs: list[str], path: str | Path | None, opset: int
) -> bytes:
    buf = io.BytesIO()
    torch.onnx.export(
        model.eval(),
        (torch.zeros(1, size, size, 3, dtype=torch.uint8),),
        buf,
        input_names=["crops"],
        output_names=outputs,
        dynamic_axes={"crops": {0: "batch"}, **{o: {0: "batch"} for o in outputs}},
        opset_version=opset,
        dynamo=False,
    )
    data = buf.getvalue()
    if path is not None:
        from dense_landmarks.atomic import atomic_write_bytes

        atomic_write_bytes(Path(path), data)
    return data
