"""Landmark-guided warps: dense contours move as a :class:`WarpSpec` asks, the image follows by
moving-least-squares, smoothly, and nothing changes far from the face.

Handles are the face's dense contours, resampled to a fixed number of points per part (so the
warp does not depend on the contour density): the parts the spec moves go to their new places,
the others stay as anchors, as does a ring of anchors around the face. The backward map (output
pixel -> source pixel) is evaluated on a coarse grid over a window around the face, its
displacement faded to zero at the window's border (so pixels outside it are untouched), upsampled
to every pixel and applied with ``cv2.remap``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from dense_landmarks import anatomy
from dense_landmarks.face import Face
from dense_landmarks.makeup.masks import Patch
from dense_landmarks.measure.compute import MM_PER_IOD
from dense_landmarks.warp.mls import mls_affine
from dense_landmarks.warp.spec import WarpSpec

HANDLES_PER_PART = 48
#: Window margin around the contours and the anchor ring's place in it, in face sizes.
MARGIN, RING = 0.5, 0.35
#: Coarse grid: cells per inter-ocular distance (cells of at least 1 px; MIN_CELLS to
#: MAX_CELLS along the window's longer side).
CELLS_PER_IOD, MIN_CELLS, MAX_CELLS = 40, 48, 256
#: Small MLS steps composed into the map.
STEPS = 6


def iod_of(contours: Mapping[str, np.ndarray]) -> float:
    return anatomy.inter_ocular(contours)


def _scale_about(points: np.ndarray, centre: np.ndarray, s: float) -> np.ndarray:
    return centre + (points - centre) * s


def moved_contours(contours: Mapping[str, np.ndarray], spec: WarpSpec) -> dict[str, np.ndarray]:
    """Where each part's contour goes under ``spec`` (pixels); parts not moved are copied."""
    c = {k: anatomy.as_xy(v, k) for k, v in contours.items()}
    out = {k: v.copy() for k, v in c.items()}
    fr = anatomy.face_frame(c)
    iod = fr.iod
    if spec.lips != 1.0:
        centre = anatomy.centroid(c["outer_lips"])
        for part in ("outer_lips", "inner_lips"):
            out[part] = _scale_about(c[part], centre, spec.lips)
    if spec.eyes != 1.0:
        for part in ("right_eye", "left_eye"):
            out[part] = _scale_about(c[part], anatomy.centroid(c[part]), spec.eyes)
    if spec.brow_lift != 0.0:
        lift = -fr.ey * (spec.brow_lift / MM_PER_IOD) * iod
        for part in ("right_brow", "left_brow"):
            out[part] = c[part] + lift
    if spec.nose_width != 1.0:
        base = fr.to_frame(c["nose_base"])
        mid = 0.5 * (base[:, 0].min() + base[:, 0].max())
        x = mid + (base[:, 0] - mid) * spec.nose_width
        out["nose_base"] = fr.to_image(np.stack([x, base[:, 1]], 1))
    if spec.jaw != 1.0:
        jaw = fr.to_frame(c["jaw"])
        mouth_y = fr.to_frame(c["outer_lips"])[:, 1].mean()
        t = np.clip(jaw[:, 1] / max(mouth_y, 1e-6), 0.0, 1.0)
        weight = t * t * (3 - 2 * t)  # none at eye level, full from the mouth down
        mid = fr.to_frame(c["nose_bridge"])[:, 0].mean()
        x = mid + (jaw[:, 0] - mid) * (1 + (spec.jaw - 1) * weight)
        out["jaw"] = fr.to_image(np.stack([x, jaw[:, 1]], 1))
    return out


def _handles(contours: Mapping[str, np.ndarray], moved: Mapping[str, np.ndarray]) -> tuple:
    """(src, dst) handles, HANDLES_PER_PART per part, matched by arc length along the source."""
    src, dst = [], []
    for part, a in contours.items():
        a = np.asarray(a, np.float64)
        b = np.asarray(moved[part], np.float64)
        s = anatomy.arc_length(a)
        t = np.linspace(0, s[-1], HANDLES_PER_PART)
        idx = np.clip(np.searchsorted(s, t), 0, len(a) - 1)
        src.append(a[idx])
        dst.append(b[idx])
    return np.vstack(src), np.vstack(dst)


