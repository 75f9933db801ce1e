"""``dense-landmarks serve``: the parser (no FastAPI import) and the uvicorn launch."""

from __future__ import annotations

import argparse
import os

from dense_landmarks.service.config import CONFIG_ENV, ServiceConfig


def add_serve_command(sub: argparse._SubParsersAction) -> None:
    d = ServiceConfig()
    s = sub.add_parser("serve", help="HTTP API and try-on page (needs the 'serve' extra)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1, help="worker processes (one model set each)")
    s.add_argument(
        "--threads", type=int, default=0, help="inferences at once per process (0: cores/workers)"
    )
    s.add_argument("--queue", type=int, default=d.queue_limit, help="waiting requests (then 503)")
    s.add_argument("--max-upload-mb", type=float, default=d.max_upload_bytes / 2**20)
    s.add_argument("--max-pixels", type=int, default=d.max_pixels)
    s.add_argument("--timeout", type=float, default=d.request_timeout_s, help="inference seconds")
    s.add_argument("--body-timeout", type=float, default=d.body_timeout_s, help="upload seconds")
    s.add_argument("--cors-origin", action="append", default=[], help="allow this origin (CORS)")
    s.add_argument("--log-level", default="info")
    s.add_argument("--no-access-log", action="store_true")
    s.set_defaults(func=run_serve)


def config_from_args(args: argparse.Namespace) -> ServiceConfig:
    return ServiceConfig(
        inference_workers=args.threads,
        processes=args.workers,
        queue_limit=args.queue,
        max_upload_bytes=int(args.max_upload_mb * 2**20),
        max_pixels=args.max_pixels,
        request_timeout_s=args.timeout,
        body_timeout_s=args.body_timeout,
        cors_origins=tuple(args.cors_origin),
    )


def run_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print("serve needs the 'serve' extra: pip install 'dense-landmarks[serve]'")
        return 2
    config = config_from_args(args)
    os.environ[CONFIG_ENV] = config.to_json()  # read by each worker process's app factory
    uvicorn.run(
        "dense_landmarks.service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=not args.no_access_log,
        timeout_keep_alive=5,
        # connections beyond this get uvicorn's plain 503 (admission answers JSON 503 first)
        limit_concurrency=max(64, 8 * (config.workers + config.queue_limit)),
    )
    return 0
