"""Two-sided smoothing for whole video files: a backward One-Euro pass over the tracker's
(forward, online) output, in the same face-normalised frame, so the result has (nearly) no
phase lag. Used by the file jobs; a live source (webcam) keeps the online output.
"""

from __future__ import annotations

import numpy as np

from dense_landmarks.video import align
from dense_landmarks.video.one_euro import OneEuroFilter, OneEuroParams


def _runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of consecutive True."""
    v = np.r_[False, valid.astype(bool), False]
    d = np.flatnonzero(np.diff(v.astype(np.int8)))
    return list(zip(d[::2], d[1::2]))


def backward_smooth(
    points: np.ndarray,
    valid: np.ndarray,
    times: np.ndarray,
    frame_indices: list[int],
    params: OneEuroParams,
) -> np.ndarray:
    """Smooth a face's point sequence backward in time, in its face frame.

    Args:
        points: (T, N, 2) float image pixels of one face (its 106 points and any contour
            points stacked; NaN or anything where not ``valid``).
        valid: (T,) bool. times: (T,) seconds, increasing.
        frame_indices: rows of ``points`` that fit the face frame (rigid parts).
        params: the shape filter's :class:`OneEuroParams` (units: the face's RMS radius).
    Returns:
        (T, N, 2) float64; rows where not ``valid`` are returned unchanged. Each run of
        consecutive valid frames is smoothed on its own.
    """
    pts = np.array(points, dtype=np.float64, copy=True)
    times = np.asarray(times, dtype=np.float64)
    idx = list(frame_indices)
    for a, b in _runs(np.asarray(valid)):
        seg = pts[a:b]
        c = seg[0, idx].mean(0)
        ref = (seg[0] - c) / np.sqrt(((seg[0, idx] - c) ** 2).sum(-1).mean())
        m = align.fit_similarity(np.broadcast_to(ref[idx], seg[:, idx].shape), seg[:, idx])
        local = align.apply(align.invert(m), seg)
        f = OneEuroFilter(params, norm_axis=-1)
        end = times[b - 1]
        for k in range(b - a - 1, -1, -1):
            local[k] = f(local[k], end - times[a + k])
        pts[a:b] = align.apply(m, local)
    return pts
