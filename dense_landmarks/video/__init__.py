"""Video: decoding/encoding (PyAV), the One-Euro filter, face tracking, the lip-reading front
end and the batch jobs behind ``dense-landmarks video`` and ``dense-landmarks lipread``.

Light to import: the tracker loads the models only when built.
"""

from dense_landmarks.video.io import VideoError, VideoReader, VideoWriter, open_video
from dense_landmarks.video.one_euro import OneEuroFilter, OneEuroParams
from dense_landmarks.video.tracker import Tracker, TrackerConfig

__all__ = [
    "OneEuroFilter",
    "OneEuroParams",
    "Tracker",
    "TrackerConfig",
    "VideoError",
    "VideoReader",
    "VideoWriter",
    "open_video",
]
