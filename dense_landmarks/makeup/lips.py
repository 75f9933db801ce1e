"""Lipstick and lip-liner masks: the lip ring only, never the mouth opening.

The ring is the outer lip outline minus the inner lip outline. Its outer edge is pulled in
(``LipParams.inset``) and then feathered, both in proportion to the face size (inter-ocular
distance, IOD), so the soft edge ends on the lip line rather than on the skin; the mouth opening
is grown by a margin on open mouths (the inner contour is the least certain one, and paint on
teeth shows far more than a thin unpainted lip rim); a colour guard keeps paint off pixels that
look like teeth or the mouth cavity; and every pixel whose centre lies in the predicted opening
is cut out after feathering, so the opening is never painted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from shapely.geometry.base import BaseGeometry

from curves.regions import ring_polygon
from dense_landmarks import anatomy
from dense_landmarks.makeup.colour import rgb_to_lab
from dense_landmarks.makeup.masks import Patch, feather, fill, stroke


@dataclass(frozen=True)
class LipParams:
    """Lip-mask geometry, in inter-ocular units (chosen on the 300-W training split only,
    ``python -m eval.makeup --split train --sweep``).

    Attributes:
        feather: Gaussian sigma of the soft edge.
        inset: how far the outer edge is pulled in before feathering.
        open_margin: how far the mouth opening grows, at full opening.
        open_gap: inner-lip gap (its area / its width, IOD units) at which a mouth counts as
            fully open; the margin grows linearly up to it.
        guard: keep paint off pixels that look like teeth (much less red and lighter than the
            lips) or the mouth cavity (much darker), wherever the contours put them.
    """

    feather: float = 0.008
    inset: float = 0.01
    open_margin: float = 0.015
    open_gap: float = 0.05
    guard: bool = True


def opening_cut(inner: BaseGeometry, patch: Patch) -> np.ndarray:
    """(h, w) float32 coverage of the mouth opening grown by 0.75 px: 1 on every pixel whose
    centre lies in the opening (the whole pixel is within 0.71 px of its centre), so paint
    multiplied by ``1 - cut`` never reaches such a pixel."""
    return (
        fill(inner.buffer(0.75), patch) if not inner.is_empty else np.zeros(patch.shape, np.float32)
    )


def mouth_gap(contours: Mapping[str, np.ndarray]) -> float:
    """Mean vertical opening of the inner lips in pixels (area / corner-to-corner width)."""
    inner = anatomy.require(contours, "inner_lips")["inner_lips"]
    width = float(np.linalg.norm(inner[anatomy.far_index(inner)] - inner[0]))
    return anatomy.polygon_area(inner) / max(width, 1e-6)


def colour_guard(rgb: np.ndarray, core: np.ndarray, sigma: float) -> np.ndarray:
    """Lip-likeness of each pixel of a mouth window, from the lips' own colour.

    The reference is the redder half of the ring's core pixels (the lips, whatever the
    contours let in): a pixel much less red (a*) and lighter than it looks like teeth, one far
    darker like the mouth cavity. Teeth need colour to tell apart; on grey images only the
    cavity rule acts.

    Args:
        rgb: (h, w, 3) uint8 window.
        core: (h, w) float coverage of the predicted lip ring.
        sigma: smoothing of the result, pixels.
    Returns:
        (h, w) float32 in [0, 1]: 1 keeps the paint, 0 removes it.
    """
    inside = core > 0.5
    if inside.sum() < 8:
        return np.ones(core.shape, np.float32)
    lab = rgb_to_lab(rgb)
    light, red = lab[..., 0], lab[..., 1]
    a_ref = float(np.percentile(red[inside], 70))
    lip = inside & (red >= np.median(red[inside]))
    l_ref = float(np.median(light[lip]))
    teeth = np.clip((0.6 * a_ref - red) / max(0.2 * a_ref, 2.0), 0, 1) * np.clip(
        (light - l_ref) / 8.0 + 0.5, 0, 1
    )
    cavity = np.clip((l_ref - 25.0 - light) / 10.0, 0, 1)
    return feather(1.0 - np.maximum(teeth, cavity), sigma)


def lips_alpha(
    contours: Mapping[str, np.ndarray],
    iod: float,
    image: np.ndarray,
    params: LipParams | None = None,
) -> tuple[Patch, np.ndarray]:
    """Feathered lip-ring coverage on a window around the mouth.

    Args:
        contours: the face's dense contours (``outer_lips``, ``inner_lips`` needed), pixels.
        iod: inter-ocular distance, pixels.
        image: (H, W, 3) uint8 RGB (read by the colour guard only).
        params: mask geometry.
    Returns:
        (patch, alpha): the window and (h, w) float32 alpha in [0, 1].
    """
    params = LipParams() if params is None else params
    c = anatomy.require(contours, "outer_lips", "inner_lips")
    sigma = params.feather * iod
    patch = Patch.around(c["outer_lips"], 3.0 * sigma + 2.0, image.shape[:2])
    outer = ring_polygon(c["outer_lips"], "outer_lips")
    inner = ring_polygon(c["inner_lips"], "inner_lips")
    if params.inset > 0:
        outer = outer.buffer(-params.inset * iod)
    openness = min(mouth_gap(c) / (params.open_gap * iod), 1.0)
    grown = inner.buffer(params.open_margin * iod * openness) if openness > 0 else inner
    ring = fill(outer.difference(grown), patch)
    alpha = feather(ring, sigma)
    if params.guard:
        alpha *= colour_guard(image[patch.slices], ring, 0.004 * iod)
    alpha *= 1.0 - opening_cut(inner, patch)
    return patch, alpha


def liner_alpha(
    contours: Mapping[str, np.ndarray], iod: float, shape: tuple[int, int]
) -> tuple[Patch, np.ndarray]:
    """A thin soft line along the outer lip outline, kept out of the mouth opening."""
    c = anatomy.require(contours, "outer_lips", "inner_lips")
    width, sigma = 0.022 * iod, 0.006 * iod
    patch = Patch.around(c["outer_lips"], width + 3.0 * sigma + 2.0, shape)
    ring = np.vstack([c["outer_lips"], c["outer_lips"][:1]])
    alpha = feather(stroke(ring, width, patch), sigma)
    alpha *= 1.0 - opening_cut(ring_polygon(c["inner_lips"], "inner_lips"), patch)
    return patch, alpha
