"""Topology of the contours: ``python -m eval.topology``.

Counts, over the held-out 300-W faces (landmark box of the human points given, as
``eval.refine`` runs them) and over every frame of the GRID clips (the full pipeline, detector
per frame), the faces whose dense contours (1000 points) break a shape rule, with the refined
decoding's shape constraints off and on (:mod:`dense_landmarks.refine.constraints`):

- ``self-x <part>``: the closed part is not a valid polygon (shapely ``is_valid``);
- ``inner out``: the inner lips are not strictly inside the outer lips;
- ``lid order`` / ``brow order``: somewhere the lower lid (lower brow edge) lies above the
  upper one along the eye's (brow's) corner axis;
- ``spikes``: a contour turns by more than the bound (60 degrees, more for very few points)
  between neighbouring samples away from its corners.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
from shapely.geometry import Polygon

from curves.topology import Frame, turning_angles
from dense_landmarks import scheme
from dense_landmarks.refine.constraints import (
    CORNERS,
    RING_RULES,
    free_vertices,
    max_turn,
)

CLOSED = tuple(r.part for r in RING_RULES)
COLUMNS = (
    *(f"self-x {p}" for p in CLOSED),
    "inner out",
    "lid order",
    "brow order",
    "spikes",
)


def _below(upper: np.ndarray, lower: np.ndarray) -> bool:
    """Whether no vertex of one arc (frame coordinates) lies on the wrong side of the other
    along vertical lines: every lower vertex below (greater y) every upper edge spanning its x,
    and every upper vertex above every lower edge spanning its x."""
    for pts, edges, sign in ((lower, upper, 1.0), (upper, lower, -1.0)):
        a, b = edges[:-1], edges[1:]
        x0, x1 = np.minimum(a[:, 0], b[:, 0]), np.maximum(a[:, 0], b[:, 0])
        x = pts[1:-1, 0][:, None]
        span = (x0[None] <= x) & (x <= x1[None]) & (x1 > x0)[None]
        t = (x - a[None, :, 0]) / np.where(b[:, 0] != a[:, 0], b[:, 0] - a[:, 0], 1.0)[None]
        y = a[None, :, 1] + t * (b[None, :, 1] - a[None, :, 1])
        if (span & (sign * (pts[1:-1, 1][:, None] - y) <= 0)).any():
            return False
    return True


def ring_order_ok(ring: np.ndarray, axis: tuple[np.ndarray, np.ndarray]) -> bool:
    """The lower arc of a ring (scheme order: upper arc first) nowhere above its upper arc
    along ``axis``; the arcs split at the ring's extremes along the axis."""
    q = Frame(*axis).to(ring)
    n = len(q)
    i0, i1 = int(np.argmin(q[:, 0])), int(np.argmax(q[:, 0]))
    up = q[(i0 + np.arange((i1 - i0) % n + 1)) % n]
    lo = q[(i0 - np.arange((i0 - i1) % n + 1)) % n]
    return _below(up, lo)


def violations(contours: Mapping[str, np.ndarray], points106: np.ndarray) -> dict[str, bool]:
    """Which rules (:data:`COLUMNS`) one face's dense contours break."""
    pts = np.asarray(points106, dtype=np.float64)
    polys = {p: Polygon(contours[p]) for p in CLOSED}
    out = {f"self-x {p}": not polys[p].is_valid for p in CLOSED}
    inner, outer = polys["inner_lips"], polys["outer_lips"]
    out["inner out"] = not (inner.is_valid and outer.is_valid and outer.contains(inner))
    axis = {r.part: (pts[r.axis[0]], pts[r.axis[1]]) for r in RING_RULES}
    out["lid order"] = not all(ring_order_ok(contours[p], axis[p]) for p in CLOSED if "eye" in p)
    out["brow order"] = not all(ring_order_ok(contours[p], axis[p]) for p in CLOSED if "brow" in p)
    spikes = False
    for name, c in contours.items():
        closed = scheme.PARTS[name].closed
        free = free_vertices(c, pts[list(CORNERS[name])], closed)
        spikes |= bool((turning_angles(c, closed)[free] > max_turn(len(c), closed) + 1e-9).any())
    out["spikes"] = spikes
    return out


