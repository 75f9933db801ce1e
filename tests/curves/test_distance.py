import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from curves import curve_to_curve, point_to_curve


def test_point_on_curve_has_zero_distance():
    curve = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]])
    pts = np.array([[5.0, 0.0], [10.0, 3.0], [0.0, 0.0]])
    np.testing.assert_allclose(point_to_curve(pts, curve), 0.0, atol=1e-12)


def test_known_distances_open_and_closed():
    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    q = np.array([[-3.0, 5.0], [5.0, 5.0], [13.0, 14.0]])
    np.testing.assert_allclose(point_to_curve(q, square, closed=True), [3.0, 5.0, 5.0])
    np.testing.assert_allclose(point_to_curve(q, square, closed=False), [np.hypot(3, 5), 5.0, 5.0])


@given(st.floats(-20, 20))
def test_offset_curve_distance_equals_offset(dy):
    x = np.linspace(-100, 100, 201)
    line = np.c_[x, np.zeros_like(x)]
    d = curve_to_curve(line + np.array([0.0, dy]), line)
    for key in ("a_to_b", "b_to_a", "mean", "hausdorff"):
        assert abs(d[key] - abs(dy)) < 1e-9, key


def test_single_vertex_curve():
    assert point_to_curve([[3.0, 4.0]], [[0.0, 0.0]])[0] == 5.0
