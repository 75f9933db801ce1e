"""``python -m eval speed``: median ms per frame on one 640 x 480 frame, ours and peers.

Ours: detection, landmarks only (box given) and the full pipeline, with 1 and 2 threads. Peers:
their full pipeline (own detector) and landmarks with the box given, as their runners time them
(MediaPipe manages its own threads). Ratios are peer / ours for the full pipeline.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from dense_landmarks.imageio import write_image
from eval.bench_curves import time_ms
from eval.bench_pipeline import frame_640x480
from eval.systems import make_system


def speed(systems: list[str], repeat: int = 100) -> str:
    import dense_landmarks as dl

    frame = frame_640x480()
    lines = [
        "| system | threads | detection ms | landmarks ms (box given) | full pipeline ms | full vs ours |",
        "|---|---|---|---|---|---|",
    ]
    ours_full = None
    for threads in (1, 2):
        lm = dl.DenseLandmarker(num_threads=threads)
        box = lm.detect(frame)[0].points
        b = [np.r_[box.min(0), box.max(0)]]
        t_det = time_ms(lambda lm=lm: lm.detector.detect(frame), repeat)
        t_lm = time_ms(lambda lm=lm, b=b: lm.sparse.predict(frame, np.asarray(b)), repeat)
        t_all = time_ms(lambda lm=lm: lm.detect(frame), repeat)
        ours_full = ours_full or t_all
        lines.append(f"| ours | {threads} | {t_det:.2f} | {t_lm:.2f} | {t_all:.2f} | 1.00 |")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.png"
        write_image(path, frame)
        for name in systems:
            if name == "ours":
                continue
            system = make_system(name)
            if system is None:
                continue
            full = system.run({"mode": "detect", "repeat": repeat, "items": [{"image": str(path)}]})
            bx = system.run(
                {
                    "mode": "box",
                    "repeat": repeat,
                    "items": [{"image": str(path), "box": b[0].tolist()}],
                }
            )
            t_full, t_box = full["results"][0]["ms"], bx["results"][0]["ms"]
            lines.append(
                f"| {name} | own | | {t_box:.2f} | {t_full:.2f} | {t_full / ours_full:.2f} |"
            )
    return "\n".join(lines)