def grid_frames(folder: Path) -> Iterator[tuple[str, np.ndarray]]:
    """(name:frame, RGB frame) of every frame of every clip in ``folder`` (OpenCV decoding)."""
    import cv2

    clips = sorted(folder.glob("*.mpg"))
    if not clips:
        raise FileNotFoundError(f"{folder}: no .mpg clips")
    for clip in clips:
        cap = cv2.VideoCapture(str(clip))
        i = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            yield f"{clip.name}:{i}", np.ascontiguousarray(frame[:, :, ::-1])
            i += 1
        cap.release()


def held_out_faces(labels: Path, shared: Path, limit: int | None) -> Iterator[tuple]:
    """(path, RGB image, landmark box) of the held-out faces of a labels cache."""
    from dense_landmarks.crop import landmark_box
    from dense_landmarks.imageio import read_image

    d = np.load(labels)
    for r in np.flatnonzero(d["val"])[:limit]:
        path = str(d["paths"][r])
        if path.startswith("../shared/"):  # the cache names paths from the repo root
            path = str(shared / path[len("../shared/") :])
        gt68 = scheme.to_68(d["points"][r].astype(np.float64))
        yield path, read_image(path), landmark_box(gt68)


def count(lm, items, boxes: bool) -> tuple[int, dict[str, dict[str, int]], list[str]]:
    """Faces, and per mode ('off', 'on') the faces breaking each rule; names of the
    frames/faces that still break one with the constraints on."""
    from dense_landmarks.contours import dense_contours
    from dense_landmarks.detection import landmark_crop

    totals = {m: dict.fromkeys(COLUMNS, 0) for m in ("off", "on")}
    bad, faces = [], 0
    for name, img, box in items:
        specs = [box_spec(box)] if boxes else [landmark_crop(d) for d in lm.detector.detect(img)]
        if not specs:
            continue
        pts, _ = lm.sparse.predict_crops(img, specs)
        for mode in ("off", "on"):
            control, moved = lm.refiner.refine(img, pts, constrain=mode == "on")
            for p, c in zip(moved, control):
                dense = dense_contours(p, 1000, control=c, constrain=mode == "on")
                v = violations(dense, p)
                for k, hit in v.items():
                    totals[mode][k] += int(hit)
                if mode == "on" and any(v.values()):
                    bad.append(f"{name}: " + ", ".join(k for k, hit in v.items() if hit))
        faces += len(pts)
    return faces, totals, bad


def box_spec(box):
    from dense_landmarks.crop import box_crop

    return box_crop(np.asarray(box, dtype=np.float64))


def _tiles(img: np.ndarray, lm, pts: np.ndarray, size: int) -> list[np.ndarray]:
    """Mouth and eyes of one face (sparse points (106, 2)), zoomed: the refined contours
    without the constraints in red, with them in green (drawn last)."""
    import cv2

    from dense_landmarks.contours import dense_contours
    from dense_landmarks.crop import CropSpec, to_crop, warp

    drawn = {}
    for mode in (False, True):
        (control,), moved = lm.refiner.refine(img, pts[None], constrain=mode)
        drawn[mode] = dense_contours(moved[0], 1000, control=control, constrain=mode)
    eyes = [
        i
        for n in ("right_brow", "left_brow", "right_eye", "left_eye")
        for i in scheme.PARTS[n].indices
    ]
    views = (
        (("outer_lips", "inner_lips"), pts[84:104].mean(0), 1.5 * np.hypot(*(pts[90] - pts[84]))),
        (("right_eye", "left_eye"), pts[eyes].mean(0), 1.2 * np.ptp(pts[eyes, 0])),
    )
    out = []
    for parts, c, side in views:
        m = CropSpec(float(c[0]), float(c[1]), float(side), 0.0).matrix(size)
        tile = warp(img, m, size, border=cv2.BORDER_REPLICATE)
        for mode, colour in ((False, (255, 40, 40)), (True, (40, 255, 40))):
            for part in parts:
                q = np.round(to_crop(drawn[mode][part], m) * 16).astype(np.int32)
                cv2.polylines(tile, [q.reshape(-1, 1, 2)], True, colour, 1, cv2.LINE_AA, 4)
        out.append(tile)
    return out


