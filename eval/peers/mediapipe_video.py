"""MediaPipe Face Mesh in tracking mode (``static_image_mode=False``) over frame sequences, for
``python -m eval.video``. Run with the teacher venv: ``.venv-teacher/bin/python -m
eval.peers.mediapipe_video REQUEST RESPONSE`` (standard library, numpy, OpenCV, mediapipe).

Request JSON: ``{"cpu": int | null, "sequences": [{"frames": path to a (T, H, W, 3) uint8 RGB
.npy | "images": [PNG paths]}]}``. Response ``.npz``: ``points_<k>`` (T, 478, 2) float32 pixels
(centre of the top-left pixel at (0, 0); NaN where no face), ``ms_<k>`` / ``cpu_<k>`` (T,) the wall / process CPU
milliseconds of each ``process`` call, and ``inner_lips`` / ``outer_lips`` (the mesh's lip rings, vertex indices
from the right mouth corner).
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np


def _frames(seq: dict):
    if "frames" in seq:
        yield from np.load(seq["frames"], mmap_mode="r")
        return
    import cv2

    for path in seq["images"]:
        yield cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1]


def main() -> int:
    import mediapipe as mp

    from eval.peers.mediapipe_runner import chains

    with open(sys.argv[1], encoding="utf-8") as fh:
        req = json.load(fh)
    if req.get("cpu") is not None:
        os.sched_setaffinity(0, {int(req["cpu"])})
    from mediapipe.python.solutions import face_mesh_connections as c

    rings = sorted(chains(c.FACEMESH_LIPS), key=len, reverse=True)
    out: dict[str, np.ndarray] = {}
    for k, (name, ring) in enumerate((("outer_lips", rings[0]), ("inner_lips", rings[1]))):
        ring = ring[:-1] if ring[0] == ring[-1] else ring
        start = ring.index((61, 78)[k])  # the subject's right mouth corner
        out[name] = np.array(ring[start:] + ring[:start])
    for k, seq in enumerate(req["sequences"]):
        pts, ms, cpu = [], [], []
        with mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=1, refine_landmarks=True
        ) as mesh:
            for rgb in _frames(seq):
                rgb = np.ascontiguousarray(rgb)
                h, w = rgb.shape[:2]
                t0, c0 = time.perf_counter(), time.process_time()
                res = mesh.process(rgb)
                ms.append((time.perf_counter() - t0) * 1e3)
                cpu.append((time.process_time() - c0) * 1e3)
                if res.multi_face_landmarks:
                    lm = res.multi_face_landmarks[0].landmark
                    pts.append([[p.x * w - 0.5, p.y * h - 0.5] for p in lm])
                else:
                    pts.append(np.full((478, 2), np.nan))
        out[f"points_{k}"] = np.asarray(pts, dtype=np.float32)
        out[f"ms_{k}"] = np.asarray(ms)
        out[f"cpu_{k}"] = np.asarray(cpu)
    tmp = sys.argv[2] + ".tmp.npz"
    np.savez(tmp, **out)
    os.replace(tmp, sys.argv[2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
