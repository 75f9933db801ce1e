"""Benchmark: job throughput (images/s) of the local engine and of Ray with 1 and 2 workers,
beside the machine's ceiling: 1 and 2 bare processes running the same per-item function.

``python -m eval.scale`` writes a folder of one-face photos (the bundled astronaut, flipped,
rotated, scaled, brightened: 512 x 512 and 640 x 480), then, in alternating rounds:

- ``bare`` 1 and 2: plain processes, no Ray and no job (no manifest, no writes), each
  single-threaded, pulling images from a shared counter (:mod:`eval.scale_bare`). What k copies
  of the pipeline reach on this machine: no engine can beat it, so ``bare 2 / bare 1`` is the
  ceiling of ``ray 2 / ray 1`` here.
- ``local`` 1, ``ray`` 1 and ``ray`` 2: ``predict`` as a job (JSON outputs, atomic writes,
  manifest), every worker single-threaded (one CPU, ``threads=1``). The engine is started
  (Ray actors up, models loaded) before the timed job and closed after it; Ray itself is
  started once (``num_cpus=2``) before the rounds.

Throughput counts from the workers being ready to the last item committed. Target (issue 16):
ray 2 workers >= 1.7 x 1 worker. Each run is preceded by a wait (``--quiet-wait``) for the
other processes on the machine to use under 10 % of it, and the share they took *during* the
run is printed beside its figure (``others``, :mod:`eval.cpu_meter`: the load average lags by a
minute and counts the benchmark itself). Per configuration: the best figure over the rounds,
the CPU time per image in items (median), the CPU time per image outside items (the driver,
Ray's daemons, the workers' Ray threads: what the engine costs), the part of the item CPU not
on the item's thread (library thread pools; ~0 when all are held to one thread), the workers'
busy fraction (time in items / time in the run: below 100 % they wait for work) and the CPU
share they got while busy (below 100 % other processes took their core). A pure-Python loop
(``spin``: no memory traffic) run by 1 and 2 processes shows whether the two cores themselves
scale at that moment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.jobs import run_job
from dense_landmarks.jobs.engines import LocalEngine, RayEngine
from dense_landmarks.jobs.kinds import get_kind
from dense_landmarks.jobs.predict import PredictOptions
from eval.cpu_meter import CpuMeter, wait_quiet
from eval.scale_bare import bare_processes, spin_processes

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"

#: (engine, workers) in the order run each round
CONFIGS = (("bare", 1), ("bare", 2), ("local", 1), ("ray", 1), ("ray", 2))


def write_photos(folder: Path, n: int) -> None:
    """``n`` one-face photos derived from the example (JPEG and PNG, two sizes)."""
    img = cv2.imread(str(EXAMPLE))
    h, w = img.shape[:2]
    for i in range(n):
        pic = img[:, ::-1] if i % 2 else img
        m = cv2.getRotationMatrix2D((w / 2, h / 2), (i % 7 - 3) * 4.0, 1.0 - (i % 5) * 0.05)
        pic = cv2.warpAffine(pic, m, (w, h), borderMode=cv2.BORDER_REFLECT)
        pic = np.clip(pic.astype(np.float32) * (0.8 + 0.05 * (i % 6)), 0, 255).astype(np.uint8)
        if i % 3 == 0:  # 640 x 480 frames with the face off-centre
            frame = np.zeros((480, 640, 3), np.uint8)
            frame[:, 40 + (i % 4) * 30 :][:, :480] = cv2.resize(pic, (480, 480))
            pic = frame
        cv2.imwrite(str(folder / f"img{i:04d}.{'png' if i % 4 == 0 else 'jpg'}"), pic)


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Run:
    """One timed run: images/s, others' share of the machine, and CPU ms per image."""

    rate: float
    others: float
    item_ms: float  # CPU in items (workers)
    outside_ms: float  # CPU of the process tree outside items (driver, Ray, workers' Ray side)
    threads_ms: float = float("nan")  # item CPU off the item's thread (job runs only)
    busy: float = float("nan")  # workers' time in items / their time in the run
    share: float = float("nan")  # CPU a worker got while in items


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def best(self) -> float:
        return max(r.rate for r in self.runs)

    def median(self, attr: str) -> float:
        return float(np.median([getattr(r, attr) for r in self.runs]))


def _job_run(photos: Path, out: Path, engine: str, workers: int, n: int) -> Run:
    opts = PredictOptions()
    eng = LocalEngine() if engine == "local" else RayEngine(workers=workers)
    eng.start(get_kind("predict"), opts)  # models loaded before the clock starts
    try:
        with CpuMeter() as m:
            s = run_job("predict", [str(photos)], out, opts, engine=eng, progress=False)
    finally:
        eng.close()
    assert s.done == n and not s.failed, s.text()
    k = s.done + s.failed
    return Run(
        s.throughput,
        m.others,
        1e3 * s.worker_cpu_seconds / k,
        1e3 * (m.own_seconds - s.worker_cpu_seconds) / k,
        1e3 * (s.worker_cpu_seconds - s.worker_thread_cpu_seconds) / k,
        s.worker_busy_seconds / (s.seconds * s.workers),
        s.worker_cpu_seconds / s.worker_busy_seconds,
    )


