"""BlazeFace (short range, 128 x 128) re-implemented in PyTorch.

The network of MediaPipe's ``face_detection_short_range.tflite`` (Apache-2.0, Google LLC):
a 5 x 5 stem and BlazeBlocks (depthwise 3 x 3 + pointwise 1 x 1 with a max-pool/zero-channel
skip), two heads over a 16 x 16 and an 8 x 8 feature map (2 and 6 anchors per cell, 896 in
all). Weights are converted from the ``.tflite`` file by ``training/convert_blazeface.py``.

Input: (B, 128, 128, 3) uint8 RGB. Output: ``regressors`` (B, 896, 16) (box cx, cy, w, h and
6 keypoints, in 128-pixel units relative to each anchor) and ``scores`` (B, 896) logits.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dense_landmarks.models.configs import BlazeFaceConfig

__all__ = ["BlazeBlock", "BlazeFace", "BlazeFaceConfig"]


class BlazeBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.stride = stride
        self.channel_pad = cout - cin
        self.dw = nn.Conv2d(cin, cin, 3, stride, 0 if stride == 2 else 1, groups=cin)
        self.pw = nn.Conv2d(cin, cout, 1)

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 2:
            h = F.pad(x, (0, 2, 0, 2))
            x = F.max_pool2d(x, 2, 2)
        else:
            h = x
        if self.channel_pad > 0:
            x = F.pad(x, (0, 0, 0, 0, 0, self.channel_pad))
        return F.relu(self.pw(self.dw(h)) + x)


class BlazeFace(nn.Module):
    def __init__(self, cfg: BlazeFaceConfig | None = None):
        super().__init__()
        self.cfg = cfg = cfg or BlazeFaceConfig()
        self.stem = nn.Conv2d(3, 24, 5, 2, 0)
        spec1 = [
            (24, 24, 1),
            (24, 28, 1),
            (28, 32, 2),
            (32, 36, 1),
            (36, 42, 1),
            (42, 48, 2),
            (48, 56, 1),
            (56, 64, 1),
            (64, 72, 1),
            (72, 80, 1),
            (80, 88, 1),
        ]
        self.backbone1 = nn.Sequential(*[BlazeBlock(a, b, s) for a, b, s in spec1])
        self.backbone2 = nn.Sequential(
            BlazeBlock(88, 96, 2), *[BlazeBlock(96, 96) for _ in range(4)]
        )
        self.classifier_8 = nn.Conv2d(88, 2, 1)
        self.classifier_16 = nn.Conv2d(96, 6, 1)
        self.regressor_8 = nn.Conv2d(88, 32, 1)
        self.regressor_16 = nn.Conv2d(96, 96, 1)

    def example_input(self, batch: int = 2) -> Tensor:
        """A random input of the right shape and dtype (tests, export)."""
        s = self.cfg.input_size
        return torch.randint(0, 256, (batch, s, s, 3), dtype=torch.uint8)

    def forward(self, crops: Tensor) -> tuple[Tensor, Tensor]:
        """(B, 128, 128, 3) uint8 -> regressors (B, 896, 16), score logits (B, 896)."""
        x = crops.permute(0, 3, 1, 2).float() / 127.5 - 1.0
        x = F.relu(self.stem(F.pad(x, (1, 2, 1, 2))))
        x = self.backbone1(x)
        h = self.backbone2(x)
        b = x.shape[0]
        c = torch.cat(
            [
                self.classifier_8(x).permute(0, 2, 3, 1).reshape(b, -1),
                self.classifier_16(h).permute(0, 2, 3, 1).reshape(b, -1),
            ],
            dim=1,
        )
        r = torch.cat(
            [
                self.regressor_8(x).permute(0, 2, 3, 1).reshape(b, -1, 16),
                self.regressor_16(h).permute(0, 2, 3, 1).reshape(b, -1, 16),
            ],
            dim=1,
        )
        return r, c
