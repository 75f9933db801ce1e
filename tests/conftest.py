"""Shared test fixtures: paths to ``../shared`` (fixtures and data beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: enough examples to find edge cases, no per-example deadline on slow CI cores.
settings.register_profile("default", max_examples=60, deadline=None)
settings.load_profile("default")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DENSE_LANDMARKS_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ``../shared``; the test is skipped (with the reason) if it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not found (set DENSE_LANDMARKS_SHARED to the shared folder)")
    return p


def require_shared(*parts: str) -> Path:
    """A path under ``../shared`` that must exist: CI checks the repository out with the shared
    folder beside it, so a missing one fails the test (with the reason) instead of skipping."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.fail(f"{p} not found (set DENSE_LANDMARKS_SHARED to the shared folder)")
    return p


@pytest.fixture(scope="session")
def lapa_samples():
    from training.readers import read_coco_keypoints

    return read_coco_keypoints(shared_path("fixtures", "lapa", "test_lapa.json"), "jd106")


@pytest.fixture(scope="module")
def gcs_address():
    """A local Ray of our own (2 CPUs) for the module's tests; yields its GCS address."""
    ray = pytest.importorskip("ray")
    ray.init(
        address="local",  # our own Ray, whatever else runs on the machine
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=200 * 2**20,
        configure_logging=False,
        log_to_driver=False,
    )
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()
