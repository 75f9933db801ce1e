"""Pixel-in-pixel (PIPNet-style) sparse landmark network with an auxiliary head-pose branch.

Backbone: MobileNetV2 stages (width-scaled) down to 1/32; a light top-down path adds the 1/32
context to the 1/16 map (the head's grid). Head: 1 x 1 convolutions giving, per grid cell, a
score per landmark, the landmark's offset inside the cell and its K neighbours' offsets (see
:mod:`dense_landmarks.pip` for the layout and the numpy decoder). Pose: pitch/90, yaw/90,
cos(roll), sin(roll) from the pooled 1/32 map.

Input: (B, 3, S, S) float32, RGB normalised as ``(x / 255 - mean) / std``.
Output: ``scores`` (B, P, G, G), ``offsets`` (B, P, 2, G, G), ``neighbours`` (B, P, K, 2, G, G)
with G = S / stride, and ``pose`` (B, 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dense_landmarks.models.blocks import ConvBNAct, stage


@dataclass(frozen=True)
class PIPConfig:
    """Architecture of one PIP variant. ``neighbour_table``: P tuples of K landmark indices
    (:func:`dense_landmarks.pip.neighbour_table`), stored with the weights."""

    name: str
    neighbour_table: tuple[tuple[int, ...], ...]
    width: float = 1.0
    input_size: int = 128
    stride: int = 16  # 16 (grid S/16, top-down from 1/32) or 8 (grid S/8)
    head_channels: int = 96
    num_points: int = 106
    pose_dims: int = 4
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)  # on x / 255
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)

    def __post_init__(self) -> None:
        if self.input_size % 32 or self.stride not in (8, 16):
            raise ValueError(f"{self.name}: input_size must be a multiple of 32, stride 8 or 16")
        if len(self.neighbour_table) != self.num_points:
            raise ValueError(f"{self.name}: neighbour_table needs {self.num_points} rows")

    @property
    def grid(self) -> int:
        return self.input_size // self.stride

    @property
    def num_neighbours(self) -> int:
        return len(self.neighbour_table[0])

    def ch(self, c: int) -> int:
        """Backbone channels scaled by ``width`` (multiples of 8)."""
        return max(8, round(c * self.width / 8) * 8)


class PIPNet(nn.Module):
    def __init__(self, cfg: PIPConfig):
        super().__init__()
        self.cfg = cfg
        c = [cfg.ch(x) for x in (16, 24, 32, 64, 96, 160)]
        h = cfg.head_channels
        self.stem = nn.Sequential(ConvBNAct(3, c[0], 3, 2), ConvBNAct(c[0], c[0], 3, groups=c[0]))
        self.s4 = stage(c[0], c[1], 2, 2, 6)  # 1/4
        self.s8 = stage(c[1], c[2], 3, 2, 6)  # 1/8
        self.s16 = nn.Sequential(stage(c[2], c[3], 4, 2, 6), stage(c[3], c[4], 3, 1, 6))  # 1/16
        self.s32 = stage(c[4], c[5], 3, 2, 6)  # 1/32
        self.lat32 = ConvBNAct(c[5], h, 1)
        self.lat16 = ConvBNAct(c[4], h, 1)
        if cfg.stride == 8:
            self.lat8 = ConvBNAct(c[2], h, 1)
        self.smooth = nn.Sequential(ConvBNAct(h, h, 3, groups=h), ConvBNAct(h, h, 1))
        p, k = cfg.num_points, cfg.num_neighbours
        self.score = nn.Conv2d(h, p, 1)
        self.offset = nn.Conv2d(h, 2 * p, 1)
        self.nb = nn.Conv2d(h, 2 * p * k, 1) if k else None
        self.pose = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c[5], 64), nn.ReLU(inplace=True),
            nn.Linear(64, cfg.pose_dims),
        )  # fmt: skip
        self.register_buffer(
            "_mean", torch.tensor(cfg.mean).view(1, 3, 1, 1) * 255.0, persistent=False
        )
        self.register_buffer(
            "_std", torch.tensor(cfg.std).view(1, 3, 1, 1) * 255.0, persistent=False
        )
        with torch.no_grad():  # offsets start at cell centres
            for m in (self.offset, self.nb):
                if m is not None:
                    m.weight.mul_(0.1)
                    m.bias.fill_(0.5)

    def example_input(self, batch: int = 2) -> Tensor:
        """A random input of the right shape and dtype (tests, export)."""
        s = self.cfg.input_size
        return self.normalise(torch.randint(0, 256, (batch, s, s, 3), dtype=torch.uint8))

    def normalise(self, images_uint8: Tensor) -> Tensor:
        """(B, S, S, 3) uint8 RGB -> (B, 3, S, S) float32 network input."""
        x = images_uint8.permute(0, 3, 1, 2).float()
        return (x - self._mean) / self._std

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """(B, 3, S, S) -> scores (B, P, G, G), offsets (B, P, 2, G, G),
        neighbours (B, P, K, 2, G, G), pose (B, pose_dims)."""
        f8 = self.s8(self.s4(self.stem(x)))
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        t = self.lat16(f16) + F.interpolate(self.lat32(f32), scale_factor=2.0, mode="nearest")
        if self.cfg.stride == 8:
            t = self.lat8(f8) + F.interpolate(t, scale_factor=2.0, mode="nearest")
        t = self.smooth(t)
        b, g = x.shape[0], self.cfg.grid
        p, k = self.cfg.num_points, self.cfg.num_neighbours
        scores = self.score(t)
        offsets = self.offset(t).view(b, p, 2, g, g)
        nb = (
            self.nb(t).view(b, p, k, 2, g, g)
            if self.nb is not None
            else offsets.new_zeros(b, p, 0, 2, g, g)
        )
        return scores, offsets, nb, self.pose(f32)
