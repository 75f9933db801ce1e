"""Benchmark: job throughput (images/s) of the local engine and of Ray with 1 and 2 workers.

``python -m eval.scale`` writes a folder of one-face photos (the bundled astronaut, flipped,
rotated, scaled, brightened: 512 x 512 and 640 x 480), then runs ``predict`` over it as a job
(JSON outputs, atomic writes, manifest) with each engine, in alternating rounds, every worker
single-threaded (one CPU, ``threads=1``). Throughput counts from the workers being ready (models
loaded) to the last item committed; Ray is started once (``num_cpus=2``) before the rounds.
Target (issue 16): 2 workers >= 1.7 x 1 worker. The machine's load average is printed beside
each figure: on a shared machine other processes take cores and lower the figures. The CPU time
per image of the workers (in items) and of the driver (listing, commits, Ray's client side) is
printed too: it bounds what 2 workers can reach on 2 cores whatever else runs. So are the
workers' busy fraction (time in items over time in the run: below 100 % they wait for work,
i.e. the driver or Ray is the limit) and the CPU share they got while busy (below 100 % other
processes took their core). Columns after the first rounds are medians over the rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.jobs import run_job

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__)
    ap.add_argument("--images", type=int, default=80)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    import ray

    tmp = Path(tempfile.mkdtemp(prefix="dl-scale-"))
    try:
        photos = tmp / "in"
        photos.mkdir()
        write_photos(photos, args.images)
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=256 * 2**20,
            configure_logging=False,
            log_to_driver=False,
        )
        configs = [("local", 1), ("ray", 1), ("ray", 2)]
        rates: dict[tuple[str, int], list[tuple[float, str]]] = {c: [] for c in configs}
        cpu: dict[tuple[str, int], list[tuple[float, ...]]] = {c: [] for c in configs}
        for r in range(args.rounds):
            for engine, workers in configs:
                out = tmp / f"out-{engine}-{workers}-{r}"
                load = _load()
                s = run_job(
                    "predict", [str(photos)], out, engine=engine, workers=workers, progress=False
                )
                assert s.done == args.images and not s.failed, s.text()
                rates[(engine, workers)].append((s.throughput, load))
                n = s.done + s.failed
                cpu[(engine, workers)].append(
                    (
                        1e3 * s.worker_cpu_seconds / n,
                        1e3 * s.driver_cpu_seconds / n,
                        # workers' time in items / their time in the run: < 1 = waiting for work
                        s.worker_busy_seconds / (s.seconds * s.workers),
                        # CPU a worker got while in items: < 1 = other processes took the core
                        s.worker_cpu_seconds / s.worker_busy_seconds,
                    )
                )
                shutil.rmtree(out)
        ray.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"predict job over {args.images} one-face photos (512x512 and 640x480), JSON outputs; "
        f"{os.cpu_count()} CPUs; best of {args.rounds} alternating rounds; load average "
        "(1/5/15 min) read before each run"
    )
    print(
        "| engine | workers | images/s (best) | every round (images/s @ load) "
        "| worker CPU ms/image | driver CPU ms/image | workers busy | CPU share when busy |"
    )
    print("|---|---|---|---|---|---|---|---|")
    best = {c: max(v for v, _ in rates[c]) for c in configs}
    med = {c: [float(np.median(x)) for x in zip(*cpu[c])] for c in configs}
    for c in configs:
        rounds = ", ".join(f"{v:.1f} @ {ld}" for v, ld in rates[c])
        w, d, busy, share = med[c]
        print(
            f"| {c[0]} | {c[1]} | {best[c]:.1f} | {rounds} | {w:.1f} | {d:.1f} "
            f"| {busy:.0%} | {share:.0%} |"
        )
    ratio = best[("ray", 2)] / best[("ray", 1)]
    print(f"ray 1 worker / local: {best[('ray', 1)] / best[('local', 1)]:.2f} x")
    print(
        f"ray 2 workers / 1 worker: {ratio:.2f} x (target >= 1.7: "
        f"{'met' if ratio >= 1.7 else 'NOT met'}); load average now {_load()}"
    )
    w, d = med[("ray", 2)][:2]
    print(
        "CPU cost (median over rounds; less disturbed by other load than wall time): on two "
        f"otherwise idle cores, 2 workers could reach at most 2 x {w:.1f} / ({w:.1f} + {d:.1f}) "
        f"= {2 * w / (w + d):.2f} x one worker (Ray's own daemons not counted)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
