"""Synthetic videos with known motion, for jitter.

From a still face, each frame applies a small random similarity motion (a random walk of
translation, rotation and scale), sensor noise and JPEG compression. Because the true motion of
every frame is known, a landmark system's frame-to-frame movement *after removing that motion*
is pure jitter: ``jitter = mean_t |M_t^-1 p_t - M_{t-1}^-1 p_{t-1}|`` over points and frames,
divided by the inter-ocular distance.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image, write_image


def make_video(
    image_path: Path,
    points68: np.ndarray,
    frames: int,
    rng: np.random.Generator,
    out_dir: Path,
    stem: str,
) -> list[dict]:
    """Write ``frames`` PNG frames; return items ``{"image", "box", "matrix"}`` (matrix: (2, 3)
    map from the still image into the frame)."""
    img = read_image(image_path)
    h, w = img.shape[:2]
    c = landmark_box(points68)
    centre = np.array([(c[0] + c[2]) / 2, (c[1] + c[3]) / 2])
    size = max(c[2] - c[0], c[3] - c[1])
    t, a, s = np.zeros(2), 0.0, 0.0
    items = []
    for k in range(frames):
        if k:
            t += rng.normal(0, 0.01 * size, 2)
            a += rng.normal(0, 1.0)
            s += rng.normal(0, 0.01)
        m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), a, float(np.exp(s)))
        m[:, 2] += t
        frame = cv2.warpAffine(
            img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        frame = np.clip(frame + rng.normal(0, 3.0, frame.shape), 0, 255).astype(np.uint8)
        _, buf = cv2.imencode(".jpg", frame[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 80])
        frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
        path = out_dir / f"{stem}_{k:02d}.png"
        write_image(path, frame)
        moved = points68 @ m[:, :2].T + m[:, 2]
        items.append(
            {"image": str(path), "box": landmark_box(moved).tolist(), "matrix": m.tolist()}
        )
    return items


def jitter(pred: list[np.ndarray | None], matrices: list[np.ndarray], iod: float) -> float | None:
    """Mean frame-to-frame residual (fraction of IOD) of (68, 2) predictions after undoing each
    frame's known motion; None if any frame has no prediction."""
    if any(p is None for p in pred):
        return None
    back = [
        cv2.transform(p[None].astype(np.float64), cv2.invertAffineTransform(np.asarray(m)))[0]
        for p, m in zip(pred, matrices)
    ]
    steps = [np.linalg.norm(b1 - b0, axis=1).mean() for b0, b1 in itertools.pairwise(back)]
    return float(np.mean(steps) / iod)
