"""Stage protocols, their composition, and the entry from previous points (tracking)."""

from pathlib import Path

import cv2
import numpy as np
import pytest

import dense_landmarks as dl
from dense_landmarks import scheme
from dense_landmarks.crop import landmark_box
from dense_landmarks.imageio import read_image
from dense_landmarks.stages import (
    CallableDetector,
    ContourDensifier,
    Densifier,
    Detection,
    Detector,
    Refiner,
    SparseStage,
    detection_crop,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"


@pytest.fixture(scope="module")
def image():
    return read_image(EXAMPLE)


@pytest.fixture(scope="module")
def lm():
    return dl.build_landmarker()


def test_bundled_stages_follow_the_protocols(lm):
    assert isinstance(lm.detector, Detector)
    assert isinstance(lm.sparse, SparseStage)
    assert isinstance(lm.refiner, Refiner)
    assert isinstance(lm.densifier, Densifier)


def test_one_crop_path_for_detector_and_boxes(lm, image):
    det = lm.detector.detect(image)[0]
    assert det.keypoints.shape == (6, 2)
    box_only = Detection.from_box(det.box, det.score)
    assert box_only.keypoints is None
    # a box-only detection crops the box; a keypoint detection gets the calibrated upright crop
    assert detection_crop(box_only).side == pytest.approx(
        1.3 * np.ptp(det.box.reshape(2, 2), 0).max()
    )
    assert detection_crop(det).angle == pytest.approx(-det.angle)
    # a user callable goes through the same path as boxes=
    fn = CallableDetector(lambda img: (np.array([det.box]), np.array([0.7])))
    via_fn = dl.DenseLandmarker.from_stages(
        lm.sparse, fn, lm.refiner, label_offset=lm.label_offset
    ).detect(image)
    via_boxes = lm.detect(image, boxes=[det.box])
    np.testing.assert_allclose(via_fn[0].points, via_boxes[0].points)
    assert via_fn[0].score == pytest.approx(0.7) and via_boxes[0].score == 1.0


def test_default_output_is_dense_1000(lm, image):
    f = lm.detect(image)[0]
    assert f.layout == "dense-1000" and f.dense.shape == (1000, 2)
    assert {k: len(v) for k, v in f.contours.items()} == dict(scheme.DENSE_LAYOUT)
    g = lm.detect(image, density=700)[0]
    assert g.layout == "proportional" and len(g.dense) == 700
    np.testing.assert_allclose(g.points, f.points)


def test_from_points_tracks_a_face_across_shifted_copies(lm, image):
    """Frame 0 is detected; every later frame (the photo shifted a little more) is found from
    the previous frame's points only, with a landmarker that has no detector at all."""
    tracker = dl.DenseLandmarker.from_stages(lm.sparse, None, lm.refiner)
    with pytest.raises(ValueError, match="no detector"):
        tracker.detect(image)
    h, w = image.shape[:2]
    step = np.array([7.0, -4.0])
    frames = [
        cv2.warpAffine(image, np.float64([[1, 0, k * step[0]], [0, 1, k * step[1]]]), (w, h))
        for k in range(8)
    ]
    first = lm.detect(frames[0])[0]
    iod = np.linalg.norm(first.points[74] - first.points[83])
    last = {}
    for passes, tol in ((None, 0.03), (1, 0.06)):
        prev = first.points
        for k in range(1, len(frames)):
            faces = tracker.from_points(frames[k], prev[None], passes=passes)
            assert len(faces) == 1
            f = faces[0]
            expect = first.points + k * step  # no drift: the error stays bounded
            err = np.linalg.norm(f.points - expect, axis=1).mean() / iod
            assert err < tol, (passes, k, err)
            assert f.dense.shape == (1000, 2) and f.score == 1.0
            np.testing.assert_allclose(f.box, landmark_box(f.points))
            prev = f.points
        last[passes] = f.points
    # and the last frame from points agrees with a fresh detection on it
    fresh = lm.detect(frames[-1])[0]
    assert np.linalg.norm(last[None] - fresh.points, axis=1).mean() / iod < 0.03


def test_from_points_keeps_order_and_checks_input(lm, image):
    p = lm.detect(image)[0].points
    shifted = p + np.array([0.5, 0.0])
    faces = lm.from_points(image, np.stack([p, shifted]))
    assert len(faces) == 2  # same face twice: order kept, nothing merged or sorted away
    assert len(lm.from_points(image, p)) == 1  # a single (106, 2) face
    with pytest.raises(ValueError, match="106"):
        lm.from_points(image, np.zeros((1, 68, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        lm.from_points(image, np.full((1, 106, 2), np.nan))
    assert lm.from_points(image, np.zeros((0, 106, 2))) == []


def test_custom_densifier_is_used(lm, image):
    class Halves(ContourDensifier):
        def densify(self, points106, control, density):
            return {k: v[::2] for k, v in super().densify(points106, control, 1000).items()}

    f = dl.DenseLandmarker.from_stages(lm.sparse, lm.detector, None, Halves()).detect(image)[0]
    assert 490 <= len(f.dense) <= 510


def test_no_process_wide_thread_changes_remain(image):
    """OpenCV's and torch's thread counts are held only while a call runs, then restored."""
    import torch

    lm_torch = dl.build_landmarker(backend="torch", num_threads=1)
    old_cv, old_torch = cv2.getNumThreads(), torch.get_num_threads()
    cv2.setNumThreads(3)
    torch.set_num_threads(2)
    try:
        lm_torch.detect(image)
        lm_torch.from_points(image, lm_torch.detect(image)[0].points)
        assert cv2.getNumThreads() == 3 and torch.get_num_threads() == 2
    finally:
        cv2.setNumThreads(old_cv)
        torch.set_num_threads(old_torch)


def test_flip_average_makes_the_sparse_stage_mirror_equivariant(lm, image):
    """Averaged with its mirrored crop, a face's points on the mirrored image (same crop,
    mirrored) are the mirror of its points to float precision; plain, pixels apart."""
    from dense_landmarks.crop import CropSpec
    from dense_landmarks.sparse import upright_crop

    spec = upright_crop(lm.detect(image)[0].points)
    w = image.shape[1]
    mirrored = np.ascontiguousarray(image[:, ::-1])
    mspec = CropSpec(w - 1 - spec.cx, spec.cy, spec.side, -spec.angle)

    def back(p):  # points on the mirrored image -> the original image, relabelled
        q = p[scheme.FLIP_PERMUTATION].copy()
        q[:, 0] = w - 1 - q[:, 0]
        return q

    errs = {}
    for avg in (False, True):
        a, _ = lm.sparse.predict_crops(image, [spec], passes=1, flip_average=avg)
        b, _ = lm.sparse.predict_crops(mirrored, [mspec], passes=1, flip_average=avg)
        errs[avg] = float(np.abs(back(b[0]) - a[0]).max())
    assert errs[True] < 1e-3 < 0.3 < errs[False]


def test_flip_last_and_its_quality_check(lm, image):
    """By default only the final pass is flip-averaged (2 passes = 3 crops); its mirrored half
    is the quality check, so plain = 2 x averaged - mirrored; ``flip_average=False`` is the
    plain network, and a stage without ``flip_last`` checks with one more re-crop pass (no
    final turns here: they average more crops into the points, see the next test)."""
    from dense_landmarks.sparse import SparseLandmarker, upright_crop

    sp = SparseLandmarker(final_turns=())
    spec = [detection_crop(lm.detector.detect(image)[0])]
    first, _ = sp.predict_crops(image, spec, passes=1, flip_average=False)
    pts, _, check = sp.predict_crops_checked(image, spec)
    assert sp.flip_last and np.allclose(pts, sp.predict_crops(image, spec)[0])
    again = [upright_crop(p) for p in first]
    plain, _ = sp.predict_crops(image, again, passes=1, flip_average=False)
    np.testing.assert_allclose(2 * pts - check, plain, atol=1e-4)
    assert 0.05 < np.abs(check - plain).max() < 5.0  # the mirrored crop is another estimate
    unflipped = SparseLandmarker(flip_last=False, final_turns=())
    p2, _, c2 = unflipped.predict_crops_checked(image, spec)
    np.testing.assert_allclose(p2, unflipped.predict_crops(image, spec, flip_average=False)[0])
    recrop, _ = unflipped.predict_crops(image, [upright_crop(p) for p in p2], passes=1)
    np.testing.assert_allclose(c2, recrop)


def test_final_turns_average_turned_crops_of_the_final_pass(lm, image):
    """Extra turns of the final pass's crop: zero turns reproduce the plain stage exactly (the
    mean of identical crops); small turns move the points little (the network is trained for
    any angle), and so does the pose (PnP of the points); the quality check stays the unturned
    crop's."""
    from dense_landmarks.sparse import FINAL_TURNS, SparseLandmarker

    spec = [detection_crop(lm.detector.detect(image)[0])]
    base = SparseLandmarker(final_turns=())
    pts, pose, check = base.predict_crops_checked(image, spec)
    zero = SparseLandmarker(final_turns=(0.0, 0.0))
    np.testing.assert_allclose(zero.predict_crops_checked(image, spec)[0], pts, atol=1e-9)
    assert SparseLandmarker().final_turns == ()  # off by default (speed)
    turned = SparseLandmarker(final_turns=FINAL_TURNS)
    p2, pose2, check2 = turned.predict_crops_checked(image, spec)
    iod = np.linalg.norm(pts[0, 74] - pts[0, 83])
    assert 0 < np.linalg.norm(p2 - pts, axis=2).mean() / iod < 0.02
    np.testing.assert_allclose(pose2, pose, atol=2.0)
    np.testing.assert_allclose(check2, check)
    with pytest.raises(ValueError, match="final_turns"):
        SparseLandmarker(final_turns=(float("nan"),))


def test_refiner_without_parts_leaves_out_those_models(lm, image):
    """A view without the lips refines every other part as the whole refiner does and leaves
    the lips' sparse points where they were; nothing left -> None."""
    from dense_landmarks.refine.parts import REFINE_PARTS

    pts, _ = lm.sparse.predict_crops(image, [detection_crop(lm.detector.detect(image)[0])])
    lips = ("outer_lips", "inner_lips")
    view = lm.refiner.without_parts(lips)
    assert set(view.runners) == set(lm.refiner.runners) - {"refine_mouth"}
    c_all, p_all = lm.refiner.refine(image, pts)
    c_view, p_view = view.refine(image, pts)
    assert set(c_view[0]) == set(c_all[0]) - set(lips)
    for part in c_view[0]:
        assert np.allclose(c_view[0][part], c_all[0][part])
    lip_idx = [i for n in lips for i in scheme.PARTS[n].indices]
    assert np.array_equal(p_view[0, lip_idx], pts[0, lip_idx])
    rest = np.setdiff1d(np.arange(scheme.NUM_POINTS), lip_idx)
    assert np.allclose(p_view[0, rest], p_all[0, rest])
    assert lm.refiner.without_parts(()) is lm.refiner
    every = tuple(n for p in REFINE_PARTS for n in p.parts)
    assert lm.refiner.without_parts(every) is None


def test_refiner_keeps_a_symmetric_face_symmetric(lm, image):
    """On a face made symmetric (half the photo mirrored about the face's midline) with exactly
    symmetric sparse points, the refined contours are each other's mirror images (within 0.01 px;
    0.15 px before the crops' anti-aliasing became a symmetric filter and the arcs' first
    segments stopped falling back to their ends): every crop is run with its mirror image and
    the maps averaged (``Refiner.flip_average``). Without it, the networks' own left-right
    habits show (0.9 px with the weights of 2026-11-26, 2 px before)."""
    from dense_landmarks.refine import Refiner

    pts = lm.sparse.predict_crops(image, [detection_crop(lm.detector.detect(image)[0])])[0][0]
    mid = round(float(pts[scheme.IBUG68_FROM_106[27:31]][:, 0].mean()))  # the nose bridge
    half = image[:, : mid + 1]
    sym = np.ascontiguousarray(np.concatenate([half, half[:, -2::-1]], axis=1))
    width = 2 * mid + 1  # mirror_points: x -> width - 1 - x = 2 mid - x
    p = lm.sparse.predict_crops(sym, [detection_crop(lm.detector.detect(sym)[0])])[0][0]
    p = 0.5 * (p + scheme.mirror_points(p, width))  # exactly symmetric sparse points
    densifier = ContourDensifier()
    errors = {}
    for flip in (True, False):
        control, out = Refiner(flip_average=flip).refine(sym, p[None])
        dense = np.concatenate(list(densifier.densify(out[0], control[0], "dense-1000").values()))
        mirrored = scheme.mirror_points(dense, width, scheme.DENSE_FLIP_PERMUTATION)
        errors[flip] = float(np.abs(mirrored - dense).max())
    assert errors[True] < 0.01 < 0.5 < errors[False], errors
