"""The job manifest (``OUT/manifest.jsonl``): one JSON object a line, appended by the driver.

Lines:

- ``{"event": "start", "kind", "options", "root", "engine", "workers", "time"}`` at each run's
  start (a resumed run appends its own);
- ``{"key", "input", "status": "done", "outputs", "faces", "info", "seconds", "worker"}`` once an
  item's outputs are all written (atomically): this line is the item's commit;
- ``{"key", "input", "status": "error", "error", "seconds", "worker"}`` for an item that failed;
- ``{"event": "summary", ...}`` when a run ends.

An item is finished when a ``done`` line names it and its outputs exist. A run killed part-way
leaves at worst a torn last line (ignored on reading; the next append starts a fresh line) and
items whose outputs were written without their ``done`` line (processed again, rewritten whole).
Only one run at a time may write a manifest: :func:`job_lock` holds an exclusive lock on the
output folder for the run.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.jsonl"
LOCK_NAME = ".dense-landmarks-job.lock"


class JobLockedError(RuntimeError):
    """Another run holds the output folder."""


@contextmanager
def job_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` (released when the block ends or the process dies)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JobLockedError(f"{out_dir}: another job is writing here") from None
        yield
    finally:
        os.close(fd)


@dataclass
class ManifestState:
    """What a manifest says: the last run's header and the keys whose ``done`` line was written."""

    header: dict[str, Any] | None = None
    done: set[str] = field(default_factory=set)
    lines: int = 0
    torn: int = 0


def read_manifest(path: Path) -> ManifestState:
    """Parse a manifest (missing: empty state). Unparsable lines (a killed write) are counted."""
    state = ManifestState()
    if not path.exists():
        return state
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except ValueError:
                state.torn += 1
                continue
            state.lines += 1
            if rec.get("event") == "start":
                state.header = rec
            elif rec.get("status") == "done":
                state.done.add(rec["key"])
    return state


class ManifestWriter:
    """Appends records to a manifest; each record is one ``write`` of one line."""

    def __init__(self, path: Path, append: bool):
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        self.path = path
        self._fd = os.open(path, flags, 0o644)
        if append and os.fstat(self._fd).st_size:
            with path.open("rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":  # a torn last line: never glue a record onto it
                    os.write(self._fd, b"\n")

    def write(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8")
        n = os.write(self._fd, data)
        if n != len(data):  # regular files take whole writes; be sure all the same
            raise OSError(f"{self.path}: short write ({n} of {len(data)} bytes)")

    def close(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
