"""Small building blocks: conv-BN-activation and MobileNetV2 inverted residuals."""

from __future__ import annotations

from torch import Tensor, nn


class ConvBNAct(nn.Sequential):
    """k x k convolution, batch norm, ReLU (``act=False``: no activation)."""

    def __init__(
        self, cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1, act: bool = True
    ):
        layers: list[nn.Module] = [
            nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
        ]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise (stride), 1x1 linear projection."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.body = nn.Sequential(
            ConvBNAct(cin, hidden, 1),
            ConvBNAct(hidden, hidden, 3, stride, groups=hidden),
            ConvBNAct(hidden, cout, 1, act=False),
        )

    def forward(self, x: Tensor) -> Tensor:
        y = self.body(x)
        return x + y if self.use_res else y


def stage(cin: int, cout: int, n: int, stride: int, expand: int) -> nn.Sequential:
    """``n`` inverted residuals, the first with ``stride``."""
    blocks = [InvertedResidual(cin, cout, stride, expand)]
    blocks += [InvertedResidual(cout, cout, 1, expand) for _ in range(n - 1)]
    return nn.Sequential(*blocks)
