"""Boundary-heatmap refiner (LAB-style) for one facial part: a small U-Net of MobileNet blocks.

Input: (B, 3, S, S) normalised part crop (see :func:`normalise`). Output: (B, K, S/2, S/2)
boundary heatmaps (heatmap pixel (i, j) covers crop pixels 2i..2i+1, 2j..2j+1), one per contour
of the part (mouth: outer upper, outer lower, inner upper, inner
lower; eye: upper lid, lower lid), each a Gaussian ridge (sigma ~ 1 px) along the contour.
Mirror-symmetric parts share one network: left eyes are mirrored into right-eye crops.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dense_landmarks.models.blocks import ConvBNAct, stage
from dense_landmarks.models.configs import RefinerConfig

__all__ = ["BoundaryRefiner", "RefinerConfig"]


class BoundaryRefiner(nn.Module):
    def __init__(self, cfg: RefinerConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.stem = ConvBNAct(3, w, 3, 2)  # S/2
        self.enc2 = stage(w, 2 * w, 2, 2, 3)  # S/4
        self.enc3 = stage(2 * w, 4 * w, 2, 2, 3)  # S/8
        self.dec2 = _separable(4 * w + 2 * w, 2 * w)
        self.dec1 = _separable(2 * w + w, w)
        self.head = nn.Conv2d(w, cfg.num_maps, 1)
        self.register_buffer(
            "_mean", torch.tensor(cfg.mean).view(1, 3, 1, 1) * 255.0, persistent=False
        )
        self.register_buffer(
            "_std", torch.tensor(cfg.std).view(1, 3, 1, 1) * 255.0, persistent=False
        )

    def normalise(self, images_uint8: Tensor) -> Tensor:
        """(B, S, S, 3) uint8 RGB -> (B, 3, S, S) float32 network input."""
        return (images_uint8.permute(0, 3, 1, 2).float() - self._mean) / self._std

    def example_input(self, batch: int = 2) -> Tensor:
        s = self.cfg.input_size
        return self.normalise(torch.randint(0, 256, (batch, s, s, 3), dtype=torch.uint8))

    def forward(self, x: Tensor) -> Tensor:
        """(B, 3, S, S) -> (B, K, S/2, S/2) heatmaps."""
        e1 = self.stem(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        d2 = self.dec2(torch.cat([_up(e3, e2), e2], 1))
        d1 = self.dec1(torch.cat([_up(d2, e1), e1], 1))
        return self.head(d1)


def _separable(cin: int, cout: int) -> nn.Sequential:
    """1 x 1 projection then a 3 x 3 depthwise convolution (a cheap decoder step)."""
    return nn.Sequential(ConvBNAct(cin, cout, 1), ConvBNAct(cout, cout, 3, groups=cout))


def _up(t: Tensor, ref: Tensor) -> Tensor:
    return F.interpolate(t, size=ref.shape[-2:], mode="bilinear", align_corners=False)
