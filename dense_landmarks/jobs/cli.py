"""Command-line glue shared by the job commands (``predict``, and ``lipread`` once registered).

A command adds :func:`add_job_options` to its parser and, when ``--engine`` is given, calls
:func:`run_from_args` with its kind's name and options.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dense_landmarks.jobs.engines import EngineError
from dense_landmarks.jobs.inputs import InputError
from dense_landmarks.jobs.manifest import JobLockedError
from dense_landmarks.jobs.runner import JobConfigError, run_job


def add_job_options(p: argparse.ArgumentParser) -> None:
    """``--engine``, ``--address``, ``--workers``, ``--root`` (``--resume``, ``--quiet``: the command's)."""
    g = p.add_argument_group(
        "jobs",
        "with --engine: inputs listed lazily (files, folders, globs, @LIST files, @- for stdin), "
        "outputs OUT/<path under the root><suffix>, a manifest (OUT/manifest.jsonl) and "
        "exactly-once --resume",
    )
    g.add_argument("--engine", choices=["local", "ray"], help="run as a job on this engine")
    g.add_argument(
        "--address",
        help="ray: 'auto' (this node's cluster), 'ray://HOST:10001' (Ray Client) or HOST:PORT "
        "(GCS); default: start a local Ray",
    )
    g.add_argument("--workers", type=int, help="ray: actors (default: the cluster's CPUs)")
    g.add_argument(
        "--root", help="folder that output paths are relative to (default: the inputs' common one)"
    )


def run_from_args(kind: str, options: Any, args: argparse.Namespace) -> int:
    """Run the job; print the summary. Exit code 0: all done; 1: some items failed; 2: no run."""
    try:
        summary = run_job(
            kind,
            args.paths,
            args.out,
            options,
            engine=args.engine,
            address=args.address,
            workers=args.workers,
            resume=args.resume,
            root=args.root,
            progress=not args.quiet,
        )
    except (
        InputError,
        JobConfigError,
        JobLockedError,
        ImportError,
        ValueError,
        ConnectionError,
        EngineError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary.text())
    if summary.failed:
        print(f"{summary.failed} item(s) failed: see {args.out}/manifest.jsonl", file=sys.stderr)
    return 1 if summary.failed else 0
