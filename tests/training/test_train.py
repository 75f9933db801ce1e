import itertools
from dataclasses import replace

import pytest
import torch

from training.augment import AugmentConfig
from training.config import TrainConfig
from training.train import lr_at, run


def test_lr_schedule_is_pure_and_shaped():
    lrs = [lr_at(s, 100, 10, 1.0, 0.01) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(lrs[10:]))
    assert lrs[-1] == pytest.approx(0.01, abs=1e-3)
    assert lr_at(42, 100, 10, 1.0, 0.01) == lr_at(42, 100, 10, 1.0, 0.01)


def _cfg(labels, out_dir, epochs):
    return TrainConfig(
        labels=str(labels),
        out_dir=str(out_dir),
        epochs=epochs,
        batch_size=4,
        lr=3e-3,
        workers=0,
        threads=1,
        augment=AugmentConfig(input_size=112),
    )


def test_training_lowers_the_loss(tiny_labels, tmp_path):
    mild = AugmentConfig(
        full_rotation_prob=0.0,
        small_rotation=5.0,
        scale_jitter=0.05,
        shift_jitter=0.02,
        colour_prob=0.0,
        gray_prob=0.0,
        blur_prob=0.0,
        noise_prob=0.0,
        jpeg_prob=0.0,
        occlusion_prob=0.0,
    )
    cfg = replace(_cfg(tiny_labels, tmp_path / "a", 10), augment=mild, lr=1e-2)
    hist = run(cfg, log=lambda *_: None)
    assert hist[-1]["loss"] < 0.6 * hist[0]["loss"]


def test_resume_is_bit_exact(tiny_labels, tmp_path):
    run(_cfg(tiny_labels, tmp_path / "straight", 3), log=lambda *_: None)
    # the same run, interrupted after 2 epochs, then resumed from its checkpoint
    run(_cfg(tiny_labels, tmp_path / "split", 3), log=lambda *_: None, stop_after=2)
    assert torch.load(tmp_path / "split" / "last.pt", weights_only=False)["epoch"] == 2
    run(_cfg(tiny_labels, tmp_path / "split", 3), resume=True, log=lambda *_: None)
    a = torch.load(tmp_path / "straight" / "last.pt", weights_only=False)
    b = torch.load(tmp_path / "split" / "last.pt", weights_only=False)
    assert a["epoch"] == b["epoch"] == 3 and a["step"] == b["step"]
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k
    assert [h["loss"] for h in a["history"]] == [h["loss"] for h in b["history"]]
