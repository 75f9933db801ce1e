"""Run the MediaPipe Face Mesh teacher over a list of images (its own venv: ``make labels``).

MediaPipe pins ``numpy<2`` and is never a dependency of the package, so this script imports
nothing from the project beyond the standard library, numpy and OpenCV, and runs in
``.venv-teacher`` (``mediapipe==0.10.14``, whose wheel ships the models: nothing downloads).

Output: an ``.npz`` with ``paths`` (N,), ``points`` (N, 478, 2) float32 (x, y) pixels of the
input image (centre of the top-left pixel at (0, 0); NaN where no face was found) and
``found`` (N,) bool. With several faces in a crop, the one nearest the image centre is kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import cv2
import numpy as np

NUM_MESH_POINTS = 478  # 468 mesh vertices + 2 x 5 iris points (refine_landmarks=True)


def run(
    paths: list[str], max_faces: int = 4, min_confidence: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    import mediapipe as mp

    out = np.full((len(paths), NUM_MESH_POINTS, 2), np.nan, dtype=np.float32)
    found = np.zeros(len(paths), dtype=bool)
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True,
        max_num_faces=max_faces,
        refine_landmarks=True,
        min_detection_confidence=min_confidence,
    ) as mesh:
        for i, path in enumerate(paths):
            bgr = cv2.imread(path, cv2.IMREAD_COLOR)
            if bgr is None:
                print(f"skipped: {path}: not a readable image", file=sys.stderr)
                continue
            h, w = bgr.shape[:2]
            res = mesh.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            if not res.multi_face_landmarks:
                continue
            faces = []
            for lm in res.multi_face_landmarks:
                # MediaPipe's normalised coordinates put pixel edges at 0 and 1
                xy = np.array(
                    [[p.x * w - 0.5, p.y * h - 0.5] for p in lm.landmark], dtype=np.float32
                )
                faces.append(xy)
            centre = np.array([(w - 1) / 2, (h - 1) / 2])
            best = min(faces, key=lambda f: float(np.linalg.norm(f.mean(0) - centre)))
            out[i], found[i] = best, True
            if (i + 1) % 200 == 0:
                print(f"{i + 1}/{len(paths)} images, {int(found[: i + 1].sum())} faces", flush=True)
    return out, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--list", required=True, help="text file with one image path per line")
    ap.add_argument("--out", required=True, help="output .npz")
    args = ap.parse_args(argv)
    with open(args.list, encoding="utf-8") as fh:
        paths = [ln.strip() for ln in fh if ln.strip()]
    points, found = run(paths)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(args.out)), suffix=".npz")
    os.close(fd)
    np.savez_compressed(tmp, paths=np.array(paths), points=points, found=found)
    os.replace(tmp, args.out)
    print(f"{int(found.sum())}/{len(paths)} faces found -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