def warp_field(
    contours: Mapping[str, np.ndarray], spec: WarpSpec, shape: tuple[int, int]
) -> tuple[Patch, np.ndarray]:
    """Backward map of one face's warp on a window around it.

    Args:
        contours: the face's dense contours, pixels.
        spec: the warp.
        shape: (height, width) of the image.
    Returns:
        (patch, map): the window and (h, w, 2) float32 source pixel (x, y) of every output
        pixel of the window (the identity outside the window).
    """
    c = {k: anatomy.as_xy(v, k) for k, v in contours.items()}
    moved = moved_contours(c, spec)
    src, dst = _handles(c, moved)
    allpts = np.vstack(list(c.values()))
    size = float(np.max(np.ptp(allpts, axis=0)))
    centre = (allpts.min(0) + allpts.max(0)) / 2
    half = np.ptp(allpts, axis=0) / 2 + MARGIN * size
    patch = Patch.around(np.array([centre - half, centre + half]), 0.0, shape)
    # anchor ring: an ellipse between the contours and the window border
    ang = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ring = centre + np.stack([np.cos(ang), np.sin(ang)], 1) * (half - (MARGIN - RING) * size)
    h, w = patch.shape
    longest = max(h, w)
    cell = float(np.clip(iod_of(c) / CELLS_PER_IOD, 1.0, longest / MIN_CELLS))
    cell = max(cell, longest / MAX_CELLS)
    gw, gh = max(2, int(np.ceil(w / cell))), max(2, int(np.ceil(h / cell)))
    xs = (np.arange(gw) + 0.5) * w / gw - 0.5 + patch.x0
    ys = (np.arange(gh) + 0.5) * h / gh - 0.5 + patch.y0
    gx, gy = np.meshgrid(xs, ys)
    v = np.stack([gx.ravel(), gy.ravel()], 1)
    # the backward map as a composition of STEPS small MLS maps, handles moving 1/STEPS of the
    # way each time: each step's Jacobian stays near the identity, so their product cannot fold
    x = v
    for k in range(STEPS, 0, -1):
        at_k = src + (dst - src) * (k / STEPS)
        at_prev = src + (dst - src) * ((k - 1) / STEPS)
        x = mls_affine(x, np.vstack([at_k, ring]), np.vstack([at_prev, ring]))
    disp = (x - v).reshape(gh, gw, 2)
    full = cv2.resize(disp.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    # fade to zero outside the anchor ring (elliptical radius r: ring at r_ring, border r >= 1)
    yy, xx = np.mgrid[patch.y0 : patch.y1, patch.x0 : patch.x1].astype(np.float32)
    r = np.hypot((xx - centre[0]) / half[0], (yy - centre[1]) / half[1])
    r_ring = 1 - (MARGIN - RING) * size / np.maximum(half, 1e-6).min()
    t = np.clip((1.0 - r) / max(1.0 - r_ring, 1e-6), 0.0, 1.0)
    full *= (t * t * (3 - 2 * t))[..., None]
    return patch, np.dstack([xx + full[..., 0], yy + full[..., 1]])


def warp_faces(image: np.ndarray, faces: Sequence[Face], spec: WarpSpec) -> np.ndarray:
    """Warp every face of an image.

    Args:
        image: (H, W, 3) uint8 RGB.
        faces: faces of this image, pixels.
        spec: the warp.
    Returns:
        (H, W, 3) uint8 RGB, a new array; ``image`` is not modified; pixels away from the faces
        are unchanged.
    """
    from dense_landmarks.makeup.render import face_contours

    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"image: expected (H, W, 3) uint8 RGB, got {arr.shape} {arr.dtype}")
    out = arr.copy()
    if spec.identity:
        return out
    for face in faces:
        patch, m = warp_field(face_contours(face), spec, arr.shape[:2])
        if patch.empty:
            continue
        src = out.copy()
        out[patch.slices] = cv2.remap(
            src, m[..., 0], m[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
    return out


def jacobian_det(m: np.ndarray) -> np.ndarray:
    """(h-2, w-2) determinant of the Jacobian of a (h, w, 2) map by central differences."""
    dx = (m[1:-1, 2:] - m[1:-1, :-2]) / 2
    dy = (m[2:, 1:-1] - m[:-2, 1:-1]) / 2
    return dx[..., 0] * dy[..., 1] - dx[..., 1] * dy[..., 0]
