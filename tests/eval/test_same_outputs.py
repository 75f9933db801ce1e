import numpy as np
import pytest

from eval.same_outputs import REPO, compare, main


def test_compare_reports_the_worst_difference_per_input_and_output():
    base = {
        "bench/one|count": np.array(1),
        "bench/one|0|points": np.zeros((106, 2)),
        "bench/one|0|pose": np.array([np.nan, 1.0, 2.0]),
        "grid/a/0000|0|contour:jaw": np.ones((3, 2)),
        "grid/a/0001|0|contour:jaw": np.ones((3, 2)),
    }
    this = {k: v.copy() for k, v in base.items()}
    assert set(compare(this, base).values()) == {0.0}  # NaN where both have NaN: the same
    this["bench/one|0|points"][5, 1] = 0.25
    this["grid/a/0001|0|contour:jaw"] = np.ones((4, 2))  # another count
    del this["bench/one|0|pose"]
    worst = compare(this, base)
    assert worst["bench points"] == 0.25
    assert worst["grid contour"] == np.inf and worst["bench pose"] == np.inf
    assert worst["bench count"] == 0.0


@pytest.mark.slow
def test_a_checkout_has_the_same_outputs_as_itself(capsys):
    assert main(["--base", str(REPO), "--faces", "2", "--frames", "2"]) == 0
    assert "same (atol 0)" in capsys.readouterr().out
