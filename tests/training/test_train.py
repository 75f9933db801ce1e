import itertools
from dataclasses import replace

import numpy as np
import pytest
import torch

from dense_landmarks.imageio import read_image
from dense_landmarks.models import model_config
from training.augment import AugmentConfig
from training.config import TrainConfig
from training.train import lr_at, run


def test_lr_schedule_is_pure_and_shaped():
    lrs = [lr_at(s, 100, 10, 1.0, 0.01) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(lrs[10:]))
    assert lrs[-1] == pytest.approx(0.01, abs=1e-3)
    assert lr_at(42, 100, 10, 1.0, 0.01) == lr_at(42, 100, 10, 1.0, 0.01)


@pytest.fixture(scope="module")
def tiny_labels(tmp_path_factory, lapa_samples):
    """A labels .npz over the two LaPa fixture faces (downscaled copies), 16 rows."""
    import cv2

    folder = tmp_path_factory.mktemp("tiny")
    paths, pts = [], []
    for i, s in enumerate(lapa_samples):
        img = read_image(s.image_path)
        f = 300 / max(img.shape[:2])
        small = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        p = folder / f"face{i}.png"
        cv2.imwrite(str(p), small[:, :, ::-1])
        paths.append(str(p))
        pts.append((s.points + 0.5) * f - 0.5)
    n = 16
    d = {
        "paths": np.array([paths[i % 2] for i in range(n)]),
        "photo": np.array([f"p{i}" for i in range(n)]),
        "points": np.stack([pts[i % 2] for i in range(n)]).astype(np.float32),
        "provenance": np.zeros((n, 106), np.uint8),
        "pose": np.zeros((n, 3), np.float32),
        "val": np.arange(n) >= 12,
    }
    out = folder / "labels.npz"
    np.savez(out, **d)
    return out


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
    hist = run(cfg, progress=False, log=lambda *_: None)
    assert hist[-1]["loss"] < 0.6 * hist[0]["loss"]


def test_resume_is_bit_exact(tiny_labels, tmp_path):
    run(_cfg(tiny_labels, tmp_path / "straight", 3), progress=False, log=lambda *_: None)
    # the same run, interrupted after 2 epochs, then resumed from its checkpoint
    run(_cfg(tiny_labels, tmp_path / "split", 3), progress=False, log=lambda *_: None, stop_after=2)
    assert torch.load(tmp_path / "split" / "last.pt", weights_only=False)["epoch"] == 2
    run(_cfg(tiny_labels, tmp_path / "split", 3), resume=True, progress=False, log=lambda *_: None)
    a = torch.load(tmp_path / "straight" / "last.pt", weights_only=False)
    b = torch.load(tmp_path / "split" / "last.pt", weights_only=False)
    assert a["epoch"] == b["epoch"] == 3 and a["step"] == b["step"]
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k
    assert [h["loss"] for h in a["history"]] == [h["loss"] for h in b["history"]]


def test_pip_model_trains_and_exports(tiny_labels, tmp_path):
    """The shared loop trains a pixel-in-pixel head; the checkpoint rebuilds it with its
    neighbour table, and the decoded validation NME improves."""
    from training.train import model_from_checkpoint

    mild = AugmentConfig(
        input_size=128, full_rotation_prob=0.0, small_rotation=5.0, occlusion_prob=0.0
    )
    cfg = replace(_cfg(tiny_labels, tmp_path / "pip", 16), model="pip106_s", augment=mild, lr=1e-2)
    hist = run(cfg, progress=False, log=lambda *_: None)
    assert hist[-1]["loss"] < 0.6 * hist[0]["loss"]
    assert hist[-1]["nme68"] < hist[0]["nme68"]
    ckpt = torch.load(tmp_path / "pip" / "last.pt", weights_only=False)
    model = model_from_checkpoint(ckpt)
    assert model.cfg == model_config("pip106_s")


def test_fine_tuning_starts_from_given_weights(tiny_labels, tmp_path):
    from dense_landmarks.models import create_model
    from training.train import start_or_resume

    torch.manual_seed(3)
    src = create_model("pfld106_s", pretrained=False)
    torch.save(src.state_dict(), tmp_path / "init.pt")
    cfg = replace(_cfg(tiny_labels, tmp_path / "ft", 1), init_from=str(tmp_path / "init.pt"))
    model, *_ = start_or_resume(cfg, tmp_path / "ft" / "last.pt", log=lambda *_: None)
    for k, v in src.state_dict().items():
        assert torch.equal(model.state_dict()[k], v), k
    # a resumed run continues from its own checkpoint, not from init_from
    run(cfg, progress=False, log=lambda *_: None)
    model, _, start, *_ = start_or_resume(cfg, tmp_path / "ft" / "last.pt", log=lambda *_: None)
    assert start == 1
    assert not torch.equal(model.state_dict()["fc.weight"], src.state_dict()["fc.weight"])
