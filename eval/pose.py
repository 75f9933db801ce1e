"""Head-pose error on the held-out 300-W faces, with the current pose convention.

``python -m eval.pose`` runs the landmark stage (two passes, from each validation face's
landmark box) and compares the PnP pose of its predicted points with the PnP pose of the
labelled points -- both by :func:`dense_landmarks.pose.head_pose`, so the reference follows the
current convention (line-of-sight camera, frontal-portrait frame) whatever convention the cached
pose labels were made with. Prints the mean absolute error per angle, its median, and the
median pitch and yaw of the labelled faces (about 0 for a frontal-portrait convention).
"""

from __future__ import annotations

import argparse

import numpy as np

from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.pose import head_pose
from dense_landmarks.sparse import SparseLandmarker


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.pose", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--shared", default="../shared", help="where the labels' ../shared points")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    d = np.load(args.labels)
    rows = np.flatnonzero(d["val"])[: args.limit]
    sparse = SparseLandmarker()
    pred, ref = [], []
    for r in rows:
        img = read_image(str(d["paths"][r]).replace("../shared", args.shared, 1))
        gt = d["points"][r].astype(np.float64)
        _, pose = sparse.predict(img, landmark_box(gt)[None])
        pred.append(pose[0])
        ref.append(head_pose(gt, None, img.shape[:2]))
    pred, ref = np.array(pred), np.array(ref)
    err = np.abs((pred - ref + 180.0) % 360.0 - 180.0)
    print(f"{len(rows)} validation faces of {args.labels}")
    print("| | pitch | yaw | roll |")
    print("|---|---|---|---|")
    print("| MAE (deg) | " + " | ".join(f"{v:.2f}" for v in err.mean(0)) + " |")
    print("| median error (deg) | " + " | ".join(f"{v:.2f}" for v in np.median(err, 0)) + " |")
    print(
        "| labelled faces' median (deg) | "
        + " | ".join(f"{v:.2f}" for v in np.median(ref, 0))
        + " |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
