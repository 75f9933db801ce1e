"""The ``dense-landmarks`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.appcli import register as register_apps
from dense_landmarks.atomic import atomic_write_text
from dense_landmarks.contours import (
    DEFAULT_DENSITY,
    Density,
    check_density,
    dense_contours,
    layout_name,
)
from dense_landmarks.draw import draw_contours
from dense_landmarks.face import Face
from dense_landmarks.imageio import ImageError, read_image, write_image
from dense_landmarks.jobs.cli import add_job_options, run_from_args
from dense_landmarks.service.command import add_serve_command


def _cmd_contours(args: argparse.Namespace) -> int:
    """Dense contours from labelled faces (COCO-style 106-point JSON): JSON + overlay per image."""
    from dense_landmarks.labels import AnnotationError, read_coco_faces

    out = Path(args.out)
    try:
        samples = read_coco_faces(args.labels)
        for s in samples:
            if s.points.shape != (scheme.NUM_POINTS, 2):
                raise AnnotationError(f"{s.where}: {len(s.points)} points, expected 106 (JD-106)")
    except AnnotationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    by_image: dict[Path, list[Face]] = {}
    for s in samples:
        contours = dense_contours(s.points, density=args.density)
        box = s.box if s.box is not None else np.r_[s.points.min(0), s.points.max(0)]
        face = Face(box, 1.0, s.points, contours=contours, layout=layout_name(args.density))
        by_image.setdefault(s.image_path, []).append(face)
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
        doc = {
            "image": str(path),
            "width": image.shape[1],
            "height": image.shape[0],
            "faces": [f.to_dict() for f in faces],
        }
        atomic_write_text(out / f"{path.stem}.json", json.dumps(doc))
        n = sum(len(c) for c in faces[0].contours.values())
        print(f"{path.name}: {len(faces)} face(s), {n} contour points each -> {out}")
    return 1 if errors and errors == len(by_image) else 0


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"


def _landmarker(args: argparse.Namespace):
    from dense_landmarks.landmarker import DenseLandmarker

    return DenseLandmarker(
        backend=args.backend,
        num_threads=args.threads,
        tiles=args.tiles,
        min_score=args.min_score,
        passes=args.passes,
        refine=args.refine,
        min_quality=args.min_quality,
    )


def _cmd_predict(args: argparse.Namespace) -> int:
    if args.engine:
        from dense_landmarks.jobs.predict import PredictOptions

        opts = PredictOptions(
            args.format,
            args.overlay,
            args.density,
            args.backend,
            args.threads,
            args.tiles,
            args.min_score,
            args.min_quality,
        )
        return run_from_args("predict", opts, args)
    from dense_landmarks.batch import expand_inputs, run_batch

    try:
        paths = expand_inputs(args.paths)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = run_batch(
        _landmarker(args),
        paths,
        Path(args.out),
        args.format,
        args.overlay,
        args.density,
        args.resume,
        progress=not args.quiet,
        on_error=lambda path, reason: print(f"error: {path}: {reason}", file=sys.stderr),
    )
    print(report.summary())
    if report.errors:
        names = ", ".join(path for path, _ in report.errors)
        print(f"failed ({len(report.errors)}): {names}", file=sys.stderr)
        return 1
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    args.paths, args.format, args.overlay, args.resume = [str(EXAMPLE)], "json", True, False
    args.engine = None
    code = _cmd_predict(args)
    print(f"demo: {Path(args.out) / EXAMPLE.stem}.png and .json")
    return code


def pipeline_models() -> list[str]:
    """Every model the pipeline runs: the detectors (full range by default; short range for the
    portrait probe and ``FaceDetector(model="short")``), sparse model, refiners."""
    from dense_landmarks.detection.detector import MODELS
    from dense_landmarks.refine.parts import REFINE_PARTS
    from dense_landmarks.sparse import DEFAULT_MODEL

    detectors = [MODELS[k] for k in ("full", "short")]
    return [*detectors, DEFAULT_MODEL, *sorted({p.model for p in REFINE_PARTS})]


def _cmd_export(args: argparse.Namespace) -> int:
    """ONNX graphs of every model the pipeline runs, from the bundled PyTorch weights (needs
    the ``train`` extra: torch)."""
    try:
        from dense_landmarks.models import create_model
        from dense_landmarks.models.export import export_onnx
    except ImportError as exc:
        print(
            f"error: export needs PyTorch (pip install 'dense-landmarks[train]'): {exc}",
            file=sys.stderr,
        )
        return 2
    out = Path(args.onnx)
    for name in pipeline_models():
        export_onnx(create_model(name, pretrained=True), out / f"{name}.onnx")
        print(f"wrote {out / name}.onnx")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _unit_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value}")
    return value


def _density(text: str) -> Density:
    """``--density``: a layout name (``dense-1000``) or an int (length-proportional)."""
    try:
        return check_density(int(text) if text.lstrip("-").isdigit() else text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_DENSITY_HELP = (
    "contours: 'dense-1000' (fixed per-part counts, the default) or N points shared by length"
)


def _add_runtime_options(p: argparse.ArgumentParser) -> None:
    from dense_landmarks.quality import DEFAULT_MIN_QUALITY

    p.add_argument("--density", type=_density, default=DEFAULT_DENSITY, help=_DENSITY_HELP)
    p.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    p.add_argument("--threads", type=_positive_int, default=1, help="CPU threads per model")
    p.add_argument(
        "--tiles",
        type=_positive_int,
        default=None,
        help="detector tiles per side (default: automatic from the image size; 1: whole image)",
    )
    p.add_argument(
        "--min-score", type=_unit_float, default=0.5, help="detection threshold in [0, 1]"
    )
    p.add_argument(
        "--min-quality",
        type=_unit_float,
        default=DEFAULT_MIN_QUALITY,
        help="drop detected faces whose landmark quality is below this (0: keep all)",
    )
    p.add_argument(
        "--passes", type=int, choices=[1, 2], default=2, help="landmark passes (2: upright re-crop)"
    )
    p.add_argument(
        "--refine",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="boundary-heatmap refinement of every part (default: on when bundled)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    from dense_landmarks import __version__

    p = argparse.ArgumentParser(prog="dense-landmarks", description=__doc__)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("contours", help="dense contours from 106-point labels (COCO-style JSON)")
    c.add_argument("labels", help="COCO-style keypoint JSON with 106-point (JD-106/LaPa) faces")
    c.add_argument("--density", type=_density, default=DEFAULT_DENSITY, help=_DENSITY_HELP)
    c.add_argument("--out", default="out/contours", help="output folder")
    c.set_defaults(func=_cmd_contours)

    pr = sub.add_parser("predict", help="landmarks for images, folders (recursive) or globs")
    pr.add_argument("paths", nargs="+", help="image files, folders or glob patterns")
    pr.add_argument("--out", default="out/predict", help="output folder")
    pr.add_argument("--format", default="json", choices=["json", "npz"])
    pr.add_argument("--overlay", action="store_true", help="also write a PNG with the contours")
    pr.add_argument("--resume", action="store_true", help="skip inputs whose outputs exist")
    _add_runtime_options(pr)
    add_job_options(pr)
    pr.set_defaults(func=_cmd_predict)

    d = sub.add_parser("demo", help="predict on the bundled example photo, with an overlay")
    d.add_argument("--out", default="out/demo", help="output folder")
    _add_runtime_options(d)
    d.set_defaults(func=_cmd_demo)

    e = sub.add_parser("export", help="export every model the pipeline runs to ONNX (needs torch)")
    e.add_argument("--onnx", required=True, metavar="DIR", help="output folder")
    e.set_defaults(func=_cmd_export)

    from dense_landmarks.video.cli import add_video_commands

    add_video_commands(sub, _add_runtime_options)
    add_serve_command(sub)  # HTTP API and try-on page: dense_landmarks/service/

    s = sub.add_parser("scheme", help="print the 106-point scheme (parts, flip pairs, 68 map)")
    s.set_defaults(func=_cmd_scheme)
    register_apps(sub)  # makeup, measure, warp, gallery
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
