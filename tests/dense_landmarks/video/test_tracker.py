import numpy as np
import pytest

from dense_landmarks import scheme
from dense_landmarks.video.align import apply
from dense_landmarks.video.tracker import Tracker, TrackerConfig


class CountingDetector:
    """Wraps the landmarker's detector stage to count its calls (a Detector itself)."""

    def __init__(self, inner):
        self.calls, self._inner = 0, inner

    def detect(self, img):
        self.calls += 1
        return self._inner.detect(img)


@pytest.fixture
def counted(landmarker, monkeypatch):
    det = CountingDetector(landmarker.detector)
    monkeypatch.setattr(landmarker, "detector", det)
    return det


@pytest.mark.parametrize("smoothing", [True, False])
def test_tracks_a_moving_face_with_one_id_and_no_detector(
    face_video, landmarker, counted, smoothing
):
    _, frames, mats = face_video
    tr = Tracker(landmarker, TrackerConfig(smoothing=smoothing, detect_every=0))
    out = [tr.update(f, k / 25) for k, f in enumerate(frames)]
    assert counted.calls == 1  # the first frame only
    assert all(len(fs) == 1 and fs[0].track_id == 0 for fs in out)
    f0 = out[0][0]
    iod = np.linalg.norm(f0.points[79] - f0.points[66])
    for fs, m in zip(out, mats):
        f = fs[0]
        assert 0.0 <= f.quality <= 1.0
        assert set(f.contours) == set(scheme.PART_NAMES)
        # the tracked points follow the known motion of the first frame's points
        err = np.linalg.norm(f.points - apply(m, f0.points), axis=1).mean() / iod
        assert err < 0.06, err


def test_detector_runs_every_n_frames(face_video, landmarker, counted):
    tr = Tracker(landmarker, TrackerConfig(detect_every=5))
    for k, f in enumerate(face_video[1][:11]):
        tr.update(f, k / 25)
    assert counted.calls == 3  # frames 0, 5, 10


def test_two_faces_keep_their_ids_and_a_vanished_face_is_dropped(face_video, landmarker):
    frames = face_video[1]
    pair = [np.hstack([f, f[:, ::-1]]) for f in frames[:6]]
    tr = Tracker(landmarker, TrackerConfig(detect_every=0))
    ids, left_ids = [], []
    for k, f in enumerate(pair):
        faces = tr.update(f, k / 25)
        ids.append(sorted(x.track_id for x in faces))
        left_ids.append(min(faces, key=lambda x: x.points[:, 0].mean()).track_id)
    assert ids == [[0, 1]] * 6
    assert len(set(left_ids)) == 1  # the left-hand face is always the same track
    blank = np.full_like(pair[0], 128)
    left_only = [np.hstack([f, blank[:, :256]]) for f in frames[6:12]]
    for k, f in enumerate(left_only):
        faces = tr.update(f, (6 + k) / 25)
    assert [x.track_id for x in faces] == left_ids[:1]


def test_smoothing_reduces_frame_to_frame_noise_on_a_still_face(face_video, landmarker):
    rng = np.random.default_rng(1)
    still = face_video[1][0].astype(np.int16)
    frames = [
        np.clip(still + rng.normal(0, 6, still.shape), 0, 255).astype(np.uint8) for _ in range(12)
    ]

    def motion(cfg):
        tr = Tracker(landmarker, cfg)
        pts = np.stack([tr.update(f, k / 25)[0].points for k, f in enumerate(frames)])
        return np.linalg.norm(np.diff(pts[2:], axis=0), axis=-1).mean()

    assert motion(TrackerConfig()) < 0.7 * motion(TrackerConfig(smoothing=False))


def test_bad_config_and_empty_frames(landmarker):
    with pytest.raises(ValueError):
        Tracker(landmarker, TrackerConfig(passes=3))
    tr = Tracker(landmarker)
    assert tr.update(np.zeros((64, 64, 3), np.uint8), 0.0) == []
    assert tr.update(np.zeros((64, 64, 3), np.uint8), 0.0) == []  # repeated time is fine


def test_tracker_is_exported_lazily():
    import dense_landmarks as dl

    assert dl.Tracker is Tracker


def test_a_new_face_is_picked_up_at_the_next_detection_round(face_video, landmarker):
    frames = face_video[1]
    blank = np.full_like(frames[0], 128)
    clip = [np.hstack([f, blank if k < 3 else f[:, ::-1]]) for k, f in enumerate(frames[:8])]
    tr = Tracker(landmarker, TrackerConfig(detect_every=4))
    counts = [len(tr.update(f, k / 25)) for k, f in enumerate(clip)]
    assert counts == [1, 1, 1, 1, 2, 2, 2, 2]  # appears at frame 3, found at frame 4


def test_tracker_runs_on_composed_stages_and_checks_them(landmarker):
    """Any stages following the protocols: no detector, or parts to leave out with a refiner
    that cannot leave parts out, are clear errors; with skip_refine=() (the default) such a
    refiner is used as it is."""
    import dense_landmarks as dl

    class PlainRefiner:  # the Refiner protocol only
        def refine(self, image, points106):
            return [{} for _ in points106], np.array(points106, dtype=np.float64)

    no_det = dl.DenseLandmarker.from_stages(landmarker.sparse)
    with pytest.raises(ValueError, match="detector"):
        Tracker(no_det)
    lm = dl.DenseLandmarker.from_stages(landmarker.sparse, landmarker.detector, PlainRefiner())
    with pytest.raises(ValueError, match="without_parts"):
        Tracker(lm, TrackerConfig(skip_refine=("outer_lips", "inner_lips")))
    frame = np.full((96, 96, 3), 100, np.uint8)
    assert Tracker(lm).update(frame) == []
