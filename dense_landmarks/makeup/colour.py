"""Colour in CIELAB: move a region's chroma and hue to a product colour, keep lightness detail.

Arrays are float32 CIELAB as OpenCV writes it for float input in [0, 1]: L in [0, 100], a and b
roughly in [-128, 127]. Each function blends in place on a window of the face's LAB image,
weighted by an alpha mask (h, w) in [0, 1], so skin and lip texture (the L detail around the
region's mean) and highlights survive.
"""

from __future__ import annotations

import cv2
import numpy as np

from dense_landmarks.makeup.masks import feather


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(h, w, 3) uint8 RGB -> float32 LAB."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """float32 LAB -> (h, w, 3) uint8 RGB (rounded, clipped)."""
    rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)


def colour_lab(rgb: tuple[int, int, int]) -> np.ndarray:
    """(3,) float32 LAB of an sRGB colour."""
    return rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]


def region_mean(lab: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(3,) weighted mean LAB over a region (the whole window when the weight is all zero)."""
    w = weight.astype(np.float64)
    total = w.sum()
    if total <= 1e-6:
        return lab.reshape(-1, 3).mean(axis=0)
    return (lab * w[..., None]).reshape(-1, 3).sum(axis=0) / total


def tint(
    lab: np.ndarray,
    alpha: np.ndarray,
    target: np.ndarray,
    lightness: float,
    chroma_detail: float,
    contrast: float = 1.0,
) -> None:
    """Blend a product colour into ``lab`` (in place).

    The product's version of a pixel keeps the pixel's lightness offset from the region mean
    (scaled by ``contrast``) and moves the mean lightness ``lightness`` of the way to the
    product's; a/b become the product's plus ``chroma_detail`` times the pixel's own a/b
    variation. The result is ``lab + alpha * (product - lab)``.

    Args:
        lab: (h, w, 3) float32 LAB window, modified in place.
        alpha: (h, w) float32 in [0, 1] (mask times opacity).
        target: (3,) LAB of the product colour.
        lightness: in [0, 1], how far the region's mean L moves to the product's L.
        chroma_detail: in [0, 1], how much of the pixel's own a/b variation stays.
        contrast: scale of the L detail (< 1 flattens highlights: a matte finish).
    """
    if not np.any(alpha > 1e-4):
        return
    mean = region_mean(lab, alpha)
    prod = np.empty_like(lab)
    new_mean_l = mean[0] + lightness * (target[0] - mean[0])
    prod[..., 0] = new_mean_l + contrast * (lab[..., 0] - mean[0])
    prod[..., 1:] = target[1:] + chroma_detail * (lab[..., 1:] - mean[1:])
    lab += alpha[..., None] * (prod - lab)


def gloss(lab: np.ndarray, alpha: np.ndarray, sigma: float, strength: float = 1.0) -> None:
    """Add a specular highlight to a glossy region (in place).

    The highlight sits where the surface is already brighter than its surroundings (the lit
    curvature of the lips), sharpened and blurred by ``sigma`` pixels, and whitens the colour
    there: L rises by up to ~28 units and chroma falls.
    """
    if not np.any(alpha > 1e-4):
        return
    core = (alpha > 0.5).astype(np.float32)
    if core.sum() < 4:
        return
    light = lab[..., 0]
    vals = light[core > 0]
    lo, hi = np.percentile(vals, 55), np.percentile(vals, 97)
    spec = np.clip((light - lo) / max(hi - lo, 1e-3), 0.0, 1.0) ** 2.0
    spec = feather(spec * core, sigma) * alpha * strength
    lab[..., 0] += 28.0 * spec
    lab[..., 1:] *= (1.0 - 0.55 * spec)[..., None]
    np.clip(lab[..., 0], 0.0, 100.0, out=lab[..., 0])
