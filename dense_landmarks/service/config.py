"""Limits and settings of the service: one frozen dataclass, passed to worker processes as JSON."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass

#: Environment variable that carries the config (JSON) to uvicorn's worker processes.
CONFIG_ENV = "DENSE_LANDMARKS_SERVICE_CONFIG"


def _default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@dataclass(frozen=True)
class ServiceConfig:
    """Settings of one service process.

    Attributes:
        inference_workers: concurrent inferences in this process (each holds its own model
            set); 0 = the usable cores divided by ``processes``, at least 1.
        processes: uvicorn worker processes (only used to size ``inference_workers``).
        queue_limit: requests admitted beyond those running; more get 503 + Retry-After.
        max_upload_bytes: largest request body; bigger ones get 413 before being read whole.
        max_pixels: largest image (width x height, from its header); bigger ones get 413.
        body_timeout_s: the whole upload must arrive within this (else 408).
        request_timeout_s: admission to answer for the inference (else 504).
        max_density: largest ``density`` (contour points per face) a client may ask for.
        max_faces: largest ``max_faces`` a client may ask for.
        cors_origins: origins allowed by CORS; empty (default) = no CORS headers at all.
        model_threads: CPU threads of each model (``DenseLandmarker(num_threads=)``).
    """

    inference_workers: int = 0
    processes: int = 1
    queue_limit: int = 8
    max_upload_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    body_timeout_s: float = 30.0
    request_timeout_s: float = 30.0
    max_density: int = 20_000
    max_faces: int = 20
    cors_origins: tuple[str, ...] = ()
    model_threads: int = 1

    def __post_init__(self) -> None:
        for name in ("processes", "max_upload_bytes", "max_pixels", "max_density", "max_faces"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name}: must be >= 1, got {getattr(self, name)!r}")
        if self.inference_workers < 0 or self.queue_limit < 0:
            raise ValueError("inference_workers and queue_limit must be >= 0")
        if self.body_timeout_s <= 0 or self.request_timeout_s <= 0:
            raise ValueError("timeouts must be > 0")
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))

    @property
    def workers(self) -> int:
        """Concurrent inferences in this process (never more than its share of the cores)."""
        if self.inference_workers:
            return self.inference_workers
        return max(1, _default_threads() // self.processes)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceConfig:
        d = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"service config: unknown settings {sorted(unknown)}")
        return cls(**d)

    @classmethod
    def from_env(cls) -> ServiceConfig:
        text = os.environ.get(CONFIG_ENV)
        return cls() if not text else cls.from_json(text)
