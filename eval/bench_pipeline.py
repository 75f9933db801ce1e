"""Benchmark: the pipeline on one CPU core against MediaPipe Face Mesh measured in the same run.

    python -m eval.bench_pipeline                  # ours + MediaPipe (.venv-teacher), ratios
    python -m eval.bench_pipeline --no-peer --stages --backends onnx torch

Both processes are pinned to one core (``--cpu``; MediaPipe inherits the pin) and ours runs
with one thread. Every figure is a median over ``--repeat`` calls; each round measures ours,
then MediaPipe, and the table keeps the lowest median of ``--rounds`` rounds per column (this
shared machine's speed drifts between minutes; the lowest median is the least disturbed one).
CPU milliseconds (``process_time``) are the headline: on a loaded host they stay near the
unloaded time while wall time grows with the load.

Rows (the frames are the bundled astronaut photo, licence-clean):

- ``full, 1 face``: ``DenseLandmarker.detect`` on a 640 x 480 frame with one face (detector,
  two landmark passes, the quality check pass, refinement, dense-1000 contours) vs MediaPipe
  ``static_image_mode=True`` (BlazeFace + 478-point mesh with attention, ``process`` per call).
- ``full, 6 faces``: the same on a 640 x 480 frame tiled with six ~100 px faces, and the cost
  per call relative to one face (target: <= 4 x).
- ``tracking``: ``DenseLandmarker.from_points`` from the previous points (no detector; the
  landmarker's own passes) and ``Tracker.update`` (the video tracker's default configuration:
  flip-averaged passes, every part refined, smoothing, the detector every 30 frames amortised), on
  the still frame, vs MediaPipe ``static_image_mode=False`` (mesh from the previous frame's
  region; no detector) on the same frame repeated.

``--stages`` adds the per-stage breakdown of one face (detector, landmarks: both passes,
refinement: crops + networks + decoding + point update, contours: dense-1000 with the refined
control points) per backend. Targets (issue 17): full <= 1.0 x MediaPipe (aim 0.5 x), tracking
<= 0.7 x MediaPipe's tracking, six faces <= 4 x one face.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.imageio import read_image

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"
#: the astronaut photo's face region (pixels of the 512 x 512 original) cut into one tile of the
#: six-face frame: 213 x 240, face ~100 px, as in the one-face frame
_TILE = (118, 10, 331, 250)


def frame_640x480(path: Path = EXAMPLE) -> np.ndarray:
    """(480, 640, 3) uint8 RGB: the example photo scaled to 480 x 480 on a black frame."""
    img = read_image(path)
    img = cv2.resize(img, (480, 480), interpolation=cv2.INTER_AREA)
    out = np.zeros((480, 640, 3), np.uint8)
    out[:, 80:560] = img
    return out


def frame_six_faces(path: Path = EXAMPLE) -> np.ndarray:
    """(480, 640, 3) uint8 RGB: a 3 x 2 grid of the example photo's face region (six faces of
    ~100 px, the size of the one-face frame's face), on a black frame."""
    x0, y0, x1, y1 = _TILE
    tile = read_image(path)[y0:y1, x0:x1]
    out = np.zeros((480, 640, 3), np.uint8)
    grid = np.vstack([np.hstack([tile] * 3)] * 2)
    out[:, : grid.shape[1]] = grid
    return out


