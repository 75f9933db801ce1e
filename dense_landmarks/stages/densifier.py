"""The densifier stage: 106 points (+ refined control points) -> dense contours per part."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.contours import Density, dense_contours, dense_layout_faces
from dense_landmarks.refine.constraints import constrain_contours, constrain_faces


@runtime_checkable
class Densifier(Protocol):
    """``densify(points106, control, density) -> {part: (n, 2)}``.

    Args:
        points106: (106, 2) float64 points, image pixels.
        control: {part: (R, 2) control points} replacing those parts' scheme points.
        density: a dense layout name (e.g. ``"dense-1000"``: fixed per-part counts, see
            :data:`dense_landmarks.scheme.DENSE_LAYOUTS`) or an int (length-proportional).
    Returns:
        part name -> (n, 2) float64 image pixels, in scheme part order.
    """

    def densify(
        self, points106: np.ndarray, control: Mapping[str, np.ndarray], density: Density
    ) -> dict[str, np.ndarray]: ...


class ContourDensifier:
    """The bundled densifier: :func:`dense_landmarks.contours.dense_contours` through the
    refined control points; should a refined curve be degenerate (all its points on one
    line), the face's sparse contours instead.

    Args:
        constrain: enforce the shape constraints on the dense contours
            (:func:`dense_landmarks.refine.constraints.constrain_contours`); off only to measure
            them.
    """

    def __init__(self, constrain: bool = True):
        self.constrain = bool(constrain)

    def densify(
        self, points106: np.ndarray, control: Mapping[str, np.ndarray], density: Density
    ) -> dict[str, np.ndarray]:
        out = self._unconstrained(points106, control, density)
        return (
            constrain_contours(out, np.asarray(points106, dtype=np.float64))
            if self.constrain
            else out
        )

    def densify_faces(
        self,
        points106: Sequence[np.ndarray],
        controls: Sequence[Mapping[str, np.ndarray]],
        density: Density,
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`densify` of many faces (the same contours as face by face): with a layout
        density, every face's dense layout in one vectorised pass
        (:func:`~dense_landmarks.contours.dense_layout_faces`), then their shape constraints
        in one batched pass (:func:`~dense_landmarks.refine.constraints.constrain_faces`).
        A subclass that overrides :meth:`densify` gets it face by face.

        Args:
            points106: per face, (106, 2) float points, image pixels.
            controls: per face, {part: (R, 2) control points, image pixels} (may be empty).
            density: a dense layout name or an int (see :class:`Densifier`).
        Returns:
            per face, part name -> (n, 2) float64 image pixels, in scheme part order.
        """
        if type(self).densify is not ContourDensifier.densify:
            return [self.densify(p, c, density) for p, c in zip(points106, controls)]
        raw = self._unconstrained_faces(points106, controls, density)
        if not self.constrain or not raw:
            return raw
        return constrain_faces(raw, [np.asarray(p, dtype=np.float64) for p in points106])

    def _unconstrained_faces(
        self,
        points106: Sequence[np.ndarray],
        controls: Sequence[Mapping[str, np.ndarray]],
        density: Density,
    ) -> list[dict[str, np.ndarray]]:
        """:meth:`_unconstrained` of every face. With a layout, every face's parts in one
        vectorised pass (:func:`~dense_landmarks.contours.dense_layout_faces`), then the
        sparse contours of the faces whose refined control points failed, in a second one;
        the first face (in order) that fails for good raises its error, as face by face."""
        batched = (
            isinstance(density, str)
            and density in scheme.DENSE_LAYOUTS
            and type(self)._unconstrained is ContourDensifier._unconstrained
        )
        if not batched:
            return [self._unconstrained(p, c, density) for p, c in zip(points106, controls)]
        out = dense_layout_faces(points106, controls, density)
        retry = [i for i, r in enumerate(out) if isinstance(r, ValueError) and controls[i]]
        if retry:
            sparse = dense_layout_faces([points106[i] for i in retry], [None] * len(retry), density)
            for i, r in zip(retry, sparse):
                out[i] = r
        for r in out:
            if isinstance(r, ValueError):
                raise r
        return out

    def _unconstrained(
        self, points106: np.ndarray, control: Mapping[str, np.ndarray], density: Density
    ) -> dict[str, np.ndarray]:
        """The dense contours before the shape constraints (the sparse ones should the refined
        control points be degenerate)."""
        try:
            return dense_contours(points106, density, control=control, constrain=False)
        except ValueError:
            if not control:
                raise
            return dense_contours(points106, density, constrain=False)
