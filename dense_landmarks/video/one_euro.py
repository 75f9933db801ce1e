"""The One-Euro filter (Casiez, Roussel and Vogel, CHI 2012), vectorised over any array shape.

A first-order low-pass filter whose cutoff rises with the signal's speed: slow motion (jitter)
is smoothed hard, fast motion passes with little lag. For a sample ``x_t`` at time ``t``::

    dx   = lowpass((x_t - x̂_{t-1}) / Δt, cutoff=d_cutoff)
    fc   = min_cutoff + beta * |dx|
    x̂_t = lowpass(x_t, cutoff=fc),   lowpass(x, fc): α = 1 / (1 + 1 / (2π fc Δt))

``|dx|`` is taken per element, or per row norm over the last axis with ``norm_axis=-1`` (e.g.
one speed per 2-D point). Units: cutoffs in Hz, ``beta`` in 1 / (signal unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OneEuroParams:
    """``min_cutoff`` (Hz): smoothing at rest (lower: smoother, more lag when slow);
    ``beta``: how fast the cutoff rises with speed (higher: less lag when fast);
    ``d_cutoff`` (Hz): cutoff of the speed estimate."""

    min_cutoff: float = 1.0
    beta: float = 0.0
    d_cutoff: float = 1.0


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * np.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Stateful One-Euro filter for arrays of a fixed shape.

    Args:
        params: :class:`OneEuroParams`.
        norm_axis: ``None`` (speed per element) or an axis whose norm is the speed (e.g. -1 for
            (N, 2) points).
    """

    def __init__(self, params: OneEuroParams, norm_axis: int | None = None):
        if params.min_cutoff <= 0 or params.d_cutoff <= 0 or params.beta < 0:
            raise ValueError(f"OneEuroParams: cutoffs must be > 0 and beta >= 0, got {params}")
        self.params = params
        self.norm_axis = norm_axis
        self.reset()

    def reset(self) -> None:
        """Forget the past: the next sample passes unfiltered."""
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """Filtered ``x`` (float64, same shape) at time ``t`` seconds (strictly increasing;
        a repeated or earlier time returns the previous estimate unchanged)."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._x.shape != x.shape or self._t is None:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), float(t)
            return x.copy()
        dt = float(t) - self._t
        if dt <= 0:
            return self._x.copy()
        p = self.params
        dx = (x - self._x) / dt
        self._dx = self._dx + _alpha(p.d_cutoff, dt) * (dx - self._dx)
        speed = (
            np.abs(self._dx)
            if self.norm_axis is None
            else np.linalg.norm(self._dx, axis=self.norm_axis, keepdims=True)
        )
        a = _alpha(p.min_cutoff + p.beta * speed, dt)
        self._x = self._x + a * (x - self._x)
        self._t = float(t)
        return self._x.copy()
