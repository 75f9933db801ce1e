"""Mirror consistency of the 300-W labels, of our sparse network and of MediaPipe:
``python -m eval.chirality``.

Each held-out face is cropped (the landmark box of its human points) and run twice: as it is
and mirrored, the mirrored result mirrored back (x -> W - 1 - x, the scheme's flip
permutation). For a mirror-consistent predictor both agree; their mean is the predictor's
place, their half difference its chirality. Errors are mean signed errors against the human
points (predicted - human, px of the image) along each face's horizontal axis
(:func:`dense_landmarks.metrics.signed_error`).

- ours: the sparse network alone, one pass, on the 112 px box crop.
- MediaPipe raw: the Face Mesh's own midline vertices (nose, lips, chin: each its own mirror
  image), mirrored back minus as they are: 0 for a mirror-consistent mesh. Needs the teacher
  venv (``make teacher``).
- MediaPipe 68: the 68 points through our slot map (fitted to the 300-W labels), as
  ``make compare`` scores it.

A predictor trained with mirrored copies of its faces (ours) cannot learn a convention that
changes sign under mirroring; a map fitted to the labels (MediaPipe 68) absorbs the labels'
convention, and so shows it twice over between a face and its mirror image. The table by face
size tells a pixel convention (the same in image pixels at every size) from a drawing habit
(the same in face units). See :mod:`dense_landmarks.convention`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.crop import box_crop, landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.metrics import signed_error
from dense_landmarks.sparse import SparseLandmarker
from eval.peers.call import REPO, call_runner, read_npz

TEACHER = ".venv-teacher/bin/python"

#: MediaPipe Face Mesh vertices on the face's midline (each its own mirror image): nose
#: bridge and tip, philtrum, lip middles, chin, forehead.
MP_MIDLINE = (0, 1, 2, 4, 5, 6, 8, 9, 10, 13, 14, 17, 18, 152, 164, 168, 175, 195, 197, 199, 200)


def ours(images: list[np.ndarray], gts: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The sparse network, one pass, plain and mirrored crops: (N, 68, 2) image pixels each,
    and the crop scale (N,) crop pixels per image pixel."""
    # one pass with the mirrored crop: the average and the mirrored crop's points alone
    lm = SparseLandmarker(passes=1, flip_last=True, final_turns=())
    plain, mirrored, scale = [], [], []
    for img, gt in zip(images, gts):
        spec = box_crop(landmark_box(scheme.to_68(gt)))
        mean, _, mirr = lm.predict_crops_checked(img, [spec], passes=1)
        plain.append(2.0 * mean[0] - mirr[0])
        mirrored.append(mirr[0])
        scale.append(lm.input_size / spec.side)
    return {
        "plain": scheme.to_68(np.stack(plain)),
        "mirrored": scheme.to_68(np.stack(mirrored)),
        "scale": np.asarray(scale),
    }


def mediapipe(paths: list[str], gts: list[np.ndarray], teacher: Path) -> dict[str, np.ndarray]:
    """MediaPipe on the same faces (crops as in ``make compare``'s box mode): midline x
    difference (N,) px, and the slot-mapped 68 points plain and mirrored back (N, 68, 2)."""
    from training.labels.mesh import MAP_PATH

    items = [
        {"image": str(Path(p).resolve()), "box": landmark_box(scheme.to_68(g)).tolist()}
        for p, g in zip(paths, gts)
    ]
    doc = call_runner(
        teacher, "eval.peers.mediapipe_mirror", {"items": items}, "mediapipe", read_npz, ".npz"
    )
    m = json.loads(MAP_PATH.read_text(encoding="utf-8"))
    verts, wts = np.asarray(m["vertices"]), np.asarray(m["weights"])
    mid = list(MP_MIDLINE)
    out = {"midline": [], "plain": [], "mirrored": [], "ok": []}
    for plain, mirr, origin, w in zip(doc["plain"], doc["mirrored"], doc["origin"], doc["width"]):
        ok = bool(np.isfinite(plain).all() and np.isfinite(mirr).all())
        out["ok"].append(ok)
        if not ok:
            plain = mirr = np.zeros((478, 2))
        out["midline"].append(((w - 1.0 - mirr[mid, 0]) - plain[mid, 0]).mean())
        p106 = np.einsum("kjd,kj->kd", plain[verts], wts)
        q106 = scheme.mirror_points(np.einsum("kjd,kj->kd", mirr[verts], wts), w)
        out["plain"].append(scheme.to_68(p106 + origin))
        out["mirrored"].append(scheme.to_68(q106 + origin))
    return {k: np.asarray(v) for k, v in out.items()}


def _row(name: str, plain: np.ndarray, mirrored: np.ndarray, gt: np.ndarray) -> str:
    a = signed_error(plain, gt)[:, 0].mean()
    b = signed_error(mirrored, gt)[:, 0].mean()
    return f"| {name} | {a:+.2f} | {b:+.2f} | {(a + b) / 2:+.2f} | {(a - b) / 2:+.2f} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.chirality", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--split", default="val", choices=["val", "train"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--teacher", default=str(REPO / TEACHER))
    args = ap.parse_args(argv)
    d = np.load(args.labels)
    rows = np.flatnonzero(d["val"] if args.split == "val" else ~d["val"])[: args.limit]
    paths = [str(d["paths"][r]) for r in rows]
    gts = [d["points"][r].astype(np.float64) for r in rows]
    gt68 = scheme.to_68(np.stack(gts))
    res = ours([read_image(p) for p in paths], gts)
    print(f"{len(rows)} {args.split} faces of {args.labels}; signed error along the face's axis")
    print("(px of the image, predicted - human; + is towards the subject's left)\n")
    print(
        "| predictor | plain crop | mirrored crop, mirrored back | mean of the two "
        "| half difference |\n|---|---|---|---|---|"
    )
    print(_row("ours: sparse network, one pass", res["plain"], res["mirrored"], gt68))
    teacher = Path(args.teacher)
    if teacher.exists():
        mp = mediapipe(paths, gts, teacher)
        ok = mp["ok"]
        print(_row("MediaPipe 68 (slot map)", mp["plain"][ok], mp["mirrored"][ok], gt68[ok]))
        print(
            f"\nMediaPipe raw mesh, midline vertices, mirrored back minus as they are: "
            f"{mp['midline'][ok].mean():+.2f} px ({int(ok.sum())} faces found both ways)"
        )
    else:
        print(f"\n(MediaPipe left out: {teacher} missing, `make teacher`)")
    # pixel convention or drawing habit: our mirror-consistent place by face size
    a = (signed_error(res["plain"], gt68)[:, 0] + signed_error(res["mirrored"], gt68)[:, 0]) / 2
    order = np.argsort(res["scale"], kind="stable")
    print(
        "\nours, mean of the two by face size (crop pixels per image pixel; thirds of the "
        "faces):\n\n| faces | crop px per image px | image px | crop px |\n|---|---|---|---|"
    )
    for k in np.array_split(order, 3):
        sc = res["scale"][k]
        print(
            f"| {len(k)} | {sc.min():.2f}-{sc.max():.2f} | {a[k].mean():+.2f} "
            f"| {(a[k] * sc).mean():+.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
