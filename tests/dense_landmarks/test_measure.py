"""Aesthetic measurements: invariant to image scale and in-plane rotation, near-zero asymmetry
on a mirrored (symmetric) photo, JSON-ready output and a picture."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dense_landmarks as dl
from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.face import Face
from dense_landmarks.imageio import read_image
from dense_landmarks.measure import draw_measurements, measure_contours, measure_face

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "astronaut.jpg"


@pytest.fixture(scope="module")
def lm():
    # the mirror-consistent places, as `dense-landmarks measure` runs the landmarker
    return dl.DenseLandmarker(label_offset=0.0)


@pytest.fixture(scope="module")
def astronaut(lm):
    img = read_image(EXAMPLE)
    return img, lm.detect(img)


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, list | tuple):
            out.update({f"{key}.{i}": float(x) for i, x in enumerate(v)})
        else:
            out[key] = float(v)
    return out


@settings(max_examples=15)
@given(
    st.floats(-np.pi, np.pi),
    st.floats(0.2, 5.0),
    st.floats(-500, 500),
    st.floats(-500, 500),
)
def test_invariant_to_scale_rotation_translation(astronaut, angle, scale, tx, ty):
    _, faces = astronaut
    c = faces[0].contours
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = {k: v @ rot.T + [tx, ty] for k, v in c.items()}
    a, b = flatten(measure_contours(c)), flatten(measure_contours(moved))
    for k in a:
        assert b[k] == pytest.approx(a[k], rel=1e-6, abs=1e-6), k


def test_invariant_on_a_rotated_and_scaled_image(lm, astronaut):
    """Through the whole pipeline: the photo turned by 90 degrees and halved in size."""
    import cv2

    img, faces = astronaut
    turned = np.ascontiguousarray(np.rot90(img))
    small = cv2.resize(turned, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    a = flatten(measure_face(faces[0], img.shape[:2])["measurements"])
    b = flatten(measure_face(lm.detect(small)[0], small.shape[:2])["measurements"])
    # landmarks on a re-sampled photo move a little: ratios agree within a few per cent
    for k in ("thirds.middle_to_lower", "mouth_to_nose_width", "face_shape.height_to_width"):
        assert b[k] == pytest.approx(a[k], rel=0.08), k
    for k in ("fifths.2", "mouth_width", "face_shape.face_width"):
        assert b[k] == pytest.approx(a[k], rel=0.06), k


def test_symmetric_contours_measure_symmetric(astronaut):
    """Points made exactly mirror-symmetric -> symmetry ~0, equal left/right values."""
    _, faces = astronaut
    p = faces[0].points
    width = 2 * p[:, 0].mean() + 1
    sym = (p + scheme.mirror_points(p, width)) / 2
    m = measure_contours(dense_contours(sym))
    assert m["symmetry"]["overall"] < 2e-3
    # eye corners are dense-contour samples: ~0.5 degree of sampling noise on a small eye
    assert m["canthal_tilt_deg"]["right"] == pytest.approx(m["canthal_tilt_deg"]["left"], abs=0.6)
    assert m["jaw_angle_deg"]["right"] == pytest.approx(m["jaw_angle_deg"]["left"], abs=1.0)
    assert abs(m["midline_tilt_deg"]) < 0.3


def test_mirrored_photo_is_near_symmetric(lm, astronaut):
    """Half of the photo mirrored about the face's midline: the measured asymmetry of the
    re-detected face is near zero, and well below the real photo's."""
    img, faces = astronaut
    c = faces[0].contours
    mid = round(np.mean([c["nose_bridge"][:, 0].mean(), c["nose_base"][:, 0].mean()]))
    half = img[:, : mid + 1]
    sym = np.ascontiguousarray(np.concatenate([half, half[:, -2::-1]], axis=1))
    f = lm.detect(sym)[0]
    s_sym = measure_face(f, sym.shape[:2])["measurements"]["symmetry"]["overall"]
    s_real = measure_face(faces[0], img.shape[:2])["measurements"]["symmetry"]["overall"]
    assert s_sym < 0.012, s_sym  # 1.2 % of the inter-ocular distance
    assert s_sym < 0.6 * s_real


def test_json_ready_with_mm_pose_and_note(astronaut):
    img, faces = astronaut
    m = measure_face(faces[0], img.shape[:2])
    text = json.dumps(m)  # no numpy types left
    assert "not a diagnosis" in m["note"]
    assert set(m["pose"]) == {"pitch", "yaw", "roll"}
    iod_mm = 63.0
    assert m["millimetres"]["mouth_width"] == pytest.approx(
        m["measurements"]["mouth_width"] * iod_mm
    )
    assert 0.8 < m["measurements"]["mouth_to_nose_width"] < 2.5
    assert 100 < m["measurements"]["jaw_angle_deg"]["right"] < 160
    assert len(m["measurements"]["fifths"]) == 5 and "NaN" not in text


def test_draw_measurements(astronaut):
    img, faces = astronaut
    m = [measure_face(f, img.shape[:2]) for f in faces]
    out = draw_measurements(img, faces, m)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert (out != img).any(axis=2).sum() > 500
    with pytest.raises(ValueError, match="measurements"):
        draw_measurements(img, faces, [])


def test_measure_face_without_contours(astronaut):
    img, faces = astronaut
    f = faces[0]
    bare = Face(f.box, f.score, f.points, f.pose, {})
    m = measure_face(bare, img.shape[:2])
    assert m["measurements"]["mouth_width"] > 0
