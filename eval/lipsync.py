"""Mouth opening against speech audio: the signals and measures of ``python -m eval.video``.

The mouth opening is the same measure for every system: the inner-lip ring's area over its
corner-to-corner width, over the outer-eye-corner distance
(:func:`dense_landmarks.video.lipread.mouth_opening`). The audio reference is the log RMS
envelope in a one-frame window around each video frame.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.video.lipread import mouth_opening, ring_resample

#: Lags (video frames) searched for the best correlation; positive: the video leads the audio.
LAGS = range(-3, 6)
MP_EYE_OUTER = (33, 263)  # MediaPipe mesh: subject's right / left outer eye corner
MP_INNER_CORNERS = (78, 308)
_M = scheme.MOUTH_POINTS


def roughness(x: np.ndarray) -> float:
    """Mean absolute second difference over the standard deviation of a 1-D signal."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.abs(np.diff(x, 2)).mean() / x.std())


def audio_envelope(path: Path, times: np.ndarray, fps: float) -> np.ndarray:
    """Log RMS of the audio in a one-frame window centred on each video frame time (T,)."""
    import av

    with av.open(str(path)) as c:
        st = c.streams.audio[0]
        rate = st.rate
        chunks = [
            f.to_ndarray()
            .astype(np.float64)
            .reshape(f.layout.nb_channels if f.format.is_planar else 1, -1)
            for f in c.decode(st)
        ]
    wave = np.concatenate([ch.mean(0) for ch in chunks])
    half = 0.5 / fps
    env = []
    for t in times:
        a, b = int(max(t - half, 0) * rate), int((t + half) * rate)
        seg = wave[a:b]
        env.append(np.sqrt(np.mean(seg**2)) if len(seg) else 0.0)
    env = np.asarray(env)
    return np.log(env + 1e-3 * env.max())


def lagged_correlation(video: np.ndarray, audio: np.ndarray) -> tuple[float, int]:
    """Best Pearson correlation of ``video[t]`` with ``audio[t + lag]`` over ``LAGS``."""
    best = (-np.inf, 0)
    n = len(video)
    for lag in LAGS:
        a, b = (video[: n - lag], audio[lag:]) if lag >= 0 else (video[-lag:], audio[: n + lag])
        r = float(np.corrcoef(a, b)[0, 1])
        best = max(best, (r, lag))
    return best


def _fill(x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    return np.interp(np.arange(len(x)), np.flatnonzero(ok), x[ok]) if ok.any() else x


def delay(reference: np.ndarray, signal: np.ndarray, max_lag: int = 3) -> float:
    """Frames by which ``signal`` lags ``reference`` (cross-correlation peak, parabolic
    sub-frame refinement); positive: ``signal`` is late."""
    n = len(reference)
    lags = np.arange(-max_lag, max_lag + 1)
    r = []
    for lag in lags:
        a, b = (
            (reference[: n - lag], signal[lag:])
            if lag >= 0
            else (reference[-lag:], signal[: n + lag])
        )
        r.append(np.corrcoef(a, b)[0, 1])
    k = int(np.argmax(r))
    if 0 < k < len(r) - 1:
        den = r[k - 1] - 2 * r[k] + r[k + 1]
        return float(lags[k] + (0.5 * (r[k - 1] - r[k + 1]) / den if den else 0.0))
    return float(lags[k])


def ours_opening(rows) -> np.ndarray:
    out = []
    for p, inner in rows:
        if p is None:
            out.append(np.nan)
            continue
        d = np.linalg.norm(p[_M["left_eye_outer"]] - p[_M["right_eye_outer"]])
        corners = p[[_M["inner_right_corner"], _M["inner_left_corner"]]]
        out.append(mouth_opening(ring_resample(inner, 64), corners, d))
    return _fill(np.asarray(out))


def mp_opening(points: np.ndarray, inner_ring: np.ndarray) -> np.ndarray:
    out = []
    for p in points:
        if not np.isfinite(p).all():
            out.append(np.nan)
            continue
        d = np.linalg.norm(p[MP_EYE_OUTER[1]] - p[MP_EYE_OUTER[0]])
        out.append(mouth_opening(p[inner_ring], p[list(MP_INNER_CORNERS)], d))
    return _fill(np.asarray(out))
