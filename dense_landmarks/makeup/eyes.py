"""Eyeliner along the upper lash line (optional wing) and eyeshadow on the lid.

Both are built per eye from the upper lid (inner -> outer corner) and, for the shadow, the lower
edge of the brow above it; sizes are fractions of the inter-ocular distance (IOD).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dense_landmarks import anatomy
from dense_landmarks.makeup.masks import Patch, distance_to, feather, fill

SIDES = ("right", "left")


def _outward(polyline: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Unit normals of a lid polyline, oriented away from the eye centre."""
    n = anatomy.normals(polyline)
    if np.mean(np.sum(n * (polyline - centre), axis=1)) < 0:
        n = -n
    return n


def eyeliner_polygon(
    contours: Mapping[str, np.ndarray], side: str, frame: anatomy.Frame, wing: bool
) -> np.ndarray:
    """Closed (k, 2) outline of the liner on one eye: a band on the upper lash line that
    thickens towards the outer corner, with an optional upswept wing past it."""
    upper, _ = anatomy.lids(contours, side)
    eye = anatomy.require(contours, f"{side}_eye")[f"{side}_eye"]
    iod = frame.iod
    lid = anatomy.resample(upper, 48)
    n = _outward(lid, anatomy.centroid(eye))
    t = np.linspace(0.0, 1.0, len(lid))
    w = 0.05 * iod * (0.2 + 0.8 * t**1.5)
    top = lid + n * w[:, None]
    bottom = lid - n * (0.2 * w)[:, None]
    if not wing:
        return np.vstack([top, bottom[::-1]])
    out = -frame.ex if side == "right" else frame.ex
    d = out - 0.6 * frame.ey
    d /= np.linalg.norm(d)
    tip = lid[-1] + d * 0.2 * iod
    # the wing's upper edge bows gently from the band's top end to the tip
    s = np.linspace(0.0, 1.0, 9)[1:-1, None]
    upper_edge = top[-1] * (1 - s) + tip * s + n[-1] * (0.25 * w[-1]) * np.sin(np.pi * s)
    lower_edge = lid[-1] * (1 - s[::-1]) + tip * s[::-1]
    return np.vstack([top, upper_edge, tip[None], lower_edge, bottom[::-1]])


def eyeliner_alpha(
    contours: Mapping[str, np.ndarray],
    side: str,
    frame: anatomy.Frame,
    shape: tuple[int, int],
    wing: bool,
) -> tuple[Patch, np.ndarray]:
    """Feathered eyeliner coverage of one eye."""
    poly = eyeliner_polygon(contours, side, frame, wing)
    sigma = 0.005 * frame.iod
    patch = Patch.around(poly, 3.0 * sigma + 2.0, shape)
    return patch, feather(fill(poly, patch), sigma)


def shadow_alpha(
    contours: Mapping[str, np.ndarray], side: str, frame: anatomy.Frame, shape: tuple[int, int]
) -> tuple[Patch, np.ndarray]:
    """Eyeshadow on one lid: from the upper lid up to ~70 % of the way to the brow's lower edge,
    strongest on the lash line and fading upwards, never on the eye itself."""
    upper, _ = anatomy.lids(contours, side)
    brow_lower = anatomy.brow_edges(contours, side)[1]
    eye = anatomy.require(contours, f"{side}_eye")[f"{side}_eye"]
    lid = anatomy.resample(upper, 32)
    brow = anatomy.resample(brow_lower, 32)
    top = lid + 0.7 * (brow - lid)
    # widen a little past the outer corner, following the brow's tail
    top[-1] = lid[-1] + 0.85 * (brow[-1] - lid[-1])
    region = np.vstack([lid, top[::-1]])
    iod = frame.iod
    sigma = 0.03 * iod
    patch = Patch.around(region, 3.0 * sigma + 2.0, shape)
    d_lid, d_top = distance_to(lid, patch), distance_to(top, patch)
    ramp = d_top / np.maximum(d_lid + d_top, 1e-6)
    alpha = feather(fill(region, patch) * ramp**1.2, sigma)
    alpha *= 1.0 - feather(fill(eye, patch), 0.004 * iod)
    return patch, alpha
