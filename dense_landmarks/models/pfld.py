"""PFLD-style sparse landmark regressor with an auxiliary head-pose branch.

Backbone: MobileNetV2-style stages (PFLD layout, width-scaled). Head: multi-scale features
(pooled 1/8 and 1/16 maps plus a global 1x1 map) concatenated into one linear layer that
regresses all points. Auxiliary branch (from the 1/4 map): pitch, yaw and (cos, sin) of roll,
so that any in-plane rotation has a continuous target.

Input: (B, 3, S, S) float32, RGB normalised as ``(x / 255 - mean) / std``.
Output: ``points`` (B, P, 2) in crop units (0 = centre of the first pixel, 1 = centre of the
last: multiply by S - 1 for crop pixels) and ``pose`` (B, 4) = pitch/90, yaw/90, cos(roll),
sin(roll).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dense_landmarks.models.blocks import ConvBNAct, stage
from dense_landmarks.models.configs import PFLDConfig

__all__ = ["PFLD", "PFLDConfig"]


class PFLD(nn.Module):
    def __init__(self, cfg: PFLDConfig):
        super().__init__()
        self.cfg = cfg
        c64, c128 = cfg.ch(64), cfg.ch(128)
        c16, c32, c_head = 16, 32, 128  # PFLD's multi-scale head keeps its width
        self.stem = nn.Sequential(ConvBNAct(3, c64, 3, 2), ConvBNAct(c64, c64, 3, 1, groups=c64))
        self.stage1 = stage(c64, c64, 5, 2, 2)  # 1/4
        self.stage2 = nn.Sequential(stage(c64, c128, 1, 2, 2), stage(c128, c128, 6, 1, 4))  # 1/8
        self.stage3 = stage(c128, c16, 1, 1, 2)  # 1/8, narrow
        self.s2 = ConvBNAct(c16, c32, 3, 2)  # 1/16
        k = cfg.input_size // 16
        self.s3 = nn.Sequential(
            nn.Conv2d(c32, c_head, k, 1, 0), nn.BatchNorm2d(c_head), nn.ReLU(inplace=True)
        )
        self.fc = nn.Linear(c16 + c32 + c_head, cfg.num_points * 2)
        self.aux = nn.Sequential(
            ConvBNAct(c64, c128, 3, 2),
            ConvBNAct(c128, c128, 3, 1),
            ConvBNAct(c128, c32, 3, 2),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(c32, c32),
            nn.ReLU(inplace=True),
            nn.Linear(c32, cfg.pose_dims),
        )
        self.register_buffer(
            "_mean", torch.tensor(cfg.mean).view(1, 3, 1, 1) * 255.0, persistent=False
        )
        self.register_buffer(
            "_std", torch.tensor(cfg.std).view(1, 3, 1, 1) * 255.0, persistent=False
        )
        with torch.no_grad():  # start at the mean face position: the crop centre
            self.fc.bias.fill_(0.5)
            self.fc.weight.mul_(0.1)

    def example_input(self, batch: int = 2) -> Tensor:
        """A random input of the right shape and dtype (tests, export)."""
        s = self.cfg.input_size
        return self.normalise(torch.randint(0, 256, (batch, s, s, 3), dtype=torch.uint8))

    def normalise(self, images_uint8: Tensor) -> Tensor:
        """(B, S, S, 3) uint8 RGB -> (B, 3, S, S) float32 network input."""
        x = images_uint8.permute(0, 3, 1, 2).float()
        return (x - self._mean) / self._std

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(B, 3, S, S) normalised input -> points (B, P, 2), pose (B, pose_dims)."""
        f1 = self.stage1(self.stem(x))
        f = self.stage3(self.stage2(f1))
        g = self.s2(f)
        h = self.s3(g)
        feat = torch.cat([f.mean(dim=(2, 3)), g.mean(dim=(2, 3)), h.flatten(1)], dim=1)
        pts = self.fc(feat).view(-1, self.cfg.num_points, 2)
        return pts, self.aux(f1)
