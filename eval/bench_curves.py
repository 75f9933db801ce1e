"""Benchmark: dense contours for one face (106 points -> N evenly spaced points).

``python -m eval.bench_curves`` prints the median time to resample a real labelled face (the
first LaPa fixture, or a synthetic face when ``../shared`` is absent) to 1000 and 10,000 points
shared by part length, and to the fixed ``dense-1000`` layout (each arc between its corners),
in the same run. Target (issue 2): < 2 ms for 1000 points.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from dense_landmarks.contours import dense_contours


def _face_points(labels: Path) -> tuple[np.ndarray, str]:
    if labels.exists():
        from training.readers import read_coco_keypoints

        return read_coco_keypoints(labels, "jd106")[0].points, str(labels)
    t = np.linspace(0, 2 * np.pi, 106, endpoint=False)  # any 106 distinct points will do
    return np.c_[200 + 80 * np.cos(t), 200 + 100 * np.sin(3 * t) / 3 + 90 * np.sin(t)], "synthetic"


def time_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_curves", description=__doc__)
    ap.add_argument("--labels", type=Path, default=Path("../shared/fixtures/lapa/test_lapa.json"))
    ap.add_argument("--repeat", type=int, default=300)
    args = ap.parse_args(argv)
    pts, source = _face_points(args.labels)
    print(f"face: {source}; python {platform.python_version()}; numpy {np.__version__}")
    for density in (1000, 10_000, "dense-1000"):
        ms = time_ms(lambda d=density: dense_contours(pts, density=d), args.repeat)
        print(f"dense_contours density={density:>6}: median {ms:.3f} ms ({args.repeat} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
