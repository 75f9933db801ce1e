"""Fixtures for the job tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dense_landmarks.jobs.corpus import write_corpus


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("corpus")
    return root, write_corpus(root)
