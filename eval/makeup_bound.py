"""What lip accuracy the lipstick target needs: ``python -m eval.makeup_bound``.

Issue 14 asks the lipstick to cover >= 90 % of the human lip ring (outer-lip polygon minus
inner-lip polygon), with <= 10 % of the painted pixels outside it and <= 5 % of the human mouth
opening painted on open mouths. Every lip mask is built from lip contours, so its score is
bounded by how well those contours follow the human points. This command measures that bound
with *hard* masks (no feathering, no colour guard: pixel centres inside the ring, the most
generous form of any mask), scored against the human polygons exactly as ``eval.makeup`` does:

1. **The landmarker's contours**, the outer ring grown by ``a`` and the opening grown by ``b``
   (inter-ocular units, negative: shrunk), over a grid of ``(a, b)``: the best trade-offs any
   mask drawn from today's lip contours can reach.
2. **Splines through the human points plus noise**: the human 68-point lips moved by Gaussian
   noise of ``sigma`` % IOD per coordinate, then drawn through by the same splines the pipeline
   uses (``dense_contours``): which contour accuracy meets the target at all. ``sigma = 0`` is
   the ceiling (splines through the exact human points still bulge past the polygon's chords).

The human lip points' mean distance to the landmarker's contours (% IOD) is printed beside
them, to compare with the noise levels (for Gaussian noise the mean distance along the normal is
about 0.8 sigma).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from curves.regions import rasterize, ring_polygon
from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from eval.makeup import human_gap, human_masks, lip_error, mouth_window, predict, score_mask

#: (outer growth, opening growth), IOD units: the grid of part 1
OFFSETS = tuple((a, b) for a in (-0.01, -0.005, 0.0, 0.005, 0.01) for b in (-0.01, 0.0, 0.01))
#: noise levels of part 2, % IOD per coordinate
SIGMAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
TARGET = {"coverage": 90.0, "outside": 10.0, "opening": 5.0}


def hard_scores(
    gt68: np.ndarray,
    iod: float,
    outer: np.ndarray,
    inner: np.ndarray,
    offsets: tuple[tuple[float, float], ...],
) -> np.ndarray:
    """(len(offsets), 3) coverage, outside, opening fractions (opening NaN on closed mouths)
    of hard lip-ring masks from the contours ``outer``, ``inner`` (n, 2) pixels, against the
    human polygons of ``gt68`` (68, 2) pixels, in ``eval.makeup``'s scoring window."""
    x0, y0, x1, y1 = mouth_window(gt68, outer, iod)
    off, shape = np.array([x0, y0], float), (y1 - y0, x1 - x0)
    ring, opening = human_masks(gt68 - off, shape, "polygon")
    is_open = human_gap(gt68) > 0.05 * iod
    p_out = ring_polygon(outer - off, "outer lips")
    p_in = ring_polygon(inner - off, "inner lips")
    rows = []
    for a, b in offsets:
        mask = rasterize(p_out.buffer(a * iod).difference(p_in.buffer(b * iod)), shape)
        rows.append(score_mask(mask, ring, opening, is_open).rates)
    return 100.0 * np.array(rows)


def noisy_human_lips(
    points106: np.ndarray, gt68: np.ndarray, iod: float, sigma: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(outer, inner) dense lip contours through the human lip points moved by Gaussian noise
    of ``sigma`` % IOD per coordinate (the other points: the landmarker's ``points106``)."""
    pts = np.array(points106, dtype=np.float64, copy=True)
    noisy = gt68 + rng.normal(0.0, sigma / 100.0 * iod, gt68.shape)
    pts[scheme.IBUG68_FROM_106] = noisy
    c = dense_contours(pts)
    return c["outer_lips"], c["inner_lips"]


def _mean(rows: list[np.ndarray]) -> np.ndarray:
    return np.nanmean(np.stack(rows), axis=0)


def _meets(s: np.ndarray) -> str:
    ok = s[0] >= TARGET["coverage"] and s[1] <= TARGET["outside"] and s[2] <= TARGET["opening"]
    return "yes" if ok else "no"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.makeup_bound", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--split", default="val", choices=["val", "train"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    items = predict(Path(args.labels), args.split, args.limit, args.backend)
    e_out, e_in = lip_error(items)
    print(
        f"{args.split} split, {len(items)} faces; hard masks vs the human polygons, per-face "
        f"means (opening: open mouths); human lip points to the landmarker's contours: outer "
        f"{e_out:.2f} %, inner {e_in:.2f} % IOD (target: coverage >= 90, outside <= 10, "
        "opening <= 5 %)"
    )
    print()
    print(
        "| landmarker's contours: outer grown by | opening grown by | coverage % | outside % "
        "| opening % | meets |"
    )
    print("|---|---|---|---|---|---|")
    ours = _mean(
        [
            hard_scores(g, i, f.contours["outer_lips"], f.contours["inner_lips"], OFFSETS)
            for _, g, i, f in items
        ]
    )
    for (a, b), s in zip(OFFSETS, ours):
        print(
            f"| {a:+.3f} IOD | {b:+.3f} IOD | {s[0]:.1f} | {s[1]:.1f} | {s[2]:.1f} | {_meets(s)} |"
        )
    print()
    print("| human lip points + noise, sigma % IOD | coverage % | outside % | opening % | meets |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(args.seed)
    for sigma in SIGMAS:
        rows = []
        for _, g, i, f in items:
            outer, inner = noisy_human_lips(f.points, g, i, sigma, rng)
            rows.append(hard_scores(g, i, outer, inner, ((0.0, 0.0),))[0])
        s = _mean(rows)
        print(f"| {sigma:.2f} | {s[0]:.1f} | {s[1]:.1f} | {s[2]:.1f} | {_meets(s)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
