"""Aesthetic measurements of one face from its dense contours.

All lengths are measured in the face frame (origin between the eye centres, x towards the
subject's left eye, y down the face; :func:`dense_landmarks.anatomy.face_frame`) and divided by
the inter-ocular distance (IOD, between the eye-outline centroids), so every value is invariant
to image scale and in-plane rotation. Millimetres assume the IOD equals the mean adult
interpupillary distance, :data:`MM_PER_IOD` (63 mm). Angles are in degrees.

These are previews for a visual consultation, not a diagnosis: 2D landmarks on one photo, with
the head pose reported so out-of-plane turns can be judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from curves.distance import point_to_curve
from dense_landmarks import anatomy
from dense_landmarks.face import POSE_KEYS, Face

MM_PER_IOD = 63.0
NOTE = (
    "Preview measurements from 2D landmarks on one photo, not a diagnosis. Lengths in "
    "inter-ocular units (IOD, distance between the eye centres) and in millimetres assuming "
    f"IOD = {MM_PER_IOD:g} mm (mean adult interpupillary distance). Turned heads (see pose) "
    "foreshorten widths and bias the symmetry."
)
#: Subject-right part -> its mirror on the left (parts that are their own mirror map to None).
MIRROR_PARTS = {
    "right_eye": "left_eye",
    "right_brow": "left_brow",
    "jaw": None,
    "nose_base": None,
    "outer_lips": None,
}


def _angle(v: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(v[1], v[0])))


def _midline(f: Mapping[str, np.ndarray]) -> tuple[float, float]:
    """Least-squares midline ``x = c0 + c1 * y`` (face frame) through the eye midpoint, the nose
    bridge, the midpoints of the nose wings, the mouth corners and the chin."""
    pts = [np.zeros(2), *f["nose_bridge"]]
    for part in ("nose_base", "outer_lips"):
        p = f[part]
        pts.append((p[np.argmin(p[:, 0])] + p[np.argmax(p[:, 0])]) / 2)
    pts.append(_chin(f["jaw"]))
    p = np.array(pts)
    c1, c0 = np.polyfit(p[:, 1], p[:, 0], 1)
    return float(c0), float(c1)


def _chin(jaw: np.ndarray, tol: float = 0.005) -> np.ndarray:
    """The chin's lowest point (face frame): the mean of the jaw points within ``tol`` x the
    jaw's width of the lowest, so a flat or two-lobed chin gives its middle, not one lobe."""
    low = jaw[:, 1] >= jaw[:, 1].max() - tol * max(float(np.ptp(jaw[:, 0])), 1e-9)
    return jaw[low].mean(axis=0)


def _reflect(p: np.ndarray, c0: float, c1: float) -> np.ndarray:
    """Mirror frame points about the line x = c0 + c1 y."""
    d = np.array([c1, 1.0]) / np.hypot(c1, 1.0)  # line direction
    base = np.array([c0, 0.0])
    q = p - base
    along = (q @ d)[:, None] * d
    return base + 2 * along - q


def _symmetry(f: Mapping[str, np.ndarray], c0: float, c1: float) -> dict[str, float]:
    """Mean distance (IOD) between each part's contour mirrored about the midline and its
    counterpart (itself for the midline parts), symmetric over both directions."""
    out = {}
    for part, twin in MIRROR_PARTS.items():
        a = f[part]
        b = f[twin] if twin else a
        closed = part != "jaw" and part != "nose_base"
        ma, mb = _reflect(a, c0, c1), _reflect(b, c0, c1)
        d = 0.5 * (point_to_curve(ma, b, closed).mean() + point_to_curve(mb, a, closed).mean())
        out[part.replace("right_", "")] = float(d)
    out["overall"] = float(np.mean(list(out.values())))
    return out


def _ends(polyline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return polyline[0], polyline[-1]


def _gonion(jaw: np.ndarray, side: str) -> tuple[np.ndarray, float]:
    """The gonion (the jaw point of one side farthest from its ear-chin chord) and the jaw
    angle there, degrees."""
    chin = int(np.argmin(np.linalg.norm(jaw - _chin(jaw), axis=1)))
    half = jaw[: chin + 1] if side == "right" else jaw[chin:][::-1]
    ear, tip = half[0], half[-1]
    chord = (tip - ear) / max(np.linalg.norm(tip - ear), 1e-9)
    off = np.abs((half - ear) @ np.array([-chord[1], chord[0]]))
    g = half[int(np.argmax(off))]
    u, v = ear - g, tip - g
    cos = u @ v / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-9)
    return g, float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def _lip_heights(f: Mapping[str, np.ndarray]) -> tuple[float, float, float, float]:
    """(upper area, lower area, upper height, lower height) of the lips, IOD units."""
    ou, ol = anatomy.lip_halves(f, "outer_lips")
    iu, il = anatomy.lip_halves(f, "inner_lips")
    up = anatomy.polygon_area(np.vstack([ou, iu[::-1]]))
    lo = anatomy.polygon_area(np.vstack([ol, il[::-1]]))

    def at_mid(curve: np.ndarray) -> float:
        order = np.argsort(curve[:, 0])
        return float(np.interp(0.0, curve[order, 0], curve[order, 1]))

    mid_x = (ou[0, 0] + ou[-1, 0]) / 2
    shifted = {k: v - [mid_x, 0] for k, v in (("ou", ou), ("ol", ol), ("iu", iu), ("il", il))}
    h_up = at_mid(shifted["iu"]) - at_mid(shifted["ou"])
    h_lo = at_mid(shifted["ol"]) - at_mid(shifted["il"])
    return up, lo, h_up, h_lo


