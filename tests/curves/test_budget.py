import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curves import allocate, resample_parts


@given(
    st.lists(st.floats(0, 1e4), min_size=1, max_size=12),
    st.integers(0, 20),
    st.integers(0, 5000),
)
def test_allocate_sums_to_total_with_minimum(lengths, minimum, extra):
    names = [f"p{i}" for i in range(len(lengths))]
    total = minimum * len(names) + extra
    got = allocate(dict(zip(names, lengths)), total, minimum)
    assert list(got) == names
    assert sum(got.values()) == total
    assert min(got.values()) >= minimum


def test_allocate_is_proportional():
    got = allocate({"a": 300.0, "b": 100.0}, 408, minimum=4)
    assert got == {"a": 304, "b": 104}


def test_allocate_rejects_impossible_budget():
    with pytest.raises(ValueError, match="cannot give"):
        allocate({"a": 1.0, "b": 1.0}, 5, minimum=3)
    with pytest.raises(ValueError, match="finite"):
        allocate({"a": float("nan")}, 5)


def test_resample_parts_keeps_order_and_budget():
    t = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    ring = np.c_[np.cos(t), np.sin(t)] * 50
    line = np.c_[np.linspace(0, 10, 4), np.zeros(4)]
    out = resample_parts({"ring": (ring, True), "line": (line, False)}, total=500, minimum=10)
    assert list(out) == ["ring", "line"]
    assert sum(len(v) for v in out.values()) == 500
    assert len(out["ring"]) > len(out["line"]) >= 10
