"""Fixtures of the video tests (synthetic videos: :mod:`tests.dense_landmarks.video.synth`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.dense_landmarks.video.synth import moving_face, write_video


@pytest.fixture(scope="session")
def landmarker():
    from dense_landmarks.landmarker import DenseLandmarker

    return DenseLandmarker()


@pytest.fixture(scope="session")
def face_video(tmp_path_factory) -> tuple[Path, list[np.ndarray], list[np.ndarray]]:
    """(path of a 20-frame moving-face MP4 with audio, its frames, the known motions)."""
    frames, mats = moving_face(20)
    path = write_video(tmp_path_factory.mktemp("video") / "face.mp4", frames)
    return path, frames, mats