def _bare_run(paths: list[str], k: int) -> Run:
    with CpuMeter() as m:
        b = bare_processes(paths, k)
    # the meter also spans the processes' start and model loading: CPU outside items not shown
    return Run(b.throughput, m.others, b.cpu_ms_per_image, float("nan"))


def _fmt(x: float, spec: str) -> str:
    return "-" if x != x else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__)
    ap.add_argument("--images", type=int, default=80)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="before each run, wait up to this many seconds for other processes to use under "
        "10 %% of the machine (0: do not wait)",
    )
    args = ap.parse_args(argv)

    import ray

    load_before = _load()
    series = {c: Series() for c in CONFIGS}
    spin: dict[int, list[float]] = {1: [], 2: []}
    tmp = Path(tempfile.mkdtemp(prefix="dl-scale-"))
    try:
        photos = tmp / "in"
        photos.mkdir()
        write_photos(photos, args.images)
        paths = sorted(str(p) for p in photos.iterdir())
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=256 * 2**20,
            configure_logging=False,
            log_to_driver=False,
        )
        for r in range(args.rounds):
            for k in (1, 2):
                if args.quiet_wait:
                    wait_quiet(max_wait=args.quiet_wait)
                spin[k].append(spin_processes(k).throughput)
            for engine, workers in CONFIGS:
                if args.quiet_wait:
                    wait_quiet(max_wait=args.quiet_wait)
                if engine == "bare":
                    run = _bare_run(paths, workers)
                else:
                    out = tmp / f"out-{engine}-{workers}-{r}"
                    run = _job_run(photos, out, engine, workers, args.images)
                    shutil.rmtree(out)
                series[(engine, workers)].runs.append(run)
                print(
                    f"round {r + 1}: {engine} {workers}: {run.rate:.1f} images/s, others "
                    f"{run.others:.0%}, item CPU {run.item_ms:.1f} ms/image",
                    file=sys.stderr,
                    flush=True,
                )
        ray.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _report(args, series, spin, load_before)
    return 0


def _report(args, series: dict, spin: dict, load_before: str) -> None:
    print(
        f"predict over {args.images} one-face photos (512x512 and 640x480), JSON outputs; "
        f"{os.cpu_count()} CPUs; {args.rounds} alternating rounds; load average (1/5/15 min) "
        f"{load_before} before, {_load()} after; others = share of the machine that other "
        "processes took during the run"
    )
    print(
        "| engine | workers | images/s (best) | every round (images/s @ others) "
        "| item CPU ms/image | CPU outside items ms/image | item CPU off the item thread ms "
        "| workers busy | CPU share when busy |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for c, s in series.items():
        rounds = ", ".join(f"{r.rate:.1f} @ {r.others:.0%}" for r in s.runs)
        print(
            f"| {c[0]} | {c[1]} | {s.best():.1f} | {rounds} | {s.median('item_ms'):.1f} "
            f"| {_fmt(s.median('outside_ms'), '.1f')} | {_fmt(s.median('threads_ms'), '.2f')} "
            f"| {_fmt(s.median('busy'), '.0%')} | {_fmt(s.median('share'), '.0%')} |"
        )

    def ratios(a, b) -> tuple[float, float]:
        best = series[a].best() / series[b].best()
        paired = [x.rate / y.rate for x, y in zip(series[a].runs, series[b].runs, strict=True)]
        return best, float(np.median(paired))

    ray_best, ray_med = ratios(("ray", 2), ("ray", 1))
    bare_best, bare_med = ratios(("bare", 2), ("bare", 1))
    spin_pairs = [b / a for a, b in zip(spin[1], spin[2], strict=True)]
    print(f"ray 1 worker / local: {series[('ray', 1)].best() / series[('local', 1)].best():.2f} x")
    print(
        f"ray 2 workers / 1 worker: {ray_best:.2f} x best / best, {ray_med:.2f} x median of the "
        f"rounds (target >= 1.7: {'met' if ray_best >= 1.7 else 'NOT met'})"
    )
    print(
        f"ceiling, 2 bare processes / 1 (no Ray, no job): {bare_best:.2f} x best / best, "
        f"{bare_med:.2f} x median of the rounds; ray 2 workers reach "
        f"{series[('ray', 2)].best() / series[('bare', 2)].best():.0%} of 2 bare processes"
    )
    print(
        "cores alone (pure-Python loop, no memory traffic), 2 processes / 1: "
        + ", ".join(f"{x:.2f}" for x in spin_pairs)
        + " x by round"
    )
    i1, i2 = series[("bare", 1)].median("item_ms"), series[("bare", 2)].median("item_ms")
    print(
        f"CPU per image of a bare process: {i1:.1f} ms alone, {i2:.1f} ms beside another: "
        f"2 x {i1:.1f} / {i2:.1f} = {2 * i1 / i2:.2f} x is what 2 copies can reach on these "
        "cores before any engine cost (when no other process runs: 'alone' is then alone)"
    )
    worst = max(r.others for c in CONFIGS if c[0] in ("bare", "ray") for r in series[c].runs)
    if worst > 0.1:
        print(
            f"WARNING: other processes took up to {worst:.0%} of the machine during the runs; "
            "the 2-worker ratios then measure the sharing, not the engine: rerun when quiet"
        )


if __name__ == "__main__":
    raise SystemExit(main())
