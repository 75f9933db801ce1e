"""Systems under evaluation: ours in-process, peers through their runners in their own venvs.

Every system answers a request (see :mod:`eval.peers.protocol`) with faces carrying 68 points
and, where it has them, contours; systems without contours (dlib) get splines through their 68
points per part, drawn by ``curves`` exactly as for the labels.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from curves import fit_curve
from dense_landmarks import scheme
from eval.peers.call import call_runner
from eval.peers.protocol import timed

REPO = Path(__file__).resolve().parents[1]

#: iBUG-68 parts: name -> (indices, closed).
PARTS68: dict[str, tuple[range, bool]] = {
    "jaw": (range(0, 17), False),
    "right_brow": (range(17, 22), False),
    "left_brow": (range(22, 27), False),
    "nose_bridge": (range(27, 31), False),
    "nose_base": (range(31, 36), False),
    "right_eye": (range(36, 42), True),
    "left_eye": (range(42, 48), True),
    "outer_lips": (range(48, 60), True),
    "inner_lips": (range(60, 68), True),
}

#: Peer name -> (venv python, runner module, make target that installs it).
PEERS = {
    "mediapipe": (".venv-teacher/bin/python", "eval.peers.mediapipe_runner", "make teacher"),
    "dlib": (".venv-dlib/bin/python", "eval.peers.dlib_runner", "make peers"),
}


#: Given-box track: each peer gets the labelled landmark box converted to the box convention of
#: its own detector, as (centre dx, centre dy, side) in units of the landmark box's larger side
#: (a square). Fitted on training-split faces by ``python -m eval boxes --system NAME``.
BOX_CONVENTIONS: dict[str, tuple[float, float, float]] = {
    "dlib": (0.0105, -0.0760, 0.9719),  # 200 training faces, 2026-11-22
}


def convert_box(box: list[float], system: str) -> list[float]:
    """A landmark box ``[x0, y0, x1, y1]`` in ``system``'s detector convention (if it has one)."""
    if system not in BOX_CONVENTIONS:
        return list(box)
    dx, dy, side = BOX_CONVENTIONS[system]
    x0, y0, x1, y1 = box
    s = max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2 + dx * s, (y0 + y1) / 2 + dy * s
    return [cx - side * s / 2, cy - side * s / 2, cx + side * s / 2, cy + side * s / 2]


def fit_box_convention(system, faces) -> tuple[float, float, float]:
    """Median (dx, dy, side) of ``system``'s own detections relative to the landmark boxes."""
    from dense_landmarks.crop import landmark_box

    req = {"mode": "detect", "items": [{"image": str(f.image), "box": None} for f in faces]}
    rows = []
    for f, r in zip(faces, system.run(req)["results"]):
        b = landmark_box(f.points68)
        s = max(b[2] - b[0], b[3] - b[1])
        c = (b[:2] + b[2:]) / 2
        for d in r["faces"]:
            db = np.asarray(d["box"], dtype=float)
            dc = (db[:2] + db[2:]) / 2
            if np.linalg.norm(dc - c) < 0.3 * s:
                rows.append([*(dc - c) / s, max(db[2] - db[0], db[3] - db[1]) / s])
                break
    return tuple(float(v) for v in np.median(np.array(rows), axis=0))


def face_polylines(contours: dict[str, np.ndarray]) -> dict[str, list[list[list[float]]]]:
    """Scheme part contours -> one polyline per part (closed parts repeat their start)."""
    return {
        k: [(np.vstack([v, v[:1]]) if scheme.PARTS[k].closed else np.asarray(v)).tolist()]
        for k, v in contours.items()
    }


def contours_from_68(
    points68: np.ndarray, per_part: int = 120
) -> dict[str, list[list[list[float]]]]:
    """Spline contours through 68 points, one polyline per part (closed ones repeat their start)."""
    out = {}
    for name, (idx, closed) in PARTS68.items():
        q = fit_curve(np.asarray(points68)[list(idx)], closed, merge_duplicates=True).resample(
            per_part
        )
        if closed:
            q = np.vstack([q, q[:1]])
        out[name] = [q.tolist()]
    return out


class Ours:
    name = "ours"
    version = "dense-landmarks"

    def __init__(self, num_threads: int = 1):
        import dense_landmarks as dl

        self.lm = dl.DenseLandmarker(num_threads=num_threads)

    def run(self, request: dict) -> dict:
        from dense_landmarks.imageio import ImageError, read_image

        results = []
        for item in request["items"]:
            try:
                img = read_image(item["image"])
            except ImageError as exc:
                results.append({"faces": [], "ms": None, "error": str(exc)})
                continue
            boxes = [item["box"]] if request["mode"] == "box" and item.get("box") else None
            faces, ms = timed(
                lambda img=img, b=boxes: self.lm.detect(img, boxes=b), request.get("repeat", 1)
            )
            out = []
            for f in faces:
                contours = face_polylines(f.contours)
                out.append(
                    {
                        "box": f.box.tolist(),
                        "score": f.score,
                        "points68": f.points68.tolist(),
                        "contours": contours,
                    }
                )
            results.append({"faces": out, "ms": ms})
        return {"system": self.name, "version": self.version, "results": results}


class Peer:
    """A peer system run by its runner module in its own venv."""

    def __init__(self, name: str):
        self.name = name
        python, self.module, self.install = PEERS[name]
        self.python = REPO / python

    def available(self) -> bool:
        return self.python.exists()

    def run(self, request: dict) -> dict:
        from training.labels.mesh import MAP_PATH

        req = dict(request)
        if req["mode"] == "box":
            req["items"] = [
                {**it, "box": convert_box(it["box"], self.name)} if it.get("box") else it
                for it in req["items"]
            ]
        if self.name == "mediapipe":
            m = json.loads(MAP_PATH.read_text(encoding="utf-8"))
            req["slot_map"] = {"vertices": m["vertices"], "weights": m["weights"]}
        doc = call_runner(self.python, self.module, req, self.name)
        for r in doc["results"]:
            for f in r["faces"]:
                if not f.get("contours") and f.get("points68") is not None:
                    f["contours"] = contours_from_68(np.asarray(f["points68"]))
        return doc


def make_system(name: str, num_threads: int = 1):
    """``ours`` or a peer; a peer that is not installed returns None (the caller says so)."""
    if name == "ours":
        return Ours(num_threads)
    if name not in PEERS:
        raise ValueError(f"unknown system {name!r}; known: ours, {', '.join(PEERS)}")
    peer = Peer(name)
    if not peer.available():
        print(
            f"skipping {name}: not installed ({peer.python} missing; run `{peer.install}`)",
            file=sys.stderr,
        )
        return None
    return peer
