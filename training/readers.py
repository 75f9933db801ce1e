"""Readers for landmark annotation formats, all producing :class:`training.sample.Sample`.

Coordinates come out 0-based (centre of the top-left pixel at (0, 0)): 300-W ``.pts`` files are
1-based and converted on read and write; COCO-style JSON, WFLW lines and LaPa text files are
already 0-based pixel coordinates. Malformed input raises ``AnnotationError`` naming the file and
line (or annotation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dense_landmarks.atomic import atomic_write_text
from dense_landmarks.labels import AnnotationError, read_coco_faces
from training.sample import Provenance, Sample

__all__ = [
    "AnnotationError",
    "read_coco_keypoints",
    "read_lapa_txt",
    "read_pts",
    "read_pts_folder",
    "read_pts_sample",
    "read_wflw_lines",
    "write_pts",
]


def _floats(text: str, path: Path, line_no: int, n: int) -> list[float]:
    parts = text.split()
    if len(parts) != n:
        raise AnnotationError(f"{path}:{line_no}: expected {n} numbers, got {len(parts)}: {text!r}")
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        raise AnnotationError(f"{path}:{line_no}: not a number in {text!r}") from None
    if not all(np.isfinite(vals)):
        raise AnnotationError(f"{path}:{line_no}: non-finite value in {text!r}")
    return vals


def read_pts(path: str | Path) -> np.ndarray:
    """Read a 300-W ``.pts`` file (with or without its ``version/n_points/{ }`` header).

    Returns:
        (N, 2) float64 points, 0-based (the file's 1-based values minus 1).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8", errors="strict").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"{path}: cannot read ({exc})") from None
    rows: list[tuple[int, str]] = [(i + 1, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    expected = None
    if rows and rows[0][1].lower().startswith("version"):
        if len(rows) < 3 or not rows[1][1].lower().startswith("n_points") or rows[2][1] != "{":
            raise AnnotationError(f"{path}: header must be 'version', 'n_points', '{{'")
        try:
            expected = int(rows[1][1].split(":", 1)[1])
        except (IndexError, ValueError):
            raise AnnotationError(
                f"{path}:{rows[1][0]}: bad n_points line {rows[1][1]!r}"
            ) from None
        if rows[-1][1] != "}":
            raise AnnotationError(f"{path}:{rows[-1][0]}: missing closing '}}'")
        rows = rows[3:-1]
    pts = [_floats(text, path, no, 2) for no, text in rows]
    if expected is not None and len(pts) != expected:
        raise AnnotationError(f"{path}: n_points says {expected}, file has {len(pts)}")
    if not pts:
        raise AnnotationError(f"{path}: no points")
    return np.asarray(pts, dtype=np.float64) - 1.0


def write_pts(path: str | Path, points: np.ndarray) -> None:
    """Write 0-based (N, 2) points as a 1-based 300-W ``.pts`` file, atomically."""
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points: expected (N, 2), got {pts.shape}")
    body = "".join(f"{x + 1.0:.6f} {y + 1.0:.6f}\n" for x, y in pts)
    atomic_write_text(Path(path), f"version: 1\nn_points: {len(pts)}\n{{\n{body}}}\n")


def read_pts_sample(
    pts_path: str | Path, image_suffixes: tuple[str, ...] = (".jpg", ".png", ".ppm")
) -> Sample:
    """A 68-point sample from a ``.pts`` file and the image of the same stem beside it."""
    pts_path = Path(pts_path)
    points = read_pts(pts_path)
    image = next(
        (pts_path.with_suffix(s) for s in image_suffixes if pts_path.with_suffix(s).exists()), None
    )
    if image is None:
        raise AnnotationError(f"{pts_path}: no image beside it ({', '.join(image_suffixes)})")
    if len(points) != 68:
        raise AnnotationError(f"{pts_path}: expected 68 points, got {len(points)}")
    return Sample(image, points, "ibug68")


def read_pts_folder(folder: str | Path) -> list[Sample]:
    """All ``*.pts`` samples below a folder (recursive), sorted by path."""
    return [read_pts_sample(p) for p in sorted(Path(folder).rglob("*.pts"))]


def read_coco_keypoints(
    json_path: str | Path, scheme: str, image_root: str | Path | None = None
) -> list[Sample]:
    """Samples from a COCO-style keypoint JSON (``keypoints`` as x, y, v triples).

    Points with ``v == 0`` get provenance MISSING (weight 0). ``bbox`` (x, y, w, h) becomes
    ``Sample.box`` as ``[x0, y0, x1, y1]``.
    """
    out = []
    for face in read_coco_faces(json_path, image_root):
        prov = np.where(face.visible, Provenance.HUMAN, Provenance.MISSING).astype(np.uint8)
        try:
            out.append(Sample(face.image_path, face.points, scheme, prov, box=face.box))
        except ValueError as exc:
            raise AnnotationError(f"{face.where}: {exc}") from None
    return out


def read_wflw_lines(txt_path: str | Path, image_root: str | Path) -> list[Sample]:
    """WFLW annotation lines: 196 coordinates, 4 box values, 6 attribute flags, image name."""
    txt_path = Path(txt_path)
    out = []
    for no, line in enumerate(txt_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 196 + 4 + 6 + 1:
            raise AnnotationError(f"{txt_path}:{no}: expected 207 fields, got {len(parts)}")
        vals = _floats(" ".join(parts[:200]), txt_path, no, 200)
        pts = np.asarray(vals[:196]).reshape(98, 2)
        out.append(
            Sample(Path(image_root) / parts[-1], pts, "wflw98", box=np.asarray(vals[196:200]))
        )
    return out


def read_lapa_txt(txt_path: str | Path, image_path: str | Path) -> Sample:
    """A LaPa landmark text file: first line the count (106), then one ``x y`` line per point."""
    txt_path = Path(txt_path)
    lines = [
        (i + 1, ln.strip())
        for i, ln in enumerate(txt_path.read_text(encoding="utf-8").splitlines())
    ]
    lines = [(no, t) for no, t in lines if t]
    if not lines:
        raise AnnotationError(f"{txt_path}: empty file")
    try:
        n = int(lines[0][1])
    except ValueError:
        raise AnnotationError(
            f"{txt_path}:{lines[0][0]}: first line must be the point count"
        ) from None
    if n != 106 or len(lines) - 1 != n:
        raise AnnotationError(
            f"{txt_path}: expected 106 points, count says {n}, file has {len(lines) - 1}"
        )
    pts = np.asarray([_floats(t, txt_path, no, 2) for no, t in lines[1:]])
    return Sample(Path(image_path), pts, "jd106")
