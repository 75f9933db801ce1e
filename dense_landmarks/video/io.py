"""Video decoding and encoding with PyAV (audio kept); OpenCV for webcams.

    with open_video("talk.mp4") as v:          # VideoError if unreadable
        for rgb, t in v:                       # (H, W, 3) uint8 RGB, seconds from the start
            ...
    v.truncated, v.problem                     # set after iteration when decoding stopped early

A truncated or corrupt file yields the frames that decode, then sets ``truncated`` and
``problem`` (a sentence naming the file) instead of raising.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".mpg", ".mpeg", ".m4v", ".ts", ".flv")


class VideoError(Exception):
    """A video that cannot be read or written; the message names the file."""


class VideoReader:
    """Frames of a video file (PyAV) or a webcam (``int`` index, OpenCV). Iterate once.

    Attributes:
        fps: frames per second (stream average; 30 if unknown).
        frames: expected frame count (0 if unknown). width, height: frame size (pixels).
        has_audio: whether the file has an audio stream.
        decoded: frames yielded so far. truncated, problem: see module docstring.
    """

    def __init__(self, source: str | Path | int):
        self.source = source
        self.truncated, self.problem, self.decoded = False, "", 0
        self._cap = self._container = None
        if isinstance(source, int):
            import cv2

            self._cap = cv2.VideoCapture(source)
            if not self._cap.isOpened():
                raise VideoError(f"webcam {source}: cannot be opened")
            self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 30.0
            self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
            self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            self.frames, self.has_audio = 0, False
            return
        import av

        path = Path(source)
        if not path.is_file():
            raise VideoError(f"{path}: no such file")
        try:
            self._container = av.open(str(path))
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise VideoError(f"{path}: not a readable video ({exc})") from None
        if not self._container.streams.video:
            self.close()
            raise VideoError(f"{path}: has no video stream")
        vs = self._container.streams.video[0]
        vs.thread_type = "AUTO"
        self._stream = vs
        self.fps = float(vs.average_rate or vs.guessed_rate or 30)
        self.width, self.height = vs.codec_context.width, vs.codec_context.height
        self.frames = int(vs.frames or 0)
        if not self.frames and vs.duration and vs.time_base:
            self.frames = round(float(vs.duration * vs.time_base) * self.fps)
        elif not self.frames and self._container.duration:
            self.frames = round(self._container.duration / 1e6 * self.fps)
        self.has_audio = bool(self._container.streams.audio)

    def __iter__(self) -> Iterator[tuple[np.ndarray, float]]:
        if self._cap is not None:
            yield from self._webcam()
            return
        import av

        name = Path(self.source)
        t0 = None
        try:
            for frame in self._container.decode(self._stream):
                t = float(frame.time) if frame.time is not None else self.decoded / self.fps
                t0 = t if t0 is None else t0
                self.decoded += 1
                yield frame.to_ndarray(format="rgb24"), t - t0
        except av.error.FFmpegError as exc:
            self.truncated = True
            self.problem = (
                f"{name}: truncated: decoding stopped after {self.decoded} frames ({exc})"
            )
        if not self.truncated and self.frames and self.decoded < 0.95 * self.frames - 1:
            self.truncated = True
            self.problem = f"{name}: truncated, {self.decoded} of {self.frames} frames decoded"
        if not self.decoded:
            raise VideoError(f"{name}: no frame decodes")

    def _webcam(self) -> Iterator[tuple[np.ndarray, float]]:
        import time

        t0 = time.perf_counter()
        while True:
            ok, bgr = self._cap.read()
            if not ok:
                return
            self.decoded += 1
            yield np.ascontiguousarray(bgr[:, :, ::-1]), time.perf_counter() - t0

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_video(source: str | Path | int) -> VideoReader:
    """A :class:`VideoReader`; raises :class:`VideoError` for an unreadable input."""
    return VideoReader(source)


class VideoWriter:
    """H.264 MP4 writer (yuv420p), written to a temporary file and renamed on :meth:`close`;
    with ``audio_from``, the source's first audio track is re-encoded to AAC alongside.

    Args:
        path: output ``.mp4``. fps: frame rate. audio_from: a video/audio file or None.
        crf: x264 quality (lower: better, larger).
    """

    def __init__(
        self, path: str | Path, fps: float, audio_from: str | Path | None = None, crf: int = 20
    ):
        import av

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".part.mp4")
        os.close(fd)
        self._out = av.open(self._tmp, "w", format="mp4")
        self._rate = Fraction(fps).limit_denominator(1001)
        self._video = self._audio = self._src = None
        self._crf = crf
        self._audio_from = audio_from
        self._n = 0

    def _start(self, w: int, h: int) -> None:
        """Every stream must exist before the first packet: video, then the source's audio."""
        import av

        self._video = self._out.add_stream("libx264", rate=self._rate)
        self._video.width, self._video.height = w - w % 2, h - h % 2
        self._video.pix_fmt = "yuv420p"
        self._video.options = {"crf": str(self._crf), "preset": "veryfast"}
        if self._audio_from is None:
            return
        try:
            src = av.open(str(self._audio_from))
        except av.error.FFmpegError:
            return
        if not src.streams.audio:
            src.close()
            return
        a_in = src.streams.audio[0]
        self._src, self._audio_rate = src, a_in.rate or 44100
        self._audio = self._out.add_stream("aac", rate=self._audio_rate)
        self._audio.layout = "stereo" if (a_in.channels or 1) > 1 else "mono"

    def write(self, image: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 RGB or (H, W) uint8 gray frame (same size every time)."""
        import av

        arr = np.ascontiguousarray(image)
        if self._video is None:
            self._start(arr.shape[1], arr.shape[0])
        arr = np.ascontiguousarray(arr[: self._video.height, : self._video.width])
        frame = av.VideoFrame.from_ndarray(arr, format="gray" if arr.ndim == 2 else "rgb24")
        frame.pts = self._n
        self._n += 1
        for packet in self._video.encode(frame):
            self._out.mux(packet)

    def _copy_audio(self) -> None:
        import av

        src, out = self._src, self._audio
        resampler = av.AudioResampler(format="fltp", layout=out.layout, rate=self._audio_rate)
        try:
            for frame in src.decode(src.streams.audio[0]):
                frame.pts = None
                for f in resampler.resample(frame):
                    self._out.mux(out.encode(f))
        except av.error.FFmpegError:
            pass  # a truncated source: keep the audio that decodes
        finally:
            src.close()
            self._src = None
        for f in resampler.resample(None):
            self._out.mux(out.encode(f))
        self._out.mux(out.encode(None))

    def close(self) -> None:
        """Flush, add the audio, and move the file into place."""
        if self._video is None:
            self.abort()
            raise VideoError(f"{self.path}: no frames to write")
        self._out.mux(self._video.encode(None))
        if self._audio is not None:
            self._copy_audio()
        self._out.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the partial output."""
        if self._src is not None:
            self._src.close()
        try:
            self._out.close()
        except Exception:  # the partial file is being thrown away
            pass
        Path(self._tmp).unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
