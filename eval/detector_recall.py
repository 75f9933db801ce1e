"""Face detection recall on real group photos, ours beside MediaPipe's and dlib's detectors.

``python -m eval.detector_recall --data ../shared/data/afw_photos`` runs, on the 185 AFW photos
(337 annotated faces; see the folder's README) as they are, in gray and turned by 90 degrees:

- ``ours``: the default ``DenseLandmarker`` pipeline a user gets (detector, two landmark
  passes, quality filter, boundary refinement; ``--no-refine`` leaves the refinement out); a
  face counts as found when the landmark box of its 68 points overlaps the annotated landmark
  box with IoU >= 0.5;
- the peers, each in its own venv (``eval/peers/detector_runner.py``): MediaPipe's BlazeFace
  short- and full-range detectors and dlib's HOG detector upsampled once. They return detector
  boxes of their own convention, so each box is first mapped to a landmark box by the median
  centre offset and scale of that system's boxes to the annotated ones, fitted on these same
  photos (which favours the peers), then matched like ours.

A face is found when some returned face matches it; "extra" counts returned faces beyond the
first that match the same annotated face (the aim: 0). Not every face in the photos is
annotated, so precision is not measured here. Then every system runs on ``--speed`` photos
fitted into 640 x 480 frames: the median milliseconds per photo of each system's own call
(ours: detector alone and whole pipeline), one thread.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.crop import landmark_box
from dense_landmarks.detection.anchors import iou
from dense_landmarks.imageio import read_image, write_image
from eval.peers.call import call_runner
from eval.sparse import rotate_image

REPO = Path(__file__).resolve().parents[1]
#: peer -> venv python (relative to --venvs), as installed by ``make teacher`` / ``make peers``
PEERS = {
    "mediapipe_short": ".venv-teacher/bin/python",
    "mediapipe_full": ".venv-teacher/bin/python",
    "dlib_hog": ".venv-dlib/bin/python",
}
VARIANTS = ("color", "gray", "turned")


def load_afw(folder: Path) -> list[tuple[Path, np.ndarray]]:
    """(photo path, (F, 68, 2) annotated points) per photo with annotated faces."""
    doc = json.loads((folder / "afw_photos.json").read_text(encoding="utf-8"))
    files = {im["id"]: folder / im["file_name"] for im in doc["images"]}
    faces: dict[int, list[np.ndarray]] = {}
    for a in doc["annotations"]:
        kp = np.asarray(a["keypoints"], dtype=np.float64).reshape(68, 3)[:, :2]
        faces.setdefault(a["image_id"], []).append(kp)
    return [(files[i], np.stack(f)) for i, f in sorted(faces.items())]


def variant(image: np.ndarray, points: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The photo and its (F, 68, 2) points as colour, gray (3 equal channels) or turned 90 deg
    clockwise."""
    if name == "gray":
        g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        return np.repeat(g[:, :, None], 3, axis=2), points
    if name == "turned":
        img, pts = rotate_image(image, points.reshape(-1, 2), 1)
        return img, pts.reshape(points.shape)
    return image, points


def match_counts(pred: np.ndarray, truth: np.ndarray, thr: float = 0.5) -> tuple[int, int]:
    """(found, extra) for predicted (P, 4) and annotated (F, 4) landmark boxes: a face is found
    when a prediction overlaps it with IoU >= ``thr``; extra = matching predictions beyond the
    first, summed over faces."""
    found = extra = 0
    for t in truth:
        n = int((iou(t, pred) >= thr).sum()) if len(pred) else 0
        found += n > 0
        extra += max(n - 1, 0)
    return found, extra


def fit_convention(boxes: list[np.ndarray], truths: list[np.ndarray]) -> np.ndarray:
    """Median (dx, dy, scale) of detector boxes relative to the annotated landmark boxes they
    cover (box centre within 0.3 box sides of the face centre), in units of the landmark box's
    larger side."""
    rows = []
    for pred, truth in zip(boxes, truths):
        for t in truth:
            s = max(t[2] - t[0], t[3] - t[1])
            c = (t[:2] + t[2:]) / 2
            for p in pred:
                pc = (p[:2] + p[2:]) / 2
                if np.linalg.norm(pc - c) < 0.3 * s:
                    rows.append([*(pc - c) / s, max(p[2] - p[0], p[3] - p[1]) / s])
                    break
    return np.median(np.array(rows), axis=0) if rows else np.array([0.0, 0.0, 1.0])


def apply_convention(pred: np.ndarray, conv: np.ndarray) -> np.ndarray:
    """Detector boxes (P, 4) -> square landmark boxes under a fitted convention."""
    if not len(pred):
        return pred.reshape(0, 4)
    s = np.maximum(pred[:, 2] - pred[:, 0], pred[:, 3] - pred[:, 1]) / conv[2]
    c = (pred[:, :2] + pred[:, 2:]) / 2 - conv[None, :2] * s[:, None]
    return np.concatenate([c - s[:, None] / 2, c + s[:, None] / 2], axis=1)


