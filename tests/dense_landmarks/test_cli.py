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


def test_serve_options_make_the_service_config():
    from dense_landmarks.cli import build_parser
    from dense_landmarks.service.command import config_from_args

    args = build_parser().parse_args(
        ["serve", "--port", "9000", "--workers", "2", "--queue", "3", "--max-upload-mb", "5",
         "--cors-origin", "https://a.example", "--body-timeout", "7"]
    )  # fmt: skip
    c = config_from_args(args)
    assert args.port == 9000 and args.host == "127.0.0.1"
    assert c.processes == 2 and c.queue_limit == 3 and c.max_upload_bytes == 5 * 2**20
    assert c.cors_origins == ("https://a.example",) and c.body_timeout_s == 7
