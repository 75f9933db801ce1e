"""Models: one frozen config dataclass each, small modules, and one factory."""

from dense_landmarks.models.factory import build_model, create_model, list_models, model_config
from dense_landmarks.models.weights import WeightsError, load_weights, save_weights

__all__ = [
    "WeightsError",
    "build_model",
    "create_model",
    "list_models",
    "load_weights",
    "model_config",
    "save_weights",
]
