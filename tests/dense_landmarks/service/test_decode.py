import io

import numpy as np
import pytest
from PIL import Image

from dense_landmarks.imageio import read_image
from dense_landmarks.service.decode import UploadError, decode_upload
from tests.dense_landmarks.service.corpus import EXAMPLE, corpus, huge_png_header

CORPUS = corpus()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_decodes_or_fails_with_its_status(name):
    data, status = CORPUS[name]
    if status == 200:
        img = decode_upload(data, 40_000_000)
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    else:
        with pytest.raises(UploadError) as e:
            decode_upload(data, 40_000_000)
        assert e.value.status == status
        assert e.value.message.startswith("image: ")


def test_pixel_limit_is_checked_on_the_header():
    with pytest.raises(UploadError) as e:
        decode_upload(huge_png_header(3000, 3000), 1_000_000)
    assert e.value.status == 413 and "3000x3000" in e.value.message


def _png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def test_sixteen_bit_png_is_scaled_to_eight_bits():
    gray = np.asarray(Image.open(EXAMPLE).convert("L"))
    img = decode_upload(_png(gray.astype(np.uint16) * 257), 10**8)
    assert np.array_equal(img[:, :, 0], gray) and np.array_equal(img[:, :, 2], gray)


def test_cmyk_jpeg_comes_back_close_to_the_rgb_photo():
    photo = Image.open(EXAMPLE).convert("RGB")
    buf = io.BytesIO()
    photo.convert("CMYK").save(buf, "JPEG", quality=95)
    img = decode_upload(buf.getvalue(), 10**8)
    diff = np.abs(img.astype(int) - np.asarray(photo, dtype=int)).mean()
    assert diff < 8, diff


def test_jpeg_matches_the_file_reader():
    img = decode_upload(EXAMPLE.read_bytes(), 10**8)
    assert np.abs(img.astype(int) - read_image(EXAMPLE).astype(int)).max() <= 2


def test_exif_orientation_is_applied():
    photo = Image.open(EXAMPLE).convert("RGB").crop((0, 0, 300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    photo.save(buf, "JPEG", exif=exif.tobytes())
    img = decode_upload(buf.getvalue(), 10**8)
    assert img.shape == (300, 200, 3)


def test_rgba_alpha_is_dropped():
    arr = np.zeros((4, 5, 4), np.uint8)
    arr[..., 0], arr[..., 3] = 200, 10
    img = decode_upload(_png(arr), 100)
    assert img.shape == (4, 5, 3) and (img[..., 0] == 200).all()
