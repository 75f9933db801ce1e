"""MediaPipe Face Mesh on face crops and on their mirror images, for ``python -m
eval.chirality``. Run with the teacher venv: ``.venv-teacher/bin/python -m
eval.peers.mediapipe_mirror REQUEST RESPONSE`` (standard library, numpy, OpenCV, mediapipe).

Request JSON: ``{"items": [{"image": path, "box": [x0, y0, x1, y1]}]}`` (one face per item;
the crop is ``mediapipe_runner.box_region``, as that runner cuts in box mode).
Response ``.npz``: ``plain`` and ``mirrored`` (N, 478, 2) float64 mesh vertices, pixels of the
crop as MediaPipe saw it (the mirrored crop's own frame: not mirrored back), NaN where no face;
``origin`` (N, 2) the crop's top-left pixel in the image and ``width`` (N,) the crop's width.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np


def main() -> int:
    import cv2
    import mediapipe as mp

    from eval.peers.mediapipe_runner import box_region

    with open(sys.argv[1], encoding="utf-8") as fh:
        req = json.load(fh)
    mesh = mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=1, refine_landmarks=True
    )
    n = len(req["items"])
    out = {k: np.full((n, 478, 2), np.nan) for k in ("plain", "mirrored")}
    origin, width = np.zeros((n, 2)), np.zeros(n)
    for i, item in enumerate(req["items"]):
        img = cv2.imread(item["image"], cv2.IMREAD_COLOR)
        if img is None:
            continue
        crop, origin[i] = box_region(img[:, :, ::-1], item["box"])
        h, w = crop.shape[:2]
        width[i] = w
        for key, im in (("plain", crop), ("mirrored", np.ascontiguousarray(crop[:, ::-1]))):
            res = mesh.process(im)
            if res.multi_face_landmarks:
                lm = res.multi_face_landmarks[0].landmark
                out[key][i] = [[p.x * w - 0.5, p.y * h - 0.5] for p in lm]
    tmp = sys.argv[2] + ".tmp.npz"
    np.savez(tmp, origin=origin, width=width, **out)
    os.replace(tmp, sys.argv[2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
