"""``run_job``: list inputs lazily, run them on an engine, commit each result exactly once.

The driver (this process) is the only writer of the output folder: workers return outputs as
bytes; the driver writes each file atomically (temporary file + rename; a few writer threads,
:mod:`dense_landmarks.jobs.commit`), the kind's marker output last, then appends the item's
``done`` line to the manifest (the commit). So:

- a killed run leaves no partial output (temporary files of a killed write are swept at the
  next run's start) and no torn record that a later run could misread;
- ``resume`` skips an item iff a ``done`` line names it and its outputs exist; an item caught
  between its outputs and its ``done`` line is processed again and its outputs replaced whole,
  so every item has exactly one ``done`` line and one copy of each output;
- a failed item gets an ``error`` line naming the input and the job goes on (``resume`` retries it).

Memory: one folder listing per level of the walk, a bounded window of in-flight items, and the
set of keys seen (each item once, ~100 bytes a key), never the input list.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from dense_landmarks.jobs.commit import Committer
from dense_landmarks.jobs.engines import LocalEngine, RayEngine, make_engine
from dense_landmarks.jobs.inputs import (
    InputError,
    check_specs,
    default_root,
    item_key,
    iter_inputs,
    output_path,
)
from dense_landmarks.jobs.kinds import ItemKind, Outcome, get_kind
from dense_landmarks.jobs.manifest import MANIFEST_NAME, ManifestWriter, job_lock, read_manifest


class JobConfigError(ValueError):
    """A resume whose kind, options or root differ from the manifest's."""


