import json
import shutil

import pytest

from dense_landmarks.models.configs import PRETRAINED_CFGS, bundled_models
from dense_landmarks.runtime import WEIGHTS_DIR, WeightsError, load_model_meta, make_runner


@pytest.mark.parametrize("name", bundled_models())
def test_every_bundled_model_passes_the_checks(name):
    meta = load_model_meta(name)  # onnx and pt hashes, scheme, size, normalisation, config
    cfg = PRETRAINED_CFGS[name].arch
    assert meta.input_size == cfg.input_size and meta.mean == cfg.mean and meta.std == cfg.std
    assert set(meta.paths) == {"onnx", "pt"}


@pytest.fixture()
def weights_copy(tmp_path):
    for suffix in (".json", ".onnx", ".pt"):
        shutil.copy(WEIGHTS_DIR / f"refine_nose{suffix}", tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt,suffix", [("onnx", ".onnx"), ("pt", ".pt")])
def test_corrupted_weights_are_refused(weights_copy, fmt, suffix):
    load_model_meta("refine_nose", weights_dir=weights_copy)
    path = weights_copy / f"refine_nose{suffix}"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="sha256"):
        load_model_meta("refine_nose", formats=(fmt,), weights_dir=weights_copy)


@pytest.mark.parametrize(
    "key,value",
    [("scheme", "other-v9"), ("input_size", 65), ("mean", [0.4, 0.5, 0.5]), ("std", [1, 1, 1])],
)
def test_metadata_must_match_the_registry(weights_copy, key, value):
    path = weights_copy / "refine_nose.json"
    meta = json.loads(path.read_text())
    meta[key] = value
    path.write_text(json.dumps(meta))
    with pytest.raises(WeightsError, match=key):
        load_model_meta("refine_nose", weights_dir=weights_copy)


def test_missing_and_unknown_models(tmp_path):
    with pytest.raises(KeyError, match="unknown model"):
        load_model_meta("no_such_model")
    with pytest.raises(WeightsError, match="cannot read"):
        load_model_meta("refine_nose", weights_dir=tmp_path)
    with pytest.raises(ValueError, match="backend"):
        make_runner("refine_nose", "tensorflow")
