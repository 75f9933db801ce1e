"""Calibration of the corner re-reading: ``python -m eval.ends --split train``.

For every corner of the lips, eyes and brows (both arcs meeting there vote), on faces of the
chosen split with the landmark box of the human points given: decode the arcs between the
sparse stage's corners (no corner rounds), measure how far each arc's ridge runs beyond its end
to its half-value point (:func:`dense_landmarks.refine.ends.end_shifts` with ``beyond=0``), and
compare with where the human corner lies along the same direction. Prints per part group the
median of (measured - true), the ``beyond`` of :class:`~dense_landmarks.refine.ends.EndRule`,
the least-squares gain, and the mean error along the direction before and after the rule
(% of the inter-ocular distance). The shipped rules (``dense_landmarks.refine.parts``) come
from ``--split train --limit 700``; never tune them on the held-out split.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.crop import landmark_box, to_crop
from dense_landmarks.imageio import read_image
from dense_landmarks.metrics import normaliser
from dense_landmarks.refine import Refiner, to_heatmap
from dense_landmarks.refine.ends import EndRule, end_shifts
from dense_landmarks.sparse import SparseLandmarker


def collect(
    labels: str, split: str, limit: int | None, every_part: bool = False
) -> dict[str, np.ndarray]:
    """Per part group, (N, 3) rows of (measured shift, true shift, heatmap px per IOD); the
    parts with an end rule, or with ``every_part`` the ends of every refined arc (to find
    rules for the open parts' ends)."""
    d = np.load(labels)
    rows = np.flatnonzero(d["val"] if split == "val" else ~d["val"])[:limit]
    sparse, refiner = SparseLandmarker(), Refiner(corner_rounds=0)
    rule = EndRule(beyond=0.0, gain=1.0, min_level=0.0)
    out = defaultdict(list)
    for r in rows:
        img = read_image(str(d["paths"][r]))
        gt = d["points"][r].astype(np.float64)
        gt68 = scheme.to_68(gt)
        iod = float(normaliser(gt68[None])[0])
        pts, _ = sparse.predict(img, landmark_box(gt68)[None])
        _, dec = refiner.decode(img, pts)
        if dec is None:
            continue
        shift, direction = end_shifts(dec.arcs, dec.atlas, dec.index, rule)
        a = 0
        for _, part, m in dec.jobs:
            hm_per_iod = iod * abs(np.linalg.det(m[:, :2])) ** 0.5 / 2.0
            group = part.name.replace("left_", "").replace("right_", "")
            for name, u0, u1 in part.arcs:
                idx = scheme.PARTS[name].indices
                read = part.ends is not None or every_part
                for e, u in enumerate((u0, u1) if read else ()):
                    key = group if part.ends is not None else f"{name} {'end' if e else 'start'}"
                    true = to_heatmap(to_crop(gt[idx[u % len(idx)]][None], m))[0]
                    t = float((true - dec.arcs[a, -1 if e else 0]) @ direction[a, e])
                    out[key].append((shift[a, e], t, hm_per_iod))
                a += 1
    return {k: np.asarray(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.ends", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--split", default="train", choices=["train", "val"])
    ap.add_argument("--limit", type=int, default=700)
    ap.add_argument(
        "--every-part",
        action="store_true",
        help="also the ends of the parts without an end rule (jaw, nose), each end on its own",
    )
    args = ap.parse_args(argv)
    groups = collect(args.labels, args.split, args.limit, args.every_part)
    print(
        f"{args.split} split, first {args.limit} faces; shifts in heatmap pixels, errors along "
        "each arc's end direction in % IOD\n\n| part | arc ends | beyond | least-squares gain "
        "| error before | after (beyond, gain 1) |\n|---|---|---|---|---|---|"
    )
    for name, v in groups.items():
        s, t, k = v.T
        beyond = float(np.median(s - t))
        x = s - beyond
        gain = float(x @ t / (x @ x))
        after = np.abs(t - np.clip(x, -3.0, 4.0))
        print(
            f"| {name} | {len(v)} | {beyond:.2f} | {gain:.2f} | {100 * np.mean(np.abs(t) / k):.2f}"
            f" | {100 * np.mean(after / k):.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
