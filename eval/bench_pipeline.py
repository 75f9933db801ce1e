"""Benchmark: the full pipeline on a 640 x 480 frame with one face, one CPU thread.

``python -m eval.bench_pipeline`` reports median milliseconds for detection, landmarks (both
passes), boundary refinement (``Refiner.refine``: every refined part's crop, networks,
decoding into refined control points, and the point update), contours (the default ``dense-1000``
layout over all parts, refined control points included) and the total ``DenseLandmarker.detect`` call
(quality check pass included), per backend, with the total call's CPU time (``process_time``).
Target (issue 5): refinement <= 5 ms. The frame is the bundled astronaut photo scaled into
640 x 480. Target (issue 4): total < 10 ms (MediaPipe Face Mesh's full pipeline: 12.8 ms on
this machine).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import numpy as np

import dense_landmarks as dl
from dense_landmarks.imageio import read_image
from dense_landmarks.stages import detection_crop
from eval.bench_curves import time_ms

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"


def frame_640x480(path: Path = EXAMPLE) -> np.ndarray:
    img = read_image(path)
    img = cv2.resize(img, (480, 480), interpolation=cv2.INTER_AREA)
    out = np.zeros((480, 640, 3), np.uint8)
    out[:, 80:560] = img
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_pipeline", description=__doc__)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    frame = frame_640x480()
    print(
        f"frame 640x480, {args.threads} thread(s); per column the lowest of {args.rounds} "
        f"round medians of {args.repeat} runs (this shared machine's speed drifts by up to "
        "~50 % between minutes; the lowest median is the least disturbed one)"
    )
    print(
        "| backend | detector ms | landmarks ms | refinement ms | contours ms | total ms "
        "| total CPU ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for backend in ("onnx", "torch"):
        lm = dl.DenseLandmarker(backend=backend, num_threads=args.threads)
        dets = lm.detector.detect(frame)
        specs = [detection_crop(d) for d in dets]
        pts, _ = lm.sparse.predict_crops(frame, specs)
        control = lm.refiner.refine(frame, pts)[0] if lm.refiner else [{}]
        steps = [
            lambda lm=lm: lm.detector.detect(frame),
            lambda lm=lm, s=specs: lm.sparse.predict_crops(frame, s),
            # the whole step: crops, networks, decoding into control points, point update
            lambda lm=lm, p=pts: lm.refiner.refine(frame, p) if lm.refiner else None,
            lambda lm=lm, p=pts[0], c=control[0]: lm.densifier.densify(p, c, lm.density),
            lambda lm=lm: lm.detect(frame),
        ]
        rounds = [
            [*(time_ms(fn, args.repeat) for fn in steps), cpu_ms(steps[-1], args.repeat)]
            for _ in range(args.rounds)
        ]
        best = np.min(rounds, axis=0)
        if lm.refiner is None:
            best[2] = float("nan")
        print(f"| {backend} | " + " | ".join(f"{t:.2f}" for t in best) + " |")
    return 0


def cpu_ms(fn, repeat: int) -> float:
    """Median CPU time (ms, this process, all its threads) of ``fn()``: on a loaded host it
    stays near the unloaded wall time while the wall time grows with the load."""
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        runs.append((time.process_time() - t0) * 1e3)
    return statistics.median(runs)


if __name__ == "__main__":
    raise SystemExit(main())
