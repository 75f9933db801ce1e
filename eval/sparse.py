"""Validation figures of the sparse model: ``python -m eval.sparse``.

On the held-out split of the prepared 300-W labels (``cache/labels_300w.npz``), from a face
box derived like a detector's (the landmark box of the human points, no jitter), reports NME
(%, inter-ocular outer corners) on the 68 human points for the image as it is and rotated by
90, 180 and 270 degrees, the failure rate at 10 % and the pose error against the PnP labels.
"""

from __future__ import annotations

import argparse

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.convention import LABEL_OFFSET_PX, to_label_convention
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.metrics import angle_error, failure_rate, nme, normaliser
from dense_landmarks.pose import head_pose
from dense_landmarks.sparse import FINAL_TURNS, SparseLandmarker


def rotate_image(
    image: np.ndarray, points: np.ndarray, quarter_turns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate an image and its (N, 2) points clockwise by 90 degrees ``quarter_turns`` times."""
    img, pts = image, np.asarray(points, dtype=np.float64).copy()
    for _ in range(quarter_turns % 4):
        h = img.shape[0]
        img = np.ascontiguousarray(np.rot90(img, k=-1))  # clockwise
        pts = np.stack([h - 1 - pts[:, 1], pts[:, 0]], axis=1)
    return img, pts


def evaluate(
    labels: str,
    backend: str,
    passes: int,
    turns: tuple[int, ...],
    flip_last: bool = True,
    split: str = "val",
    label_offset: float = LABEL_OFFSET_PX,
    final_turns: bool = False,
) -> dict[int, dict[str, float]]:
    d = np.load(labels)
    rows = np.flatnonzero(d["val"] if split == "val" else ~d["val"])
    lm = SparseLandmarker(
        backend=backend,
        passes=passes,
        pose="network",
        flip_last=flip_last,
        final_turns=FINAL_TURNS if final_turns else (),
    )
    results = {}
    for k in turns:
        preds, gts, poses, pnp = [], [], [], []
        for r in rows:
            img, pts = rotate_image(read_image(str(d["paths"][r])), d["points"][r], k)
            p, pose = lm.predict(img, landmark_box(scheme.to_68(pts))[None])
            p, _ = to_label_convention(p, [{}], label_offset)  # as the pipeline returns them
            preds.append(p[0])
            gts.append(pts)
            poses.append(pose[0])
            pnp.append(head_pose(p[0], None, img.shape[:2]))
        pred68, gt68 = scheme.to_68(np.stack(preds)), scheme.to_68(np.stack(gts))
        e = nme(pred68, gt68, normaliser(gt68))
        true_pose = d["pose"][rows].astype(np.float64).copy()
        true_pose[:, 2] = (true_pose[:, 2] + 90.0 * k + 180.0) % 360.0 - 180.0
        pe = angle_error(np.stack(poses), true_pose).mean(0)
        pp = angle_error(np.stack(pnp), true_pose).mean(0)
        results[90 * k] = {
            "nme68": 100 * float(e.mean()),
            "bias": (pred68 - gt68).mean(axis=(0, 1)).tolist(),  # signed x, y pixels
            "fr10": 100 * failure_rate(e, 0.10),
            "net": pe.tolist(),
            "pnp": pp.tolist(),
        }
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.sparse", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--turns", default="0,1,2,3", help="quarter turns to evaluate")
    ap.add_argument(
        "--no-flip", action="store_true", help="final pass without its mirrored crop (ablation)"
    )
    ap.add_argument(
        "--final-turns",
        action="store_true",
        help="final pass also turned by dense_landmarks.sparse.FINAL_TURNS (off by default)",
    )
    ap.add_argument("--split", default="val", choices=["val", "train"])
    ap.add_argument(
        "--label-offset",
        type=float,
        default=LABEL_OFFSET_PX,
        help="px along the face's axis into the labels' convention, as the pipeline moves its "
        "points (dense_landmarks.convention; 0: the network's own places)",
    )
    args = ap.parse_args(argv)
    turns = tuple(int(t) for t in args.turns.split(","))
    res = evaluate(
        args.labels,
        args.backend,
        args.passes,
        turns,
        not args.no_flip,
        args.split,
        args.label_offset,
        args.final_turns,
    )
    val = np.load(args.labels)["val"]
    n = int(val.sum() if args.split == "val" else (~val).sum())
    flip = "plain" if args.no_flip else "flip-averaged"
    flip += f", turned {FINAL_TURNS}" if args.final_turns else ""
    print(
        f"{args.split} faces: {n}; backend {args.backend}; passes {args.passes}, final pass {flip}"
        f"; label offset {args.label_offset:g} px"
    )
    print(
        "pose MAE in degrees (pitch/yaw/roll) against the PnP labels: network branch | PnP of predictions"
    )
    print(
        "| rotation | NME68 (%) | FR@10 (%) | pose MAE, network | pose MAE, PnP "
        "| mean signed error x / y (px, predicted - human) |"
    )
    print("|---|---|---|---|---|---|")
    for deg, r in res.items():
        net = "/".join(f"{v:.1f}" for v in r["net"])
        pnp = "/".join(f"{v:.1f}" for v in r["pnp"])
        bx, by = r["bias"]
        print(
            f"| {deg} | {r['nme68']:.2f} | {r['fr10']:.1f} | {net} | {pnp} | {bx:+.2f} / {by:+.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
