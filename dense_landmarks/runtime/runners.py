"""Runners: a bundled model as a callable (B, S, S, 3) uint8 RGB crops -> tuple of numpy outputs.

``"onnx"`` runs the ``.onnx`` graph in onnxruntime (no torch import anywhere on this path);
``"torch"`` runs the ``.pt`` weights in eager PyTorch (the ``train`` extra). Both take the same
uint8 input: the normalisation is folded into the graph / the inference wrapper.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from dense_landmarks.runtime.meta import ModelMeta, load_model_meta

BACKENDS = ("onnx", "torch")


class Runner(Protocol):
    """A loaded model: ``meta`` and ``__call__(crops (B, S, S, 3) uint8) -> outputs``."""

    meta: ModelMeta

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, ...]: ...


class OnnxRunner:
    """onnxruntime session on one CPU thread pool of ``num_threads``.

    ``arena=False`` turns off onnxruntime's CPU memory arena: for the refiners' small, varying
    batches plain allocation measured slightly faster in alternating runs.
    """

    def __init__(self, meta: ModelMeta, path: Path, num_threads: int, arena: bool = True):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.enable_cpu_mem_arena = arena
        so.intra_op_num_threads = num_threads
        so.inter_op_num_threads = 1
        # idle workers sleep instead of spinning: with one pool per model (detector, landmarks,
        # refiners), spinning pools took the cores from each other (2 threads ran 2.4x slower
        # than 1 on 2 cores)
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.meta = meta
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(self.session.run(None, {"crops": crops}))


class TorchRunner:
    """Eager PyTorch on the bundled ``.pt`` weights (``torch.set_num_threads`` is process-wide:
    it is set while a call runs and restored after)."""

    def __init__(self, meta: ModelMeta, num_threads: int):
        import torch

        from dense_landmarks.models import create_model
        from dense_landmarks.models.export import inference_module

        self.meta = meta
        self.torch = torch
        self.num_threads = num_threads
        self.model = inference_module(create_model(meta.name, pretrained=True))

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, ...]:
        torch = self.torch
        old = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            with torch.inference_mode():
                outs = self.model(torch.from_numpy(np.ascontiguousarray(crops)))
        finally:
            torch.set_num_threads(old)
        outs = (outs,) if isinstance(outs, torch.Tensor) else outs
        return tuple(o.numpy() for o in outs)


def make_runner(
    name: str, backend: str = "onnx", num_threads: int = 1, arena: bool = True
) -> Runner:
    """Load bundled model ``name`` (checked by :func:`load_model_meta`) for ``backend``.

    Args:
        name: registry name. backend: ``"onnx"`` or ``"torch"``. num_threads: CPU threads.
        arena: onnxruntime's CPU memory arena (see :class:`OnnxRunner`).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected 'onnx' or 'torch', got {backend!r}")
    fmt = "onnx" if backend == "onnx" else "pt"
    meta = load_model_meta(name, formats=(fmt,))
    if backend == "onnx":
        return OnnxRunner(meta, meta.paths["onnx"], num_threads, arena)
    return TorchRunner(meta, num_threads)
