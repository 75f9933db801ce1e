"""Frozen-dataclass settings (make-up looks, warp specs) from untrusted dicts, e.g. parsed JSON."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def dataclass_from_dict(cls: type[T], d: Any, what: str) -> T:
    """``cls(**d)`` after checking that ``d`` is a dict of ``cls``'s fields only.

    Raises:
        ValueError: ``d`` is not a dict or names an unknown field (the message names ``what``
            and the known fields); the dataclass's own checks raise for bad values.
    """
    if not isinstance(d, dict):
        raise ValueError(f"{what}: expected an object, got {type(d).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"{what}: unknown field {unknown[0]!r} (known: {sorted(known)})")
    return cls(**d)
