"""A live server (uvicorn in a subprocess on a free loopback port) shared by this folder's tests."""

from __future__ import annotations

import pytest

from dense_landmarks.service.client import Client
from dense_landmarks.service.launch import LiveServer


def needs_serve_extra() -> None:
    for module in ("fastapi", "uvicorn", "multipart"):
        pytest.importorskip(module, reason="the 'serve' extra is not installed")


@pytest.fixture(scope="session")
def server():
    """The service with its default limits."""
    needs_serve_extra()
    with LiveServer() as s:
        yield s


@pytest.fixture()
def client(server):
    c = Client(server.url)
    yield c
    c.close()
