"""SSD anchors and BlazeFace decoding/NMS (MediaPipe's calculators, in numpy)."""

from __future__ import annotations

import numpy as np


def ssd_anchors(
    input_size: int, strides: tuple[int, ...], offset: float = 0.5, per_layer: int = 2
) -> np.ndarray:
    """(A, 2) anchor centres in [0, 1] (fixed anchor size 1), MediaPipe's layer/cell/anchor order.

    Consecutive layers with the same stride share one feature map: each layer adds
    ``per_layer`` anchors per cell -- 2 (aspect ratio 1 and the interpolated scale) for the
    short-range model, 1 for the full-range one (no interpolated scale), as MediaPipe's
    SsdAnchorsCalculator.
    """
    out = []
    i = 0
    while i < len(strides):
        j = i
        while j < len(strides) and strides[j] == strides[i]:
            j += 1
        per_cell = per_layer * (j - i)
        n = int(np.ceil(input_size / strides[i]))
        ys, xs = np.meshgrid(
            (np.arange(n) + offset) / n, (np.arange(n) + offset) / n, indexing="ij"
        )
        centres = np.stack([xs.ravel(), ys.ravel()], axis=1)
        out.append(np.repeat(centres, per_cell, axis=0))
        i = j
    return np.concatenate(out)


def _logit_floor(min_score: float) -> float:
    """A logit under which ``sigmoid(logit) < min_score`` for sure (a margin of 1e-3 below the
    threshold's logit covers any rounding of the float32 logit or the float64 sigmoid)."""
    if not 0.0 < min_score < 1.0:  # no logit to go by: every anchor takes the exact test
        return -np.inf
    return float(np.log(min_score / (1.0 - min_score))) - 1e-3


def decode(
    regressors: np.ndarray,
    logits: np.ndarray,
    anchors: np.ndarray,
    input_size: int,
    min_score: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes (N, 4) x0, y0, x1, y1 and keypoints (N, 6, 2) in [0, 1] crop units, scores (N,).

    Only anchors with ``sigmoid(logit) >= min_score`` are returned.
    """
    logits = np.asarray(logits).reshape(-1)
    # the sigmoid is monotonic: only anchors near or above the threshold's logit can pass, so
    # the exact test (same arithmetic as on every anchor) runs on those alone
    near = np.flatnonzero(logits >= _logit_floor(min_score))
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits[near].astype(np.float64), -100.0, 100.0)))
    keep = near[scores >= min_score]
    scores = scores[scores >= min_score]
    r = regressors[keep] / float(input_size)
    a = anchors[keep]
    cx, cy = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1]
    w, h = r[:, 2], r[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kps = r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :]
    return boxes, kps, scores


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (4,) box with (N, 4) boxes."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-12)


def weighted_nms(boxes: np.ndarray, kps: np.ndarray, scores: np.ndarray, threshold: float = 0.3):
    """MediaPipe's blending NMS: overlapping detections are averaged, weighted by score.

    Returns boxes (M, 4), keypoints (M, 6, 2), scores (M,), highest score first.
    """
    order = np.argsort(-scores)
    boxes, kps, scores = boxes[order], kps[order], scores[order]
    out_b, out_k, out_s = [], [], []
    remaining = np.arange(len(scores))
    while len(remaining):
        first = remaining[0]
        overlap = iou(boxes[first], boxes[remaining]) > threshold
        group = remaining[overlap]
        w = scores[group][:, None]
        out_b.append((boxes[group] * w).sum(0) / w.sum())
        out_k.append((kps[group] * w[:, :, None]).sum(0) / w.sum())
        out_s.append(scores[first])
        remaining = remaining[~overlap]
    if not out_s:
        return np.zeros((0, 4)), np.zeros((0, 6, 2)), np.zeros(0)
    return np.stack(out_b), np.stack(out_k), np.asarray(out_s)
