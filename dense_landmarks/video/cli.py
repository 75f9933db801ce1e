"""The ``video`` and ``lipread`` subcommands of ``dense-landmarks`` (registered by the CLI)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from dense_landmarks.video.offline import DEFAULT_SIGMA_S


def _tracker(args: argparse.Namespace):
    from dense_landmarks.video.one_euro import OneEuroParams
    from dense_landmarks.video.tracker import build_tracker

    return build_tracker(
        args.backend,
        args.threads,
        args.tiles,
        args.density,
        not args.no_smoothing,
        OneEuroParams(args.min_cutoff, args.beta, args.d_cutoff),
        args.detect_every,
        args.max_faces,
    )


def lipread_options(args: argparse.Namespace):
    """The ``lipread`` job kind's options from the command's arguments."""
    from dense_landmarks.video.job_kind import LipreadOptions

    return LipreadOptions(
        density=args.density,
        backend=args.backend,
        threads=args.threads,
        tiles=args.tiles,
        smoothing=not args.no_smoothing,
        online=args.online,
        sigma=args.sigma,
        min_cutoff=args.min_cutoff,
        beta=args.beta,
        d_cutoff=args.d_cutoff,
        detect_every=args.detect_every,
        max_faces=args.max_faces,
    )


def _run(args: argparse.Namespace, lip: bool) -> int:
    from dense_landmarks.video import jobs

    if lip and args.engine:
        from dense_landmarks.jobs.cli import run_from_args

        return run_from_args("lipread", lipread_options(args), args)

    try:
        inputs = jobs.expand_videos(args.paths)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if lip and any(isinstance(p, int) for p in inputs):
        print("error: lipread needs video files (a webcam has no end)", file=sys.stderr)
        return 2
    tracker, out = _tracker(args), Path(args.out)
    if lip:
        report = jobs.run_jobs(
            jobs.lipread_job,
            tracker,
            inputs,
            out,
            lambda s: [f"{s}.npz", f"{s}_mouth.mp4"],
            args.resume,
            progress=not args.quiet,
            two_sided=not args.online,
            sigma_s=args.sigma,
        )
    else:
        report = jobs.run_jobs(
            jobs.video_job,
            tracker,
            inputs,
            out,
            lambda s: [f"{s}.npz", *([f"{s}_overlay.mp4"] if args.overlay else [])],
            args.resume,
            overlay=args.overlay,
            progress=not args.quiet,
            two_sided=not args.online,
            sigma_s=args.sigma,
        )
    print(report.summary())
    return 1 if report.errors and not report.done and not report.skipped else 0


def add_video_commands(sub, add_runtime_options: Callable) -> None:
    """Add ``video`` and ``lipread`` to the CLI's subparsers (``lipread`` with the job options:
    ``--engine local|ray`` runs it as a ``lipread`` job, :mod:`dense_landmarks.video.job_kind`)."""
    for name, lip, text in (
        ("video", False, "track faces in videos (files, folders or a webcam index) -> NPZ"),
        ("lipread", True, "lip-reading front end: mouth ROI, lip contours, features -> NPZ"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("paths", nargs="+", help="video files, folders (recursive) or globs")
        p.add_argument("--out", default=f"out/{name}", help="output folder")
        if not lip:
            p.add_argument("--overlay", action="store_true", help="also write <stem>_overlay.mp4")
        p.add_argument("--resume", action="store_true", help="skip inputs whose outputs exist")
        p.add_argument("--no-smoothing", action="store_true", help="raw per-frame landmarks")
        p.add_argument(
            "--online",
            action="store_true",
            help="files: the online (causal) One-Euro output instead of zero-phase smoothing",
        )
        p.add_argument(
            "--sigma",
            type=float,
            default=DEFAULT_SIGMA_S,
            help="files: zero-phase smoothing, seconds (Gaussian standard deviation)",
        )
        p.add_argument("--min-cutoff", type=float, default=1.0, help="One-Euro min cutoff (Hz)")
        p.add_argument("--beta", type=float, default=20.0, help="One-Euro speed coefficient")
        p.add_argument("--d-cutoff", type=float, default=5.0, help="One-Euro speed cutoff (Hz)")
        p.add_argument("--detect-every", type=int, default=30, help="detector every N frames")
        p.add_argument("--max-faces", type=int, default=1 if lip else 4)
        add_runtime_options(p)
        if lip:
            from dense_landmarks.jobs.cli import add_job_options

            add_job_options(p)
        p.set_defaults(func=lambda a, lip=lip: _run(a, lip))
