"""Make-up, measurement and warp endpoints (each skipped until its module is installed)."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from dense_landmarks.service.decode import decode_upload
from tests.dense_landmarks.service.corpus import EXAMPLE

JPEG = EXAMPLE.read_bytes()
LOOK = {"lips": "#c01040", "lip_finish": "satin", "eyeliner": "#101010", "shadow": "#6a4c8e",
        "intensity": 0.9}  # fmt: skip


def _png(reply) -> np.ndarray:
    assert reply.status == 200, reply.body[:300]
    assert reply.headers["content-type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(reply.body)).convert("RGB"))


def _lips_box(client) -> tuple[slice, slice]:
    lips = np.array(
        client.post_image("/v1/landmarks", JPEG).json()["faces"][0]["contours"]["outer_lips"]
    )
    (x0, y0), (x1, y1) = lips.min(0).astype(int), lips.max(0).astype(int) + 1
    return slice(y0, y1), slice(x0, x1)


def test_makeup_changes_the_lips_and_leaves_the_background(client):
    pytest.importorskip("dense_landmarks.makeup")
    r = client.post_image("/v1/makeup", JPEG, {"look": json.dumps(LOOK)})
    out = _png(r)
    src = decode_upload(JPEG, 10**8)
    assert out.shape == src.shape and r.headers["x-faces"] == "1"
    ys, xs = _lips_box(client)
    diff = np.abs(out.astype(int) - src.astype(int))
    assert diff[ys, xs].mean() > 5
    assert diff[:40, :40].max() == 0  # the top-left corner is far from any face


def test_makeup_look_errors_name_the_field(client):
    pytest.importorskip("dense_landmarks.makeup")
    r = client.post_image("/v1/makeup", JPEG, {"look": json.dumps({"lips": "red-ish"})})
    assert r.status == 422 and "lips" in r.json()["error"]["message"]
    r = client.post_image("/v1/makeup", JPEG, {"look": "{not json"})
    assert r.status == 422 and "look" in r.json()["error"]["message"]
    r = client.post_image("/v1/makeup", JPEG, {"look": json.dumps({"intensity": 3})})
    assert r.status == 422 and "intensity" in r.json()["error"]["message"]


def test_measure_returns_one_json_ready_dict_per_face(client):
    pytest.importorskip("dense_landmarks.measure")
    r = client.post_image("/v1/measure", JPEG)
    assert r.status == 200, r.body[:300]
    doc = r.json()
    assert doc["image"] == {"width": 512, "height": 512}
    assert len(doc["faces"]) == 1 and isinstance(doc["faces"][0], dict) and doc["faces"][0]


def test_warp_reshapes_the_face_only(client):
    pytest.importorskip("dense_landmarks.warp")
    r = client.post_image("/v1/warp", JPEG, {"spec": json.dumps({"lips": 1.3, "jaw": 0.9})})
    out = _png(r)
    src = decode_upload(JPEG, 10**8)
    ys, xs = _lips_box(client)
    diff = np.abs(out.astype(int) - src.astype(int))
    assert diff[ys, xs].mean() > 2 and diff[:40, :40].max() == 0
    r = client.post_image("/v1/warp", JPEG, {"spec": json.dumps({"nose_width": 9})})
    assert r.status == 422 and "nose_width" in r.json()["error"]["message"]


def test_applications_answer_a_photo_without_faces(client):
    pytest.importorskip("dense_landmarks.makeup")
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(buf, "PNG")
    r = client.post_image("/v1/makeup", buf.getvalue(), {"look": json.dumps(LOOK)})
    assert _png(r).shape == (48, 64, 3) and r.headers["x-faces"] == "0"
