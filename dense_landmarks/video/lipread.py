"""The lip-reading front end: an aligned mouth ROI, fixed-count lip contours and lip features.

Alignment follows the convention lip-reading models (AV-HuBERT, Auto-AVSR) are trained with:
a similarity of the stable points (eye corners, nose) to a reference face, smoothed over
time, then a fixed-size crop centred on the mouth. Here the reference is
:data:`dense_landmarks.video.align.STABLE_REFERENCE` scaled so the outer eye corners are
:data:`ROI_IOD` pixels apart, so every speaker's mouth has the same scale; the smoothing is a
centred Gaussian over frames (offline, no lag).
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d

from curves import signed_area
from dense_landmarks import scheme
from dense_landmarks.video import align

ROI_SIZE = 96
#: Outer-eye-corner distance in ROI pixels (mouth about 51 px wide in a 96 px crop).
ROI_IOD = 80.0
#: Points per lip ring in the lip-reading output (start: the subject's right mouth corner).
LIP_POINTS = 64
FEATURE_NAMES = (
    "mouth_width",
    "opening",
    "inner_area",
    "upper_lip_thickness",
    "lower_lip_thickness",
    "outer_height",
)
_M = scheme.MOUTH_POINTS


def iod(points106: np.ndarray) -> np.ndarray:
    """Outer-eye-corner distance (..., ) of (..., 106, 2) points."""
    p = np.asarray(points106, dtype=np.float64)
    return np.linalg.norm(
        p[..., _M["left_eye_outer"], :] - p[..., _M["right_eye_outer"], :], axis=-1
    )


def ring_resample(points: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced by arc length along a closed polyline (K, 2), from its first
    point (linear between the points: meant for dense contours). Returns (n, 2) float64."""
    p = np.asarray(points, dtype=np.float64)
    ring = np.vstack([p, p[:1]])
    s = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(ring, axis=0), axis=1))]
    if s[-1] <= 0:
        return np.repeat(p[:1], n, axis=0)
    u = np.arange(n) * (s[-1] / n)
    return np.stack([np.interp(u, s, ring[:, 0]), np.interp(u, s, ring[:, 1])], 1)


def lip_rings(
    contours: dict[str, np.ndarray], n: int = LIP_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Outer and inner lip rings resampled to ``n`` evenly spaced points each, starting at the
    subject's right mouth corner (where the scheme's lip parts start): (n, 2) float64 twice."""
    return ring_resample(contours["outer_lips"], n), ring_resample(contours["inner_lips"], n)


def mouth_opening(inner_ring: np.ndarray, corners: np.ndarray, iod_px: float) -> float:
    """Mean inner-lip opening: the inner ring's area over its corner-to-corner width, in units
    of the inter-ocular distance (0 for closed lips). ``corners``: (2, 2) pixels."""
    width = float(np.linalg.norm(corners[1] - corners[0]))
    if width <= 0 or iod_px <= 0:
        return float("nan")
    return abs(signed_area(inner_ring)) / width / iod_px


def lip_features(points106: np.ndarray, outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """(K,) float32 features named by :data:`FEATURE_NAMES`, lengths in inter-ocular distances
    (``inner_area`` in squared ones). Args: (106, 2) points, (n, 2) outer and inner rings."""
    p = np.asarray(points106, dtype=np.float64)
    d = float(iod(p))

    def dist(a: str, b: str) -> float:
        return float(np.linalg.norm(p[_M[a]] - p[_M[b]])) / d

    corners = p[[_M["inner_right_corner"], _M["inner_left_corner"]]]
    return np.array(
        [
            dist("outer_right_corner", "outer_left_corner"),
            mouth_opening(inner, corners, d),
            abs(signed_area(inner)) / d**2,
            dist("outer_upper_mid", "inner_upper_mid"),
            dist("inner_lower_mid", "outer_lower_mid"),
            dist("outer_upper_mid", "outer_lower_mid"),
        ],
        dtype=np.float32,
    )


def _fill_gaps(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Rows of (T, D) ``x`` where not ``valid``: linear between valid neighbours, held at ends."""
    idx = np.flatnonzero(valid)
    t = np.arange(len(x))
    return np.stack([np.interp(t, idx, x[idx, j]) for j in range(x.shape[1])], 1)


def roi_matrices(points106: np.ndarray, valid: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Per-frame affine maps from the frame into the :data:`ROI_SIZE` mouth crop.

    Args:
        points106: (T, 106, 2) float image pixels (anything where not ``valid``).
        valid: (T,) bool; needs at least one True (frames without a face take their
            neighbours' alignment).
        sigma: temporal smoothing (frames) of the alignment and the mouth centre.
    Returns:
        (T, 2, 3) float64 matrices for ``cv2.warpAffine``.
    """
    pts = np.asarray(points106, dtype=np.float64)
    valid = np.asarray(valid, dtype=bool)
    if not valid.any():
        raise ValueError("roi_matrices: no frame has a face")
    pts = np.where(valid[:, None, None], pts, pts[np.flatnonzero(valid)[0]])  # gaps: filled below
    m = align.face_similarity(pts)  # reference -> image
    params = align.to_params(m)
    params[:, 1] = np.unwrap(params[:, 1])
    outer = list(scheme.PARTS["outer_lips"].indices)
    centre = align.apply(align.invert(m), pts[:, outer]).mean(1)  # mouth centre, reference
    x = _fill_gaps(np.concatenate([params, centre], 1), valid)
    if sigma > 0 and len(x) > 1:
        x = gaussian_filter1d(x, sigma, axis=0, mode="nearest")
    back = align.invert(align.from_params(x[:, :4]))  # image -> reference
    k, half = ROI_IOD, (ROI_SIZE - 1) / 2.0
    to_roi = np.zeros((len(x), 2, 3))
    to_roi[:, 0, 0] = to_roi[:, 1, 1] = k
    to_roi[:, :, 2] = half - k * x[:, 4:6]
    out = np.empty_like(back)
    out[:, :, :2] = to_roi[:, :, :2] @ back[:, :, :2]
    out[:, :, 2] = np.einsum("tij,tj->ti", to_roi[:, :, :2], back[:, :, 2]) + to_roi[:, :, 2]
    return out


def crop_roi(frame_rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(ROI_SIZE, ROI_SIZE) uint8 gray mouth crop of an (H, W, 3) uint8 RGB frame."""
    gray = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2GRAY)
    return cv2.warpAffine(
        gray, matrix, (ROI_SIZE, ROI_SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
