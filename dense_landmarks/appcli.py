"""Command-line front ends of the applications: ``makeup``, ``measure``, ``warp``, ``gallery``.

:func:`register` adds them to the ``dense-landmarks`` parser (``dense_landmarks.cli``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from dense_landmarks.atomic import atomic_write_text
from dense_landmarks.convention import LABEL_OFFSET_PX
from dense_landmarks.imageio import ImageError, read_image, write_image

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"
LOOK_FLAGS = ("lips", "lip_finish", "liner", "eyeliner", "shadow", "brows", "blush", "intensity")

#: Looks of the README gallery.
GALLERY_LOOKS: dict[str, dict] = {
    "lips_satin": {"lips": "#b0243c"},
    "lips_gloss": {"lips": "#c2185b", "lip_finish": "gloss"},
    "lips_matte_liner": {"lips": "#8e2a3a", "lip_finish": "matte", "liner": "#5e1622"},
    "natural": {"lips": "#c46a6a", "brows": "#4a3426", "blush": "#e8908a", "intensity": 0.7},
    "evening": {
        "lips": "#9c1030",
        "lip_finish": "gloss",
        "eyeliner": "#141010",
        "eyeliner_wing": True,
        "shadow": "#6a4a8a",
        "brows": "#3a2a20",
        "blush": "#d8707a",
    },
}
#: Warps of the README gallery.
GALLERY_WARPS: dict[str, dict] = {
    "warp_lips_1.15": {"lips": 1.15},
    "warp_nose_0.85": {"nose_width": 0.85},
    "warp_jaw_0.92": {"jaw": 0.92},
    "warp_brows_up_3mm": {"brow_lift": 3.0},
    "warp_eyes_1.1": {"eyes": 1.1},
}


def _faces(
    image: np.ndarray, args: argparse.Namespace, path: str, label_offset: float = LABEL_OFFSET_PX
):
    """Faces of ``image`` (``label_offset``: see :mod:`dense_landmarks.convention`)."""
    from dense_landmarks.landmarker import DenseLandmarker

    lm = DenseLandmarker(num_threads=args.threads, tiles=args.tiles, label_offset=label_offset)
    faces = lm.detect(image)
    if not faces:
        print(f"error: {path}: no face found", file=sys.stderr)
    return faces


def _read(path: str):
    try:
        return read_image(path)
    except (ImageError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def look_from_args(args: argparse.Namespace):
    """The look of ``--look FILE.json`` with the command-line colours on top."""
    from dense_landmarks.makeup import Look

    d: dict = {}
    if args.look:
        try:
            d = json.loads(Path(args.look).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{args.look}: {exc}") from exc
        if not isinstance(d, dict):
            raise ValueError(f"{args.look}: expected a JSON object")
    for k in LOOK_FLAGS:
        v = getattr(args, k)
        if v is not None:
            d[k] = v
    if args.eyeliner_wing:
        d["eyeliner_wing"] = True
    return Look.from_dict(d)


def _cmd_makeup(args: argparse.Namespace) -> int:
    from dense_landmarks.makeup import render_makeup

    try:
        look = look_from_args(args)
    except (ValueError, OSError) as exc:
        print(f"error: look: {exc}", file=sys.stderr)
        return 2
    if not look.products:
        print("error: no product given (--lips, --eyeliner, ... or --look)", file=sys.stderr)
        return 2
    image, faces, rc = _image_and_faces(args)
    if rc:
        return rc
    write_image(args.out, render_makeup(image, faces, look))
    print(f"{args.image}: {len(faces)} face(s), {', '.join(look.products)} -> {args.out}")
    return 0


def _image_and_faces(
    args: argparse.Namespace, label_offset: float = LABEL_OFFSET_PX
) -> tuple[np.ndarray | None, list, int]:
    """(image, faces, exit code) of ``args.image``: code 2 when it cannot be read (the error is
    printed), 1 when no face is found, else 0."""
    image = _read(args.image)
    if image is None:
        return None, [], 2
    faces = _faces(image, args, args.image, label_offset)
    return image, faces, 0 if faces else 1


def _cmd_measure(args: argparse.Namespace) -> int:
    from dense_landmarks.measure import draw_measurements, measure_face

    # symmetry compares each side with the other's mirror image: the networks' mirror-consistent
    # places, not the 300-W labels' 1 px convention (dense_landmarks.convention)
    image, faces, rc = _image_and_faces(args, label_offset=0.0)
    if rc:
        return rc
    m = [measure_face(f, image.shape[:2]) for f in faces]
    out, stem = Path(args.out), Path(args.image).stem
    doc = {
        "image": str(args.image),
        "faces": [{**x, "box": f.box.tolist()} for x, f in zip(m, faces)],
    }
    atomic_write_text(out / f"{stem}_measure.json", json.dumps(doc, indent=1))
    write_image(out / f"{stem}_measure.png", draw_measurements(image, faces, m))
    s = m[0]["measurements"]
    print(
        f"{args.image}: {len(faces)} face(s); face 1: symmetry {100 * s['symmetry']['overall']:.1f} % IOD, "
        f"thirds middle:lower {s['thirds']['middle_to_lower']:.2f} -> {out}"
    )
    return 0


def _warp_spec(args: argparse.Namespace):
    from dense_landmarks.warp import WarpSpec

    return WarpSpec(
        lips=args.lips,
        nose_width=args.nose_width,
        jaw=args.jaw,
        brow_lift=args.brow_lift,
        eyes=args.eyes,
    )


def _cmd_warp(args: argparse.Namespace) -> int:
    from dense_landmarks.warp import warp_faces

    try:
        spec = _warp_spec(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    image, faces, rc = _image_and_faces(args)
    if rc:
        return rc
    out = warp_faces(image, faces, spec)
    write_image(args.out, np.concatenate([image, out], axis=1))
    print(f"{args.image}: {len(faces)} face(s) warped (before | after) -> {args.out}")
    return 0


def _crop(image: np.ndarray, points: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Crop around ``points`` plus ``margin`` x their extent; returns (crop, top-left (x, y))."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    m = margin * float(np.max(hi - lo))
    h, w = image.shape[:2]
    x0, y0 = int(max(lo[0] - m, 0)), int(max(lo[1] - m, 0))
    x1, y1 = int(min(hi[0] + m, w)), int(min(hi[1] + m, h))
    return image[y0:y1, x0:x1], np.array([x0, y0], float)


def _upscale(tile: np.ndarray, height: int) -> np.ndarray:
    import cv2

    s = height / tile.shape[0]
    return cv2.resize(tile, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)


def _cmd_gallery(args: argparse.Namespace) -> int:
    """Before | after tiles (JPEG) for every gallery look and warp, and the measurement figure."""
    from dense_landmarks.face import Face
    from dense_landmarks.makeup import Look, render_makeup
    from dense_landmarks.measure import draw_measurements, measure_face
    from dense_landmarks.warp import WarpSpec, warp_faces

    image, faces, rc = _image_and_faces(args)
    if rc:
        return rc
    out, f = Path(args.out), faces[0]
    face_pts = np.vstack(list(f.contours.values()))
    mouth_pts = f.contours["outer_lips"]
    jobs = [
        (n, lambda d=d: render_makeup(image, faces, Look.from_dict(d)))
        for n, d in GALLERY_LOOKS.items()
    ]
    jobs += [
        (n, lambda d=d: warp_faces(image, faces, WarpSpec.from_dict(d)))
        for n, d in GALLERY_WARPS.items()
    ]
    for name, make in jobs:
        pts, margin, height = (
            (mouth_pts, 0.35, 240) if name.startswith("lips") else (face_pts, 0.2, 400)
        )
        before, _ = _crop(image, pts, margin)
        after, _ = _crop(make(), pts, margin)
        tile = np.concatenate([_upscale(before, height), _upscale(after, height)], axis=1)
        write_image(out / f"{name}.jpg", tile)
        print(f"wrote {out / name}.jpg")
    crop, off = _crop(image, face_pts, 0.35)
    big = _upscale(crop, 640)
    s = big.shape[0] / crop.shape[0]

    def tf(p: np.ndarray) -> np.ndarray:
        return (p - off + 0.5) * s - 0.5

    scaled = Face(
        tf(f.box.reshape(2, 2)).ravel(),
        f.score,
        tf(f.points),
        f.pose,
        {k: tf(v) for k, v in f.contours.items()},
    )
    write_image(
        out / "measure.jpg", draw_measurements(big, [scaled], [measure_face(scaled, big.shape[:2])])
    )
    print(f"wrote {out / 'measure.jpg'}")
    return 0


def _add_detect_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--threads", type=int, default=1, help="CPU threads per model")
    p.add_argument("--tiles", type=int, default=1, help="detector tiles per side (small faces)")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``makeup``, ``measure``, ``warp`` and ``gallery`` subcommands."""
    mk = sub.add_parser("makeup", help="virtual make-up on every face of a photo")
    mk.add_argument("image")
    mk.add_argument("--out", required=True, help="output image (PNG/JPEG)")
    for k in ("lips", "liner", "eyeliner", "shadow", "brows", "blush"):
        mk.add_argument(f"--{k}", metavar="COLOR", help=f"{k} colour, #rrggbb")
    mk.add_argument("--lip-finish", dest="lip_finish", choices=["matte", "satin", "gloss"])
    mk.add_argument("--eyeliner-wing", action="store_true", help="winged eyeliner")
    mk.add_argument("--intensity", type=float, help="overall opacity 0..1")
    mk.add_argument("--look", metavar="FILE.json", help="a Look as JSON (flags override it)")
    _add_detect_options(mk)
    mk.set_defaults(func=_cmd_makeup)

    me = sub.add_parser("measure", help="aesthetic measurements: JSON + annotated PNG")
    me.add_argument("image")
    me.add_argument("--out", required=True, metavar="DIR")
    _add_detect_options(me)
    me.set_defaults(func=_cmd_measure)

    w = sub.add_parser("warp", help="landmark-guided warp, before | after side by side")
    w.add_argument("image")
    w.add_argument("--out", required=True, help="output image")
    w.add_argument("--lips", type=float, default=1.0, help="lip scale (1.15: 15 %% larger)")
    w.add_argument("--nose-width", dest="nose_width", type=float, default=1.0)
    w.add_argument("--jaw", type=float, default=1.0, help="lower-face width scale")
    w.add_argument("--brow-lift", dest="brow_lift", type=float, default=0.0, help="mm, up")
    w.add_argument("--eyes", type=float, default=1.0, help="eye scale")
    _add_detect_options(w)
    w.set_defaults(func=_cmd_warp)

    g = sub.add_parser("gallery", help="README figures: every look and warp on a photo")
    g.add_argument("--image", default=str(EXAMPLE))
    g.add_argument("--out", default="docs/gallery", metavar="DIR")
    _add_detect_options(g)
    g.set_defaults(func=_cmd_gallery)