def measure_contours(contours: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Measurements from dense contours (all scheme parts), values in IOD units and degrees."""
    c = anatomy.require(
        contours, *MIRROR_PARTS, "left_eye", "left_brow", "nose_bridge", "inner_lips"
    )
    fr = anatomy.face_frame(c)
    f = {k: fr.to_frame(v) for k, v in c.items()}
    c0, c1 = _midline(f)
    jaw = f["jaw"]
    menton = _chin(jaw)
    base = f["nose_base"]
    subnasale = base[np.argmin(np.abs(base[:, 0] - (c0 + c1 * base[:, 1])))]
    brow_line = float(
        np.mean([fr.to_frame(anatomy.brow_edges(c, s)[0][0])[1] for s in ("right", "left")])
    )
    ou, _ = anatomy.lip_halves(f, "outer_lips")
    stomion = float(np.mean(anatomy.centroid(f["inner_lips"])[1]))
    middle, lower = float(subnasale[1] - brow_line), float(menton[1] - subnasale[1])

    lids = {s: anatomy.lids(f, s)[0] for s in ("right", "left")}
    (r_in, r_out), (l_in, l_out) = _ends(lids["right"]), _ends(lids["left"])
    face_l, face_r = float(jaw[:, 0].min()), float(jaw[:, 0].max())
    fifths = [
        r_out[0] - face_l,
        r_in[0] - r_out[0],
        l_in[0] - r_in[0],
        l_out[0] - l_in[0],
        face_r - l_out[0],
    ]

    # canthal tilt: positive when the outer corner sits higher than the inner one
    tilt = {"right": _angle((r_out - r_in) * [-1, -1]), "left": _angle((l_out - l_in) * [1, -1])}
    arch = {}
    for s in ("right", "left"):
        upper = fr.to_frame(anatomy.brow_edges(c, s)[0])
        a, b = _ends(upper)
        n = np.array([-(b - a)[1], (b - a)[0]]) / max(np.linalg.norm(b - a), 1e-9)
        arch[s] = float(np.max(np.abs((upper - a) @ n)))
    up_area, lo_area, h_up, h_lo = _lip_heights(f)
    mouth_w = float(np.linalg.norm(ou[-1] - ou[0]))
    nose_w = float(np.ptp(base[:, 0]))
    face_w = face_r - face_l
    gonia = {s: _gonion(jaw, s) for s in ("right", "left")}
    gon = float(np.linalg.norm(gonia["left"][0] - gonia["right"][0]))
    return {
        "thirds": {
            "middle": middle,
            "lower": lower,
            "middle_to_lower": middle / max(lower, 1e-9),
            "upper_lip_to_chin": (float(stomion - subnasale[1]), float(menton[1] - stomion)),
        },
        "fifths": [float(v) for v in fifths],
        "symmetry": _symmetry(f, c0, c1),
        "midline_tilt_deg": float(np.degrees(np.arctan(c1))),
        "lips": {
            "upper_to_lower_area": up_area / max(lo_area, 1e-9),
            "upper_height": h_up,
            "lower_height": h_lo,
            "upper_to_lower_height": h_up / max(h_lo, 1e-9),
        },
        "mouth_to_nose_width": mouth_w / max(nose_w, 1e-9),
        "mouth_width": mouth_w,
        "nose_width": nose_w,
        "canthal_tilt_deg": tilt,
        "brow_arch_height": arch,
        "jaw_angle_deg": {s: gonia[s][1] for s in ("right", "left")},
        "face_shape": {
            "height_to_width": float(menton[1] - brow_line) / max(face_w, 1e-9),
            "jaw_to_face_width": gon / max(face_w, 1e-9),
            "face_width": face_w,
            "face_height": float(menton[1] - brow_line),
        },
    }


#: Keys whose values are lengths in IOD units (the rest are ratios or angles).
LENGTH_KEYS = (
    "thirds.middle",
    "thirds.lower",
    "thirds.upper_lip_to_chin",
    "fifths",
    "symmetry",
    "lips.upper_height",
    "lips.lower_height",
    "mouth_width",
    "nose_width",
    "brow_arch_height",
    "face_shape.face_width",
    "face_shape.face_height",
)


def _to_mm(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _to_mm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_mm(v) for v in value]
    return float(value) * MM_PER_IOD


def _get(d: dict, key: str) -> Any:
    for k in key.split("."):
        d = d[k]
    return d


def measure_face(face: Face, image_shape: tuple[int, int]) -> dict[str, Any]:
    """JSON-ready measurements of one face.

    Args:
        face: a detected face (its dense contours; splines through its 106 points if none),
            best from a landmarker with ``label_offset=0`` (the mirror-consistent places, as
            ``dense-landmarks measure`` runs it: :mod:`dense_landmarks.convention`), so that a
            symmetric face measures symmetric.
        image_shape: (height, width) of its image, reported with the face's scale.
    Returns:
        dict: ``iod_px`` (pixels), ``measurements`` (IOD units, ratios, degrees),
        ``millimetres`` (the length measurements in mm under :data:`MM_PER_IOD`), ``pose``
        (pitch, yaw, roll degrees or None), ``assumption`` and ``note`` strings.
    """
    from dense_landmarks.makeup.render import face_contours

    contours = face_contours(face)
    m = measure_contours(contours)
    mm = {}
    for key in LENGTH_KEYS:
        mm[key] = _to_mm(_get(m, key))
    h, w = int(image_shape[0]), int(image_shape[1])
    return {
        "image_size": [w, h],
        "iod_px": anatomy.inter_ocular(contours),
        "measurements": _jsonable(m),
        "millimetres": _jsonable(mm),
        "pose": {k: (float(v) if np.isfinite(v) else None) for k, v in zip(POSE_KEYS, face.pose)},
        "assumption": f"IOD = {MM_PER_IOD:g} mm",
        "note": NOTE,
    }


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return float(v)
