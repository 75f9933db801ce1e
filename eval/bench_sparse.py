"""Benchmark: landmarks-only inference for one face with its box given, one CPU thread.

``python -m eval.bench_sparse`` reports the median over repeated runs on the bundled example
photo (box from a first prediction), for both backends, for 1 and 2 passes and for 2 passes with
test-time flip averaging of the last pass (``--model`` picks the bundled sparse model).
Target (issue 3): <= 2 ms median (dlib's 68-point predictor: 2.05 ms on this machine).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.sparse import DEFAULT_MODEL, SparseLandmarker
from eval.bench_curves import time_ms

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_sparse", description=__doc__)
    ap.add_argument("--image", default=str(EXAMPLE))
    ap.add_argument("--box", default="170,40,290,190", help="rough face box x0,y0,x1,y1")
    ap.add_argument("--repeat", type=int, default=300)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    args = ap.parse_args(argv)
    img = read_image(args.image)
    box = np.array([float(v) for v in args.box.split(",")])
    for backend in ("onnx", "torch"):
        for passes, flip in ((1, False), (2, False), (2, True)):
            lm = SparseLandmarker(
                args.model, backend=backend, num_threads=1, passes=passes, flip=flip
            )
            pts, _ = lm.predict(img, box[None])
            b = landmark_box(pts[0])[None]
            ms = time_ms(lambda lm=lm, b=b: lm.predict(img, b), args.repeat)
            print(
                f"{backend:5s} passes={passes} flip={flip!s:5s}: median {ms:.3f} ms per face "
                f"({args.repeat} runs, 1 thread)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
