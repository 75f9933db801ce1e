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
from dense_landmarks.refine import refiner as refiner_mod
from dense_landmarks.refine.ends import EndRule, end_shifts
from dense_landmarks.refine.ridge import to_heatmap


def collect(labels: str, split: str, limit: int | None) -> dict[str, np.ndarray]:
    """Per part group, (N, 3) rows of (measured shift, true shift, heatmap px per IOD)."""
    from dense_landmarks.landmarker import build_landmarker

    d = np.load(labels)
    rows = np.flatnonzero(d["val"] if split == "val" else ~d["val"])[:limit]
    lm = build_landmarker("onnx", detector=None)
    lm.refiner.corner_rounds = 0
    seen: dict = {}
    decode, decoded_parts = refiner_mod.decode_arcs, refiner_mod.decoded_parts

    def spy_decode(arcs, atlas, index, **kw):
        seen["atlas"], seen["index"] = atlas, index
        return decode(arcs, atlas, index, **kw)

    def spy_parts(parts, mats, arcs, pts=None):
        seen["parts"], seen["mats"], seen["arcs"] = parts, mats, arcs
        return decoded_parts(parts, mats, arcs, pts)

    rule = EndRule(beyond=0.0, gain=1.0, min_level=0.0)
    out = defaultdict(list)
    refiner_mod.decode_arcs, refiner_mod.decoded_parts = spy_decode, spy_parts
    try:
        for r in rows:
            img = read_image(str(d["paths"][r]))
            gt = d["points"][r].astype(np.float64)
            iod = float(normaliser(scheme.to_68(gt)[None])[0])
            lm.detect(img, landmark_box(scheme.to_68(gt))[None])
            shift, direction = end_shifts(seen["arcs"], seen["atlas"], seen["index"], rule)
            a = 0
            for part, m in zip(seen["parts"], seen["mats"]):
                hm_per_iod = iod * abs(np.linalg.det(m[:, :2])) ** 0.5 / 2.0
                for name, u0, u1 in part.arcs:
                    idx = scheme.PARTS[name].indices
                    for e, u in enumerate((u0, u1)):
                        if part.ends is None:
                            continue
                        true = to_heatmap(to_crop(gt[idx[u % len(idx)]][None], m))[0]
                        end = seen["arcs"][a, -1 if e else 0]
                        t = float((true - end) @ direction[a, e])
                        group = part.name.replace("left_", "").replace("right_", "")
                        out[group].append((shift[a, e], t, hm_per_iod))
                    a += 1
    finally:
        refiner_mod.decode_arcs, refiner_mod.decoded_parts = decode, decoded_parts
    return {k: np.asarray(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.ends", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--split", default="train", choices=["train", "val"])
    ap.add_argument("--limit", type=int, default=700)
    args = ap.parse_args(argv)
    groups = collect(args.labels, args.split, args.limit)
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
