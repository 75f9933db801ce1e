"""Batch prediction over files and folders that never loses work.

Every input gets its outputs written atomically (a temporary file, then a rename), so a
killed run leaves only complete files; ``resume`` skips inputs whose outputs exist; a bad
input (unreadable, truncated, empty, not an image, too large) -- or any other error while one
image is processed -- is reported with its path and reason and the batch goes on.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dense_landmarks.atomic import atomic_write_bytes, atomic_write_text
from dense_landmarks.draw import draw_contours
from dense_landmarks.imageio import ImageError, read_image, write_image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".webp"}


def expand_inputs(inputs: Iterable[str]) -> list[Path]:
    """Files, folders (recursive, image suffixes only) and globs -> sorted unique paths.

    A named file is kept whatever its suffix (and reported later if it is not an image);
    a name that matches nothing raises ``FileNotFoundError``.
    """
    out: dict[Path, None] = {}
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
                    out[f] = None
        elif p.is_file():
            out[p] = None
        else:
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise FileNotFoundError(f"{item}: no such file, folder or glob match")
            for m in matches:
                if m.is_file():
                    out[m] = None
    return list(out)


def output_stems(paths: list[Path]) -> dict[Path, str]:
    """Output name per input: its stem, plus a short hash of its full path where stems clash."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.stem] = counts.get(p.stem, 0) + 1
    return {
        p: p.stem
        if counts[p.stem] == 1
        else f"{p.stem}-{hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:8]}"
        for p in paths
    }


@dataclass
class BatchReport:
    images: int = 0
    skipped: int = 0
    faces: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.faces / self.seconds if self.seconds > 0 else 0.0
        return (
            f"images: {self.images}, resumed (skipped): {self.skipped}, faces: {self.faces}, "
            f"errors: {len(self.errors)}, {rate:.1f} faces/s"
        )


def result_document(path: Path, image: np.ndarray, faces: list) -> dict:
    return {
        "image": str(path),
        "width": int(image.shape[1]),
        "height": int(image.shape[0]),
        "faces": [f.to_dict() for f in faces],
    }


def _npz_bytes(doc: dict, faces: list) -> bytes:
    """NPZ: ``meta`` (JSON: image, width, height, schema, scheme, faces) and each face's
    :meth:`~dense_landmarks.face.Face.to_arrays` under the prefix ``face<i>_``."""
    from dense_landmarks import scheme
    from dense_landmarks.face import FACE_SCHEMA

    info = {k: v for k, v in doc.items() if k != "faces"}
    info.update(schema=FACE_SCHEMA, scheme=scheme.SCHEME_VERSION, faces=len(faces))
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(info))}
    for i, f in enumerate(faces):
        arrays.update(f.to_arrays(f"face{i}_"))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def run_batch(
    landmarker,
    paths: list[Path],
    out_dir: Path,
    fmt: str = "json",
    overlay: bool = False,
    density: int | str | None = None,
    resume: bool = False,
    progress: bool = True,
    on_error: Callable[[str, str], None] | None = None,
) -> BatchReport:
    """Predict every input; outputs ``<out>/<stem>.json|npz`` (+ ``<stem>.png`` with overlay).

    An input that fails (unreadable, or any error while it is processed or written) is added to
    ``report.errors`` as ``(path, reason)`` -- and passed to ``on_error`` at once, if given --
    and the batch goes on. ``KeyboardInterrupt`` still stops it; finished outputs stay.
    """
    from tqdm import tqdm

    if fmt not in ("json", "npz"):
        raise ValueError(f"format: expected json or npz, got {fmt!r}")
    report = BatchReport()
    t0 = time.perf_counter()
    stems = output_stems(paths)
    for path in tqdm(paths, desc="images", disable=not progress, unit="img"):
        stem = stems[path]
        result = out_dir / f"{stem}.{fmt}"
        if resume and result.exists() and (not overlay or (out_dir / f"{stem}.png").exists()):
            report.skipped += 1
            continue
        try:
            image = read_image(path)
            faces = landmarker.detect(image, density=density)
            _write_outputs(out_dir, stem, result, fmt, overlay, path, image, faces)
        except Exception as exc:  # one bad input never ends the batch
            reason = str(exc) if isinstance(exc, ImageError) else f"{type(exc).__name__}: {exc}"
            reason = reason.replace(f"{path}: ", "", 1)
            report.errors.append((str(path), reason))
            if on_error is not None:
                on_error(str(path), reason)
            continue
        report.images += 1
        report.faces += len(faces)
    report.seconds = time.perf_counter() - t0
    return report


def _write_outputs(
    out_dir: Path,
    stem: str,
    result: Path,
    fmt: str,
    overlay: bool,
    path: Path,
    image: np.ndarray,
    faces: list,
) -> None:
    doc = result_document(path, image, faces)
    if overlay:  # the picture first: the result file marks the input as done
        pic = image
        for f in faces:
            pic = draw_contours(
                pic, f.contours, thickness=max(1, round(max(image.shape[:2]) / 600))
            )
        write_image(out_dir / f"{stem}.png", pic)
    if fmt == "json":
        atomic_write_text(result, json.dumps(doc))
    else:
        atomic_write_bytes(result, _npz_bytes(doc, faces))
