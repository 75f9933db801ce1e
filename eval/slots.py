"""Where the annotators put the interior points along the refined arcs:
``python -m eval.slots --split train``.

For each face (the landmark box of its human points as the face box, the sparse stage and the
refiner's decoding as the pipeline runs them), every interior knot of every refined arc (the
points between an arc's corners: lids, brow edges, lips) is located along its decoded arc as
an arc-length fraction: where the sparse stage put it, and where its training label projects
(the label moved back by the pipeline's label offset, :mod:`dense_landmarks.convention`, which
the pipeline adds after the refiner).
Prints per part the labels' mean fractions and their spread, the sparse stage's fraction error,
and for each arc the error of the human 68 points (% inter-ocular) when the knots move
``(1 - w) * f_sparse + w * f_mean`` of the arc for a sweep of ``w``; then the
:class:`~dense_landmarks.refine.slots.SlotPrior` table that the sweep picks (weights shared by
a part and its mirror twin), for ``dense_landmarks/refine/parts.py``. Run it on the training
split: the held-out faces are for ``python -m eval.refine``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.convention import face_axes
from dense_landmarks.crop import box_crop, landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.landmarker import build_landmarker
from dense_landmarks.metrics import normaliser
from dense_landmarks.refine.arcs import knot_table
from dense_landmarks.refine.ridge import from_heatmap
from dense_landmarks.refine.slots import chord_lengths, fractions_at

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
IN68 = frozenset(int(i) for i in scheme.IBUG68_FROM_106)


def project_fraction(poly: np.ndarray, p: np.ndarray) -> float:
    """Arc-length fraction of the point of polyline ``poly`` (M, 2) nearest to ``p`` (2,)."""
    a, b = poly[:-1], poly[1:]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0.0, 1.0)
    k = int(np.argmin(np.linalg.norm(a + t[:, None] * ab - p, axis=1)))
    cum = chord_lengths(poly[None])[0]
    return float((cum[k] + t[k] * (cum[k + 1] - cum[k])) / max(cum[-1], 1e-12))


def at_fraction(poly: np.ndarray, f: float) -> np.ndarray:
    cum = chord_lengths(poly[None])[0]
    return np.array([np.interp(f * cum[-1], cum, poly[:, i]) for i in (0, 1)])


def twin(name: str) -> str:
    """A part and its mirror twin share weights: right_eye, left_eye -> eye."""
    return name.replace("right_", "").replace("left_", "")


def collect(labels: str, split: str, limit: int | None) -> tuple[list[dict], int]:
    """One record per (face, part, interior knot), and the number of faces."""
    d = np.load(labels)
    rows = np.flatnonzero(d["val"] if split == "val" else ~d["val"])[:limit]
    lm = build_landmarker(detector=None)
    records = []
    for r in rows:
        img = read_image(str(d["paths"][r]))
        gt = d["points"][r].astype(np.float64)
        iod = float(normaliser(scheme.to_68(gt)[None])[0])
        pts, _ = lm.sparse.predict_crops(img, [box_crop(landmark_box(scheme.to_68(gt)))])
        # the labels in the networks' own convention: the pipeline moves everything by the
        # label offset after the refiner (dense_landmarks.convention)
        gt = gt - lm.label_offset * face_axes(pts)[0]
        _, dec = lm.refiner.decode(img, pts)
        if dec is None:
            continue
        start = 0
        for _, part, m in dec.jobs:
            n = len(part.arcs)
            hm = dec.arcs[start : start + n]
            start += n
            inv = np.linalg.inv(m[:, :2])
            arcs = np.einsum("ij,amj->ami", inv, from_heatmap(hm) - m[:, 2])
            where, slots = knot_table(part, arcs.shape[1])
            f_sparse = fractions_at(chord_lengths(arcs), where)
            for k, ((a, _), slot) in enumerate(zip(where, slots)):
                poly = arcs[int(a)]
                records.append(
                    {
                        "part": part.name,
                        "knot": k,
                        "arc": int(a),
                        "slot": int(slot),
                        "poly": poly,
                        "gt": gt[slot],
                        "iod": iod,
                        "f_sparse": float(f_sparse[k]),
                        "f_label": project_fraction(poly, gt[slot]),
                    }
                )
    return records, len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.slots", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--split", default="train", choices=["train", "val"])
    ap.add_argument("--limit", type=int, default=600)
    args = ap.parse_args(argv)
    recs, faces = collect(args.labels, args.split, args.limit)
    by_knot: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for rec in recs:
        by_knot[(rec["part"], rec["knot"])].append(rec)
    mean = {k: float(np.mean([r["f_label"] for r in v])) for k, v in by_knot.items()}
    print(f"{faces} {args.split} faces of {args.labels}\n")
    print("| part | knot (106 slot) | label fraction: mean, s.d. | sparse fraction error |")
    print("|---|---|---|---|")
    for (part, k), v in sorted(by_knot.items()):
        fl = np.array([r["f_label"] for r in v])
        fs = np.array([r["f_sparse"] for r in v])
        print(
            f"| {part} | {k} ({v[0]['slot']}) | {fl.mean():.3f}, {fl.std():.3f} "
            f"| {np.nanmean(np.abs(fs - fl)):.3f} |"
        )
    # sweep the weight per (twin part, arc) on the human 68 points
    err: dict[tuple[str, int], dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rec in recs:
        if rec["slot"] not in IN68 or not np.isfinite(rec["f_sparse"]):
            continue
        f_mean = mean[(rec["part"], rec["knot"])]
        for w in WEIGHTS:
            p = at_fraction(rec["poly"], (1 - w) * rec["f_sparse"] + w * f_mean)
            e = np.linalg.norm(p - rec["gt"]) / rec["iod"]
            err[(twin(rec["part"]), rec["arc"])][w].append(e)
    print("\nhuman 68 interior points, % inter-ocular, by weight w:\n")
    print("| part | arc | " + " | ".join(f"w {w:g}" for w in WEIGHTS) + " |")
    print("|---|---|" + "---|" * len(WEIGHTS))
    best: dict[tuple[str, int], float] = {}
    for (part, arc), by_w in sorted(err.items()):
        cells = {w: 100 * float(np.mean(v)) for w, v in by_w.items()}
        best[(part, arc)] = min(cells, key=cells.get)
        print(f"| {part} | {arc} | " + " | ".join(f"{cells[w]:.2f}" for w in WEIGHTS) + " |")
    print("\nSlot priors (fractions from these faces, weights: the sweep's best):\n")
    for part in dict.fromkeys(p for p, _ in by_knot):
        knots = sorted(k for p, k in by_knot if p == part)
        arcs = sorted({by_knot[(part, k)][0]["arc"] for k in knots})
        fr = ", ".join(f"{mean[(part, k)]:.3f}" for k in knots)
        ws = ", ".join(f"{best.get((twin(part), a), 0.0):g}" for a in arcs)
        print(f"{part}: SlotPrior(fractions=({fr},), weights=({ws},))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
