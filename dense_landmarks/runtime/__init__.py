"""The model runtime: one weights folder, one checked loader, onnxruntime and torch runners.

- :mod:`~dense_landmarks.runtime.meta`: :data:`WEIGHTS_DIR`, :func:`load_model_meta` (sha256,
  scheme version, input size and normalisation of every bundled model, checked against the
  registry's :data:`~dense_landmarks.models.configs.PRETRAINED_CFGS`).
- :mod:`~dense_landmarks.runtime.runners`: :func:`make_runner`, uint8 crops in, numpy out; the
  ``"onnx"`` backend never imports torch.
"""

from dense_landmarks.runtime.meta import (
    WEIGHTS_DIR,
    ModelMeta,
    WeightsError,
    check_meta,
    load_model_meta,
    sha256_bytes,
)
from dense_landmarks.runtime.runners import BACKENDS, Runner, make_runner

__all__ = [
    "BACKENDS",
    "WEIGHTS_DIR",
    "ModelMeta",
    "Runner",
    "WeightsError",
    "check_meta",
    "load_model_meta",
    "make_runner",
    "sha256_bytes",
]
