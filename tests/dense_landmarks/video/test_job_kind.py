"""The ``lipread`` job kind: the local and Ray engines give byte-identical outputs on real GRID
clips (one local Ray per module), a bad video is one failed item, and the CLI's ``--engine``."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from dense_landmarks.cli import main
from dense_landmarks.jobs import get_kind, run_job
from dense_landmarks.video.job_kind import LipreadOptions
from tests.conftest import shared_path

ray = pytest.importorskip("ray")


def _clips(tmp_path: Path, n: int | None) -> Path:
    """A folder with the first ``n`` GRID clips (all when None) and a non-video '.mp4'."""
    grid = shared_path("data", "grid_talking")
    d = tmp_path / "clips"
    d.mkdir()
    for clip in sorted(grid.glob("*.mpg"))[:n]:
        shutil.copy(clip, d / clip.name)
    (d / "notes.mp4").write_text("not a video\n")
    return d


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != "manifest.jsonl"
    }


def _check_identical(clips: Path, tmp_path: Path) -> None:
    opts = LipreadOptions()
    local = run_job("lipread", [str(clips)], tmp_path / "local", opts, progress=False)
    dist = run_job(
        "lipread", [str(clips)], tmp_path / "ray", opts, engine="ray", workers=2, progress=False
    )
    n = len(list(clips.glob("*.mpg")))
    assert (dist.done, dist.failed) == (local.done, local.failed) == (n, 1)
    a, b = _outputs(tmp_path / "local"), _outputs(tmp_path / "ray")
    names = sorted(f"{c.name}{s}" for c in clips.glob("*.mpg") for s in ("_mouth.mp4", ".npz"))
    assert sorted(a) == names
    assert a == b  # byte for byte
    with np.load(tmp_path / "ray" / names[0]) as z:
        assert z["mouth_roi"].shape[1:] == (96, 96) and z["valid"].all()
        assert z["outer_lips"].shape == (len(z["valid"]), 64, 2)
    recs = [json.loads(x) for x in (tmp_path / "ray" / "manifest.jsonl").read_text().splitlines()]
    (err,) = [r for r in recs if r.get("status") == "error"]
    assert "notes.mp4" in err["error"]
    done = [r for r in recs if r.get("status") == "done"]
    assert all(r["faces"] == 75 for r in done)  # every frame of a GRID clip has its speaker


def test_ray_and_local_lipread_outputs_are_identical(gcs_address, tmp_path):
    _check_identical(_clips(tmp_path, 2), tmp_path)


@pytest.mark.slow
def test_ray_and_local_lipread_outputs_are_identical_on_every_grid_clip(gcs_address, tmp_path):
    _check_identical(_clips(tmp_path, None), tmp_path)


def test_lipread_kind_matches_the_command(tmp_path):
    """The kind's outputs are the plain ``lipread`` command's files (same arrays and clip)."""
    clips = _clips(tmp_path, 1)
    (clips / "notes.mp4").unlink()
    (clip,) = clips.glob("*.mpg")
    assert main(["lipread", str(clips), "--out", str(tmp_path / "cmd"), "--quiet"]) == 0
    res = get_kind("lipread").process(str(clip), LipreadOptions(), name=str(clip))
    assert res.outputs["_mouth.mp4"] == (tmp_path / "cmd" / f"{clip.stem}_mouth.mp4").read_bytes()
    assert res.outputs[".npz"] == (tmp_path / "cmd" / f"{clip.stem}.npz").read_bytes()
    assert res.faces == res.info["frames"] == 75 and res.info["warning"] == ""
    # --engine runs the same kind through the job engine
    code = main(
        ["lipread", str(clips), "--out", str(tmp_path / "job"), "--quiet", "--engine", "local"]
    )
    assert code == 0
    assert (tmp_path / "job" / f"{clip.name}.npz").read_bytes() == res.outputs[".npz"]


def test_lipread_options_are_checked():
    with pytest.raises(ValueError, match="sigma"):
        LipreadOptions(sigma=0.0)
    with pytest.raises(ValueError):
        LipreadOptions(density="dense-7")
