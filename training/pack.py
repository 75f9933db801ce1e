"""Pack a prepared-labels ``.npz`` with its face crops, so training runs where the photos are not.

``python -m training.pack --labels cache/labels_300w.npz --out cache/pack_300w.npz``

Each face becomes one axis-aligned square crop of ``margin`` x its landmark box side, resized to
``size`` pixels and stored JPEG-encoded; its points are mapped into that crop. The map is a
similarity (scale + shift, no rotation), so NME, pose and every crop the trainers draw are the
same as on the full photo up to resolution. A pack is a labels file: every other array (split,
provenance, pose, photo ids, paths) is kept, and ``training.data.load_images`` reads the images
from it instead of from ``paths``. The 300-W pack carries the research-only terms of its source.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.atomic import atomic_write_bytes
from dense_landmarks.crop import CropSpec, landmark_box, to_crop, warp
from dense_landmarks.imageio import decode_image, read_image


def pack_face(
    image: np.ndarray, points: np.ndarray, size: int, margin: float, quality: int
) -> tuple[bytes, np.ndarray]:
    """One face -> (JPEG bytes of the (size, size, 3) crop, (P, 2) points in crop pixels)."""
    box = landmark_box(points)
    side = margin * max(box[2] - box[0], box[3] - box[1])
    spec = CropSpec((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, side, 0.0)
    m = spec.matrix(size)
    crop = warp(image, m, size)
    ok, enc = cv2.imencode(".jpg", crop[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return enc.tobytes(), to_crop(points, m)


def pack_labels(
    labels: dict[str, np.ndarray], size: int = 256, margin: float = 2.2, quality: int = 93
) -> dict[str, np.ndarray]:
    """A labels dict (``paths`` (N,), ``points`` (N, P, 2) image pixels, ...) -> the packed
    dict: ``jpeg`` (total bytes,) uint8, ``jpeg_offsets`` (N + 1,) int64, points in crop pixels."""
    out = {k: v for k, v in labels.items()}
    blobs, pts, cache = [], [], {}
    for path, p in zip(labels["paths"], labels["points"]):
        path = str(path)
        if path not in cache:
            cache.clear()
            cache[path] = read_image(path)
        blob, q = pack_face(cache[path], p.astype(np.float64), size, margin, quality)
        blobs.append(np.frombuffer(blob, np.uint8))
        pts.append(q)
    out["points"] = np.stack(pts).astype(labels["points"].dtype)
    out["jpeg"] = np.concatenate(blobs)
    out["jpeg_offsets"] = np.concatenate([[0], np.cumsum([len(b) for b in blobs])]).astype(np.int64)
    return out


def is_pack(labels: dict[str, np.ndarray]) -> bool:
    return "jpeg" in labels and "jpeg_offsets" in labels


def packed_image(labels: dict[str, np.ndarray], row: int) -> np.ndarray:
    """The (S, S, 3) uint8 RGB crop of face ``row`` of a pack."""
    a, b = labels["jpeg_offsets"][row], labels["jpeg_offsets"][row + 1]
    return decode_image(labels["jpeg"][a:b], f"pack row {row}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.pack", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--margin", type=float, default=2.2)
    ap.add_argument("--quality", type=int, default=93)
    args = ap.parse_args(argv)
    packed = pack_labels(dict(np.load(args.labels)), args.size, args.margin, args.quality)
    buf = io.BytesIO()
    np.savez(buf, **packed)
    atomic_write_bytes(Path(args.out), buf.getvalue())
    n = len(packed["points"])
    print(f"{args.out}: {n} faces, {len(packed['jpeg']) / 1e6:.1f} MB of JPEG")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
