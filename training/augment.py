"""Augmentation (OpenCV): 360-degree rotation, detector-like box jitter, flip, photometric noise,
occlusion. Geometry happens in one similarity warp from the full image into the crop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from dense_landmarks import scheme
from dense_landmarks.crop import CropSpec, box_crop, landmark_box, to_crop, warp


@dataclass(frozen=True)
class AugmentConfig:
    """Augmentation settings (probabilities per sample)."""

    input_size: int = 112
    full_rotation_prob: float = 0.35  # uniform over 360 degrees; else +-small_rotation
    small_rotation: float = 25.0
    scale_jitter: float = 0.12  # relative crop side
    shift_jitter: float = 0.08  # fraction of the crop side
    aspect_jitter: float = 0.0
    flip_prob: float = 0.5
    colour_prob: float = 0.8
    gray_prob: float = 0.08
    blur_prob: float = 0.2
    noise_prob: float = 0.2
    jpeg_prob: float = 0.3
    occlusion_prob: float = 0.25


@dataclass
class Augmented:
    """One training crop: image (S, S, 3) uint8 RGB, points (106, 2) crop pixels, weights,
    pose (pitch, yaw, roll) degrees, and the image->crop matrix."""

    image: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    pose: np.ndarray
    matrix: np.ndarray


def geometry(
    points: np.ndarray, pose: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator | None
) -> tuple[np.ndarray, bool, np.ndarray]:
    """Random crop matrix, flip flag and adjusted pose for one face (no randomness if rng is None)."""
    spec = box_crop(landmark_box(points))
    angle, flip = 0.0, False
    if rng is not None:
        if rng.random() < cfg.full_rotation_prob:
            angle = rng.uniform(-180.0, 180.0)
        else:
            angle = rng.uniform(-cfg.small_rotation, cfg.small_rotation)
        side = spec.side * np.exp(rng.uniform(-cfg.scale_jitter, cfg.scale_jitter))
        dx, dy = rng.uniform(-cfg.shift_jitter, cfg.shift_jitter, 2) * spec.side
        spec = CropSpec(spec.cx + dx, spec.cy + dy, side, angle)
        flip = bool(rng.random() < cfg.flip_prob)
    m = spec.matrix(cfg.input_size)
    pose = np.asarray(pose, dtype=np.float64).copy()
    pose[2] = _wrap(pose[2] + angle)
    if flip:
        m = np.array([[-1.0, 0.0, cfg.input_size - 1.0], [0.0, 1.0, 0.0]]) @ np.vstack(
            [m, [0, 0, 1]]
        )
        pose[1:] = -pose[1:]
    return m, flip, pose


def _wrap(deg: float) -> float:
    return float((deg + 180.0) % 360.0 - 180.0)


def photometric(img: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator) -> np.ndarray:
    """Colour, gray, blur, noise, JPEG and occlusion on an (S, S, 3) uint8 RGB crop."""
    out = img.astype(np.float32)
    if rng.random() < cfg.colour_prob:
        gain = rng.uniform(0.6, 1.4)
        bias = rng.uniform(-30, 30)
        tint = rng.uniform(0.85, 1.15, 3)
        mean = out.mean()
        contrast = rng.uniform(0.6, 1.4)
        out = ((out - mean) * contrast + mean) * gain * tint + bias
    if rng.random() < cfg.gray_prob:
        out[:] = out.mean(axis=2, keepdims=True)
    out = np.clip(out, 0, 255)
    if rng.random() < cfg.blur_prob:
        k = int(rng.choice([3, 5]))
        out = cv2.GaussianBlur(out, (k, k), rng.uniform(0.5, 1.5))
    if rng.random() < cfg.noise_prob:
        out = out + rng.normal(0, rng.uniform(2, 12), out.shape).astype(np.float32)
    out = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < cfg.jpeg_prob:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    if rng.random() < cfg.occlusion_prob:
        s = out.shape[0]
        w, h = (rng.uniform(0.15, 0.45, 2) * s).astype(int)
        x, y = rng.integers(0, s - w), rng.integers(0, s - h)
        if rng.random() < 0.5:
            out[y : y + h, x : x + w] = rng.integers(0, 256, 3, dtype=np.uint8)
        else:
            out[y : y + h, x : x + w] = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return out


def augment(
    image: np.ndarray,
    points: np.ndarray,
    weights: np.ndarray,
    pose: np.ndarray,
    cfg: AugmentConfig,
    rng: np.random.Generator | None,
) -> Augmented:
    """Crop one labelled face; ``rng=None`` gives the plain validation crop (no randomness).

    Args:
        image: (H, W, 3) uint8 RGB full image. points: (106, 2) image pixels.
        weights: (106,) float per-point weights. pose: (3,) degrees.
    """
    m, flip, pose_out = geometry(points, pose, cfg, rng)
    crop = warp(image, m, cfg.input_size, border=cv2.BORDER_CONSTANT)
    pts = to_crop(points, m)
    w = np.asarray(weights, dtype=np.float32)
    if flip:
        pts, w = pts[scheme.FLIP_PERMUTATION], w[scheme.FLIP_PERMUTATION]
    if rng is not None:
        crop = photometric(crop, cfg, rng)
    return Augmented(crop, pts, w, pose_out, m)
