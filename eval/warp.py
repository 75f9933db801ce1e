"""Warp response: do re-detected contours move by what a warp asked? ``python -m eval.warp``.

For each face (held-out 300-W faces, landmark box of the human points as the face box, or the
bundled photo with ``--image``), the landmarker runs on the photo and on its warped copy; the
growth of a part is sqrt(area after / area before) of its re-detected outline (lips: the outer
lip outline, eyes: both eye outlines), compared with the requested factor. (The warp itself
moves the outlines it is driven by exactly: ``tests/dense_landmarks/test_warp.py`` checks that on a synthetic image.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dense_landmarks import anatomy, scheme
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.warp import WarpSpec, warp_faces
from eval.makeup import resolve

PARTS = {"lips": ("outer_lips",), "eyes": ("right_eye", "left_eye")}


def growth(before: dict, after: dict, parts: tuple[str, ...]) -> float:
    a = sum(anatomy.polygon_area(before[p]) for p in parts)
    b = sum(anatomy.polygon_area(after[p]) for p in parts)
    return float(np.sqrt(b / max(a, 1e-9)))


def faces_and_boxes(args: argparse.Namespace) -> list[tuple[np.ndarray, np.ndarray | None]]:
    if args.image:
        return [(read_image(args.image), None)]
    labels = Path(args.labels)
    d = np.load(labels)
    rows = np.flatnonzero(d["val"])[: args.limit]
    out = []
    for r in rows:
        gt68 = scheme.to_68(d["points"][r].astype(np.float64))
        out.append((read_image(resolve(str(d["paths"][r]), labels)), landmark_box(gt68)[None]))
    return out


def main(argv: list[str] | None = None) -> int:
    from dense_landmarks.landmarker import DenseLandmarker

    ap = argparse.ArgumentParser(prog="python -m eval.warp", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--image", default=None, help="one photo instead of the 300-W faces")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--factors", default="0.9,1.15", help="comma-separated lip/eye factors")
    args = ap.parse_args(argv)
    lm = DenseLandmarker()
    items = faces_and_boxes(args)
    print(f"{len(items)} face(s); growth = sqrt(area ratio) of the re-detected outline")
    print("| part | requested | re-detected median | mean | faces within 3 % |")
    print("|---|---|---|---|---|")
    for part in PARTS:
        for s in (float(x) for x in args.factors.split(",")):
            spec = WarpSpec(**{part: s})
            got = []
            for img, box in items:
                faces = lm.detect(img, boxes=box)
                if not faces:
                    continue
                f = faces[0]
                out = warp_faces(img, [f], spec)
                g = lm.detect(out, boxes=box)
                if not g:
                    continue
                got.append(growth(f.contours, g[0].contours, PARTS[part]))
            got_a = np.array(got)
            within = 100 * np.mean(np.abs(got_a / s - 1) <= 0.03)
            print(
                f"| {part} | {s:.2f} | {np.median(got_a):.3f} | {got_a.mean():.3f} | "
                f"{within:.0f} % |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