def figure(lm, labels: Path, shared: Path, size: int = 256, cols: int = 6) -> np.ndarray:
    """Refined lips and eyes, constraints off (red) and on (green): the 6 held-out faces with
    the widest-open mouths (human points), then frames 20 and 45 of every GRID clip."""
    from dense_landmarks.detection import landmark_crop

    d = np.load(labels)
    rows = np.flatnonzero(d["val"])
    p = d["points"][rows].astype(np.float64)
    gap = np.hypot(*(p[:, 98] - p[:, 102]).T) / np.hypot(*(p[:, 84] - p[:, 90]).T)
    wanted = set(rows[np.argsort(-gap)[:6]].tolist())
    tiles = []
    for k, (_, img, box) in enumerate(held_out_faces(labels, shared, None)):
        if rows[k] in wanted:
            pts, _ = lm.sparse.predict_crops(img, [box_spec(box)])
            tiles += _tiles(img, lm, pts[0], size)
    for name, frame in grid_frames(shared / "data" / "grid_talking"):
        if int(name.split(":")[1]) in (20, 45):
            dets = lm.detector.detect(frame)
            if dets:
                pts, _ = lm.sparse.predict_crops(frame, [landmark_crop(dets[0])])
                tiles += _tiles(frame, lm, pts[0], size)
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % cols)
    return np.vstack([np.hstack(tiles[i : i + cols]) for i in range(0, len(tiles), cols)])


def main(argv: list[str] | None = None) -> int:
    import dense_landmarks as dl

    ap = argparse.ArgumentParser(prog="python -m eval.topology", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--shared", default="../shared", help="the shared data folder")
    ap.add_argument("--limit", type=int, default=None, help="at most this many held-out faces")
    ap.add_argument("--frames", type=int, default=None, help="at most this many GRID frames")
    ap.add_argument(
        "--figure",
        default=None,
        help="instead: draw the refined lips and eyes, constraints off (red) / on (green), on "
        "held-out faces with open mouths and GRID frames into this PNG (git-ignored: "
        "research-only faces, e.g. docs/private/topology.png)",
    )
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    lm = dl.DenseLandmarker(num_threads=1)
    if lm.refiner is None:
        raise SystemExit("the boundary refiners are not bundled: nothing to measure")
    if args.figure:
        from dense_landmarks.imageio import write_image

        write_image(Path(args.figure), figure(lm, Path(args.labels), shared))
        print(f"wrote {args.figure}")
        return 0
    sets = {
        "held-out 300-W": (held_out_faces(Path(args.labels), shared, args.limit), True),
        "GRID frames": (
            (
                (n, f, None)
                for k, (n, f) in enumerate(grid_frames(shared / "data" / "grid_talking"))
                if args.frames is None or k < args.frames
            ),
            False,
        ),
    }
    print("| set | constraints | faces | " + " | ".join(COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    left = []
    for set_name, (items, boxes) in sets.items():
        faces, totals, bad = count(lm, items, boxes)
        for mode, row in totals.items():
            cells = " | ".join(str(row[c]) for c in COLUMNS)
            print(f"| {set_name} | {mode} | {faces} | {cells} |")
        left += bad
    for line in left:
        print("still broken:", line)
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main())
