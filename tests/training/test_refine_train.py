import numpy as np
import torch

from training.refine_data import RefineDataset
from training.refine_train import RefineConfig, run


def test_refiner_training_lowers_the_loss_and_resumes(tiny_labels, tmp_path):
    cfg = RefineConfig(
        model="refine_eye",
        labels=str(tiny_labels),
        out_dir=str(tmp_path / "eye"),
        epochs=6,
        batch_size=8,
        lr=3e-3,
        workers=0,
        threads=1,
    )
    hist = run(cfg, log=lambda *_: None)
    assert hist[-1]["loss"] < 0.7 * hist[0]["loss"]
    assert all("val_loss" in h for h in hist)
    ckpt = torch.load(tmp_path / "eye" / "best.pt", weights_only=False)
    assert ckpt["train_config"]["model"] == "refine_eye"


def test_refine_items_depend_on_epoch_and_index_only(tiny_labels):
    ds = RefineDataset(tiny_labels, "train", "refine_mouth", 64, seed=0)
    n = len(ds)
    a, b = ds[n + 3], ds[n + 3]
    assert torch.equal(a["image"], b["image"]) and torch.equal(a["target"], b["target"])
    assert not torch.equal(a["image"], ds[2 * n + 3]["image"])
    # the targets are ridges: peak 1 on the arcs, 0 far away
    t = a["target"].numpy()
    assert t.shape == (4, 32, 32) and np.all(t.max(axis=(1, 2)) > 0.5) and t.min() == 0.0
