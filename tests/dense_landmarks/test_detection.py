import itertools
from pathlib import Path

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from dense_landmarks.crop import CropSpec
from dense_landmarks.detection import FaceDetector
from dense_landmarks.detection.anchors import decode, ssd_anchors, weighted_nms
from dense_landmarks.detection.detector import _cut_by_tile, tile_grid, tile_sides
from dense_landmarks.detection.prepare import LOW_CONTRAST, prepare_image
from dense_landmarks.imageio import read_image
from dense_landmarks.models import create_model

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"


def test_converted_blazeface_matches_tflite_outputs():
    ref = np.load(DATA / "blazeface_short_reference.npz")
    net = create_model("blazeface_short", pretrained=True)
    with torch.no_grad():
        r, c = net(torch.from_numpy(ref["inputs"]))
    assert np.abs(r.numpy() - ref["regressors"]).max() < 1e-3
    assert np.abs(c.numpy() - ref["scores"]).max() < 1e-3


def test_converted_full_range_blazeface_matches_tflite_outputs():
    ref = np.load(DATA / "blazeface_full_reference.npz")
    net = create_model("blazeface_full", pretrained=True)
    with torch.no_grad():
        r, c = net(torch.from_numpy(ref["inputs"]))
    assert np.abs(r.numpy() - ref["regressors"]).max() < 1e-3
    assert np.abs(c.numpy() - ref["scores"]).max() < 1e-3
    assert (ref["scores"][0] > 0).any()  # the reference inputs hold a face the model finds


def test_full_range_anchor_layout():
    a = ssd_anchors(192, (4,), per_layer=1)
    assert a.shape == (2304, 2)
    np.testing.assert_allclose(a[0], [0.5 / 48, 0.5 / 48])
    np.testing.assert_allclose(a[1], [1.5 / 48, 0.5 / 48])  # one anchor per cell, row-major


def test_anchor_layout():
    a = ssd_anchors(128, (8, 16, 16, 16))
    assert a.shape == (896, 2)
    np.testing.assert_allclose(a[0], [0.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(a[1], a[0])  # 2 anchors per cell on the 16 x 16 map
    np.testing.assert_allclose(a[512], [0.5 / 8, 0.5 / 8])


def test_weighted_nms_blends_overlaps():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], float)
    kps = np.zeros((3, 6, 2))
    b, _, s = weighted_nms(boxes, kps, np.array([0.9, 0.6, 0.8]))
    assert len(s) == 2 and s[0] == 0.9
    np.testing.assert_allclose(b[0], (0.9 * boxes[0] + 0.6 * boxes[1]) / 1.5)


def test_detects_the_example_face_at_every_quarter_turn():
    det = FaceDetector()
    img = read_image(EXAMPLE)
    base = det.detect(img)
    assert len(base) == 1 and base[0].score > 0.85
    assert (
        base[0].keypoints[0, 0] < base[0].keypoints[1, 0]
    )  # subject's right eye on the image left
    for k in (1, 2, 3):
        d = det.detect(np.ascontiguousarray(np.rot90(img, k=-k)))
        assert len(d) == 1
        # a first guess: a turned face found upright with a mid score (no retry) can be ~15 deg
        # off; the landmark stage's upright second pass corrects it (test_landmarker)
        assert abs(((d[0].angle - base[0].angle - 90 * k) + 180) % 360 - 180) < 20


