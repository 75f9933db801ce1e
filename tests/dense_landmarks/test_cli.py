import json

import numpy as np
import onnxruntime as ort

from dense_landmarks.cli import main
from tests.dense_landmarks.test_detection import EXAMPLE


def test_export_onnx_writes_every_pipeline_model_and_matches_torch(tmp_path):
    import torch

    from dense_landmarks.cli import pipeline_models
    from dense_landmarks.models import create_model
    from dense_landmarks.models.configs import pretrained_cfg
    from dense_landmarks.models.export import inference_module

    names = pipeline_models()
    assert len(names) == 8  # two detectors (full range, short range), sparse model, 5 refiners
    assert names[:2] == ["blazeface_full", "blazeface_short"]
    assert main(["export", "--onnx", str(tmp_path)]) == 0
    rng = np.random.default_rng(0)
    for name in names:
        sess = ort.InferenceSession(
            str(tmp_path / f"{name}.onnx"), providers=["CPUExecutionProvider"]
        )
        assert [i.name for i in sess.get_inputs()] == ["crops"]
        assert [o.name for o in sess.get_outputs()] == list(pretrained_cfg(name).outputs)
        size = pretrained_cfg(name).arch.input_size
        crops = rng.integers(0, 256, (2, size, size, 3), dtype=np.uint8)
        got = sess.run(None, {"crops": crops})
        with torch.inference_mode():
            ref = inference_module(create_model(name))(torch.from_numpy(crops))
        ref = (ref,) if isinstance(ref, torch.Tensor) else ref
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b.numpy(), atol=1e-4, rtol=1e-4, err_msg=name)


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
    for bad, why in (
        (["--tiles", "0"], "expected a positive integer"),
        (["--density", "0"], "0 is below"),
        (["--threads", "-1"], "expected a positive integer"),
        (["--min-score", "2"], "expected a number in [0, 1]"),
        (["--min-quality", "-0.1"], "expected a number in [0, 1]"),
    ):
        with pytest.raises(SystemExit) as e:
            main(["predict", str(EXAMPLE), *bad])
        assert e.value.code == 2
        assert f"argument {bad[0]}" in (err := capsys.readouterr().err) and why in err


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


def test_contours_command_from_labels(tmp_path, capsys):
    from tests.conftest import shared_path

    labels = shared_path("fixtures", "lapa", "test_lapa.json")
    assert main(["contours", str(labels), "--out", str(tmp_path)]) == 0
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    face = doc["faces"][0]
    assert face["layout"] == "dense-1000"
    assert sum(len(v) for v in face["contours"].values()) == 1000
    assert "1000 contour points each" in capsys.readouterr().out


def test_density_option(tmp_path):
    import pytest

    out = tmp_path / "o"
    assert main(["predict", str(EXAMPLE), "--out", str(out), "--quiet", "--format", "npz"]) == 0
    with np.load(out / "astronaut.npz") as z:
        meta = json.loads(str(z["meta"]))
        assert meta["schema"] == "dense-landmarks/face-v2" and meta["faces"] == 1
        assert str(z["face0_layout"]) == "dense-1000"
        assert sum(len(z[k]) for k in z.files if k.startswith("face0_contour_")) == 1000
    for bad in ("dense-7", "12"):
        with pytest.raises(SystemExit):
            main(["predict", str(EXAMPLE), "--out", str(out), "--density", bad])


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
