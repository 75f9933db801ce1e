"""Write ``constraints_reference.npz``: inputs and outputs of
:func:`dense_landmarks.refine.constraints.constrain_faces` as ``DenseLandmarker().detect`` calls
it (decoder control points, then dense contours) on the bundled photo and two GRID frames.

Run once from the repository root, before changing the constraints (the test checks that
faster code gives the same points): ``python -m tests.data.make_constraints_reference
/work/shared/data/grid_talking``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

import dense_landmarks as dl
import dense_landmarks.refine.arcs as arcs
from dense_landmarks.refine import constraints

HERE = Path(__file__).resolve().parent


def main(grid: str) -> None:
    calls = []
    original = constraints.constrain_faces

    def record(faces, points106, *args, **kwargs):
        out = original(faces, points106, *args, **kwargs)
        calls.append((faces, points106, args, kwargs, out))
        return out

    arcs.constrain_faces = constraints.constrain_faces = record
    images = [
        cv2.cvtColor(cv2.imread(str(HERE.parents[1] / "examples/astronaut.jpg")), cv2.COLOR_BGR2RGB)
    ]
    for clip, frame in (("bbaf2n", 5), ("lbbc2a", 39)):
        cap = cv2.VideoCapture(str(Path(grid) / f"{clip}.mpg"))
        for _ in range(frame + 1):
            _, bgr = cap.read()
        images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    model = dl.DenseLandmarker()
    for image in images:
        model.detect(image)
    arrays = {}
    for c, (faces, points106, args, kwargs, out) in enumerate(calls):
        arrays[f"c{c}_turning"] = np.array(kwargs.get("turning", True))
        arrays[f"c{c}_gap"] = np.array(args[0] if args else constraints.GAP)
        for f, (parts, pts, res) in enumerate(zip(faces, points106, out)):
            arrays[f"c{c}_f{f}_points106"] = np.asarray(pts, np.float64)
            for k in parts:
                arrays[f"c{c}_f{f}_in_{k}"] = np.asarray(parts[k], np.float64)
                arrays[f"c{c}_f{f}_out_{k}"] = res[k]
    np.savez_compressed(HERE / "constraints_reference.npz", **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
