"""Annotated picture of the measurements: midline, thirds, fifths, canthal lines, labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from dense_landmarks import anatomy
from dense_landmarks.face import Face

_SHIFT = 4


def _pt(p: np.ndarray) -> tuple[int, int]:
    return round(p[0] * (1 << _SHIFT)), round(p[1] * (1 << _SHIFT))


def _line(img: np.ndarray, a: np.ndarray, b: np.ndarray, colour, width: int) -> None:
    cv2.line(img, _pt(a), _pt(b), colour, width, cv2.LINE_AA, _SHIFT)


def _text(img: np.ndarray, text: str, at: np.ndarray, scale: float, colour) -> None:
    org = (int(at[0]), int(at[1]))
    th = max(1, round(scale * 2))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), th + 2, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, th, cv2.LINE_AA)


def draw_measurements(
    image: np.ndarray, faces: Sequence[Face], measurements: list[dict[str, Any]]
) -> np.ndarray:
    """Draw each face's measurements on a copy of ``image``.

    Args:
        image: (H, W, 3) uint8 RGB.
        faces: the faces measured.
        measurements: ``measure_face`` results, one per face, same order.
    Returns:
        (H, W, 3) uint8 RGB: midline (white), thirds (yellow), fifths (cyan), canthal lines
        (green) and a few values per face.
    """
    from dense_landmarks.makeup.render import face_contours

    if len(faces) != len(measurements):
        raise ValueError(f"measurements: {len(measurements)} for {len(faces)} faces")
    out = np.ascontiguousarray(np.asarray(image, dtype=np.uint8).copy())
    for face, m in zip(faces, measurements):
        c = face_contours(face)
        fr = anatomy.face_frame(c)
        iod = fr.iod
        w = max(1, round(iod / 60))
        img = fr.to_image
        f = {k: fr.to_frame(v) for k, v in c.items()}
        jaw = f["jaw"]
        x_lo, x_hi = jaw[:, 0].min(), jaw[:, 0].max()
        top = min(f["right_brow"][:, 1].min(), f["left_brow"][:, 1].min())
        bottom = jaw[:, 1].max()
        tilt = np.tan(np.radians(m["measurements"]["midline_tilt_deg"]))
        _line(
            out,
            img(np.array([tilt * top, top])),
            img(np.array([tilt * bottom, bottom])),
            (255, 255, 255),
            w,
        )
        # thirds: brow line, subnasale, menton
        brow = bottom - m["measurements"]["face_shape"]["face_height"]
        sub = brow + m["measurements"]["thirds"]["middle"]
        for y in (brow, sub, bottom):
            _line(out, img(np.array([x_lo, y])), img(np.array([x_hi, y])), (255, 220, 0), w)
        # fifths: face edges and eye corners
        x = x_lo
        for v in [0.0, *m["measurements"]["fifths"]]:
            x += v
            _line(out, img(np.array([x, top])), img(np.array([x, 0.3])), (0, 220, 255), w)
        for side in ("right", "left"):
            upper = anatomy.lids(c, side)[0]
            _line(out, upper[0], upper[-1], (0, 255, 120), w)
        scale = float(np.clip(iod / 150, 0.35, 0.8))
        mm = m["measurements"]
        lines = [
            f"symmetry {100 * mm['symmetry']['overall']:.1f}% IOD",
            f"thirds mid:low {mm['thirds']['middle_to_lower']:.2f}",
            f"lips up:low {mm['lips']['upper_to_lower_height']:.2f}",
            f"mouth/nose {mm['mouth_to_nose_width']:.2f}",
            f"canthal R {mm['canthal_tilt_deg']['right']:.1f} L {mm['canthal_tilt_deg']['left']:.1f} deg",
            f"jaw R {mm['jaw_angle_deg']['right']:.0f} L {mm['jaw_angle_deg']['left']:.0f} deg",
        ]
        font = cv2.FONT_HERSHEY_SIMPLEX
        width = max(cv2.getTextSize(t, font, scale, 1)[0][0] for t in lines) + 4
        (_, th), _ = cv2.getTextSize("Ag", font, scale, 1)
        step = th * 1.8 + 2
        corners = np.array([img(np.array([x, y])) for x in (x_lo, x_hi) for y in (top, bottom)])
        right, left = corners[:, 0].max() + 6, corners[:, 0].min() - 6 - width
        x = (
            right
            if right + width <= out.shape[1]
            else (left if left >= 0 else out.shape[1] - width)
        )
        y = float(np.clip(corners[:, 1].min(), 0, max(out.shape[0] - step * (len(lines) + 1), 0)))
        for i, t in enumerate(lines):
            _text(out, t, np.array([max(x, 0.0), y + (i + 1) * step]), scale, (255, 255, 255))
    return out
