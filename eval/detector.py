"""Detector recall on labelled faces, and the detection -> landmark-crop calibration.

``python -m eval.detector`` runs the bundled detector over the prepared 300-W crops (faces the
detector was never tuned on) as they are and turned by 90, 180 and 270 degrees, and reports the
fraction of labelled faces found. A face counts as found when a detection's box holds the centre
of the face's landmark box and the two sizes are within a factor of 2.

``--calibrate`` also fits, on the training split, where the landmark box sits relative to the
detector's box (in the face's upright frame) and writes that model's entry (``--model``) of
``dense_landmarks/detection/calibration.json``.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from dense_landmarks.crop import BOX_SCALE, landmark_box
from dense_landmarks.detection import FaceDetector
from dense_landmarks.detection.detector import CALIBRATION
from dense_landmarks.imageio import read_image
from eval.sparse import rotate_image


def match(dets, points: np.ndarray):
    """The detection that covers a labelled face (see module docstring), or None."""
    box = landmark_box(points)
    c = (box[:2] + box[2:]) / 2
    size = max(box[2] - box[0], box[3] - box[1])
    for d in dets:
        inside = d.box[0] <= c[0] <= d.box[2] and d.box[1] <= c[1] <= d.box[3]
        if inside and 0.5 <= d.size / size <= 2.0:
            return d
    return None


def upright_offset(d, points: np.ndarray) -> tuple[np.ndarray, float]:
    """Landmark-box centre offset (units of detector size, upright frame) and size ratio."""
    a = np.radians(-d.angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    up = (points - d.centre) @ rot.T
    box = landmark_box(up)
    return (box[:2] + box[2:]) / 2 / d.size, max(box[2] - box[0], box[3] - box[1]) / d.size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.detector", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--turns", default="0,1,2,3")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--model", default="full", choices=["full", "short"])
    ap.add_argument("--shared", default="../shared", help="where the labels' ../shared points")
    args = ap.parse_args(argv)
    d = np.load(args.labels)
    det = FaceDetector(model=args.model)
    rows = np.arange(len(d["paths"]))[: args.limit]
    offsets, ratios = [], []
    print("| rotation | faces | found | recall (%) |")
    print("|---|---|---|---|")
    for k in (int(t) for t in args.turns.split(",")):
        found = 0
        for r in rows:
            path = str(d["paths"][r]).replace("../shared", args.shared, 1)
            img, pts = rotate_image(read_image(path), d["points"][r], k)
            m = match(det.detect(img), pts)
            found += m is not None
            if m is not None and k == 0 and not d["val"][r]:
                off, ratio = upright_offset(m, pts)
                offsets.append(off)
                ratios.append(ratio)
        print(f"| {90 * k} | {len(rows)} | {found} | {100 * found / len(rows):.2f} |")
    if args.calibrate:
        off = np.median(np.array(offsets), axis=0)
        ratio = float(np.median(ratios))
        cal = {
            "offset": [round(float(v), 5) for v in off],
            "scale": round(BOX_SCALE * ratio, 5),
            "fitted_on": f"{len(offsets)} training faces of {args.labels}",
            "command": "python -m eval.detector --calibrate --model "
            f"{args.model} --turns {args.turns} --limit {args.limit}",
        }
        all_cal = json.loads(CALIBRATION.read_text(encoding="utf-8"))
        all_cal[args.model] = cal
        CALIBRATION.write_text(json.dumps(all_cal, indent=1) + "\n", encoding="utf-8")
        print(f"calibration: {cal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
