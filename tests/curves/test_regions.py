import numpy as np
from shapely.geometry import Polygon

from curves import face_regions, rasterize, repair, ring_polygon
from dense_landmarks.contours import dense_contours


def circle(cx, cy, r, n=64):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]


def test_lip_ring_excludes_mouth_opening():
    regions = face_regions({"outer_lips": circle(50, 50, 20), "inner_lips": circle(50, 50, 10)})
    lips, mouth = regions["lips"], regions["mouth_opening"]
    assert lips.area == np.float64(lips.area) and not lips.contains(
        Polygon(circle(50, 50, 5)).centroid
    )
    assert abs(lips.area - (Polygon(circle(50, 50, 20)).area - mouth.area)) < 1e-6
    mask = rasterize(lips, (100, 100))
    assert not mask[50, 50] and mask[50, 65] and not mask[50, 75]


def test_closed_mouth_inner_ring_collapses_cleanly():
    outer = circle(50, 50, 20)
    inner = np.c_[np.linspace(35, 65, 8), np.full(8, 50.0)]  # lips pressed together
    regions = face_regions(
        {"outer_lips": outer, "inner_lips": np.vstack([inner, inner[::-1][1:-1]])}
    )
    assert regions["mouth_opening"].is_empty
    assert abs(regions["lips"].area - Polygon(outer).area) < 1e-6


def test_repair_bowtie():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    assert not bowtie.is_valid
    fixed = repair(bowtie)
    assert fixed.is_valid and abs(fixed.area - 50.0) < 1e-9


def test_rasterize_pixel_centre_convention_and_antialias():
    sq = ring_polygon(np.array([[1.5, 1.5], [4.5, 1.5], [4.5, 4.5], [1.5, 4.5]]))
    hard = rasterize(sq, (8, 8))
    assert hard.sum() == 9 and hard[2:5, 2:5].all()
    soft = rasterize(
        ring_polygon(np.array([[2.0, 2.0], [4.0, 2.0], [4.0, 4.0], [2.0, 4.0]])),
        (8, 8),
        antialias=True,
    )
    assert soft.dtype == np.float32
    assert abs(float(soft.sum()) - 4.0) < 1e-6  # area is preserved
    assert soft[3, 3] == 1.0 and soft[2, 2] == 0.25


def test_face_regions_on_real_labels(lapa_samples):
    for s in lapa_samples:
        regions = face_regions(dense_contours(s.points))
        assert set(regions) == {
            "lips",
            "mouth_opening",
            "right_eye",
            "left_eye",
            "right_brow",
            "left_brow",
            "nose",
            "face",
        }
        for name, g in regions.items():
            assert g.is_valid and g.area > 0, name
        face = regions["face"]
        for name in ("lips", "right_eye", "left_eye", "nose"):
            assert face.contains(regions[name]), name
