"""Refinement figures: ``python -m eval.refine``.

On the held-out 300-W faces (landmark box of the human points given, two sparse passes), the
distance of the human points to the predicted contours, per part group, in % of the inter-ocular
distance: (a) splines through the sparse 106 points, (b) contours after boundary refinement;
and NME68 of the sparse points and of the points after refinement moved them onto the refined
edges (corners and the ends of open parts stay).
"""

from __future__ import annotations

import argparse

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.refine import Refiner
from dense_landmarks.sparse import DEFAULT_MODEL, SparseLandmarker
from eval.metrics import nme, normaliser
from eval.run import PART_GROUPS, part_errors
from eval.systems import face_polylines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.refine", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--model", default=DEFAULT_MODEL, help="bundled sparse model")
    ap.add_argument(
        "--no-flip", dest="flip", action="store_false", help="no sparse test-time flip averaging"
    )
    args = ap.parse_args(argv)
    d = np.load(args.labels)
    rows = np.flatnonzero(d["val"])[: args.limit]
    sparse = SparseLandmarker(args.model, backend=args.backend, flip=args.flip)
    refiner = Refiner(args.backend)
    errs = {"spline": [], "refined": []}
    preds, snapped, gts = [], [], []
    for r in rows:
        img = read_image(str(d["paths"][r]))
        gt106 = d["points"][r].astype(np.float64)
        gt68 = scheme.to_68(gt106)
        pts, _ = sparse.predict(img, landmark_box(gt68)[None])
        spline = dense_contours(pts[0], 1000)
        (control,), moved = refiner.refine(img, pts)
        refined = dense_contours(moved[0], 1000, control=control)
        iod = float(normaliser(gt68[None])[0])
        errs["spline"].append(part_errors({"contours": face_polylines(spline)}, gt68, iod))
        errs["refined"].append(part_errors({"contours": face_polylines(refined)}, gt68, iod))
        preds.append(scheme.to_68(pts[0]))
        snapped.append(scheme.to_68(moved[0]))
        gts.append(gt68)
    norm = normaliser(np.stack(gts))
    e = nme(np.stack(preds), np.stack(gts), norm)
    e2 = nme(np.stack(snapped), np.stack(gts), norm)
    print(
        f"{len(rows)} held-out faces; NME68 of the sparse points {100 * e.mean():.2f} %, "
        f"with the refined parts' points moved onto the refined contours {100 * e2.mean():.2f} %"
    )
    print("| contours | " + " | ".join(PART_GROUPS) + " |")
    print("|---|" + "---|" * len(PART_GROUPS))
    for name, rows_ in errs.items():
        cells = [f"{100 * np.mean([x[g] for x in rows_]):.2f}" for g in PART_GROUPS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
