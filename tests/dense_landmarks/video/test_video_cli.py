import shutil

import numpy as np
import pytest

from dense_landmarks import scheme
from dense_landmarks.cli import main
from dense_landmarks.video.io import open_video


@pytest.fixture(scope="module")
def corpus(face_video, tmp_path_factory):
    """A folder with a good clip (in a subfolder), a truncated clip and a non-video '.mp4'."""
    d = tmp_path_factory.mktemp("clips")
    (d / "sub").mkdir()
    shutil.copy(face_video[0], d / "sub" / "good.mp4")
    data = face_video[0].read_bytes()
    (d / "cut.mp4").write_bytes(data[: len(data) * 2 // 3])
    (d / "notes.mp4").write_text("not a video\n")
    (d / "readme.txt").write_text("ignored: not a video suffix\n")
    return d


def test_video_command_writes_npz_and_overlay_with_audio(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["video", str(corpus), "--out", str(out), "--overlay", "--quiet", "--density", "300"])
        == 0
    )
    err = capsys.readouterr().err
    assert "notes.mp4" in err and "cut.mp4" in err and "truncated" in err
    with np.load(out / "good.npz") as z:
        T = len(z["timestamps"])
        assert T == 20 and z["points106"].shape == (T, 1, 106, 2) and z["valid"].all()
        assert (z["track_id"] == 0).all() and not z["truncated"] and z["two_sided"]
        assert str(z["layout"]) == "proportional"
        for part in scheme.PART_NAMES:
            c = z[f"contours_{part}"]
            assert c.shape[:2] == (T, 1) and c.shape[3] == 2 and np.isfinite(c).all()
        assert np.allclose(np.diff(z["timestamps"]), 0.04) and float(z["fps"]) == 25.0
    with np.load(out / "cut.npz") as z:
        assert z["truncated"] and 0 < len(z["timestamps"]) < 20
    assert not (out / "notes.npz").exists()
    with open_video(out / "good_overlay.mp4") as v:
        assert v.has_audio and sum(1 for _ in v) == 20
    assert not list(out.glob("*.part.mp4")) and not list(out.glob(".*.tmp"))

    before = (out / "good.npz").stat().st_mtime_ns
    assert main(["video", str(corpus), "--out", str(out), "--overlay", "--quiet", "--resume"]) == 0
    assert (out / "good.npz").stat().st_mtime_ns == before
    assert "resumed (skipped): 2" in capsys.readouterr().out


def test_lipread_command_on_a_folder_with_resume(corpus, tmp_path, capsys):
    out = tmp_path / "lip"
    args = ["lipread", str(corpus / "sub"), str(corpus / "notes.mp4"), "--out", str(out), "--quiet"]
    assert main(args) == 0
    assert (out / "good.npz").exists() and (out / "good_mouth.mp4").exists()
    assert "notes.mp4" in capsys.readouterr().err
    assert main([*args, "--resume"]) == 0
    assert "resumed (skipped): 1" in capsys.readouterr().out


def test_missing_input_is_a_usage_error(tmp_path, capsys):
    assert main(["video", str(tmp_path / "nope.mp4"), "--out", str(tmp_path)]) == 2
    assert "nope.mp4" in capsys.readouterr().err


def test_online_flag_keeps_the_causal_output(corpus, tmp_path):
    out = tmp_path / "online"
    assert main(["video", str(corpus / "sub"), "--out", str(out), "--online", "--quiet"]) == 0
    with np.load(out / "good.npz") as z:
        assert not z["two_sided"] and z["valid"].all()


def test_a_video_without_faces(tmp_path, capsys):
    from tests.dense_landmarks.video.synth import write_video

    clip = write_video(
        tmp_path / "blank.mp4", [np.full((64, 64, 3), 10 * k, np.uint8) for k in range(6)]
    )
    assert main(["video", str(clip), "--out", str(tmp_path / "v"), "--quiet"]) == 0
    with np.load(tmp_path / "v" / "blank.npz") as z:
        jaw = scheme.DENSE_LAYOUTS["dense-1000"]["jaw"].count  # fixed layout: counts even here
        assert str(z["layout"]) == "dense-1000"
        assert z["points106"].shape == (6, 0, 106, 2) and z["contours_jaw"].shape == (6, 0, jaw, 2)
    assert main(["lipread", str(clip), "--out", str(tmp_path / "l"), "--quiet"]) == 1
    assert "no face in any of its 6 frames" in capsys.readouterr().err


def test_video_contours_follow_the_fixed_dense_layout(face_video, tmp_path):
    """Default density: each part (T, F, count, 2) with the dense-1000 layout's counts."""
    assert main(["video", str(face_video[0]), "--out", str(tmp_path), "--quiet"]) == 0
    with np.load(tmp_path / "face.npz") as z:
        assert str(z["layout"]) == "dense-1000"
        T = len(z["timestamps"])
        for part, p in scheme.DENSE_LAYOUTS["dense-1000"].items():
            c = z[f"contours_{part}"]
            assert c.shape == (T, 1, p.count, 2) and np.isfinite(c).all()
