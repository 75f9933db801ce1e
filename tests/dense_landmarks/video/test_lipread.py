import numpy as np
import pytest

from dense_landmarks import scheme
from dense_landmarks.video import lipread as lr
from dense_landmarks.video.align import apply
from dense_landmarks.video.io import open_video
from dense_landmarks.video.jobs import lipread_job
from dense_landmarks.video.tracker import Tracker


@pytest.fixture(scope="module")
def lip_npz(face_video, landmarker, tmp_path_factory):
    out = tmp_path_factory.mktemp("lip")
    warning = lipread_job(Tracker(landmarker), face_video[0], out, "face", progress=False)
    assert warning == ""
    with np.load(out / "face.npz") as z:
        return out, {k: z[k] for k in z.files}


def test_lipread_outputs_have_the_documented_shapes(lip_npz):
    out, z = lip_npz
    T, n = 20, lr.LIP_POINTS
    assert z["mouth_roi"].shape == (T, 96, 96) and z["mouth_roi"].dtype == np.uint8
    for k in ("outer_lips", "inner_lips"):
        assert z[k].shape == (T, n, 2) and z[k].dtype == np.float32 and np.isfinite(z[k]).all()
    assert z["valid"].shape == (T,) and z["valid"].all() and float(z["fps"]) == 25.0
    assert z["features"].shape == (T, len(lr.FEATURE_NAMES)) and z["features"].dtype == np.float32
    assert list(z["feature_names"]) == list(lr.FEATURE_NAMES)
    f = dict(zip(lr.FEATURE_NAMES, z["features"].mean(0)))
    assert 0.4 < f["mouth_width"] < 0.9 and f["upper_lip_thickness"] > 0 and f["opening"] >= 0
    with open_video(out / "face_mouth.mp4") as v:
        assert (v.width, v.height, v.has_audio, sum(1 for _ in v)) == (96, 96, True, T)


def test_mouth_roi_stays_aligned_on_a_moving_face(face_video, lip_npz):
    """The face moves by known similarities (±15 px, ±8°, ±6 %); the ROI must show the same
    mouth at the same place, angle and scale in every frame, where a crop that ignored the
    motion would not."""
    _, z = lip_npz
    frames, mats = face_video[1], face_video[2]
    roi = z["mouth_roi"].astype(np.float64)
    outer = list(scheme.PARTS["outer_lips"].indices)
    centre0 = z["points106"][0, outer].mean(0)
    first = z["roi_matrix"][0].astype(np.float64)
    worst_fixed = 1.0
    for t, m in enumerate(mats):
        roi_t = z["roi_matrix"][t].astype(np.float64)
        c = apply(roi_t, apply(m, centre0[None]))[0]  # frame 0's mouth centre, in ROI t
        assert np.linalg.norm(c - 47.5) < 4.0, (t, c)
        a = roi_t[:, :2] @ m[:, :2]  # frame 0 -> ROI t: should be frame 0's own ROI map
        assert (
            abs(np.sqrt(abs(np.linalg.det(a))) / np.sqrt(abs(np.linalg.det(first[:, :2]))) - 1)
            < 0.05
        )
        assert abs(np.degrees(np.arctan2(a[1, 0], a[0, 0]))) < 3.0, t
        assert _ncc(roi[t], roi[0]) > 0.75, t
        fixed = lr.crop_roi(frames[t], first)  # the first frame's crop, motion ignored
        worst_fixed = min(worst_fixed, _ncc(fixed.astype(np.float64), roi[0]))
    assert worst_fixed < 0.6


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_ring_resample_and_opening():
    sq = np.array([[0, 0], [4, 0], [4, 2], [0, 2]], float)
    r = lr.ring_resample(sq, 6)
    assert np.allclose(r[0], sq[0]) and np.allclose(np.linalg.norm(np.diff(r, axis=0), axis=1), 2)
    assert np.isclose(lr.mouth_opening(sq, sq[[0, 1]], 1.0), 2.0)  # area 8 / width 4
    assert np.allclose(lr.ring_resample(np.ones((5, 2)), 3), 1.0)


def test_roi_matrices_need_a_face_and_fill_gaps():
    with pytest.raises(ValueError, match="no frame"):
        lr.roi_matrices(np.zeros((3, 106, 2)), np.zeros(3, bool))
    pts = np.random.default_rng(0).normal(0, 1, (106, 2)) * 10 + 100
    seq = np.stack([pts, pts * 0, pts])
    m = lr.roi_matrices(seq, np.array([True, False, True]))
    assert np.allclose(m[1], m[0]) and np.allclose(m[2], m[0])
