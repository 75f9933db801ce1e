"""Prepare the training labels: 300-W 68 points -> JD-106 points, provenance, pose, split.

``python -m training.labels.prepare`` reads ``../shared/data/300w_train`` and the teacher's
output (``make labels`` runs the teacher first) and writes one ``.npz`` that training reads:

- ``paths`` (N,) image paths; ``photo`` (N,) photo ids (crops of one photo share an id);
- ``points`` (N, 106, 2) float32 0-based pixels; ``provenance`` (N, 106) uint8;
- ``pose`` (N, 3) float32 pitch, yaw, roll in degrees (PnP against the canonical face);
- ``val`` (N,) bool: the held-out validation split, chosen by photo (never trained on).
"""

from __future__ import annotations

import argparse
import hashlib
import io
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.atomic import atomic_write_bytes
from dense_landmarks.pose import head_pose
from training.labels.complete import complete_68
from training.labels.mesh import load_map, mesh_to_106, model3d_106
from training.readers import read_pts_folder
from training.sample import Provenance

VAL_FRACTION = 0.12


def photo_id(path: Path) -> str:
    """Crops of the same photo share an id: ``<folder>/<stem without the _<n> face index>``."""
    stem = path.stem
    head, _, tail = stem.rpartition("_")
    if head and tail.isdigit() and path.parent.name != "lfpw_train":
        stem = head
    return f"{path.parent.name}/{stem}"


def is_val(photo: str, fraction: float = VAL_FRACTION) -> bool:
    """Deterministic split by a hash of the photo id."""
    h = int.from_bytes(hashlib.sha256(photo.encode()).digest()[:8], "big")
    return h / 2**64 < fraction


def prepare(data: Path, teacher_npz: Path | None) -> dict[str, np.ndarray]:
    samples = read_pts_folder(data)
    teacher: dict[str, np.ndarray] = {}
    if teacher_npz is not None:
        t = np.load(teacher_npz)
        teacher = {
            Path(str(p)).resolve().as_posix(): pts
            for p, pts, ok in zip(t["paths"], t["points"], t["found"])
            if ok
        }
    verts, wts = load_map()
    model3d = model3d_106()
    template = model3d[:, :2]
    n = len(samples)
    out = {
        "paths": np.array([s.image_path.as_posix() for s in samples]),
        "photo": np.array([photo_id(s.image_path) for s in samples]),
        "points": np.zeros((n, 106, 2), np.float32),
        "provenance": np.zeros((n, 106), np.uint8),
        "pose": np.zeros((n, 3), np.float32),
        "val": np.zeros(n, bool),
    }
    for i, s in enumerate(samples):
        mesh = teacher.get(s.image_path.resolve().as_posix())
        t106 = mesh_to_106(mesh.astype(np.float64), verts, wts) if mesh is not None else None
        pts, prov = complete_68(s.points, t106, template)
        img = cv2.imread(str(s.image_path), cv2.IMREAD_UNCHANGED)
        if img is None:
            raise ValueError(f"{s.image_path}: not a readable image")
        out["points"][i], out["provenance"][i] = pts, prov
        out["pose"][i] = head_pose(pts, model3d, img.shape[:2])
        out["val"][i] = is_val(out["photo"][i])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.labels.prepare", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/300w_train"))
    ap.add_argument("--teacher", type=Path, default=Path("cache/teacher_300w.npz"))
    ap.add_argument("--out", type=Path, default=Path("cache/labels_300w.npz"))
    args = ap.parse_args(argv)
    teacher = args.teacher if args.teacher.exists() else None
    if teacher is None:
        print(f"warning: {args.teacher} not found: teacher slots get weight 0 (run `make labels`)")
    d = prepare(args.data, teacher)
    buf = io.BytesIO()
    np.savez_compressed(buf, **d)
    atomic_write_bytes(args.out, buf.getvalue())
    prov = d["provenance"]
    counts = {p.name: int((prov == p).sum()) for p in Provenance}
    print(
        f"{len(prov)} faces ({int(d['val'].sum())} val, {len(set(d['photo'][d['val']]))} val photos)"
    )
    print(f"provenance counts: {counts}")
    print(
        f"pose |pitch|,|yaw|,|roll| median: {np.round(np.median(np.abs(d['pose']), 0), 1).tolist()}"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