def run_peer(name: str, venvs: Path, paths: list[Path], repeat: int = 1) -> dict | None:
    python = venvs / PEERS[name]
    if not python.exists():
        print(f"skipping {name}: {python} missing (make teacher / make peers)")
        return None
    items = [{"image": str(p), "box": None} for p in paths]
    req = {"mode": "detect", "detector": name, "repeat": repeat, "items": items}
    return call_runner(python, "eval.peers.detector_runner", req, name)


def fit_640x480(image: np.ndarray) -> np.ndarray:
    """The photo scaled to fit a 640 x 480 frame (gray border)."""
    h, w = image.shape[:2]
    k = min(640 / w, 480 / h)
    img = cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    out = np.full((480, 640, 3), 127, np.uint8)
    y, x = (480 - img.shape[0]) // 2, (640 - img.shape[1]) // 2
    out[y : y + img.shape[0], x : x + img.shape[1]] = img
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.detector_recall", description=__doc__)
    ap.add_argument("--data", default="../shared/data/afw_photos")
    ap.add_argument("--venvs", default=str(REPO), help="folder holding .venv-teacher, .venv-dlib")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--systems", default="ours," + ",".join(PEERS))
    ap.add_argument("--limit", type=int, default=None, help="first N photos only")
    ap.add_argument("--speed", type=int, default=20, help="photos for the 640x480 timing")
    ap.add_argument("--out", default="runs/detector_recall")
    ap.add_argument(
        "--refine",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ours with the boundary refinement (default: on, as the pipeline's default)",
    )
    ap.add_argument("--speed-only", action="store_true", help="only the 640x480 timing")
    args = ap.parse_args(argv)
    import dense_landmarks as dl

    photos = load_afw(Path(args.data))[: args.limit]
    if args.speed_only:
        args.variants = ""
    systems = args.systems.split(",")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lm = dl.DenseLandmarker(refine=None if args.refine else False) if "ours" in systems else None
    total = sum(len(p) for _, p in photos)
    print(f"{len(photos)} photos, {total} annotated faces; IoU >= 0.5 of landmark boxes")
    print("| variant | system | found | recall (%) | extra faces | faces returned |")
    print("|---|---|---|---|---|---|")
    table: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for v in filter(None, args.variants.split(",")):
            truths, paths, images = [], [], []
            for i, (path, pts) in enumerate(photos):
                img, p = variant(read_image(path), pts, v)
                truths.append(np.stack([landmark_box(f) for f in p]))
                if v == "color":
                    paths.append(path)
                else:
                    paths.append(Path(tmp) / f"{v}_{i}.png")
                    write_image(paths[-1], img)
                images.append(img if lm is not None else None)
            for name in systems:
                if name == "ours":
                    preds = []
                    for img in images:
                        faces = lm.detect(img)
                        preds.append(np.array([landmark_box(f.points68) for f in faces]))
                else:
                    doc = run_peer(name, Path(args.venvs), paths)
                    if doc is None:
                        continue
                    raw = [
                        np.array([f["box"] for f in r["faces"]], dtype=np.float64).reshape(-1, 4)
                        for r in doc["results"]
                    ]
                    conv = fit_convention(raw, truths)
                    preds = [apply_convention(b, conv) for b in raw]
                counts = np.array([match_counts(p, t) for p, t in zip(preds, truths)])
                found, extra = counts.sum(0)
                returned = sum(len(p) for p in preds)
                rec = 100.0 * found / total
                table.setdefault(v, {})[name] = rec
                print(f"| {v} | {name} | {found} | {rec:.1f} | {extra} | {returned} |")
    for v in table:
        if v != "color" and "color" in table:
            for name, rec in table[v].items():
                base = table["color"].get(name)
                if base:
                    print(f"{name}: {v} keeps {100 * rec / base:.1f} % of the colour recall")
    if args.speed:
        speed(photos[: args.speed], systems, Path(args.venvs), lm)
    if args.speed_only:
        return 0
    (out / "recall.json").write_text(json.dumps(table, indent=1), encoding="utf-8")
    return 0


def speed(photos, systems: list[str], venvs: Path, lm) -> None:
    """Median ms per 640 x 480 photo of each system's own call (first call excluded)."""
    frames = [fit_640x480(read_image(p)) for p, _ in photos]
    print(f"\n| system | ms per 640x480 photo (median of {len(frames)} photos, 3 runs each) |")
    print("|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, f in enumerate(frames):
            paths.append(Path(tmp) / f"frame_{i}.png")
            write_image(paths[-1], f)
        for name in systems:
            if name == "ours":
                for label, fn in (
                    ("ours: detector", lm.detector.detect),
                    ("ours: pipeline", lm.detect),
                ):
                    fn(frames[0])
                    ms = []
                    for f in frames:
                        runs = []
                        for _ in range(3):
                            t0 = time.perf_counter()
                            fn(f)
                            runs.append((time.perf_counter() - t0) * 1e3)
                        ms.append(float(np.median(runs)))  # as the peers' timed()
                    print(f"| {label} | {np.median(ms):.1f} |")
                continue
            doc = run_peer(name, venvs, paths, repeat=3)
            if doc is not None:
                print(f"| {name} | {np.median([r['ms'] for r in doc['results']]):.1f} |")


if __name__ == "__main__":
    raise SystemExit(main())
