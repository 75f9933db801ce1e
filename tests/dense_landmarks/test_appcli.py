"""The makeup, measure and warp subcommands end to end, and their error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dense_landmarks.cli import main
from dense_landmarks.imageio import read_image

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"


def test_makeup_lips_only(tmp_path):
    out = tmp_path / "lips.png"
    assert main(["makeup", str(EXAMPLE), "--out", str(out), "--lips", "#b0243c"]) == 0
    before, after = read_image(EXAMPLE), read_image(out)
    changed = np.any(np.abs(after.astype(int) - before) > 8, axis=2)
    ys, xs = np.nonzero(changed)
    assert 100 < changed.sum() < 3000  # the mouth only
    assert 120 < ys.min() and ys.max() < 160 and 180 < xs.min() and xs.max() < 265


def test_makeup_look_file_and_errors(tmp_path, capsys):
    look = tmp_path / "look.json"
    look.write_text(json.dumps({"lips": "#c2185b", "lip_finish": "gloss", "blush": "#e0707a"}))
    out = tmp_path / "o.png"
    assert main(["makeup", str(EXAMPLE), "--out", str(out), "--look", str(look)]) == 0
    assert out.exists()
    assert main(["makeup", str(EXAMPLE), "--out", str(out), "--lips", "red"]) == 2
    assert "lips" in capsys.readouterr().err
    assert main(["makeup", str(EXAMPLE), "--out", str(out)]) == 2
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    assert main(["makeup", str(bad), "--out", str(out), "--lips", "#b0243c"]) == 2
    assert "bad.jpg" in capsys.readouterr().err
    blank = tmp_path / "blank.png"
    from dense_landmarks.imageio import write_image

    write_image(blank, np.full((64, 64, 3), 200, np.uint8))
    assert main(["makeup", str(blank), "--out", str(out), "--lips", "#b0243c"]) == 1
    assert "no face" in capsys.readouterr().err


def test_measure_and_warp(tmp_path):
    assert main(["measure", str(EXAMPLE), "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "astronaut_measure.json").read_text())
    assert doc["faces"][0]["measurements"]["symmetry"]["overall"] > 0
    assert (tmp_path / "astronaut_measure.png").exists()
    out = tmp_path / "warp.png"
    assert main(["warp", str(EXAMPLE), "--out", str(out), "--lips", "1.15"]) == 0
    assert read_image(out).shape == (512, 1024, 3)
    assert main(["warp", str(EXAMPLE), "--out", str(out), "--lips", "9"]) == 2
