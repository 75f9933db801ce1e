from dataclasses import replace

import numpy as np
import pytest
import torch

from training.augment import AugmentConfig
from training.config import TrainConfig
from training.data import LabelDataset
from training.loop import EpochSampler, split_index
from training.train import run


def _cfg(labels, out_dir, epochs, **kw):
    base = {"batch_size": 4, "workers": 0, "threads": 1, "augment": AugmentConfig(input_size=112)}
    return TrainConfig(labels=str(labels), out_dir=str(out_dir), epochs=epochs, **{**base, **kw})


def test_epoch_sampler_is_a_seeded_permutation_per_epoch():
    s = EpochSampler(10, seed=3)
    s.set_epoch(2)
    a = list(s)
    assert list(s) == a  # same (seed, epoch), same order
    assert sorted(split_index(k, 10) for k in a) == [(2, i) for i in range(10)]
    s.set_epoch(3)
    assert [split_index(k, 10)[1] for k in s] != [split_index(k, 10)[1] for k in a]
    assert list(EpochSampler(10, 0, shuffle=False)) == list(range(10))


def test_items_depend_on_epoch_and_index_only(tiny_labels):
    ds = LabelDataset(tiny_labels, "train", AugmentConfig(), seed=0)
    n = len(ds)
    a, b = ds[2 * n + 5], ds[2 * n + 5]
    assert torch.equal(a["image"], b["image"]) and int(a["index"]) == 5
    assert not torch.equal(a["image"], ds[3 * n + 5]["image"])


def test_workers_give_the_same_run_as_the_main_process(tiny_labels, tmp_path):
    quiet = {"log": lambda *_: None}
    run(_cfg(tiny_labels, tmp_path / "w0", 2), **quiet)
    run(_cfg(tiny_labels, tmp_path / "w2", 2, workers=2), **quiet)
    a = torch.load(tmp_path / "w0" / "last.pt", weights_only=False)
    b = torch.load(tmp_path / "w2" / "last.pt", weights_only=False)
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k


def test_time_budget_fixes_the_epochs_and_evaluates_the_last(tiny_labels, tmp_path):
    cfg = _cfg(tiny_labels, tmp_path / "b", 50, time_budget_s=1e-3, eval_every=10)
    hist = run(cfg, log=lambda *_: None)
    ckpt = torch.load(tmp_path / "b" / "last.pt", weights_only=False)
    # three epochs are timed, then at least one more: far fewer than 50
    assert len(hist) == ckpt["train_config"]["epochs"] == 4
    assert ckpt["train_config"]["time_budget_s"] is None
    assert "nme68" in hist[-1] and all("nme68" not in h for h in hist[:-1])
    assert (tmp_path / "b" / "best.pt").exists()
    # a resumed budgeted run keeps the fixed epochs
    more = run(replace(cfg, time_budget_s=5.0), resume=True, log=lambda *_: None)
    assert len(more) == 4


def test_fine_tuning_starts_from_the_given_weights(tiny_labels, tmp_path):
    run(_cfg(tiny_labels, tmp_path / "a", 1), log=lambda *_: None)
    src = torch.load(tmp_path / "a" / "last.pt", weights_only=False)
    cfg = _cfg(tiny_labels, tmp_path / "ft", 1, init_from=str(tmp_path / "a" / "last.pt"), lr=0.0)
    cfg = replace(cfg, min_lr_ratio=0.0)
    run(cfg, log=lambda *_: None)
    ft = torch.load(tmp_path / "ft" / "last.pt", weights_only=False)
    for k, v in src["model"].items():
        if v.dtype.is_floating_point and "running" not in k:
            assert torch.allclose(v, ft["model"][k]), k


@pytest.mark.parametrize("bad", [0, 1])
def test_fewer_items_than_a_batch_is_an_error(tiny_labels, tmp_path, bad):
    cfg = replace(_cfg(tiny_labels, tmp_path / "x", 1), batch_size=100 + bad)
    with pytest.raises(ValueError, match="fewer than one batch"):
        run(cfg, log=lambda *_: None)


def test_budget_never_cuts_below_the_epochs_done():
    from training.loop import _fit_to_budget

    cfg = TrainConfig(epochs=100, time_budget_s=10.0)
    assert _fit_to_budget(cfg, 3, [1.0, 1.0], 20.0, lambda *_: None).epochs == 4
    assert _fit_to_budget(cfg, 3, [0.01, 0.01], 0.0, lambda *_: None).epochs == 100
    np.testing.assert_equal(_fit_to_budget(cfg, 3, [1.0], 0.0, lambda *_: None).epochs, 12)
