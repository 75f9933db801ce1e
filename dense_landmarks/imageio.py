"""Image reading and writing at the API boundary: (H, W, 3) uint8 RGB, with clear errors."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.atomic import atomic_write_bytes

#: Largest accepted image (pixels); bigger files are refused before decoding.
MAX_PIXELS = 250_000_000


class ImageError(ValueError):
    """An input that is not a usable image; the message names the input."""


def to_rgb8(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Convert gray (H, W), (H, W, 1), RGB, RGBA, uint8/uint16/float images to (H, W, 3) uint8 RGB.

    Float images are taken as [0, 1]; 16-bit ones are scaled by 1/257.
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ImageError(f"{name}: expected (H, W), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ImageError(f"{name}: empty image {arr.shape}")
    arr = arr[:, :, :3]
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    if arr.dtype == np.uint16:
        return np.ascontiguousarray((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise ImageError(f"{name}: non-finite pixel values")
        return np.ascontiguousarray(np.clip(arr * 255.0 + 0.5, 0, 255).astype(np.uint8))
    raise ImageError(f"{name}: unsupported dtype {arr.dtype}")


ImageSource = str | Path | bytes | bytearray | memoryview


def read_image(source: ImageSource, name: str | None = None) -> np.ndarray:
    """Read an image file, or encoded image bytes, as (H, W, 3) uint8 RGB (gray, RGBA and
    16-bit images converted).

    Args:
        source: a path, or the encoded file's bytes (JPEG, PNG, BMP, TIFF, WebP, PNM, ...),
            e.g. an HTTP upload.
        name: what to call the input in errors (default: the path, or ``<N bytes>``).
    Raises:
        ImageError: missing, empty, non-image, corrupt or truncated data, or an image over
            ``MAX_PIXELS``; the message names the input.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = np.frombuffer(bytes(source), dtype=np.uint8)
        label = name or f"<{data.size} bytes>"
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = np.fromfile(path, dtype=np.uint8)
        except OSError as exc:
            raise ImageError(f"{label}: cannot read ({exc.strerror or exc})") from None
    return decode_image(data, label)


def decode_image(data: np.ndarray, label: str) -> np.ndarray:
    """(N,) uint8 encoded bytes -> (H, W, 3) uint8 RGB; ``label`` names the input in errors."""
    if data.size == 0:
        raise ImageError(f"{label}: empty file")
    _check_complete(data, label)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ImageError(f"{label}: not a readable image (corrupt or unsupported format)")
    if img.shape[0] * img.shape[1] > MAX_PIXELS:
        raise ImageError(f"{label}: {img.shape[1]}x{img.shape[0]} is over {MAX_PIXELS} pixels")
    if img.ndim == 3 and img.shape[2] == 3:
        img = img[:, :, ::-1]
    elif img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, [2, 1, 0, 3]]
    return to_rgb8(img, label)


def _check_complete(data: np.ndarray, label: str) -> None:
    """JPEG must end with its end-of-image marker and PNG with its IEND chunk (trailing bytes
    up to 4 KiB allowed): a cut-off file is refused instead of decoded half grey."""
    head, tail = data[:8].tobytes(), data[-4096:].tobytes()
    if head[:2] == b"\xff\xd8" and b"\xff\xd9" not in tail:
        raise ImageError(f"{label}: truncated JPEG (no end-of-image marker)")
    if head == b"\x89PNG\r\n\x1a\n" and b"IEND" not in tail:
        raise ImageError(f"{label}: truncated PNG (no IEND chunk)")


def write_image(path: str | Path, image: np.ndarray) -> None:
    """Write an (H, W, 3) uint8 RGB image atomically (format from the suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, buf = cv2.imencode(path.suffix or ".png", np.ascontiguousarray(to_rgb8(image)[:, :, ::-1]))
    if not ok:
        raise ImageError(f"{path}: cannot encode image")
    atomic_write_bytes(path, buf.tobytes())
