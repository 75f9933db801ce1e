"""The landmark quality score: fit on the 300-W training split, ROC on the validation split.

``python -m eval.quality [--fit]`` builds, for each labelled face of a split, four landmark runs
(two passes, as the pipeline) from different first crops:

- ``face``: the face's landmark box jittered a little (what a detector gives);
- ``shifted``: a box of the face's size moved 0.8-1.6 face sizes away;
- ``shrunk``: a box a third of the face's size on a random part of the face (the miniature-
  face-on-the-mouth failure);
- ``background``: a box of 0.4-0.9 face sizes beside the face, touching no part of its
  landmark box (the 300-W photos are cropped about twice the face size around it);

and labels each run by where its points land: positive when the mean point error is under
``POSITIVE_ERROR`` of the face size (sqrt of the landmark box area), negative when over
``NEGATIVE_ERROR`` or for background boxes (a photo may hold unlabelled faces: a little label
noise); runs in between are left out. ``--fit`` fits the logistic weights of
:mod:`dense_landmarks.quality` on the training split (Newton's method, a few seconds) and writes
``dense_landmarks/quality.json``; every run then prints the validation ROC (AUC, and the true-
and false-positive rates at thresholds) and writes ``runs/quality/roc.csv``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from dense_landmarks.crop import box_crop, landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.quality import FEATURES, PARAMS, quality_features, quality_score
from dense_landmarks.sparse import SparseLandmarker

POSITIVE_ERROR = 0.08
NEGATIVE_ERROR = 0.2
KINDS = ("face", "shifted", "shrunk", "background")


def _boxes(gt: np.ndarray, hw: tuple[int, int], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One first-pass landmark box per run kind (see module docstring)."""
    box = landmark_box(gt)
    c, s = (box[:2] + box[2:]) / 2, max(box[2] - box[0], box[3] - box[1])
    sq = lambda cc, ss: np.r_[cc - ss / 2, cc + ss / 2]  # noqa: E731
    out = {"face": sq(c + rng.normal(0, 0.05 * s, 2), s * np.exp(rng.normal(0, 0.1)))}
    a = rng.uniform(0, 2 * np.pi)
    out["shifted"] = sq(c + rng.uniform(0.8, 1.6) * s * np.array([np.cos(a), np.sin(a)]), s)
    out["shrunk"] = sq(gt[rng.integers(len(gt))], s / 3)
    h, w = hw
    for _ in range(200):  # a box beside the face, touching no part of its landmark box
        ss = s * rng.uniform(0.4, 0.9)
        cc = rng.uniform(
            [ss / 2, ss / 2], [max(w - ss / 2, ss / 2 + 1), max(h - ss / 2, ss / 2 + 1)]
        )
        b = sq(cc, ss)
        if b[2] < box[0] or b[0] > box[2] or b[3] < box[1] or b[1] > box[3]:
            out["background"] = b
            break
    return out


def build(labels: str, split: str, limit: int | None, shared: str, seed: int = 0):
    """(features (N, 4), labels (N,) 1/0, kinds (N,)) for the faces of ``split``."""
    d = np.load(labels)
    rows = np.flatnonzero(d["val"] if split == "val" else ~d["val"])[:limit]
    rng = np.random.default_rng(seed)
    sparse = SparseLandmarker()
    feats, ys, kinds = [], [], []
    for r in rows:
        path = str(d["paths"][r]).replace("../shared", shared, 1)
        img = read_image(path)
        gt = d["points"][r].astype(np.float64)
        size = np.sqrt(np.prod(landmark_box(gt)[2:] - landmark_box(gt)[:2]))
        boxes = _boxes(gt, img.shape[:2], rng)
        specs = [box_crop(b) for b in boxes.values()]
        pts, _, check = sparse.predict_crops_checked(img, specs)
        for kind, sp, p, q in zip(boxes, specs, pts, check):
            err = np.linalg.norm(p - gt, axis=1).mean() / size
            if kind == "background":
                y = 0
            elif err < POSITIVE_ERROR:
                y = 1
            elif err > NEGATIVE_ERROR:
                y = 0
            else:
                continue
            feats.append(quality_features(p, sp, q))
            ys.append(y)
            kinds.append(kind)
    return np.array(feats), np.array(ys), np.array(kinds)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 50) -> np.ndarray:
    """Weights (F + 1,) (bias last) of an L2-regularised logistic regression (Newton)."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -50, 50)))
        g = a.T @ (p - y) + l2 * w
        h = (a * (p * (1 - p))[:, None]).T @ a + l2 * np.eye(len(w))
        w -= np.linalg.solve(h, g)
    return w


def roc(scores: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Thresholds, true-positive and false-positive rates (descending thresholds), AUC."""
    order = np.argsort(-scores)
    s, yy = scores[order], y[order]
    tpr = np.r_[0, np.cumsum(yy) / max(yy.sum(), 1)]
    fpr = np.r_[0, np.cumsum(1 - yy) / max((1 - yy).sum(), 1)]
    return np.r_[np.inf, s], tpr, fpr, float(np.trapezoid(tpr, fpr))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.quality", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--shared", default="../shared", help="where the labels' ../shared points")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--train-limit", type=int, default=800)
    ap.add_argument("--out", default="runs/quality")
    args = ap.parse_args(argv)
    if args.fit:
        x, y, kinds = build(args.labels, "train", args.train_limit, args.shared)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        np.savez(Path(args.out) / "features_train.npz", x=x, y=y, kinds=kinds)
        w = fit_logistic(x, y)
        params = {
            "weights": {k: round(float(v), 5) for k, v in zip(FEATURES, w[:-1])},
            "bias": round(float(w[-1]), 5),
            "fitted_on": f"{len(y)} runs ({int(y.sum())} positive) on {args.train_limit} "
            f"training faces of {args.labels}",
            "command": "python -m eval.quality --fit",
        }
        PARAMS.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {PARAMS}: {params}")
        from dense_landmarks.quality import load_params

        load_params.cache_clear()
    x, y, kinds = build(args.labels, "val", None, args.shared, seed=1)
    q = quality_score(x)
    thr, tpr, fpr, auc = roc(q, y)
    print(f"validation: {int(y.sum())} positive, {int((1 - y).sum())} negative runs; AUC {auc:.4f}")
    for k in KINDS:
        m = kinds == k
        print(f"  {k}: {int(y[m].sum())} positive / {int((1 - y[m]).sum())} negative")
    print("| threshold | true-positive rate (%) | false-positive rate (%) |")
    print("|---|---|---|")
    for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        print(
            f"| {t} | {100 * (q[y == 1] >= t).mean():.1f} | {100 * (q[y == 0] >= t).mean():.1f} |"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{a:.5f},{b:.5f},{c:.5f}" for a, b, c in zip(thr[1:], tpr[1:], fpr[1:]))
    (out / "roc.csv").write_text("threshold,tpr,fpr\n" + rows + "\n", encoding="utf-8")
    np.savez(out / "features_val.npz", x=x, y=y, kinds=kinds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
