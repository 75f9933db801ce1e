"""The service over real HTTP: uvicorn in a subprocess on a free loopback port (``server``)."""

import re

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the 'serve' extra is not installed")

from dense_landmarks.face import FACE_SCHEMA
from dense_landmarks.landmarker import DenseLandmarker
from dense_landmarks.service.client import multipart
from dense_landmarks.service.decode import decode_upload
from dense_landmarks.service.routes import FEATURES, STATIC, feature_available
from tests.dense_landmarks.service.corpus import EXAMPLE, corpus
from tests.dense_landmarks.service.rawhttp import exchange, post_head, status_of

JPEG = EXAMPLE.read_bytes()


def _error(reply, status):
    assert reply.status == status, reply.body[:300]
    assert reply.headers["content-type"] == "application/json"
    err = reply.json()["error"]
    assert err["status"] == status and err["code"] and err["message"]
    return err


def test_health(client):
    r = client.get("/health")
    doc = r.json()
    assert r.status == 200 and doc["status"] == "ok"
    assert doc["pool"]["workers"] >= 1 and doc["pool"]["capacity"] > doc["pool"]["workers"]
    assert doc["limits"]["max_upload_bytes"] == 20 * 1024 * 1024
    assert set(doc["features"]) == set(FEATURES)


def test_landmarks_match_the_pipeline_in_process(client):
    r = client.post_image("/v1/landmarks?density=500", JPEG, filename="astronaut.jpg")
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["image"] == {"width": 512, "height": 512}
    assert len(doc["faces"]) == 1
    face = doc["faces"][0]
    assert face["schema"] == FACE_SCHEMA and len(face["points106"]) == 106
    assert sum(len(c) for c in face["contours"].values()) == 500
    expected = DenseLandmarker(num_threads=1).detect(decode_upload(JPEG, 10**8), density=500)[0]
    assert np.abs(np.array(face["points106"]) - expected.points).max() < 1e-3
    assert (
        np.abs(np.array(face["contours"]["outer_lips"]) - expected.contours["outer_lips"]).max()
        < 1e-3
    )


def test_parameters_are_validated(client):
    err = _error(client.post_image("/v1/landmarks?density=5", JPEG), 422)
    assert "density" in err["message"]
    err = _error(client.post_image("/v1/landmarks?max_faces=0", JPEG), 422)
    assert "max_faces" in err["message"]
    err = _error(client.post_image("/v1/landmarks?density=abc", JPEG), 422)
    assert "density" in err["message"]
    r = client.post_image("/v1/landmarks?max_faces=1&density=100", JPEG)
    assert r.status == 200 and len(r.json()["faces"]) == 1


def test_wrong_content_type_is_415_and_a_missing_field_422(client):
    r = client.request("POST", "/v1/landmarks", JPEG, {"Content-Type": "image/jpeg"})
    assert "multipart/form-data" in _error(r, 415)["message"]
    r = client.request(
        "POST", "/v1/landmarks", b'{"image": "x"}', {"Content-Type": "application/json"}
    )
    _error(r, 415)
    r = client.request("POST", "/v1/landmarks", b"", {})
    _error(r, 415)
    body, ctype = multipart({"picture": "x"}, {"photo": ("a.jpg", JPEG, "image/jpeg")})
    err = _error(client.request("POST", "/v1/landmarks", body, {"Content-Type": ctype}), 422)
    assert "image" in err["message"]


@pytest.mark.parametrize("value", ["/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:1/x.jpg"])
def test_paths_and_urls_are_never_fetched(client, value):
    body, ctype = multipart({"image": value}, {})
    err = _error(client.request("POST", "/v1/landmarks", body, {"Content-Type": ctype}), 422)
    assert err["message"].startswith("image: expected an uploaded file part")


def test_bad_input_corpus_gets_4xx_and_the_server_stays_up(server, client):
    for name, (data, status) in corpus().items():
        r = client.post_image("/v1/landmarks", data, filename=f"{name}.bin")
        if status == 200:
            assert r.status == 200, (name, r.body[:300])
            assert isinstance(r.json()["faces"], list)
        else:
            err = _error(r, status)
            assert err["message"].startswith("image: "), (name, err)
    assert server.alive()


def test_photos_that_are_converted_still_find_the_face(client):
    cases = corpus()
    for name in ("png_16bit_gray", "cmyk_jpeg", "rgba_png", "single_frame_gif"):
        r = client.post_image("/v1/landmarks", cases[name][0])
        assert r.status == 200 and len(r.json()["faces"]) == 1, name


def test_oversized_upload_is_refused_from_its_content_length(server):
    head = post_head("/v1/landmarks", f"Content-Length: {21 * 1024 * 1024}\r\n")
    reply = exchange(server.port, head)  # no body is ever sent: refused from the header alone
    assert status_of(reply) == 413 and b"upload_too_large" in reply
    assert server.alive()


def test_no_cors_headers_by_default(client):
    r = client.request("GET", "/health", headers={"Origin": "http://evil.example"})
    assert r.status == 200 and "access-control-allow-origin" not in r.headers
    r = client.request(
        "OPTIONS",
        "/v1/landmarks",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.status != 200 and "access-control-allow-origin" not in r.headers


def test_unknown_paths_and_methods_get_json_errors(client):
    _error(client.get("/v1/nothing"), 404)
    _error(client.get("/v1/landmarks"), 405)


def test_page_docs_and_openapi_are_served_without_external_resources(client):
    assert client.request("HEAD", "/").status == 200
    page = client.get("/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    html = page.body.decode()
    for needed in ('id="file"', 'id="show-contours"', 'id="split"', 'id="measurements"'):
        assert needed in html
    assert client.get("/static/app.js").status == 200
    docs = client.get("/docs")
    assert docs.status == 200 and b"/static/docs.js" in docs.body
    spec = client.get("/openapi.json").json()
    assert {"/health", "/v1/landmarks", "/v1/makeup", "/v1/measure", "/v1/warp"} <= set(
        spec["paths"]
    )
    for f in STATIC.iterdir():  # nothing the page or the docs load may leave this origin
        assert not re.search(r"(https?:)?//[a-z0-9]", f.read_text()), f


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_missing_applications_answer_501(client, feature):
    if feature_available(feature):
        pytest.skip(f"{feature} is installed (see its own test)")
    fields = {"makeup": {"look": "{}"}, "warp": {"spec": "{}"}}.get(feature, {})
    _error(client.post_image(f"/v1/{feature}", JPEG, fields), 501)