def cpu_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time (ms, this process, all its threads) of ``fn()`` after one warm-up call."""
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        runs.append((time.process_time() - t0) * 1e3)
    return statistics.median(runs)


def ours(frames: dict[str, np.ndarray], repeat: int, backend: str = "onnx") -> dict[str, float]:
    """CPU ms medians of our calls: ``full_1``, ``full_6``, ``points_1`` (``from_points``) and
    ``tracker_1`` (``Tracker.update``, fresh tracker warmed on the frame)."""
    import dense_landmarks as dl
    from dense_landmarks.video.tracker import Tracker

    lm = dl.DenseLandmarker(backend=backend, num_threads=1)
    one, six = frames["one"], frames["six"]
    prev = np.stack([f.points for f in lm.detect(one)])
    tracker = Tracker(lm)
    for _ in range(3):
        tracker.update(one)
    return {
        "full_1": cpu_ms(lambda: lm.detect(one), repeat),
        "full_6": cpu_ms(lambda: lm.detect(six), max(repeat // 3, 5)),
        "points_1": cpu_ms(lambda: lm.from_points(one, prev), repeat),
        "tracker_1": cpu_ms(lambda: tracker.update(one), repeat),
    }


def mediapipe(frames: dict[str, np.ndarray], repeat: int, python: Path) -> dict[str, float]:
    """MediaPipe Face Mesh in its own venv: ``full_1`` / ``full_6`` (static mode, wall ms median
    of ``process``) and ``tracking_1`` (tracking mode on the one-face frame repeated: CPU ms
    median of ``process`` after the first frame), plus the faces it found in each frame."""
    from dense_landmarks.imageio import write_image
    from eval.systems import Peer
    from eval.video import run_mediapipe

    peer = Peer("mediapipe")
    peer.python = python
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for k, img in frames.items():
            paths[k] = Path(tmp) / f"{k}.png"
            write_image(paths[k], img)
        full = peer.run(
            {
                "mode": "detect",
                "repeat": repeat,
                "items": [{"image": str(paths[k])} for k in frames],
            }
        )["results"]
        seq = Path(tmp) / "still.npy"
        np.save(seq, np.repeat(frames["one"][None], repeat + 5, axis=0))
        track = run_mediapipe([{"frames": str(seq)}], None, python)
    found = {k: len(r["faces"]) for k, r in zip(frames, full)}
    return {
        "full_1": full[0]["ms"],
        "full_6": full[1]["ms"],
        "tracking_1": float(np.median(track["cpu_0"][5:])),
        "faces_1": found["one"],
        "faces_6": found["six"],
        "tracked": int(np.isfinite(track["points_0"][5:]).all(axis=(1, 2)).sum()),
    }


def stages(repeat: int, backend: str) -> list[float]:
    """CPU ms medians of one face's stages: detector, landmarks (both passes), refinement,
    refinement without the corner re-reading (``corner_rounds=0``), contours, the whole
    ``detect`` call."""
    import dense_landmarks as dl
    from dense_landmarks.stages import detection_crop

    frame = frame_640x480()
    lm = dl.DenseLandmarker(backend=backend, num_threads=1)
    dets = lm.detector.detect(frame)
    specs = [detection_crop(d) for d in dets]
    pts, _ = lm.sparse.predict_crops(frame, specs)
    control = lm.refiner.refine(frame, pts)[0] if lm.refiner else [{}]
    kept = copy.copy(lm.refiner)  # the same sessions, corners where the sparse stage put them
    if kept is not None:
        kept.corner_rounds = 0
    steps = [
        lambda: lm.detector.detect(frame),
        lambda: lm.sparse.predict_crops(frame, specs),
        lambda: lm.refiner.refine(frame, pts) if lm.refiner else None,
        lambda: kept.refine(frame, pts) if kept else None,
        lambda: lm.densifier.densify(pts[0], control[0], lm.density),
        lambda: lm.detect(frame),
    ]
    return [cpu_ms(fn, repeat) for fn in steps]


def add_peer_options(ap: argparse.ArgumentParser) -> None:
    """``--cpu``, ``--no-peer`` and ``--teacher``: the options of a benchmark that measures
    MediaPipe Face Mesh (its own venv) in the same run, both pinned to one core."""
    from eval.systems import REPO

    ap.add_argument("--cpu", type=int, default=0, help="pin both systems to this core (-1: no pin)")
    ap.add_argument("--no-peer", action="store_true", help="ours only")
    ap.add_argument(
        "--teacher",
        default=os.environ.get("TEACHER_PYTHON", str(REPO / ".venv-teacher/bin/python")),
        help="python of the venv with mediapipe",
    )


def pin_and_find_peer(args: argparse.Namespace) -> Path | None:
    """Pin this process to ``args.cpu``; the MediaPipe venv's python, or None (``--no-peer``, or
    the venv is missing: said on stderr)."""
    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})
    teacher = Path(args.teacher)
    if args.no_peer:
        return None
    if not teacher.exists():
        print(
            f"skipping MediaPipe: {teacher} missing (its own venv: `make teacher`)",
            file=sys.stderr,
        )
        return None
    return teacher


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m eval.bench_pipeline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stages", action="store_true", help="also the per-stage breakdown")
    ap.add_argument("--backends", nargs="+", default=["onnx"], choices=["onnx", "torch"])
    add_peer_options(ap)
    args = ap.parse_args(argv)
    teacher = pin_and_find_peer(args)
    peer = teacher is not None
    frames = {"one": frame_640x480(), "six": frame_six_faces()}
    rows_o, rows_m = [], []
    for _ in range(args.rounds):
        rows_o.append(ours(frames, args.repeat))
        if peer:
            rows_m.append(mediapipe(frames, args.repeat, teacher))
    o = {k: min(r[k] for r in rows_o) for k in rows_o[0]}
    pin = f"pinned to core {args.cpu}" if args.cpu >= 0 else "not pinned"
    print(
        f"640 x 480 frames, one thread, {pin}; per cell the lowest of {args.rounds} round "
        f"medians of {args.repeat} calls (six faces: {max(args.repeat // 3, 5)})"
    )
    print("| call | ours CPU ms | MediaPipe ms | ours / MediaPipe | target |")
    print("|---|---|---|---|---|")
    m = {k: min(r[k] for r in rows_m) for k in rows_m[0]} if peer else {}

    def row(name: str, ours_ms: float, key: str | None, target: str) -> None:
        mp = m.get(key) if key else None
        ratio = f"{ours_ms / mp:.2f}" if mp else ""
        mp_s = f"{mp:.2f}" if mp else ""
        print(f"| {name} | {ours_ms:.2f} | {mp_s} | {ratio} | {target} |")

    row("full pipeline, 1 face", o["full_1"], "full_1", "<= 1.0 (aim 0.5)")
    row("full pipeline, 6 faces", o["full_6"], "full_6", "")
    row("tracking: from_points, 1 face", o["points_1"], "tracking_1", "<= 0.7")
    row("tracking: Tracker.update, 1 face", o["tracker_1"], "tracking_1", "<= 0.7")
    six = o["full_6"] / o["full_1"]
    line = f"- six faces cost {six:.2f} x one face (target <= 4)"
    if peer:
        line += f"; MediaPipe {m['full_6'] / m['full_1']:.2f} x"
        print(line)
        print(
            f"- MediaPipe found {m['faces_1']} / {m['faces_6']} faces (one / six-face frame) and "
            f"tracked the still frame in {m['tracked']} of {args.repeat} frames; its full-pipeline "
            "figures are wall ms of `process` (one core), tracking CPU ms"
        )
    else:
        print(line)
    if args.stages:
        print()
        print(
            "| backend | detector ms | landmarks ms | refinement ms | refinement without the "
            "corner rounds ms | contours ms | total ms |"
        )
        print("|---|---|---|---|---|---|---|")
        for backend in args.backends:
            best = np.min([stages(args.repeat, backend) for _ in range(args.rounds)], axis=0)
            print(f"| {backend} | " + " | ".join(f"{t:.2f}" for t in best) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
