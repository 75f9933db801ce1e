"""Benchmark: make-up rendering vs the landmark pipeline itself, same frame, same run.

``python -m eval.bench_makeup`` times, on the bundled photo scaled into a 640 x 480 frame (one
face, one CPU thread): ``DenseLandmarker.detect`` (detector, landmarks, refinement, contours)
and ``render_makeup`` with a full look (lipstick with gloss, liner, winged eyeliner, shadow,
brows, blush) and with lipstick only, and prints the ratio render / pipeline. Target (issue 14):
the full look costs less than the pipeline (ratio < 1). Each figure is the lowest of
``--rounds`` medians of ``--repeat`` runs, rounds of all three interleaved.
"""

from __future__ import annotations

import argparse

import cv2

import dense_landmarks as dl
from dense_landmarks.makeup import Look, render_makeup
from eval.bench_curves import time_ms
from eval.bench_pipeline import frame_640x480

FULL = Look(
    lips="#9c1030",
    lip_finish="gloss",
    liner="#5e1622",
    eyeliner="#141010",
    eyeliner_wing=True,
    shadow="#6a4a8a",
    brows="#3a2a20",
    blush="#d8707a",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_makeup", description=__doc__)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    frame = frame_640x480()
    lm = dl.DenseLandmarker(num_threads=1)
    faces = lm.detect(frame)
    if len(faces) != 1:
        raise SystemExit(f"expected one face in the benchmark frame, found {len(faces)}")
    steps = {
        "pipeline (detect)": lambda: lm.detect(frame),
        "render, full look": lambda: render_makeup(frame, faces, FULL),
        "render, lips only": lambda: render_makeup(frame, faces, Look(lips="#b0243c")),
    }
    best = {k: float("inf") for k in steps}
    for _ in range(args.rounds):
        for k, fn in steps.items():
            best[k] = min(best[k], time_ms(fn, args.repeat))
    iod = dl.anatomy.inter_ocular(faces[0].contours)
    print(
        f"frame 640x480, one face (inter-ocular {iod:.0f} px), 1 thread; lowest of {args.rounds} medians"
    )
    print("| step | ms | / pipeline |")
    print("|---|---|---|")
    for k, t in best.items():
        print(f"| {k} | {t:.2f} | {t / best['pipeline (detect)']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
