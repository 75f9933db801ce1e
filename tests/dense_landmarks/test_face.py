import json

import numpy as np
import pytest

from dense_landmarks import Face, dense_contours, scheme


def make_face(rng: np.random.Generator, pose=(1.5, -20.25, 3.0)) -> Face:
    t = np.linspace(0, 2 * np.pi, 106, endpoint=False)
    pts = np.c_[100 + 40 * np.cos(t), 120 + 50 * np.sin(t)] + rng.normal(0, 1e-3, (106, 2))
    contours = {k: rng.normal(100, 30, (int(rng.integers(8, 40)), 2)) for k in scheme.PART_NAMES}
    return Face(
        box=[10.125, 20.0, 190.5, 230.0],
        score=0.987654321,
        points=pts,
        pose=pose,
        contours=contours,
    )


def test_json_round_trip_is_lossless():
    f = make_face(np.random.default_rng(0))
    g = Face.from_json(json.dumps(json.loads(f.to_json())))
    np.testing.assert_array_equal(g.points, f.points)
    np.testing.assert_array_equal(g.box, f.box)
    np.testing.assert_array_equal(g.pose, f.pose)
    assert g.score == f.score
    assert list(g.contours) == list(scheme.PART_NAMES)
    for k in f.contours:
        np.testing.assert_array_equal(g.contours[k], f.contours[k])
    assert g.to_dict() == f.to_dict()


def test_unknown_pose_is_null_in_json():
    f = make_face(np.random.default_rng(1), pose=(np.nan, np.nan, np.nan))
    d = json.loads(f.to_json())
    assert d["pose"] == {"pitch": None, "yaw": None, "roll": None}
    assert np.isnan(Face.from_dict(d).pose).all()


def test_schema_fields_and_points68():
    f = make_face(np.random.default_rng(2))
    d = f.to_dict()
    assert set(d) == {
        "schema",
        "scheme",
        "layout",
        "box",
        "score",
        "quality",
        "track_id",
        "pose",
        "points106",
        "contours",
    }
    assert d["schema"] == "dense-landmarks/face-v2"
    assert d["quality"] is None and d["track_id"] is None and d["layout"] is None
    assert f.points68.shape == (68, 2)
    np.testing.assert_array_equal(f.points68, f.points[scheme.IBUG68_FROM_106])


def test_bad_schema_and_shapes_raise():
    d = make_face(np.random.default_rng(3)).to_dict()
    with pytest.raises(ValueError, match="schema"):
        Face.from_dict({**d, "schema": "other"})
    with pytest.raises(ValueError, match=r"\(106, 2\)"):
        Face(box=[0, 0, 1, 1], score=1.0, points=np.zeros((68, 2)))
    with pytest.raises(ValueError, match="unknown parts"):
        Face(
            box=[0, 0, 1, 1],
            score=1.0,
            points=np.zeros((106, 2)),
            contours={"ear": np.zeros((3, 2))},
        )


def test_dense_contours_budget(lapa_samples):
    for density in (100, 1000, 5000):
        c = dense_contours(lapa_samples[0].points, density=density)
        assert list(c) == list(scheme.PART_NAMES)
        assert sum(len(v) for v in c.values()) == density


def test_dense_contours_with_replacement_control_points(lapa_samples):
    pts = lapa_samples[0].points
    plain = dense_contours(pts, 1000)
    centre = pts[84:96].mean(0)
    ring = centre + 1.1 * (pts[84:96] - centre)  # a wider mouth, same first point direction
    c = dense_contours(pts, 1000, control={"outer_lips": ring})
    assert sum(len(v) for v in c.values()) == 1000
    np.testing.assert_allclose(c["outer_lips"][0], ring[0], atol=1e-9)  # starts at its first point
    assert len(c["outer_lips"]) > len(plain["outer_lips"])  # longer: a larger share of the budget
    np.testing.assert_allclose(c["nose_bridge"][0], plain["nose_bridge"][0])
    jaw = pts[:33] + np.array(
        [0.0, 3.0]
    )  # an open part: a polyline from its first point to its last
    c = dense_contours(pts, 1000, control={"jaw": jaw})
    np.testing.assert_allclose(c["jaw"][[0, -1]], jaw[[0, -1]], atol=1e-9)
    with pytest.raises(ValueError, match="ears"):
        dense_contours(pts, control={"ears": pts[:3]})


@pytest.mark.parametrize("quality,track_id", [(None, None), (0.8125, 7), (0.0, 0)])
def test_quality_and_track_id_round_trip_json_and_npz(tmp_path, quality, track_id):
    f = make_face(np.random.default_rng(4))
    f.quality, f.track_id = quality, track_id
    f = Face(**{k: getattr(f, k) for k in f.__dataclass_fields__})
    g = Face.from_json(f.to_json())
    assert (g.quality, g.track_id) == (quality, track_id)
    np.savez(tmp_path / "f.npz", **f.to_arrays("face0_"))
    with np.load(tmp_path / "f.npz") as z:
        h = Face.from_arrays(z, "face0_")
    assert (h.quality, h.track_id, h.layout) == (quality, track_id, None)
    np.testing.assert_array_equal(h.points, f.points)
    for k in f.contours:
        np.testing.assert_array_equal(h.contours[k], f.contours[k])
    assert h.to_dict() == f.to_dict()


def test_dense_layout_face_round_trips_and_checks_counts(lapa_samples):
    pts = lapa_samples[0].points
    f = Face(
        box=[0, 0, 1, 1], score=1.0, points=pts, contours=dense_contours(pts), layout="dense-1000"
    )
    assert f.dense.shape == (1000, 2)
    assert Face.from_json(f.to_json()).layout == "dense-1000"
    with pytest.raises(ValueError, match="dense-1000"):
        Face(
            box=[0, 0, 1, 1],
            score=1.0,
            points=pts,
            contours=dense_contours(pts, 1000),
            layout="dense-1000",
        )


def test_v1_documents_are_read():
    d = make_face(np.random.default_rng(5)).to_dict()
    v1 = {k: v for k, v in d.items() if k not in ("layout", "quality", "track_id")}
    g = Face.from_dict({**v1, "schema": "dense-landmarks/face-v1"})
    assert (g.layout, g.quality, g.track_id) == (None, None, None)
    np.testing.assert_array_equal(g.points, np.asarray(d["points106"]))