@dataclass
class JobSummary:
    """What a run did. ``seconds`` counts from the workers being ready (models loaded)."""

    items: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    duplicates: int = 0
    faces: int = 0
    seconds: float = 0.0
    startup_seconds: float = 0.0
    #: wall and CPU time the workers spent in items, and the driver's CPU time (listing,
    #: commits, Ray's client side)
    worker_busy_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0
    #: the part of ``worker_cpu_seconds`` on the threads that ran the items (the rest: thread
    #: pools of the libraries; ~0 when every pool is held to one thread)
    worker_thread_cpu_seconds: float = 0.0
    driver_cpu_seconds: float = 0.0
    engine: str = ""
    workers: int = 0
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Items processed (done or failed) per second in this run."""
        n = self.done + self.failed
        return n / self.seconds if self.seconds > 0 else 0.0

    def text(self) -> str:
        return (
            f"items: {self.items} (done {self.done}, resumed {self.skipped}, failed {self.failed}"
            + (f", duplicates {self.duplicates}" if self.duplicates else "")
            + f"), faces: {self.faces}, {self.throughput:.2f} items/s over {self.seconds:.1f} s"
            + f" ({self.engine}, {self.workers} worker(s), start-up {self.startup_seconds:.1f} s)"
        )

    def record(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["errors"] = len(self.errors)
        d["throughput"] = round(self.throughput, 4)
        return d


def _options_record(options: Any) -> dict[str, Any]:
    return dataclasses.asdict(options)


def sweep_temporaries(out_dir: Path) -> int:
    """Remove the temporary files (``.NAME.*.tmp``) of writes killed part-way; returns how many."""
    n = 0
    for folder, _, files in os.walk(out_dir):
        for f in files:
            if f.startswith(".") and f.endswith(".tmp"):
                Path(folder, f).unlink(missing_ok=True)
                n += 1
    return n


def _check_resume(header: dict | None, kind: ItemKind, options: Any, root: Path | None) -> Path:
    if header is None:
        raise JobConfigError("no run header in the manifest")
    theirs, ours = header.get("options"), _options_record(options)
    if header.get("kind") != kind.name or theirs != ours:
        raise JobConfigError(
            f"--resume with other settings than the manifest's: {header.get('kind')} {theirs} "
            f"vs {kind.name} {ours}; use the same options, or run without --resume"
        )
    recorded = Path(header["root"])
    if root is not None and os.path.abspath(root) != str(recorded):
        raise JobConfigError(f"--root {root} differs from the manifest's root {recorded}")
    return recorded


def run_job(
    kind: str | ItemKind,
    specs: Sequence[str],
    out_dir: str | Path,
    options: Any = None,
    engine: str | LocalEngine | RayEngine = "local",
    address: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    root: str | Path | None = None,
    progress: bool = True,
) -> JobSummary:
    """Run ``kind`` over the inputs of ``specs``; outputs and ``manifest.jsonl`` in ``out_dir``.

    Args:
        kind: a name in :data:`dense_landmarks.jobs.kinds.KINDS`, or an :class:`ItemKind`.
        specs: files, folders, globs, ``@LIST`` files (:func:`iter_inputs`).
        out_dir: output folder; outputs at ``out_dir/<key><suffix>`` (:func:`item_key`).
        options: the kind's options (default: its defaults).
        engine, address, workers: see :func:`dense_landmarks.jobs.engines.make_engine`. Or
            ``engine`` an engine object (``address`` and ``workers`` then None): it is started
            unless already started for this kind and options, and left running for the next
            job (the caller closes it); ``startup_seconds`` is then 0 for a started one.
        resume: skip finished items of the manifest in ``out_dir`` (same kind/options/root).
        root: the folder keys are relative to (default: the inputs' deepest common folder; on
            resume, the manifest's).
    Raises:
        InputError: a spec names nothing. JobConfigError: resume settings differ.
        JobLockedError: another run holds ``out_dir``.
    """
    kind = get_kind(kind)
    options = kind.options_type() if options is None else options
    out_dir = Path(out_dir)
    check_specs(specs)
    if isinstance(engine, str):
        eng, owned = make_engine(engine, address, workers, getattr(options, "threads", 1)), True
    elif address is not None or workers is not None:
        raise ValueError("address and workers belong to the engine object given")
    else:
        eng, owned = engine, False
    summary = JobSummary(engine=eng.name)
    with job_lock(out_dir):
        manifest_path = out_dir / MANIFEST_NAME
        state = read_manifest(manifest_path) if resume else None
        if state is not None and state.lines:
            job_root = _check_resume(state.header, kind, options, root)
        else:
            job_root = Path(os.path.abspath(root)) if root is not None else default_root(specs)
        sweep_temporaries(out_dir)
        done_before = state.done if state is not None else set()
        t0 = time.perf_counter()
        try:
            eng.start(kind, options)
        except BaseException:
            eng.close()  # a Ray this run started is shut down again; a failed engine closed
            raise
        summary.workers = eng.workers
        summary.startup_seconds = time.perf_counter() - t0
        with ManifestWriter(manifest_path, append=resume) as manifest:
            manifest.write(
                {
                    "event": "start",
                    "kind": kind.name,
                    "options": _options_record(options),
                    "root": str(job_root),
                    "engine": eng.name,
                    "workers": eng.workers,
                    "resume": resume,
                    "time": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
            suffixes = kind.suffixes(options)
            bar = tqdm(desc=kind.name, unit="item", disable=not progress)
            committer = Committer(out_dir, suffixes, manifest, summary, lambda: bar.update(1))
            tasks = _tasks(
                specs, kind, job_root, out_dir, suffixes, done_before, summary, committer
            )
            t1, c1 = time.perf_counter(), time.process_time()
            try:
                for out in eng.map(tasks):
                    committer.submit(out)
                committer.close()
                summary.seconds = time.perf_counter() - t1
                driver = time.process_time() - c1  # local engine: items ran in this process too
                in_process = summary.worker_cpu_seconds if eng.name == "local" else 0.0
                summary.driver_cpu_seconds = max(0.0, driver - in_process)
            finally:
                if owned:
                    eng.close()
                committer.close()
                bar.close()
            manifest.write({"event": "summary", **summary.record()})
    return summary


def _tasks(
    specs: Sequence[str],
    kind: ItemKind,
    root: Path,
    out_dir: Path,
    suffixes: tuple[str, ...],
    done_before: set[str],
    summary: JobSummary,
    committer: Committer,
) -> Iterator[tuple[str, str]]:
    """``(key, path)`` of every input still to do; counts the rest into ``summary``."""
    seen: set[str] = set()
    for path in iter_inputs(specs, kind.input_suffixes, exclude=[out_dir]):
        try:
            key = item_key(path, root)
        except InputError as exc:
            summary.items += 1
            committer.submit(Outcome("", str(path), "error", error=str(exc)))
            continue
        if key in seen:  # named twice (overlapping specs, repeated list lines)
            summary.duplicates += 1
            continue
        seen.add(key)
        summary.items += 1
        if key in done_before and all(output_path(out_dir, key, s).exists() for s in suffixes):
            summary.skipped += 1
            continue
        yield key, str(path)
