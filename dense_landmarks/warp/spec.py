"""What a landmark-guided warp changes, and by how much."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from dense_landmarks.specs import dataclass_from_dict

#: field -> (lowest, highest) accepted value; beyond these the preview stops looking natural.
LIMITS: dict[str, tuple[float, float]] = {
    "lips": (0.7, 1.5),
    "nose_width": (0.7, 1.3),
    "jaw": (0.8, 1.2),
    "brow_lift": (-6.0, 6.0),
    "eyes": (0.8, 1.25),
}


@dataclass(frozen=True)
class WarpSpec:
    """A landmark-guided warp (1.0 / 0.0 leave that feature alone).

    Attributes:
        lips: scale of both lips about the mouth centre (1.15: 15 % larger).
        nose_width: scale of the nose base's width about the nose midline.
        jaw: scale of the lower face's width (none at the ears, full from mouth level down).
        brow_lift: brow raise in millimetres (under the 63 mm inter-ocular assumption of
            :mod:`dense_landmarks.measure`); negative lowers.
        eyes: scale of each eye about its centre.
    """

    lips: float = 1.0
    nose_width: float = 1.0
    jaw: float = 1.0
    brow_lift: float = 0.0
    eyes: float = 1.0

    def __post_init__(self) -> None:
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name}: expected a number in [{lo}, {hi}], got {value!r}")
            if not lo <= float(value) <= hi:
                raise ValueError(f"{name}: expected a number in [{lo}, {hi}], got {value!r}")
            object.__setattr__(self, name, float(value))

    @property
    def identity(self) -> bool:
        return self == WarpSpec()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WarpSpec:
        """Spec from a dict; ``ValueError`` names an unknown or bad field."""
        return dataclass_from_dict(cls, d, "warp")
