"""Item kinds: what a job does to one input, whichever engine (or the service) runs it.

An :class:`ItemKind` bundles three plain functions:

- ``load(options) -> state``: the models, built once per worker (process or Ray actor);
- ``process(source, options, state, name=None) -> ItemResult``: one input (its bytes, or a
  path; ``name`` labels it in documents and errors) to its
  outputs as bytes, with no file writes, so the local engine, the Ray engine and the HTTP service
  give identical results;
- ``suffixes(options) -> tuple[str, ...]``: the output suffixes that ``process`` returns (the
  last one is written last and marks the item's outputs complete).

Kinds are named in :data:`KINDS` (``"module:attribute"``, imported on first use, so a worker
finds the same kind by the same name). Adding a kind is one line there.
"""

from __future__ import annotations

import importlib
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: name -> "module:attribute" of an :class:`ItemKind`.
KINDS: dict[str, str] = {
    "predict": "dense_landmarks.jobs.predict:KIND",
    "lipread": "dense_landmarks.video.job_kind:KIND",
}

#: An item's input: its encoded bytes, or a path to read them from.
Source = bytes | str | Path


@dataclass
class ItemResult:
    """One item's outputs.

    Attributes:
        outputs: suffix (e.g. ``".json"``) -> file content, in writing order.
        faces: faces found (images) or frames with a face (videos).
        info: small JSON-able facts for the manifest (image size, frames, ...).
    """

    outputs: dict[str, bytes]
    faces: int = 0
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemKind:
    """A kind of per-item work (see the module docstring)."""

    name: str
    options_type: type
    load: Callable[[Any], Any]
    process: Callable[..., ItemResult]
    suffixes: Callable[[Any], tuple[str, ...]]
    #: suffixes taken from folders and globs
    input_suffixes: frozenset[str]
    #: items sent to a Ray actor in one call (several for short items: fewer round trips)
    items_per_call: int = 1


def get_kind(kind: str | ItemKind) -> ItemKind:
    """The registered kind called ``kind`` (an :class:`ItemKind` is returned as is)."""
    if isinstance(kind, ItemKind):
        return kind
    if kind not in KINDS:
        raise KeyError(f"unknown job kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    module, attr = KINDS[kind].split(":")
    return getattr(importlib.import_module(module), attr)


@dataclass
class Outcome:
    """What a worker sends back for one item: its result, or why it failed."""

    key: str
    path: str
    status: str  # "done" | "error"
    outputs: dict[str, bytes] = field(default_factory=dict)
    faces: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the worker process's CPU time on this item
    thread_cpu_seconds: float = 0.0  # ... of which the calling thread's (the rest: other threads)
    worker: str = ""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_item(kind: ItemKind, options: Any, state: Any, key: str, path: str) -> Outcome:
    """Process the input at ``path``; never raises for a bad item (the error is returned).

    The kind reads ``path`` on the worker, so inputs must be readable at the same path on
    every node (a shared or replicated folder).
    """
    t0, c0, h0 = time.perf_counter(), time.process_time(), time.thread_time()
    try:
        res = kind.process(path, options, state, name=path)
        want = kind.suffixes(options)
        if sorted(res.outputs) != sorted(want):
            raise RuntimeError(f"kind {kind.name} returned {sorted(res.outputs)}, not {list(want)}")
    except Exception as exc:  # one item's failure never stops the job
        msg = str(exc)
        msg = msg if path in msg else f"{path}: {msg}"
        return Outcome(
            key,
            path,
            "error",
            error=f"{type(exc).__name__}: {msg}",
            seconds=time.perf_counter() - t0,
            cpu_seconds=time.process_time() - c0,
            thread_cpu_seconds=time.thread_time() - h0,
            worker=worker_id(),
        )
    return Outcome(
        key,
        path,
        "done",
        outputs=res.outputs,
        faces=res.faces,
        info=res.info,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
        thread_cpu_seconds=time.thread_time() - h0,
        worker=worker_id(),
    )
