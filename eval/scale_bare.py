"""What the machine allows, without Ray: the ceiling that ``eval.scale`` prints beside Ray.

- :func:`bare_processes`: ``k`` plain processes (no Ray, no job: no manifest, no writes), each
  loading the ``predict`` kind's models once with one thread everywhere (onnxruntime, OpenCV,
  BLAS), then pulling images from a shared counter and running the same per-item function as
  the engines (decode, pipeline, JSON document). Timed from all of them being ready (a barrier
  after loading) to the last one finishing: the throughput that ``k`` single-threaded copies of
  the pipeline reach on this machine, whatever engine drives them.
- :func:`spin_processes`: the same for a pure-Python loop that touches no memory (a few KB of
  interpreter state, in the core's own caches): whether the machine's cores themselves scale.
  Near 2.0 x with the pipeline's ratio well below it means the copies slow each other through
  the shared cache and memory; below 2.0 x means the cores are not independent (virtual CPUs
  sharing a physical core, or another tenant's load).

Both pin every thread pool to 1 through the environment, set before the processes start (so
the libraries read it when they load), as the Ray engine does for its actors.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Thread-pool sizes read by the native libraries when they load (OpenBLAS, OpenMP, MKL, numexpr)
ONE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


@dataclass
class BareRun:
    """``k`` processes' run: throughput and the CPU time per image of the processes (ms)."""

    processes: int
    images: int
    seconds: float
    cpu_ms_per_image: float

    @property
    def throughput(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


def _claim(counter) -> int:
    """The next item index from a shared ``multiprocessing.Value`` counter."""
    with counter.get_lock():
        i = counter.value
        counter.value += 1
    return i


def _pipeline_worker(paths, options, counter, barrier, results) -> None:
    from dense_landmarks.jobs.predict import load, process_item

    state = load(options)
    barrier.wait()
    t0, c0, n = time.monotonic(), time.process_time(), 0
    while (i := _claim(counter)) < len(paths):
        process_item(paths[i], options, state, name=paths[i])
        n += 1
    results.put((t0, time.monotonic(), time.process_time() - c0, n))


def _spin_worker(loops, counter, barrier, results) -> None:
    barrier.wait()
    t0, c0, n = time.monotonic(), time.process_time(), 0
    while _claim(counter) < loops:
        x = 0
        for j in range(200_000):  # ~10 ms of interpreter work, no memory traffic
            x ^= j * 7
        n += 1
    results.put((t0, time.monotonic(), time.process_time() - c0, n))


def _run(target, args: tuple, k: int, total: int) -> BareRun:
    ctx = mp.get_context("spawn")
    counter, barrier, results = ctx.Value("l", 0), ctx.Barrier(k), ctx.Queue()
    saved = {v: os.environ.get(v) for v in ONE_THREAD_ENV}
    os.environ.update(ONE_THREAD_ENV)
    try:
        procs = [
            ctx.Process(target=target, args=(*args, counter, barrier, results)) for _ in range(k)
        ]
        for p in procs:
            p.start()
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old
    rows = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a bare process exited with {p.exitcode}")
    n = sum(r[3] for r in rows)
    if n != total:
        raise RuntimeError(f"bare processes did {n} of {total} items")
    seconds = max(r[1] for r in rows) - min(r[0] for r in rows)
    return BareRun(k, n, seconds, 1e3 * sum(r[2] for r in rows) / max(1, n))


def bare_processes(paths: Sequence[str], k: int, options: Any = None) -> BareRun:
    """``k`` single-threaded processes running ``predict``'s per-item function over ``paths``."""
    from dense_landmarks.jobs.predict import PredictOptions

    options = PredictOptions() if options is None else options
    return _run(_pipeline_worker, (list(paths), options), k, len(paths))


def spin_processes(k: int, loops: int = 200) -> BareRun:
    """``k`` processes sharing ``loops`` units of a pure-Python loop (no memory traffic)."""
    return _run(_spin_worker, (loops,), k, loops)
