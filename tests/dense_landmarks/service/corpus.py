"""Hostile and awkward uploads, each with the status the service must answer (built in memory)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "astronaut.jpg"


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def huge_png_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG signature and IHDR claiming width x height, with a tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def corpus() -> dict[str, tuple[bytes, int]]:
    """name -> (upload bytes, expected HTTP status)."""
    jpeg = EXAMPLE.read_bytes()
    photo = Image.open(EXAMPLE).convert("RGB")
    rng = np.random.default_rng(15)
    gray16 = (np.asarray(photo.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    png = _save(photo, "PNG")
    # a PNG whose compressed pixel stream is garbage (valid chunk CRCs)
    ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    bad_idat = rng.integers(0, 256, 500, dtype=np.uint8).tobytes()
    corrupt_png = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", bad_idat)
        + _png_chunk(b"IEND", b"")
    )
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "blue", "green")]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return {
        "zero_byte": (b"", 400),
        "random_bytes": (rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(), 400),
        "text": (b"hello, this is not an image\n", 400),
        "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 400),
        "tiff": (_save(photo, "TIFF"), 400),
        "truncated_jpeg": (jpeg[: len(jpeg) // 2], 400),
        "truncated_png": (png[: len(png) // 3], 400),
        "header_only_jpeg": (jpeg[:200], 400),
        "corrupt_png": (corrupt_png, 400),
        "animated_gif": (gif.getvalue(), 400),
        "huge_dimension_png": (huge_png_header(), 413),
        "over_limit_png": (huge_png_header(8000, 6000), 413),
        "one_by_one": (_save(Image.new("RGB", (1, 1), "white"), "PNG"), 200),
        "png_16bit_gray": (_save(Image.fromarray(gray16), "PNG"), 200),
        "cmyk_jpeg": (_save(photo.convert("CMYK"), "JPEG", quality=90), 200),
        "single_frame_gif": (_save(photo.quantize(64), "GIF"), 200),
        "rgba_png": (_save(photo.convert("RGBA"), "PNG"), 200),
    }
