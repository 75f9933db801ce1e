"""The ``dense-landmarks`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.atomic import atomic_write_text
from dense_landmarks.contours import DEFAULT_DENSITY, dense_contours
from dense_landmarks.draw import draw_contours
from dense_landmarks.face import Face
from dense_landmarks.imageio import ImageError, read_image, write_image


def _cmd_contours(args: argparse.Namespace) -> int:
    """Dense contours from labelled faces (COCO-style 106-point JSON): JSON + overlay per image."""
    from training.readers import read_coco_keypoints  # labels are a training-side format

    out = Path(args.out)
    samples = read_coco_keypoints(args.labels, "jd106")
    by_image: dict[Path, list[Face]] = {}
    for s in samples:
        contours = dense_contours(s.points, density=args.density)
        box = s.box if s.box is not None else np.r_[s.points.min(0), s.points.max(0)]
        by_image.setdefault(s.image_path, []).append(Face(box, 1.0, s.points, contours=contours))
    errors = 0
    for path, faces in by_image.items():
        try:
            image = read_image(path)
        except ImageError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            errors += 1
            continue
        overlay = image
        for f in faces:
            overlay = draw_contours(overlay, f.contours, thickness=2)
        write_image(out / f"{path.stem}_contours.png", overlay)
        doc = {"image": str(path), "width": image.shape[1], "height": image.shape[0],
               "faces": [f.to_dict() for f in faces]}  # fmt: skip
        atomic_write_text(out / f"{path.stem}.json", json.dumps(doc))
        n = sum(len(c) for c in faces[0].contours.values())
        print(f"{path.name}: {len(faces)} face(s), {n} contour points each -> {out}")
    return 1 if errors and errors == len(by_image) else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dense-landmarks", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("contours", help="dense contours from 106-point labels (COCO-style JSON)")
    c.add_argument("labels", help="COCO-style keypoint JSON with 106-point (JD-106/LaPa) faces")
    c.add_argument("--density", type=int, default=DEFAULT_DENSITY, help="contour points per face")
    c.add_argument("--out", default="out/contours", help="output folder")
    c.set_defaults(func=_cmd_contours)

    d = sub.add_parser("demo", help="the main job on the bundled example")
    d.add_argument("--out", default="out/demo", help="output folder")
    d.add_argument("--labels", default="../shared/fixtures/lapa/test_lapa.json",
                   help="106-point labels used by the geometry demo")  # fmt: skip
    d.add_argument("--density", type=int, default=DEFAULT_DENSITY)
    d.set_defaults(func=_cmd_contours)

    s = sub.add_parser("scheme", help="print the 106-point scheme (parts, flip pairs, 68 map)")
    s.set_defaults(func=_cmd_scheme)
    return p


def _cmd_scheme(args: argparse.Namespace) -> int:
    for name, part in scheme.PARTS.items():
        kind = "closed" if part.closed else "open"
        print(f"{name:12s} {kind:6s} {part.indices[0]:3d}-{part.indices[-1]:3d} ({len(part)})")
    for name, idx in scheme.POINTS.items():
        print(f"{name:17s} {idx}")
    print("ibug68_from_106", scheme.IBUG68_FROM_106.tolist())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
