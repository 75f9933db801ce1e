"""Losses: wing loss on landmarks (weighted per point and by pose), pixel-in-pixel heads,
pose regression."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from dense_landmarks.pip import pip_targets


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


def pip_loss(
    scores: Tensor,
    offsets: Tensor,
    neighbours: Tensor,
    points: Tensor,
    weights: Tensor,
    stride: int,
    table: tuple[tuple[int, ...], ...],
    reg_weight: float = 2.0,
) -> Tensor:
    """Pixel-in-pixel loss per face: cross-entropy over the grid cells for each landmark, and
    L1 (cell units) of its offset and its neighbours' offsets read at the true cell.

    Args:
        scores (B, P, G, G), offsets (B, P, 2, G, G), neighbours (B, P, K, 2, G, G): head
        outputs (see :mod:`dense_landmarks.pip`). points: (B, P, 2) crop pixels.
        weights: (B, P) per-point weights. table: P tuples of K neighbour indices.
    Returns:
        (B,) weighted mean over points.
    """
    b, p, g, _ = scores.shape
    k = neighbours.shape[2]
    cells, off, nb = (
        torch.from_numpy(a).to(scores.device)
        for a in pip_targets(points.detach().cpu().numpy(), stride, g, table if k else ())
    )
    ce = torch.nn.functional.cross_entropy(
        scores.reshape(b * p, g * g), cells.reshape(-1), reduction="none"
    ).view(b, p)
    idx = cells[:, :, None, None].expand(b, p, 2, 1)
    own = offsets.reshape(b, p, 2, g * g).gather(3, idx)[..., 0]
    l1 = (own - off.float()).abs().sum(2)  # (B, P)
    total = (ce + reg_weight * l1) * weights
    if k:
        idx = cells[:, :, None, None, None].expand(b, p, k, 2, 1)
        est = neighbours.reshape(b, p, k, 2, g * g).gather(4, idx)[..., 0]
        nb_w = weights[:, torch.as_tensor(table)]  # (B, P, K): trust of the neighbour's label
        nb_l1 = ((est - nb.float()).abs().sum(3) * nb_w).mean(2)
        total = total + reg_weight * nb_l1
    return total.sum(1) / weights.sum(1).clamp_min(1e-6)
