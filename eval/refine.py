"""Refinement figures: ``python -m eval.refine``.

On the held-out 300-W faces (landmark box of the human points given, two sparse passes), the
distance of the human points to the predicted contours, per part group, in % of the inter-ocular
distance: (a) splines through the sparse 106 points, (b) contours after boundary refinement;
the same for outer and inner lips on the open-mouth subset (human inner-lip gap > 5 %
inter-ocular); and NME68 of the sparse points and of the points after refinement moved them onto the refined
edges (the ends of open parts stay). ``--human-corners`` puts the human points in the sparse
stage's place at the corners of the lips and eyes (the bound of any corner refinement; both
tables then start from those corners).
"""

from __future__ import annotations

import argparse

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.convention import LABEL_OFFSET_PX
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.landmarker import DenseLandmarker, build_landmarker
from dense_landmarks.metrics import nme, normaliser, signed_error
from dense_landmarks.refine import REFINE_PARTS
from dense_landmarks.refine.refiner import Refiner
from dense_landmarks.sparse import FINAL_TURNS
from eval.run import LIP_GROUPS, OPEN_MOUTH_GAP, PART_GROUPS, mouth_gap, part_errors
from eval.systems import face_polylines

#: the lip and eye corners (JD-106 slots) that ``--human-corners`` takes from the human points
CORNERS = [
    scheme.PARTS[n].indices[u % len(scheme.PARTS[n].indices)]
    for p in REFINE_PARTS
    if p.name in ("mouth", "right_eye", "left_eye")
    for n, u0, u1 in p.arcs
    for u in (u0, u1)
]


class HumanCorners:
    """A sparse stage whose lip and eye corners are the human ones (``human``, (106, 2), set
    before each one-face call)."""

    def __init__(self, sparse):
        self.sparse, self.human = sparse, None

    def predict_crops_checked(self, image, specs, passes=None):
        pts, pose, check = self.sparse.predict_crops_checked(image, specs, passes=passes)
        pts[:, CORNERS] = self.human[CORNERS]
        return pts, pose, check


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.refine", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument(
        "--split",
        default="val",
        choices=["val", "train"],
        help="held-out faces (default), or the training split to choose decoding settings on",
    )
    ap.add_argument(
        "--corner-rounds",
        type=int,
        default=None,
        help="rounds of re-reading the corners from where the ridges end (default: the "
        "refiner's; 0 keeps the sparse stage's corners)",
    )
    ap.add_argument(
        "--label-offset",
        type=float,
        default=LABEL_OFFSET_PX,
        help="px along the face's axis into the labels' convention (default: the pipeline's; "
        "0 measures the networks' own places, see dense_landmarks.convention)",
    )
    ap.add_argument(
        "--final-turns",
        action="store_true",
        help="the sparse stage's final pass also turned (dense_landmarks.sparse.FINAL_TURNS)",
    )
    ap.add_argument(
        "--skip-parts",
        nargs="*",
        default=None,
        choices=scheme.PART_NAMES,
        help="scheme parts left unrefined, their contours through the sparse points (default: "
        "the refiner's own, dense_landmarks.refine.refiner.UNREFINED; --skip-parts with no "
        "name: every part refined)",
    )
    ap.add_argument(
        "--no-refiner-flip",
        action="store_true",
        help="the refiners without their mirrored crops (ablation)",
    )
    ap.add_argument(
        "--human-corners",
        action="store_true",
        help="the human lip and eye corners in place of the sparse stage's (a bound)",
    )
    args = ap.parse_args(argv)
    d = np.load(args.labels)
    rows = np.flatnonzero(d["val"] if args.split == "val" else ~d["val"])[: args.limit]
    # the pipeline's own composition, from given boxes: with and without the refiner
    refined_lm = build_landmarker(
        args.backend, detector=None, density=1000, label_offset=args.label_offset
    )
    if args.skip_parts is not None:
        refined_lm.refiner = Refiner(args.backend, skip_parts=tuple(args.skip_parts))
    if args.final_turns:
        refined_lm.sparse.final_turns = FINAL_TURNS
    if args.no_refiner_flip:
        refined_lm.refiner.flip_average = False
    if args.human_corners:
        refined_lm.sparse = HumanCorners(refined_lm.sparse)
    sparse_lm = DenseLandmarker.from_stages(
        refined_lm.sparse, density=1000, label_offset=args.label_offset
    )
    if args.corner_rounds is not None:
        refined_lm.refiner.corner_rounds = args.corner_rounds
    errs = {"spline": [], "refined": []}
    lips = {"spline": [], "refined": []}  # open mouths only
    preds, snapped, gts, all106 = [], [], [], []
    for r in rows:
        img = read_image(str(d["paths"][r]))
        gt106 = d["points"][r].astype(np.float64)
        gt68 = scheme.to_68(gt106)
        box = landmark_box(gt68)[None]
        if args.human_corners:
            refined_lm.sparse.human = gt106
        sparse_face, refined_face = sparse_lm.detect(img, box)[0], refined_lm.detect(img, box)[0]
        spline, refined = sparse_face.contours, refined_face.contours
        iod = float(normaliser(gt68[None])[0])
        errs["spline"].append(part_errors({"contours": face_polylines(spline)}, gt68, iod))
        errs["refined"].append(part_errors({"contours": face_polylines(refined)}, gt68, iod))
        if mouth_gap(gt68) > OPEN_MOUTH_GAP * iod:
            for name, c in (("spline", spline), ("refined", refined)):
                lips[name].append(
                    part_errors({"contours": face_polylines(c)}, gt68, iod, LIP_GROUPS)
                )
        preds.append(sparse_face.points68)
        snapped.append(refined_face.points68)
        gts.append(gt68)
        all106.append(np.linalg.norm(refined_face.points - gt106, axis=1).mean() / iod)
    norm = normaliser(np.stack(gts))
    e = nme(np.stack(preds), np.stack(gts), norm)
    e2 = nme(np.stack(snapped), np.stack(gts), norm)
    along, across = signed_error(np.stack(snapped), np.stack(gts)).mean(axis=0)
    print(
        f"{len(rows)} {'held-out' if args.split == 'val' else 'training'} faces; "
        f"NME68 of the sparse points {100 * e.mean():.2f} %, "
        f"with the refined parts' points moved onto the refined contours {100 * e2.mean():.2f} %"
    )
    print(
        f"all 106 label slots (human, spline and teacher points alike): {100 * np.mean(all106):.2f} %"
    )
    print(
        f"label offset {args.label_offset:g} px; mean signed error of the refined 68 points "
        f"(predicted - human) along the face's axis {along:+.2f} px, across it {across:+.2f} px"
    )
    print("| contours | " + " | ".join(PART_GROUPS) + " |")
    print("|---|" + "---|" * len(PART_GROUPS))
    for name, rows_ in errs.items():
        cells = [f"{100 * np.mean([x[g] for x in rows_]):.2f}" for g in PART_GROUPS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    n_open = len(lips["refined"])
    print(
        f"\nOpen mouths ({n_open} faces, human inner-lip gap > {100 * OPEN_MOUTH_GAP:.0f} % "
        "inter-ocular):\n\n| contours | outer lips | inner lips |\n|---|---|---|"
    )
    for name, rows_ in lips.items():
        cells = [f"{100 * np.mean([x[g] for x in rows_]):.2f}" for g in LIP_GROUPS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
