import json
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from dense_landmarks.batch import expand_inputs, output_stems, run_batch
from dense_landmarks.imageio import ImageError, read_image
from tests.dense_landmarks.test_detection import EXAMPLE


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "zero.jpg").write_bytes(b"")
    good = EXAMPLE.read_bytes()
    (d / "truncated.jpg").write_bytes(good[: len(good) // 3])
    (d / "text.jpg").write_text("this is not an image\n")
    cv2.imwrite(str(d / "one.png"), np.zeros((1, 1, 3), np.uint8))
    cv2.imwrite(str(d / "strip.png"), np.full((1, 20000, 3), 200, np.uint8))
    img = cv2.imread(str(EXAMPLE))
    cv2.imwrite(str(d / "deep16.png"), img.astype(np.uint16) * 257)
    cv2.imwrite(str(d / "rgba.png"), np.dstack([img, np.full(img.shape[:2], 255, np.uint8)]))
    cv2.imwrite(str(d / "gray.png"), cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    return d


def test_bad_inputs_are_reported_and_the_batch_finishes(bad_corpus, tmp_path):
    import dense_landmarks as dl

    paths = expand_inputs([str(bad_corpus)])
    assert len(paths) == 8
    report = run_batch(dl.DenseLandmarker(), paths, tmp_path, overlay=True, progress=False)
    errors = dict(report.errors)
    assert set(errors) == {
        str(bad_corpus / n) for n in ("zero.jpg", "truncated.jpg", "text.jpg")
    } or set(errors) == {str(bad_corpus / n) for n in ("zero.jpg", "text.jpg")}
    assert "empty file" in errors[str(bad_corpus / "zero.jpg")]
    assert "not a readable image" in errors[str(bad_corpus / "text.jpg")]
    for name in ("one", "strip"):
        doc = json.loads((tmp_path / f"{name}.json").read_text())
        assert doc["faces"] == []
    for name in ("deep16", "rgba", "gray"):
        doc = json.loads((tmp_path / f"{name}.json").read_text())
        assert len(doc["faces"]) == 1, name
    assert not list(tmp_path.glob(".*.tmp"))


def test_read_image_errors_name_the_file(bad_corpus):
    for name in ("zero.jpg", "text.jpg"):
        with pytest.raises(ImageError, match=name):
            read_image(bad_corpus / name)
    with pytest.raises(ImageError, match="cannot read"):
        read_image(bad_corpus / "missing.jpg")


def test_output_names_are_unique_and_stable(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [tmp_path / "a" / "x.jpg", tmp_path / "b" / "x.jpg", tmp_path / "y.jpg"]
    stems = output_stems(paths)
    assert len(set(stems.values())) == 3 and stems[paths[2]] == "y"
    assert output_stems(paths) == stems


def test_killed_batch_resumes_with_every_output_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(12):
        (src / f"img{i:02d}.jpg").write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "dense_landmarks.cli",
        "predict",
        str(src),
        "--out",
        str(out),
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("*.json"))) < 3:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    assert 0 < len(done_before) < 12
    for p in out.glob("*.json"):  # every file that exists is complete
        json.loads(p.read_text())
    res = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"resumed (skipped): {len(done_before)}" in res.stdout
    outputs = sorted(p.name for p in out.glob("*.json"))
    assert outputs == [f"img{i:02d}.json" for i in range(12)]
    for name, mtime in done_before.items():  # not redone
        assert (out / name).stat().st_mtime_ns == mtime


def test_any_error_inside_one_image_is_reported_and_the_batch_goes_on(tmp_path):
    import dense_landmarks as dl

    real = dl.DenseLandmarker(refine=False)

    class Flaky:
        def detect(self, image, density=None):
            if image.shape[0] == 100:
                raise cv2.error("OpenCV(4.10) ... dst.cols < SHRT_MAX in function 'remap'")
            return real.detect(image, density=density)

    a, b = tmp_path / "a_small.png", tmp_path / "b_face.jpg"
    cv2.imwrite(str(a), np.zeros((100, 100, 3), np.uint8))
    b.write_bytes(EXAMPLE.read_bytes())
    seen = []
    report = run_batch(
        Flaky(), [a, b], tmp_path / "out", progress=False, on_error=lambda p, r: seen.append(p)
    )
    assert report.images == 1 and seen == [str(a)]
    assert report.errors[0][0] == str(a) and "SHRT_MAX" in report.errors[0][1]
    assert (tmp_path / "out" / "b_face.json").exists()


def test_read_image_from_bytes():
    data = EXAMPLE.read_bytes()
    np.testing.assert_array_equal(read_image(data), read_image(EXAMPLE))
    np.testing.assert_array_equal(read_image(memoryview(data)), read_image(EXAMPLE))
    png = cv2.imencode(".png", np.zeros((5, 7, 3), np.uint8))[1].tobytes()
    assert read_image(bytearray(png)).shape == (5, 7, 3)
    for bad, match in (
        (b"", "empty"),
        (b"not an image at all", "not a readable image"),
        (data[: len(data) // 2], "truncated JPEG"),
        (png[:-12], "truncated PNG"),
    ):
        with pytest.raises(ImageError, match=match) as err:
            read_image(bad)
        assert f"<{len(bad)} bytes>" in str(err.value)
    with pytest.raises(ImageError, match=r"upload\.jpg: truncated"):
        read_image(data[:1000], name="upload.jpg")
