"""Landmark metrics: NME with several normalisations, failure rate, AUC, CED, pose error.

All point arrays are (N, P, 2) float in the same pixel space; errors are per face.
"""

from __future__ import annotations

import numpy as np

from dense_landmarks import scheme

_R_OUT, _L_OUT = scheme.IBUG68_POINTS["right_eye_outer"], scheme.IBUG68_POINTS["left_eye_outer"]


def normaliser(gt68: np.ndarray, kind: str = "inter_ocular") -> np.ndarray:
    """Per-face normalising distance (N,) from (N, 68, 2) ground truth.

    ``inter_ocular``: outer eye corners (36, 45); ``inter_pupil``: centres of the two eyes'
    six points; ``box_diagonal``: diagonal of the points' bounding box.
    """
    gt = np.asarray(gt68, dtype=np.float64)
    if gt.ndim != 3 or gt.shape[1:] != (68, 2):
        raise ValueError(f"gt68: expected (N, 68, 2), got {gt.shape}")
    if kind == "inter_ocular":
        return np.linalg.norm(gt[:, _R_OUT] - gt[:, _L_OUT], axis=1)
    if kind == "inter_pupil":
        return np.linalg.norm(gt[:, 36:42].mean(1) - gt[:, 42:48].mean(1), axis=1)
    if kind == "box_diagonal":
        return np.linalg.norm(gt.max(1) - gt.min(1), axis=1)
    raise ValueError(f"kind: unknown normalisation {kind!r}")


def signed_error(pred68: np.ndarray, gt68: np.ndarray) -> np.ndarray:
    """Per-face mean signed error (N, 2) px, predicted - human, in each face's own frame:
    column 0 along the face's horizontal axis (the human right eye's outer corner -> the left
    eye's: image x for an upright face), column 1 across it (image y for an upright face).

    Args:
        pred68, gt68: (N, 68, 2) float pixels.
    """
    pred, gt = np.asarray(pred68, dtype=np.float64), np.asarray(gt68, dtype=np.float64)
    if gt.ndim != 3 or gt.shape[1:] != (68, 2) or pred.shape != gt.shape:
        raise ValueError(f"pred68, gt68: expected two (N, 68, 2), got {pred.shape}, {gt.shape}")
    ax = gt[:, _L_OUT] - gt[:, _R_OUT]
    ax = ax / np.linalg.norm(ax, axis=1, keepdims=True)
    d = (pred - gt).mean(axis=1)
    return np.stack([(d * ax).sum(1), d[:, 1] * ax[:, 0] - d[:, 0] * ax[:, 1]], axis=1)


def nme(
    pred: np.ndarray, gt: np.ndarray, norm: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Per-face normalised mean error (N,): mean point distance / ``norm``.

    Args:
        pred, gt: (N, P, 2). norm: (N,) distances. weights: optional (N, P) point weights
            (points with weight 0 are left out of the mean).
    """
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.shape != gt.shape or pred.ndim != 3:
        raise ValueError(f"pred {pred.shape} and gt {gt.shape} must both be (N, P, 2)")
    d = np.linalg.norm(pred - gt, axis=2)
    if weights is None:
        mean = d.mean(axis=1)
    else:
        w = np.asarray(weights, dtype=np.float64)
        mean = (d * w).sum(1) / np.maximum(w.sum(1), 1e-12)
    return mean / np.asarray(norm, dtype=np.float64)


def ced(errors: np.ndarray, threshold: float, steps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative error distribution: thresholds (steps,) in [0, threshold] and fractions."""
    x = np.linspace(0.0, threshold, steps)
    e = np.sort(np.asarray(errors, dtype=np.float64))
    return x, np.searchsorted(e, x, side="right") / max(len(e), 1)


def failure_rate(errors: np.ndarray, threshold: float) -> float:
    """Fraction of faces whose error is above ``threshold`` (NaN errors, i.e. misses, fail)."""
    e = np.asarray(errors, dtype=np.float64)
    return float(np.mean(~(e <= threshold)))


def auc(errors: np.ndarray, threshold: float, steps: int = 1000) -> float:
    """Area under the CED curve up to ``threshold``, normalised to [0, 1]."""
    x, y = ced(np.nan_to_num(errors, nan=np.inf), threshold, steps)
    return float(np.trapezoid(y, x) / threshold)


def angle_error(pred_deg: np.ndarray, gt_deg: np.ndarray) -> np.ndarray:
    """Absolute angle differences in degrees, wrapped to [0, 180]."""
    d = (
        np.asarray(pred_deg, dtype=np.float64) - np.asarray(gt_deg, dtype=np.float64) + 180.0
    ) % 360.0
    return np.abs(d - 180.0)
