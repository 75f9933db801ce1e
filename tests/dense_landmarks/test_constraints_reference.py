"""The shape constraints give the same points as the implementation they were sped up from:
``tests/data/constraints_reference.npz`` holds what ``constrain_faces`` returned inside
``DenseLandmarker().detect`` (decoder control points and dense contours) on the bundled photo
and two GRID frames, written by ``tests/data/make_constraints_reference.py`` before the change."""

from pathlib import Path

import numpy as np
import pytest

from dense_landmarks.refine.constraints import constrain_contours, constrain_faces
from eval.bench_constraints import reference_calls

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "constraints_reference.npz"


CALLS = reference_calls(REFERENCE)


@pytest.mark.parametrize("c", range(len(CALLS)))
def test_same_points_as_reference(c):
    faces, points, gap, turning, expected = CALLS[c]
    got = constrain_faces(faces, points, gap, turning=turning)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert list(g) == list(e)
        for k in e:
            assert g[k].dtype == np.float64 and g[k].shape == e[k].shape
            np.testing.assert_allclose(g[k], e[k], rtol=0, atol=1e-9, err_msg=k)


def test_reference_needs_repairs():
    """The reference is no trivial case: some parts change, some stay bit for bit."""
    changed = same = 0
    for faces, _, _, _, expected in CALLS:
        for f, e in zip(faces, expected):
            for k in e:
                unchanged = np.array_equal(f[k], e[k])
                same += unchanged
                changed += not unchanged
    assert changed >= 5 and same >= 5


def test_faces_one_by_one_match_batch():
    faces, points, gap, turning, expected = CALLS[1]
    assert turning
    got = constrain_contours(faces[0], points[0], gap)
    for k in expected[0]:
        np.testing.assert_allclose(got[k], expected[0][k], rtol=0, atol=1e-9)
