import json

import onnxruntime as ort

from dense_landmarks.cli import main
from tests.dense_landmarks.test_detection import EXAMPLE


def test_export_onnx_runs(tmp_path):
    assert main(["export", "--onnx", str(tmp_path)]) == 0
    for name in ("pfld106_s", "blazeface_short"):
        sess = ort.InferenceSession(
            str(tmp_path / f"{name}.onnx"), providers=["CPUExecutionProvider"]
        )
        assert [i.name for i in sess.get_inputs()] == ["crops"]


def test_predict_writes_json_and_overlay(tmp_path, capsys):
    assert (
        main(
            [
                "predict",
                str(EXAMPLE),
                "--out",
                str(tmp_path),
                "--overlay",
                "--quiet",
                "--density",
                "500",
            ]
        )
        == 0
    )
    doc = json.loads((tmp_path / "astronaut.json").read_text())
    assert len(doc["faces"]) == 1
    assert sum(len(v) for v in doc["faces"][0]["contours"].values()) == 500
    assert (tmp_path / "astronaut.png").stat().st_size > 0
    assert "images: 1" in capsys.readouterr().out


def test_predict_missing_input_is_a_clear_error(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "nope.jpg"), "--out", str(tmp_path)]) == 2
    assert "nope.jpg: no such file" in capsys.readouterr().err


def test_scheme_command(capsys):
    assert main(["scheme"]) == 0
    assert "outer_lips" in capsys.readouterr().out


def test_version_and_invalid_options_are_rejected(capsys):
    import pytest

    from dense_landmarks import __version__

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and __version__ in capsys.readouterr().out
    for bad in (["--tiles", "0"], ["--density", "0"], ["--threads", "-1"], ["--min-score", "2"]):
        with pytest.raises(SystemExit) as e:
            main(["predict", str(EXAMPLE), *bad])
        assert e.value.code == 2
        assert "expected" in capsys.readouterr().err


def test_runtime_flags_reach_the_landmarker():
    from dense_landmarks.cli import _landmarker, build_parser

    args = build_parser().parse_args(
        [
            *("predict", "x.jpg", "--min-score", "0.7", "--no-refine", "--passes", "1"),
            *("--min-quality", "0.2", "--tiles", "2"),
        ]
    )
    lm = _landmarker(args)
    assert lm.detector.min_score == 0.7 and lm.detector.tiles == 2
    assert lm.refiner is None and lm.sparse.passes == 1 and lm.min_quality == 0.2


def test_failed_inputs_give_one_error_each_a_summary_and_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    out = tmp_path / "out"
    assert main(["predict", str(EXAMPLE), str(bad), "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("not a readable image") == 1
    assert f"failed (1): {bad}" in captured.err
    assert "images: 1" in captured.out and (out / "astronaut.json").exists()
