"""The driver's commit step: an item's outputs written atomically, then its manifest line.

File writes (each ends in an ``fsync``, ~10 ms on a local disk) run on a few threads, so that
the driver keeps up with many workers; the manifest line of an item is appended, by the calling
thread only, after all of that item's files are in place. That order is the whole of the
exactly-once rule: a ``done`` line always names complete outputs.
"""

from __future__ import annotations

import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from dense_landmarks.atomic import atomic_write_bytes
from dense_landmarks.jobs.inputs import output_path
from dense_landmarks.jobs.kinds import Outcome
from dense_landmarks.jobs.manifest import ManifestWriter

#: Threads writing output files, and items whose files may be in flight at once.
WRITERS = 4
MAX_PENDING = 32


class Committer:
    """Commits outcomes to ``out_dir`` and the manifest; counts them into ``summary``.

    Args:
        out_dir: output folder.
        suffixes: the kind's output suffixes, in writing order (the marker last).
        manifest: where records go (written from the calling thread only).
        summary: a :class:`dense_landmarks.jobs.runner.JobSummary` to update.
        on_record: called after each record (progress).
    """

    def __init__(self, out_dir: Path, suffixes, manifest: ManifestWriter, summary, on_record=None):
        self.out_dir, self.suffixes, self.manifest = out_dir, tuple(suffixes), manifest
        self.summary, self.on_record = summary, on_record
        self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="commit")
        self._pending: set[Future] = set()

    def submit(self, out: Outcome) -> None:
        """Commit ``out``: failures at once, results once their files are written."""
        if out.status == "done":
            self._pending.add(self._pool.submit(self._write, out))
        else:
            self._record(out)
        self._drain(block=len(self._pending) >= MAX_PENDING)

    def close(self) -> None:
        """Wait for every pending write and record it."""
        while self._pending:
            self._drain(block=True)
        self._pool.shutdown()

    def _write(self, out: Outcome) -> Outcome:
        try:
            for s in self.suffixes:  # the marker (last suffix) written last
                atomic_write_bytes(output_path(self.out_dir, out.key, s), out.outputs[s])
        except OSError as exc:
            out.status, out.error = "error", f"OSError: writing outputs of {out.path}: {exc}"
        out.outputs = {}
        return out

    def _drain(self, block: bool) -> None:
        if not self._pending:
            return
        if block:
            finished, _ = wait(self._pending, return_when=FIRST_COMPLETED)
        else:
            finished = {f for f in self._pending if f.done()}
        for f in finished:
            self._pending.discard(f)
            self._record(f.result())

    def _record(self, out: Outcome) -> None:
        s = self.summary
        rec: dict[str, Any] = {"key": out.key, "input": out.path, "status": out.status}
        if out.status == "done":
            rec["outputs"] = [f"{out.key}{x}" for x in self.suffixes]
            rec["faces"], rec["info"] = out.faces, out.info
            s.done += 1
            s.faces += out.faces
        else:
            rec["error"] = out.error
            s.failed += 1
            s.errors.append((out.path, out.error))
            print(f"error: {out.error}", file=sys.stderr)
        rec["seconds"], rec["cpu_seconds"] = round(out.seconds, 4), round(out.cpu_seconds, 4)
        rec["worker"] = out.worker
        s.worker_cpu_seconds += out.cpu_seconds
        s.worker_thread_cpu_seconds += out.thread_cpu_seconds
        s.worker_busy_seconds += out.seconds
        self.manifest.write(rec)
        if self.on_record is not None:
            self.on_record()
