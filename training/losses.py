"""Losses: wing loss on landmarks (weighted per point and by pose), pose regression."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def wing_loss(
    pred: Tensor, target: Tensor, weights: Tensor, w: float = 10.0, eps: float = 2.0
) -> Tensor:
    """Wing loss (Feng et al., CVPR 2018) per face.

    Args:
        pred, target: (B, P, 2) in crop pixels. weights: (B, P) per-point weights.
    Returns:
        (B,) weighted mean over points of the wing loss of the point distance.
    """
    d = torch.linalg.vector_norm(pred - target, dim=2)
    c = w - w * math.log(1.0 + w / eps)
    loss = torch.where(d < w, w * torch.log1p(d / eps), d - c)
    return (loss * weights).sum(1) / weights.sum(1).clamp_min(1e-6)


def pose_targets(pose_deg: Tensor) -> Tensor:
    """(B, 3) pitch, yaw, roll degrees -> (B, 4) pitch/90, yaw/90, cos(roll), sin(roll)."""
    r = torch.deg2rad(pose_deg[:, 2])
    return torch.stack(
        [pose_deg[:, 0] / 90.0, pose_deg[:, 1] / 90.0, torch.cos(r), torch.sin(r)], 1
    )


def pose_weight(pose_deg: Tensor, strength: float = 2.0) -> Tensor:
    """PFLD-style per-face weight: larger for large pitch/yaw, (B, 3) degrees -> (B,)."""
    ang = torch.deg2rad(pose_deg[:, :2])
    return 1.0 + strength * (1.0 - torch.cos(ang)).sum(1)
