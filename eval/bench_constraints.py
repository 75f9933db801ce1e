"""CPU cost of the shape constraints alone (:func:`dense_landmarks.refine.constraints.constrain_faces`)
on the calls ``DenseLandmarker().detect`` makes (decoder control points, then dense contours) for
the bundled photo and two GRID frames, as stored in ``tests/data/constraints_reference.npz``.

Prints CPU ms (``time.process_time``: the machine may be shared) per face, the best of
``--repeats`` blocks, and the Python function calls per face (deterministic, unlike the time).
``python -m eval.bench_constraints``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

import numpy as np

from dense_landmarks.refine.constraints import constrain_faces

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "constraints_reference.npz"


def reference_calls(
    path: Path = REFERENCE,
) -> list[tuple[list[dict], list[np.ndarray], float, bool, list[dict]]]:
    """The stored calls: (faces {part: (N, 2)}, points106 (106, 2) per face, gap, turning,
    expected outputs)."""
    ref = np.load(path)
    calls = []
    for c in range(len([k for k in ref.files if k.endswith("_turning")])):
        faces, points, outs = [], [], []
        f = 0
        while f"c{c}_f{f}_points106" in ref.files:
            head = f"c{c}_f{f}_"
            parts = [k[len(head) + 3 :] for k in ref.files if k.startswith(head + "in_")]
            faces.append({k: ref[head + "in_" + k] for k in parts})
            outs.append({k: ref[head + "out_" + k] for k in parts})
            points.append(ref[head + "points106"])
            f += 1
        calls.append((faces, points, float(ref[f"c{c}_gap"]), bool(ref[f"c{c}_turning"]), outs))
    return calls


CALLS = reference_calls()


def _run() -> None:
    for faces, points, gap, turning, _ in CALLS:
        constrain_faces(faces, points, gap, turning=turning)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_constraints", description=__doc__)
    ap.add_argument("--runs", type=int, default=20, help="runs of all calls per block")
    ap.add_argument("--repeats", type=int, default=7, help="blocks (the best is reported)")
    args = ap.parse_args(argv)
    faces = sum(not turning for _, _, _, turning, _ in CALLS)  # one decoder call per face
    _run()
    best = float("inf")
    for _ in range(args.repeats):
        t = time.process_time()
        for _ in range(args.runs):
            _run()
        best = min(best, (time.process_time() - t) / args.runs / faces)
    prof = cProfile.Profile()
    prof.enable()
    _run()
    prof.disable()
    calls = pstats.Stats(prof, stream=io.StringIO()).total_calls / faces
    print(f"constraints: {best * 1e3:.2f} ms CPU per face, {calls:.0f} function calls per face")


if __name__ == "__main__":
    main()
