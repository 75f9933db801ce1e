"""Synthetic test videos: the bundled astronaut photo moved by known similarities, encoded with
PyAV (H.264 + an AAC sine tone), small enough to keep each test to a few seconds."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from dense_landmarks.imageio import read_image

REPO = Path(__file__).resolve().parents[3]
ASTRONAUT = REPO / "examples" / "astronaut.jpg"
FPS = 25


def write_video(path: Path, frames: list[np.ndarray], fps: int = FPS, audio: bool = True) -> Path:
    """H.264 MP4 (moov first, so a truncated copy still decodes) with an optional 440 Hz tone."""
    import av

    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out:
        v = out.add_stream("libx264", rate=fps)
        v.height, v.width = frames[0].shape[:2]
        v.pix_fmt = "yuv420p"
        a = out.add_stream("aac", rate=16000) if audio else None
        if a is not None:
            a.layout = "mono"
        for k, f in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24")
            vf.pts = k
            out.mux(v.encode(vf))
        out.mux(v.encode(None))
        if a is not None:
            n = int(16000 * len(frames) / fps)
            tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / 16000)).astype(np.float32)
            for s in range(0, n, 1024):
                af = av.AudioFrame.from_ndarray(
                    tone[None, s : s + 1024], format="fltp", layout="mono"
                )
                af.sample_rate, af.pts, af.time_base = 16000, s, Fraction(1, 16000)
                out.mux(a.encode(af))
            out.mux(a.encode(None))
    return path


def moving_face(
    frames: int, seed: int = 0, size: int = 256
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Frames of the astronaut's face moved by a smooth known similarity (translation up to
    ~15 px, rotation up to ~8°, scale ±6 %); returns frames and (2, 3) maps from frame 0's
    coordinates into each frame."""
    img = read_image(ASTRONAUT)[0:size, 96 : 96 + size]  # face centre near (128, 128)
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, 4)
    out, mats = [], []
    for k in range(frames):
        u = k / max(frames - 1, 1)
        tx, ty = 15 * np.sin(2 * np.pi * u + phase[0]), 10 * np.sin(2 * np.pi * u + phase[1])
        ang, sc = 8 * np.sin(2 * np.pi * u + phase[2]), 1 + 0.06 * np.sin(2 * np.pi * u + phase[3])
        m = cv2.getRotationMatrix2D((size / 2, size / 2), ang, sc)
        m[:, 2] += (tx, ty)
        mats.append(m)
        out.append(cv2.warpAffine(img, m, (size, size), borderMode=cv2.BORDER_REFLECT))
    m0 = np.vstack([mats[0], [0, 0, 1]])
    rel = [(np.vstack([m, [0, 0, 1]]) @ np.linalg.inv(m0))[:2] for m in mats]
    return out, rel
