import numpy as np

from dense_landmarks import scheme
from eval.peers.mediapipe_runner import IBUG68_FROM_106, chains
from eval.systems import PARTS68, contours_from_68, make_system


def test_runner_68_map_matches_the_scheme():
    np.testing.assert_array_equal(IBUG68_FROM_106, scheme.IBUG68_FROM_106)


def test_chains_orders_loops_and_paths():
    loop = {(1, 2), (3, 2), (3, 4), (4, 1)}
    path = {(10, 11), (12, 11), (12, 13)}
    got = sorted(chains(loop | path), key=len)
    assert got[0] in ([10, 11, 12, 13], [13, 12, 11, 10])
    assert got[1][0] == got[1][-1] and sorted(got[1][:-1]) == [1, 2, 3, 4]


def test_contours_from_68_cover_every_part():
    t = np.linspace(0, 2 * np.pi, 68, endpoint=False)
    pts = np.c_[np.cos(t), np.sin(t)] * 50 + 100
    c = contours_from_68(pts)
    assert set(c) == set(PARTS68)
    assert np.allclose(
        c["right_eye"][0][0], c["right_eye"][0][-1]
    )  # closed parts repeat their start


def test_missing_peer_is_skipped_not_an_error(capsys, monkeypatch):
    import eval.systems as systems

    monkeypatch.setitem(
        systems.PEERS, "dlib", (".venv-nowhere/bin/python", "eval.peers.dlib_runner", "make peers")
    )
    assert make_system("dlib") is None
    assert "skipping dlib: not installed" in capsys.readouterr().err
