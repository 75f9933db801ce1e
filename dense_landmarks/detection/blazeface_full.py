"""BlazeFace full range (192 x 192) re-implemented in PyTorch.

The network of MediaPipe's ``face_detection_full_range_sparse.tflite`` (Apache-2.0, Google LLC),
which finds faces from about 1/20 of the image side up to the whole image: a 3 x 3 stem, four
stride-2 stages of bottleneck blocks (depthwise 3 x 3, pointwise reduce + ReLU, depthwise 3 x 3,
pointwise expand, residual add + ReLU) down to 6 x 6, a feature pyramid back up to 48 x 48
(lateral 1 x 1 + ReLU, bilinear x2 with half-pixel centres, add), and two heads that end with a
stride-2 depthwise convolution and a depth-to-space (NHWC order) to one anchor per cell of the
48 x 48 grid (2304 in all). Weights are converted from the ``.tflite`` file (its sparse 1 x 1
kernels densified by the TFLite interpreter) by ``training/convert_blazeface.py --model full``.

Input: (B, 192, 192, 3) uint8 RGB. Output: ``regressors`` (B, 2304, 16) (box cx, cy, w, h and
6 keypoints, in 192-pixel units relative to each anchor) and ``scores`` (B, 2304) logits.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dense_landmarks.models.configs import BlazeFaceFullConfig

__all__ = ["BlazeFaceFull", "BlazeFaceFullConfig"]


def _dw(c: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(c, c, 3, stride, 1, groups=c)


class Bottleneck(nn.Module):
    """dw 3x3 (stride) -> pw reduce + ReLU -> dw 3x3 -> pw expand; ``residual``: + x, ReLU
    (otherwise the expand has its own ReLU: the stride-2 blocks that open each stage)."""

    def __init__(self, cin: int, mid: int, cout: int, stride: int = 1):
        super().__init__()
        self.residual = stride == 1 and cin == cout
        self.dw1, self.pw1 = _dw(cin, stride), nn.Conv2d(cin, mid, 1)
        self.dw2, self.pw2 = _dw(mid), nn.Conv2d(mid, cout, 1)

    def convs(self) -> list[nn.Conv2d]:
        return [self.dw1, self.pw1, self.dw2, self.pw2]

    def forward(self, x: Tensor) -> Tensor:
        h = self.pw2(self.dw2(F.relu(self.pw1(self.dw1(x)))))
        return F.relu(h + x) if self.residual else F.relu(h)


def _stage(cin: int, mid: int, cout: int, repeats: int, down: bool) -> nn.Sequential:
    first = [Bottleneck(cin, mid, cout, 2)] if down else []
    return nn.Sequential(*first, *[Bottleneck(cout, mid, cout) for _ in range(repeats)])


class Head(nn.Module):
    """1x1 conv -> depthwise 3x3 stride 2 -> depth-to-space x2 (TFLite's NHWC channel order)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.pw = nn.Conv2d(cin, 4 * cout, 1)
        self.dw = _dw(4 * cout, 2)
        self.cout = cout

    def forward(self, x: Tensor) -> Tensor:
        y = self.dw(self.pw(x))  # (B, 4C, H/2, W/2), channel = (i * 2 + j) * C + c
        b, _, h, w = y.shape
        y = y.reshape(b, 2, 2, self.cout, h, w).permute(0, 4, 1, 5, 2, 3)  # B, h, i, w, j, C
        return y.reshape(b, 4 * h * w, self.cout)


class BlazeFaceFull(nn.Module):
    def __init__(self, cfg: BlazeFaceFullConfig | None = None):
        super().__init__()
        self.cfg = cfg = cfg or BlazeFaceFullConfig()
        self.stem = nn.Conv2d(3, 32, 3, 2, 1)
        self.s96 = _stage(32, 8, 32, 2, down=False)
        self.s48 = _stage(32, 16, 64, 2, down=True)
        self.lat48 = nn.Conv2d(64, 48, 1)
        self.s24 = _stage(64, 32, 128, 2, down=True)
        self.lat24 = nn.Conv2d(128, 64, 1)
        self.s12 = _stage(128, 48, 192, 2, down=True)
        self.lat12 = nn.Conv2d(192, 96, 1)
        self.s6 = _stage(192, 96, 384, 3, down=True)
        self.top6 = nn.Conv2d(384, 96, 1)
        self.up12 = _stage(96, 48, 96, 2, down=False)
        self.top12 = nn.Conv2d(96, 64, 1)
        self.up24 = _stage(64, 32, 64, 2, down=False)
        self.top24 = nn.Conv2d(64, 48, 1)
        self.up48 = _stage(48, 24, 48, 1, down=False)
        self.classifier = Head(48, 1)
        self.regressor = Head(48, 16)

    def convs(self) -> list[nn.Conv2d]:
        """Every convolution in the TFLite graph's execution order (the converter's map)."""

        def blocks(stage: nn.Sequential) -> list[nn.Conv2d]:
            return [c for blk in stage for c in blk.convs()]

        return [
            self.stem,
            *blocks(self.s96),
            *blocks(self.s48),
            self.lat48,
            *blocks(self.s24),
            self.lat24,
            *blocks(self.s12),
            self.lat12,
            *blocks(self.s6),
            self.top6,
            *blocks(self.up12),
            self.top12,
            *blocks(self.up24),
            self.top24,
            *blocks(self.up48),
            self.classifier.pw,
            self.classifier.dw,
            self.regressor.pw,
            self.regressor.dw,
        ]

    def example_input(self, batch: int = 2) -> Tensor:
        """A random input of the right shape and dtype (tests, export)."""
        s = self.cfg.input_size
        return torch.randint(0, 256, (batch, s, s, 3), dtype=torch.uint8)

    def forward(self, crops: Tensor) -> tuple[Tensor, Tensor]:
        """(B, 192, 192, 3) uint8 -> regressors (B, 2304, 16), score logits (B, 2304)."""
        x = crops.permute(0, 3, 1, 2).float() / 127.5 - 1.0
        x = self.s96(F.relu(self.stem(x)))
        f48 = self.s48(x)
        f24 = self.s24(f48)
        f12 = self.s12(f24)
        f6 = self.s6(f12)
        up = lambda t: F.interpolate(t, scale_factor=2.0, mode="bilinear", align_corners=False)  # noqa: E731
        y = self.up12(up(F.relu(self.top6(f6))) + F.relu(self.lat12(f12)))
        y = self.up24(up(F.relu(self.top12(y))) + F.relu(self.lat24(f24)))
        y = self.up48(up(F.relu(self.top24(y))) + F.relu(self.lat48(f48)))
        return self.regressor(y), self.classifier(y)[:, :, 0]
