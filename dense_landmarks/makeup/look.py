"""The make-up look: which products, in which colours, how strong.

A :class:`Look` is a frozen, JSON-ready description::

    Look(lips="#b0243c", lip_finish="gloss", eyeliner="#1a1414", eyeliner_wing=True)
    Look.from_dict({"lips": "#b0243c", "intensity": 0.8})

Colours are ``#rrggbb`` strings (sRGB) or ``None`` (product not applied). ``intensity`` scales
every product's opacity; each product also has its own opacity in [0, 1].
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from dense_landmarks.specs import dataclass_from_dict

LIP_FINISHES = ("matte", "satin", "gloss")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_COLOUR_FIELDS = ("lips", "liner", "eyeliner", "shadow", "brows", "blush")
_UNIT_FIELDS = (
    "intensity",
    "lips_opacity",
    "liner_opacity",
    "eyeliner_opacity",
    "shadow_opacity",
    "brows_opacity",
    "blush_opacity",
)


def parse_colour(value: str, name: str = "colour") -> tuple[int, int, int]:
    """``#rrggbb`` -> (r, g, b) ints in [0, 255]; ``ValueError`` naming ``name`` otherwise."""
    if not isinstance(value, str) or not _HEX.match(value):
        raise ValueError(f"{name}: expected a colour '#rrggbb', got {value!r}")
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@dataclass(frozen=True)
class Look:
    """A make-up look (every colour optional; ``None`` leaves that area untouched).

    Attributes:
        lips: lipstick colour on the lip ring (never the mouth opening).
        lip_finish: ``"matte"`` (flattened highlights), ``"satin"`` or ``"gloss"`` (specular
            highlight added).
        liner: lip liner along the outer lip outline.
        eyeliner: along the upper lash line of both eyes.
        eyeliner_wing: extend the eyeliner past the outer corner in a flick.
        shadow: eyeshadow on the lid between the upper lid and the brow, fading upwards.
        brows: brow fill inside the brow outline.
        blush: blush on the cheeks.
        intensity: global opacity scale in [0, 1].
        *_opacity: per-product opacity in [0, 1].
    """

    lips: str | None = None
    lip_finish: str = "satin"
    liner: str | None = None
    eyeliner: str | None = None
    eyeliner_wing: bool = False
    shadow: str | None = None
    brows: str | None = None
    blush: str | None = None
    intensity: float = 1.0
    lips_opacity: float = 0.85
    liner_opacity: float = 0.8
    eyeliner_opacity: float = 0.9
    shadow_opacity: float = 0.6
    brows_opacity: float = 0.55
    blush_opacity: float = 0.35

    def __post_init__(self) -> None:
        for name in _COLOUR_FIELDS:
            value = getattr(self, name)
            if value is not None:
                parse_colour(value, name)
                object.__setattr__(self, name, value.lower())
        if self.lip_finish not in LIP_FINISHES:
            raise ValueError(f"lip_finish: expected one of {LIP_FINISHES}, got {self.lip_finish!r}")
        if not isinstance(self.eyeliner_wing, bool):
            raise ValueError(f"eyeliner_wing: expected true or false, got {self.eyeliner_wing!r}")
        for name in _UNIT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name}: expected a number in [0, 1], got {value!r}")
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name}: expected a number in [0, 1], got {value!r}")
            object.__setattr__(self, name, float(value))

    def colour(self, product: str) -> tuple[int, int, int] | None:
        """(r, g, b) of a product (a colour field name), or ``None`` when it is not applied."""
        value = getattr(self, product)
        return None if value is None else parse_colour(value, product)

    def opacity(self, product: str) -> float:
        """Effective opacity of a product: its own opacity times :attr:`intensity`."""
        return float(getattr(self, f"{product}_opacity")) * self.intensity

    @property
    def products(self) -> tuple[str, ...]:
        """Names of the products this look applies, in rendering order."""
        order = ("blush", "shadow", "brows", "eyeliner", "lips", "liner")
        return tuple(p for p in order if getattr(self, p) is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` inverts it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Look:
        """Look from a dict (e.g. parsed JSON); ``ValueError`` names an unknown or bad field."""
        return dataclass_from_dict(cls, d, "look")
