"""Documentation figures.

``python -m eval.figures labels`` draws a grid of completed 300-W labels into
``out/figures/labels.png`` (git-ignored: 300-W images are research-only).

``python -m eval.figures refine`` draws sparse splines (each part's own colour: lips red, eyes
green) against refined contours (magenta) on held-out 300-W faces with open mouths and closed eyes into
``docs/private/refine_300w.png`` (git-ignored, like everything drawn on 300-W faces).
``python -m eval.figures refine-grid`` draws mouth and eyes on three frames of each GRID
clip into ``docs/private/refine_grid.png`` (git-ignored). ``python -m eval.figures
refine-photo`` draws the same on the bundled public-domain photo into
``docs/refine_astronaut.png`` (committed).

``python -m eval.figures dense-layout`` draws the index figure of the ``dense-1000`` layout into
``docs/dense_layout.png`` (points of the bundled public-domain photo only; :mod:`eval.figure_layout`).

``python -m eval.figures demo`` draws the README figure ``docs/demo_astronaut.png`` (the
bundled public-domain photo, zoomed on the face, all contours).

``python -m eval.figures scheme`` renders the 106-point index map of a LaPa fixture face on a
blank canvas into ``docs/scheme_106.png`` (points only: licence-clean, no photo pixels). With
``--photo DIR`` it also draws the map on the fixture photo into ``DIR`` (git-ignored; the photo
keeps its data set's research-only terms, so that figure is never committed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.draw import draw_contours, draw_points
from dense_landmarks.imageio import read_image, write_image
from training.readers import read_coco_keypoints

DEFAULT_LABELS = "../shared/fixtures/lapa/test_lapa.json"


def scheme_map(points106: np.ndarray, size: int = 1400, margin: int = 60) -> np.ndarray:
    """Index map: the face's parts and numbered points on a dark (size, size) RGB canvas."""
    pts = np.asarray(points106, dtype=np.float64)
    lo, hi = pts.min(0), pts.max(0)
    scale = (size - 2 * margin) / float((hi - lo).max())
    canvas_pts = (pts - lo) * scale + margin
    canvas = np.full((size, size, 3), 24, dtype=np.uint8)
    canvas = draw_contours(canvas, dense_contours(canvas_pts, density=3000), thickness=1)
    canvas = draw_points(canvas, canvas_pts, radius=3.0, labels=True, font_scale=0.45)
    return canvas


PROVENANCE_COLOURS = ((255, 255, 255), (255, 230, 0), (255, 0, 255), (255, 0, 0))


