"""Limits under stress, each on its own small server: streamed uploads, stalled uploads,
overload (503 + Retry-After from a bounded queue) and inference timeouts."""

import threading
import time

import pytest

from dense_landmarks.service.client import Client
from dense_landmarks.service.launch import LiveServer
from tests.dense_landmarks.service.conftest import needs_serve_extra
from tests.dense_landmarks.service.corpus import EXAMPLE
from tests.dense_landmarks.service.rawhttp import exchange, post_head, status_of

JPEG = EXAMPLE.read_bytes()


@pytest.fixture(scope="module")
def tight():
    """One inference at a time, no queue, 1 MiB uploads, 1 s to upload."""
    needs_serve_extra()
    args = ["--threads", "1", "--queue", "0", "--max-upload-mb", "1", "--body-timeout", "1"]
    with LiveServer(args) as s:
        yield s


def _settles_to_no_admitted(server, seconds: float = 5.0) -> bool:
    """Every admission slot is given back (polled: slots return just after the reply)."""
    c = Client(server.url)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if c.get("/health").json()["pool"]["admitted"] == 0:
                return True
            time.sleep(0.05)
        return False
    finally:
        c.close()


def test_a_chunked_upload_is_cut_off_at_the_limit(tight):
    part = (
        b'--b0undary\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    chunks = [part] + [b"x" * 65536] * 64  # a valid part of 4 MiB, no length announced
    body = (b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
    reply = exchange(tight.port, post_head("/v1/landmarks", "Transfer-Encoding: chunked\r\n"), body)
    assert status_of(reply) == 413 and b"upload_too_large" in reply
    assert tight.alive() and _settles_to_no_admitted(tight)


def test_a_stalled_upload_times_out_with_408(tight):
    head = post_head("/v1/landmarks", "Content-Length: 100000\r\n")
    reply = exchange(tight.port, head, [b"--b0undary\r\n"], timeout=15)
    assert status_of(reply) == 408 and b"upload_timeout" in reply
    assert tight.alive() and _settles_to_no_admitted(tight)


def test_overload_is_refused_with_503_not_queued(tight):
    statuses, retry_after = [], []

    def one():
        c = Client(tight.url)
        try:
            r = c.post_image("/v1/landmarks", JPEG)
            statuses.append(r.status)
            if r.status == 503:
                retry_after.append(r.headers.get("retry-after"))
                assert r.json()["error"]["code"] == "busy"
        finally:
            c.close()

    for _ in range(3):  # bursts of 8 against a capacity of 1
        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert set(statuses) <= {200, 503} and len(statuses) == 24
    assert 200 in statuses and 503 in statuses
    assert retry_after and all(v and int(v) >= 1 for v in retry_after)
    c = Client(tight.url)
    pool = c.get("/health").json()["pool"]
    c.close()
    assert pool["admitted"] == 0 and pool["rejected"] == statuses.count(503)


def test_request_timeout_gives_504_and_cors_allows_only_named_origins():
    needs_serve_extra()
    args = ["--threads", "1", "--timeout", "0.001", "--cors-origin", "https://shop.example"]
    with LiveServer(args) as s:
        c = Client(s.url)
        r = c.post_image("/v1/landmarks", JPEG)
        assert r.status == 504 and r.json()["error"]["code"] == "timeout"
        ok = c.request("GET", "/health", headers={"Origin": "https://shop.example"})
        assert ok.headers.get("access-control-allow-origin") == "https://shop.example"
        other = c.request("GET", "/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        c.close()
        assert s.alive() and _settles_to_no_admitted(s)
