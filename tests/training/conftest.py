"""Fixtures of the training tests."""

import numpy as np
import pytest

from dense_landmarks.imageio import read_image


@pytest.fixture(scope="module")
def tiny_labels(tmp_path_factory, lapa_samples):
    """A labels .npz over the two LaPa fixture faces (downscaled copies), 16 rows."""
    import cv2

    folder = tmp_path_factory.mktemp("tiny")
    paths, pts = [], []
    for i, s in enumerate(lapa_samples):
        img = read_image(s.image_path)
        f = 300 / max(img.shape[:2])
        small = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        p = folder / f"face{i}.png"
        cv2.imwrite(str(p), small[:, :, ::-1])
        paths.append(str(p))
        pts.append((s.points + 0.5) * f - 0.5)
    n = 16
    d = {
        "paths": np.array([paths[i % 2] for i in range(n)]),
        "photo": np.array([f"p{i}" for i in range(n)]),
        "points": np.stack([pts[i % 2] for i in range(n)]).astype(np.float32),
        "provenance": np.zeros((n, 106), np.uint8),
        "pose": np.zeros((n, 3), np.float32),
        "val": np.arange(n) >= 12,
    }
    out = folder / "labels.npz"
    np.savez(out, **d)
    return out
