"""The one training loop every model shares (sparse regressor and boundary refiners).

``fit`` runs epochs of a model over a dataset with a per-batch loss function, the pure
learning-rate schedule :func:`lr_at`, periodic evaluation, and self-describing checkpoints
(``<out_dir>/last.pt`` every epoch, ``best.pt`` at the best score). The run's config is any frozen
dataclass with the fields of :class:`LoopFields`; it is stored in each checkpoint.

Determinism: item ``i`` of epoch ``e`` is requested as index ``e * n + i`` (:class:`EpochSampler`),
and datasets draw its augmentation from ``default_rng([seed, e, i])``, so a resumed run sees
exactly what an uninterrupted one would, on any number of (persistent) loader workers.

Devices: ``device="auto"`` trains on CUDA when present, else on the CPU; checkpoints always hold
CPU tensors. ``time_budget_s`` fits the schedule to a wall-clock budget: after two timed epochs
the number of epochs is fixed (and recorded in the checkpoint's config) so the cosine decay ends
inside the budget.
"""

from __future__ import annotations

import io
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from dense_landmarks.atomic import atomic_write_bytes, atomic_write_text

Batch = dict[str, torch.Tensor]


class LoopFields(Protocol):
    """The settings :func:`fit` reads from a run's config."""

    out_dir: str
    epochs: int
    batch_size: int
    lr: float
    min_lr_ratio: float
    warmup_epochs: float
    seed: int
    workers: int
    threads: int
    device: str
    eval_every: int
    time_budget_s: float | None

    def to_dict(self) -> dict[str, Any]: ...


def lr_at(
    step: int, total_steps: int, warmup_steps: int, base_lr: float, min_ratio: float
) -> float:
    """Linear warm-up to ``base_lr``, then cosine decay to ``base_lr * min_ratio``."""
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    t = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return base_lr * (min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * t)))


def split_index(k: int, n: int) -> tuple[int, int]:
    """Dataset index ``k`` from :class:`EpochSampler` -> (epoch, item) for a dataset of ``n``."""
    return divmod(int(k), n)


class EpochSampler(Sampler[int]):
    """Indices ``epoch * n + i`` over a permutation drawn from ``(seed, epoch)`` (or in order).

    The sampler lives in the main process, so ``set_epoch`` reaches persistent workers through
    the indices themselves.
    """

    def __init__(self, n: int, seed: int, shuffle: bool = True):
        self.n, self.seed, self.shuffle, self.epoch = n, seed, shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __iter__(self) -> Iterator[int]:
        order = (
            np.random.default_rng([self.seed, self.epoch]).permutation(self.n)
            if self.shuffle
            else np.arange(self.n)
        )
        return iter((self.epoch * self.n + order).tolist())

    def __len__(self) -> int:
        return self.n


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; otherwise ``torch.device(name)``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def to_device(batch: Batch, device: torch.device) -> Batch:
    """Every tensor of a batch on ``device`` (non-blocking from pinned memory)."""
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def save_checkpoint(
    path: Path,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    cfg: Any,
    epoch: int,
    step: int,
    history: list[dict[str, Any]],
) -> None:
    """Atomically write everything needed to rebuild the model and resume the run (CPU tensors).

    ``cfg`` is the run's config (anything with ``to_dict``).
    """
    state = {
        "model_config": asdict(model.cfg),
        "model_config_type": type(model.cfg).__name__,
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": opt.state_dict(),
        "train_config": cfg.to_dict(),
        "epoch": epoch,
        "step": step,
        "history": history,
    }
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic_write_bytes(path, buf.getvalue())


def fit(
    cfg: LoopFields,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    train_ds: Dataset,
    loss_fn: Callable[[nn.Module, Batch], torch.Tensor],
    eval_fn: Callable[[nn.Module, torch.device], dict[str, float]],
    score_key: str,
    start: int = 0,
    step: int = 0,
    history: list[dict[str, Any]] | None = None,
    stop_after: int | None = None,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Train ``model`` from epoch ``start`` to ``cfg.epochs`` (or ``stop_after`` epochs now).

    Args:
        loss_fn: (model, batch on the device) -> scalar loss.
        eval_fn: (model in eval mode, device) -> metrics; ``metrics[score_key]`` is minimised
            for ``best.pt``. Run every ``cfg.eval_every`` epochs and at the last epoch.
    Returns:
        The run's history (one dict per epoch; metrics on evaluated epochs).
    """
    history = list(history or [])
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    device = resolve_device(cfg.device)
    model.to(device)
    out = Path(cfg.out_dir)
    n = len(train_ds)
    per_epoch = n // cfg.batch_size
    if per_epoch == 0:
        raise ValueError(f"{n} training items is fewer than one batch of {cfg.batch_size}")
    sampler = EpochSampler(n, cfg.seed)
    loader = DataLoader(
        train_ds,
        batch_size=cfg.batch_size,
        sampler=sampler,
        num_workers=cfg.workers,
        drop_last=True,
        persistent_workers=cfg.workers > 0,
        pin_memory=device.type == "cuda",
    )
    warm = int(cfg.warmup_epochs * per_epoch)
    t_start, timed, epoch = time.perf_counter(), [], start
    # ``cfg.epochs`` may shrink once (time budget), so the bound is re-read every epoch
    while epoch < (cfg.epochs if stop_after is None else min(cfg.epochs, start + stop_after)):
        t0 = time.perf_counter()
        total = per_epoch * cfg.epochs
        model.train()
        sampler.set_epoch(epoch)
        losses = []
        for batch in loader:
            batch = to_device(batch, device)
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, warm, cfg.lr, cfg.min_lr_ratio)
            loss = loss_fn(model, batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
            step += 1
        rec: dict[str, Any] = {"epoch": epoch + 1, "loss": float(torch.stack(losses).mean())}
        timed.append(time.perf_counter() - t0)
        if cfg.time_budget_s and len(timed) == 3 and epoch + 1 < cfg.epochs:
            cfg = _fit_to_budget(cfg, epoch + 1, timed[1:], time.perf_counter() - t_start, log)
        last_epoch = epoch + 1 == cfg.epochs
        stopping = stop_after is not None and epoch + 1 == start + stop_after
        if (epoch + 1) % max(1, cfg.eval_every) == 0 or last_epoch or stopping:
            model.eval()
            with torch.no_grad():
                rec.update(eval_fn(model, device))
        rec["seconds"] = time.perf_counter() - t0
        history.append(rec)
        log(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in rec.items()}))
        save_checkpoint(out / "last.pt", model, opt, cfg, epoch + 1, step, history)
        scores = [h[score_key] for h in history if score_key in h]
        if score_key in rec and rec[score_key] <= min(scores):
            save_checkpoint(out / "best.pt", model, opt, cfg, epoch + 1, step, history)
        epoch += 1
    atomic_write_text(out / "history.json", json.dumps(history, indent=1))
    return history


def _fit_to_budget(
    cfg: LoopFields, done: int, seconds: list[float], elapsed: float, log: Callable[[str], None]
) -> LoopFields:
    """The config with ``epochs`` cut so the rest of the run ends within ``time_budget_s``."""
    per = 1.1 * float(np.mean(seconds))  # + evaluations and slack
    epochs = min(cfg.epochs, done + max(1, int((cfg.time_budget_s - elapsed) / per)))
    log(f"time budget {cfg.time_budget_s:.0f} s at {per:.2f} s/epoch: {epochs} epochs")
    return replace(cfg, epochs=epochs, time_budget_s=None)