def test_tiles_find_small_faces():
    import cv2

    img = cv2.resize(read_image(EXAMPLE), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    big = np.full((768, 768, 3), 40, np.uint8)
    big[492:748, 30:286] = img  # a half-size astronaut (face ~48 px) in a larger frame
    assert FaceDetector(model="short", tiles=1).detect(big) == []
    for det in (FaceDetector(model="short", tiles=4), FaceDetector()):  # fixed / automatic
        found = det.detect(big)
        assert len(found) == 1 and 492 < found[0].centre[1] < 748
        assert 30 < found[0].centre[0] < 286


def _collage(rows: int, cols: int, scale: float = 1.0) -> np.ndarray:
    import cv2

    img = read_image(EXAMPLE)
    if scale != 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.concatenate([np.concatenate([img] * cols, 1)] * rows, 0)


def test_every_face_of_a_collage_in_colour_gray_and_turned():
    import cv2

    det = FaceDetector()
    col = _collage(2, 4)  # 8 faces of ~105 px in 2048 x 1024: found by the tiles
    assert len(det.detect(col)) == 8
    gray = np.repeat(cv2.cvtColor(col, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2)
    assert len(det.detect(gray)) == 8
    four = _collage(2, 2)
    for k in (1, 2, 3):  # a turned group photo: every face, each upright in its crop
        found = det.detect(np.ascontiguousarray(np.rot90(four, k=-k)))
        assert len(found) == 4
        for d in found:
            assert abs(((d.angle - 90 * k) + 180) % 360 - 180) < 20


def test_a_close_group_skips_the_tiles(monkeypatch):
    """Every face of the whole-image pass large (two ~104 px faces side by side in 426 x 240):
    no tile pass; small faces (the 2 x 4 collage above) still bring the tiles in."""
    det = FaceDetector()
    calls = []
    run = det._candidates
    monkeypatch.setattr(
        det, "_candidates", lambda img, specs: calls.append(len(specs)) or run(img, specs)
    )
    face = read_image(EXAMPLE)[10:250, 118:331]  # the face region, ~104 px faces
    found = det.detect(np.concatenate([face, face], axis=1))
    assert len(found) == 2 and calls == [1]
    calls.clear()
    assert len(det.detect(_collage(2, 4))) == 8 and max(calls) > 1  # a tile batch ran


def test_automatic_pyramid_levels():
    assert tile_sides(480, 640, 40.0) == [640.0]  # a 40 px face is found in the whole image
    sides = tile_sides(1200, 1600, 30.0)
    assert sides[0] == 1600 and sides[-1] == 30.0 * 192 / 12  # the last level reaches 30 px
    assert all(b < a for a, b in itertools.pairwise(sides))


@given(
    st.integers(50, 3000),
    st.integers(50, 3000),
    st.floats(0.1, 1.0),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0.05, 0.5),
)
def test_tile_grid_holds_every_small_face_whole(h, w, frac, u, v, face):
    side = frac * max(h, w)
    s = face * side  # a face up to half a tile, anywhere in the image (pixel edges at +-0.5)
    x0, y0 = u * max(w - s, 0) - 0.5, v * max(h - s, 0) - 0.5
    inside = [
        (cx - side / 2 <= x0 and x0 + s <= cx + side / 2 + 1e-6) or w <= side
        for cx, cy in tile_grid(h, w, side)
        if (cy - side / 2 <= y0 and y0 + s <= cy + side / 2 + 1e-6) or h <= side
    ]
    assert any(inside)


def test_tile_border_cuts_only_inner_borders():
    boxes = np.array([[-0.1, 0.4, 0.2, 0.6], [0.4, 0.4, 0.6, 0.6]])  # crosses the left border
    inner = CropSpec(500.0, 500.0, 200.0)  # all four borders inside a 1000 x 1000 image
    edge = CropSpec(99.5, 500.0, 200.0)  # its left border is the image's
    np.testing.assert_array_equal(_cut_by_tile(boxes, inner, (1000, 1000)), [True, False])
    np.testing.assert_array_equal(_cut_by_tile(boxes, edge, (1000, 1000)), [False, False])
    # turned by 90 deg the crop's left border shows the image's bottom: inside the image here
    turned = CropSpec(99.5, 500.0, 200.0, 90.0)
    np.testing.assert_array_equal(_cut_by_tile(boxes, turned, (1000, 1000)), [True, False])


def test_low_contrast_images_are_stretched_for_the_detector():
    img = read_image(EXAMPLE)
    assert prepare_image(img) is img
    faded = (img.astype(float) * 0.15 + 100).astype(np.uint8)
    out = prepare_image(faded)
    lo, hi = np.percentile(out, [1, 99])
    assert hi - lo > LOW_CONTRAST and out.shape == img.shape and out.dtype == np.uint8


def test_a_portrait_is_answered_by_the_short_range_probe():
    img = read_image(EXAMPLE)
    fast = FaceDetector(portrait_probe=True).detect(img)
    assert len(fast) == 1 and fast[0].model == "short"  # one large face: no pyramid
    slow = FaceDetector().detect(img)
    assert len(slow) == 1 and slow[0].model == "full"
    assert np.linalg.norm(fast[0].centre - slow[0].centre) < 0.1 * slow[0].size


def test_decode_prefilter_equals_the_sigmoid_on_every_anchor():
    """decode tests only logits near the threshold: same anchors, boxes and scores as the
    sigmoid of every anchor (thresholds, logits at the boundary, NaN, extremes)."""
    rng = np.random.default_rng(3)
    anchors = ssd_anchors(192, (4,), per_layer=1)
    n = len(anchors)
    for min_score in (0.0, 1e-9, 0.1, 0.5, 0.75, 0.999, 1.0):
        logits = rng.normal(0.0, 4.0, n).astype(np.float32)
        if 0.0 < min_score < 1.0:
            edge = np.float32(np.log(min_score / (1.0 - min_score)))
            logits[:50] = np.nextafter(edge, np.float32(-np.inf)) if min_score < 0.5 else edge
            logits[50:60] = np.nextafter(edge, np.float32(np.inf))
        logits[60:65] = [np.nan, 200.0, -200.0, 40.0, 36.0]
        regs = rng.normal(0.0, 10.0, (n, 16)).astype(np.float32)
        boxes, kps, scores = decode(regs, logits, anchors, 192, min_score)
        every = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -100.0, 100.0)))
        keep = every >= min_score
        r = regs[keep] / 192.0
        a = anchors[keep]
        cx, cy, w, h = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1], r[:, 2], r[:, 3]
        want = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        np.testing.assert_array_equal(scores, every[keep])
        np.testing.assert_array_equal(boxes, want)
        np.testing.assert_array_equal(kps, r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :])
