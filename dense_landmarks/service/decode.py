"""Decoding of client uploads: the header is checked before any pixel is decoded.

Policy (the service's answer to each kind of upload):

- JPEG, PNG, WebP, BMP and single-frame GIF are accepted; anything else is 400 ``not_an_image``.
- Width x height over the limit (read from the header by Pillow's lazy ``Image.open``) is 413
  ``too_many_pixels``, before decoding.
- Empty uploads, truncated or corrupt pixel data: 400 (``empty``, ``corrupt_image``).
- Animated GIF / PNG / WebP: 400 ``animated_image`` (which frame to use would be a guess).
- Converted where it is safe: 16-bit PNG (scaled to 8 bits), CMYK JPEG (Pillow's CMYK -> RGB,
  Adobe-inverted files included), gray, palette and RGBA (alpha dropped). EXIF orientation is
  applied, so coordinates refer to the upright image (as browsers display it).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from dense_landmarks.imageio import to_rgb8

#: Formats Pillow may open (its other plugins are never tried on client bytes).
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")


class UploadError(ValueError):
    """A client upload that cannot be used: HTTP ``status``, a short ``code`` and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def decode_upload(data: bytes, max_pixels: int, name: str = "image") -> np.ndarray:
    """Decode an uploaded image to (H, W, 3) uint8 RGB (upright by its EXIF orientation).

    Args:
        data: the uploaded bytes.
        max_pixels: largest width x height accepted (checked on the header, before decoding).
        name: the form field, used in error messages.
    Raises:
        UploadError: 400 (empty, not an image, corrupt, truncated, animated) or 413 (too many
            pixels); the message names the field and the problem.
    """
    if not data:
        raise UploadError(400, "empty", f"{name}: empty upload (0 bytes)")
    try:
        im = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise UploadError(
            413,
            "too_many_pixels",
            f"{name}: dimensions over the limit of {max_pixels} pixels ({exc})",
        ) from None
    except Exception:  # Pillow raises many kinds on hostile headers
        raise UploadError(
            400, "not_an_image", f"{name}: not a readable image (expected {', '.join(FORMATS)})"
        ) from None
    with im:
        w, h = im.size
        if w < 1 or h < 1:
            raise UploadError(400, "corrupt_image", f"{name}: {w}x{h} image has no pixels")
        if w * h > max_pixels:
            raise UploadError(
                413,
                "too_many_pixels",
                f"{name}: {w}x{h} = {w * h} pixels is over the limit of {max_pixels}",
            )
        if getattr(im, "is_animated", False):
            raise UploadError(
                400,
                "animated_image",
                f"{name}: animated {im.format} is not supported (send one frame)",
            )
        try:
            im.load()
            arr = _to_array(_upright(im))
        except UploadError:
            raise
        except Exception as exc:
            raise UploadError(
                400, "corrupt_image", f"{name}: truncated or corrupt {im.format} data ({exc})"
            ) from None
    return to_rgb8(arr, name)


def _upright(im: Image.Image) -> Image.Image:
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except Exception:  # a malformed EXIF block: keep the stored orientation
        pass
    return im


def _to_array(im: Image.Image) -> np.ndarray:
    if im.mode in _SIXTEEN_BIT:  # 16-bit gray PNG: scaled to 8 bits by to_rgb8
        return np.clip(np.asarray(im), 0, 65535).astype(np.uint16)
    if im.mode != "RGB":  # CMYK, YCbCr, P, L, LA, RGBA, 1 ...
        im = im.convert("RGB")
    return np.asarray(im)