def label_grid(labels_npz: Path, count: int = 12, size: int = 320, seed: int = 0) -> np.ndarray:
    """Completed labels on their crops: human white, spline yellow, teacher magenta."""
    import cv2

    d = np.load(labels_npz)
    rng = np.random.default_rng(seed)
    tiles = []
    for i in rng.choice(len(d["paths"]), size=count, replace=False):
        img = read_image(str(d["paths"][i]))
        pts, prov = d["points"][i].astype(np.float64), d["provenance"][i]
        scale = size / max(img.shape[:2])
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        pts = (pts + 0.5) * scale - 0.5
        img = draw_contours(img, dense_contours(pts, density=1000), thickness=1)
        for code, colour in enumerate(PROVENANCE_COLOURS):
            if (prov == code).any():
                img = draw_points(img, pts[prov == code], radius=1.6, colour=colour)
        tile = np.zeros((size, size, 3), np.uint8)
        tile[: img.shape[0], : img.shape[1]] = img
        tiles.append(tile)
    cols = 4
    rows = [np.hstack(tiles[r * cols : (r + 1) * cols]) for r in range(len(tiles) // cols)]
    return np.vstack(rows)


def refine_grid(labels_npz: Path, count: int = 8, size: int = 256) -> np.ndarray:
    """Held-out faces with the widest-open mouths and the most closed eyes, one row each (see
    :func:`refine_tiles`); human points white."""
    from dense_landmarks.crop import landmark_box

    d = np.load(labels_npz)
    rows = np.flatnonzero(d["val"])
    p = d["points"][rows].astype(np.float64)
    mouth_open = np.linalg.norm(p[:, 98] - p[:, 102], axis=1) / np.linalg.norm(
        p[:, 84] - p[:, 90], axis=1
    )
    eye_open = np.linalg.norm(p[:, 68] - p[:, 72], axis=1) / np.linalg.norm(
        p[:, 66] - p[:, 70], axis=1
    )
    picks = list(rows[np.argsort(-mouth_open)[: count // 2]]) + list(
        rows[np.argsort(eye_open)[: count // 2]]
    )
    sparse_lm, refined_lm = _landmarkers()
    tiles = []
    for r in picks:
        img = read_image(str(d["paths"][r]))
        gt = d["points"][r].astype(np.float64)
        box = landmark_box(scheme.to_68(gt))[None]
        faces = sparse_lm.detect(img, box)[0], refined_lm.detect(img, box)[0]
        tiles += refine_tiles(img, *faces, size, human68=scheme.to_68(gt))
    cols = 6
    return np.vstack(
        [np.hstack(tiles[i : i + cols]) for i in range(0, len(tiles) - cols + 1, cols)]
    )


def grid_clips_grid(grid_dir: Path, size: int = 256) -> np.ndarray:
    """Every GRID clip (``*.mpg`` in ``grid_dir``), three frames each (the first, the widest
    open mouth of the refined contours, the last): mouth and eyes (:func:`refine_tiles`),
    sparse splines vs refined contours (magenta), the photo pipeline run on each frame."""
    from dense_landmarks.video.io import open_video

    sparse_lm, refined_lm = _landmarkers("blazeface")
    rows = []
    for clip in sorted(Path(grid_dir).glob("*.mpg")):
        with open_video(clip) as reader:
            frames = [f for f, _ in reader]
        dets = [refined_lm.detector.detect(f)[:1] for f in frames]
        refined = [refined_lm.from_detections(f, d) for f, d in zip(frames, dets)]
        gaps = [float(np.ptp(r[0].contours["inner_lips"][:, 1])) if r else -1.0 for r in refined]
        tiles = []
        for i in (0, int(np.argmax(gaps)), len(frames) - 1):
            if refined[i]:
                plain = sparse_lm.from_detections(frames[i], dets[i])[0]
                tiles += refine_tiles(frames[i], plain, refined[i][0], size)[:2]
        if tiles:
            rows.append(np.hstack(tiles + [np.zeros_like(tiles[0])] * (6 - len(tiles))))
    return np.vstack(rows)


def _landmarkers(detector: str | None = None):
    """The pipeline (1000 length-proportional points; given boxes unless ``detector``) without
    and with refinement, sharing one sparse stage and detector."""
    from dense_landmarks.landmarker import DenseLandmarker, build_landmarker

    refined = build_landmarker(detector=detector, density=1000)
    plain = DenseLandmarker.from_stages(refined.sparse, refined.detector, density=1000)
    return plain, refined


def refine_tiles(
    img: np.ndarray,
    sparse_face: object,
    refined_face: object,
    size: int = 256,
    human68: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Mouth, eyes with brows, and the whole face (jaw, nose) of one face: sparse splines (each
    part's own colour) vs refined contours (magenta), optional human points (white).
    ``sparse_face``, ``refined_face``: :class:`dense_landmarks.Face` of the same face without
    and with refinement."""
    import cv2

    from dense_landmarks.crop import CropSpec, to_crop, warp
    from dense_landmarks.refine import REFINE_PARTS

    points106 = sparse_face.points
    spline, out = sparse_face.contours, refined_face.contours
    names = [n for n in scheme.PART_NAMES if n in {k for p in REFINE_PARTS for k in p.parts}]
    tiles = []
    eyes = [
        i
        for n in ("right_brow", "left_brow", "right_eye", "left_eye")
        for i in scheme.PARTS[n].indices
    ]
    width = float(np.ptp(points106[:, 0]))
    views = (  # centre, side
        (points106[84:104].mean(0), 1.6 * float(np.linalg.norm(points106[90] - points106[84]))),
        (points106[eyes].mean(0), 1.3 * float(np.ptp(points106[eyes, 0]))),
        (points106.mean(0), 1.25 * max(width, float(np.ptp(points106[:, 1])))),
    )
    for c, side in views:
        m = CropSpec(float(c[0]), float(c[1]), side, 0.0).matrix(size)
        tile = warp(img, m, size, border=cv2.BORDER_REPLICATE)
        tile = draw_contours(tile, {k: to_crop(spline[k], m) for k in names}, thickness=1)
        tile = _recolour(tile, {k: to_crop(out[k], m) for k in names}, (255, 0, 255))
        if human68 is not None:
            tile = draw_points(tile, to_crop(human68, m), radius=1.5)
        tiles.append(tile)
    return tiles


def refine_photo_figure(image_path: Path, size: int = 320) -> np.ndarray:
    """The bundled photo's face (:func:`refine_tiles`): sparse splines vs refined (magenta)."""
    from dense_landmarks.detection import FaceDetector

    sparse_lm, refined_lm = _landmarkers()
    img = read_image(image_path)
    det = FaceDetector().detect(img)[:1]
    faces = sparse_lm.from_detections(img, det)[0], refined_lm.from_detections(img, det)[0]
    return np.hstack(refine_tiles(img, *faces, size))


def _recolour(img: np.ndarray, contours: dict, colour: tuple[int, int, int]) -> np.ndarray:
    """Draw {scheme part: (N, 2) contour} in one colour (closed parts as rings)."""
    import cv2

    out = img.copy()
    for name, pts in contours.items():
        fp = np.round(np.asarray(pts) * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(out, [fp], scheme.PARTS[name].closed, colour, 1, cv2.LINE_AA, 4)
    return out


def demo_figure(image_path: Path, zoom: int = 3) -> np.ndarray:
    """The bundled photo's face, zoomed ``zoom`` x, with every dense contour (1000 points)."""
    import cv2

    import dense_landmarks as dl

    img = read_image(image_path)
    face = dl.DenseLandmarker().detect(img)[0]
    x0, y0 = (face.points.min(0) - 0.25 * np.ptp(face.points, 0)).astype(int).clip(0)
    x1, y1 = (face.points.max(0) + 0.25 * np.ptp(face.points, 0)).astype(int)
    crop = img[y0:y1, x0:x1]
    big = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    contours = {k: (v - [x0, y0] + 0.5) * zoom - 0.5 for k, v in face.contours.items()}
    return draw_contours(big, contours, thickness=2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.figures", description=__doc__)
    ap.add_argument(
        "figure",
        choices=[
            "scheme",
            "labels",
            "refine",
            "refine-grid",
            "refine-photo",
            "demo",
            "dense-layout",
        ],
    )
    ap.add_argument("--grid", default="../shared/data/grid_talking", help="GRID clips folder")
    ap.add_argument("--labels", default=DEFAULT_LABELS, help="LaPa COCO-style JSON")
    ap.add_argument("--out", default="docs/scheme_106.png")
    ap.add_argument("--photo", default=None, help="also draw on the photo into this folder")
    ap.add_argument("--labels-npz", default="cache/labels_300w.npz", help="prepared labels")
    args = ap.parse_args(argv)
    if args.figure in ("labels", "refine"):  # 300-W faces: research-only -> git-ignored folder
        default = {"labels": "out/figures/labels.png", "refine": "docs/private/refine_300w.png"}
        out = Path(args.out if args.out != "docs/scheme_106.png" else default[args.figure])
        grid = label_grid if args.figure == "labels" else refine_grid
        write_image(out, grid(Path(args.labels_npz)))
        print(f"wrote {out}")
        return 0
    if args.figure == "refine-grid":  # GRID frames: the corpus's terms -> git-ignored folder
        out = Path(
            args.out if args.out != "docs/scheme_106.png" else "docs/private/refine_grid.png"
        )
        write_image(out, grid_clips_grid(Path(args.grid)))
        print(f"wrote {out}")
        return 0
    if args.figure == "dense-layout":  # points of the public-domain astronaut only
        from eval.figure_layout import dense_layout_figure

        out = Path(args.out if args.out != "docs/scheme_106.png" else "docs/dense_layout.png")
        write_image(out, dense_layout_figure())
        print(f"wrote {out}")
        return 0
    if args.figure in ("demo", "refine-photo"):  # licence-clean: the public-domain astronaut
        default = {"demo": "docs/demo_astronaut.png", "refine-photo": "docs/refine_astronaut.png"}
        out = Path(args.out if args.out != "docs/scheme_106.png" else default[args.figure])
        draw = demo_figure if args.figure == "demo" else refine_photo_figure
        write_image(out, draw(Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"))
        print(f"wrote {out}")
        return 0
    sample = read_coco_keypoints(args.labels, scheme.SCHEME_NAME)[0]
    write_image(Path(args.out), scheme_map(sample.points))
    print(f"wrote {args.out}")
    if args.photo:
        img = read_image(sample.image_path)
        img = draw_contours(img, dense_contours(sample.points), thickness=2)
        img = draw_points(img, sample.points, radius=3.0, labels=True, font_scale=0.6)
        out = Path(args.photo) / f"{sample.image_path.stem}_scheme.png"
        write_image(out, img)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
