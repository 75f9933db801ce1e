import av
import numpy as np
import pytest

from dense_landmarks.video.io import VideoError, VideoWriter, open_video
from tests.dense_landmarks.video.synth import write_video


def _audio_seconds(path) -> float:
    with av.open(str(path)) as c:
        a = c.streams.audio[0]
        return float(a.duration * a.time_base)


def test_reader_yields_rgb_frames_with_times(face_video):
    path, frames, _ = face_video
    with open_video(path) as v:
        got = list(v)
        assert (v.fps, v.frames, v.width, v.height, v.has_audio) == (25.0, 20, 256, 256, True)
        assert not v.truncated and v.decoded == 20
    assert len(got) == 20 and got[0][0].shape == (256, 256, 3) and got[0][0].dtype == np.uint8
    assert np.allclose([t for _, t in got], np.arange(20) / 25.0)
    assert np.abs(got[5][0].astype(float) - frames[5]).mean() < 6  # lossy but the same picture


def test_truncated_video_keeps_the_frames_that_decode(face_video, tmp_path):
    data = face_video[0].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with open_video(cut) as v:
        n = sum(1 for _ in v)
        assert v.truncated and 0 < n < 20
        assert "cut.mp4" in v.problem and str(n) in v.problem


@pytest.mark.parametrize("content", [b"", b"not a video at all\n" * 50])
def test_non_video_raises_a_clear_error(tmp_path, content):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(content)
    with pytest.raises(VideoError, match=r"bad\.mp4"):
        list(open_video(bad))
    with pytest.raises(VideoError, match="no such file"):
        open_video(tmp_path / "missing.mp4")


def test_writer_keeps_the_source_audio_and_is_atomic(face_video, tmp_path):
    out = tmp_path / "o" / "gray.mp4"
    with VideoWriter(out, 25.0, audio_from=face_video[0]) as w:
        for k in range(20):
            w.write(np.full((96, 96), 10 * k, np.uint8))
    assert out.exists() and not list(out.parent.glob("*.part.mp4"))
    with open_video(out) as v:
        assert (v.width, v.height, sum(1 for _ in v)) == (96, 96, 20)
    assert abs(_audio_seconds(out) - 0.8) < 0.1
    with pytest.raises(RuntimeError), VideoWriter(tmp_path / "x.mp4", 25.0) as w:
        w.write(np.zeros((8, 8, 3), np.uint8))
        raise RuntimeError("interrupted")
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob("*.part.mp4"))


def test_video_without_audio_writes_without_audio(tmp_path):
    frames = [np.full((32, 32, 3), k * 20, np.uint8) for k in range(5)]
    src = write_video(tmp_path / "silent.mp4", frames, audio=False)
    with VideoWriter(tmp_path / "copy.mp4", 25.0, audio_from=src) as w:
        for f in frames:
            w.write(f)
    with av.open(str(tmp_path / "copy.mp4")) as c:
        assert not c.streams.audio and c.streams.video
