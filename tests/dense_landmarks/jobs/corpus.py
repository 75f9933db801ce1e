"""A small image corpus for job tests: the example photo, transformed copies in nested folders,
and one corrupt file."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "astronaut.jpg"


def write_corpus(root: Path, copies: int = 1, scale: float = 1.0) -> list[str]:
    """Write the corpus under ``root``; returns the relative paths of the good images."""
    img = cv2.imread(str(EXAMPLE))
    if scale != 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    variants = {
        "orig.jpg": img,
        "flip.png": img[:, ::-1],
        "small.jpg": cv2.resize(img, (w // 2, h // 2), interpolation=cv2.INTER_AREA),
        "rot.png": cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), 15, 1.0), (w, h)),
        "gray.png": cv2.cvtColor(img, cv2.COLOR_BGR2GRAY),
        "dark.jpg": (img * 0.6).astype(np.uint8),
    }
    names = []
    for c in range(copies):
        for i, (name, pic) in enumerate(variants.items()):
            rel = Path(f"set{c}") / ("sub" if i % 2 else "") / name
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(root / rel), pic)
            names.append(rel.as_posix())
    # same stem, other suffix: must not clash with orig.jpg
    cv2.imwrite(str(root / "set0" / "orig.png"), img[: h // 2])
    names.append("set0/orig.png")
    (root / "set0" / "corrupt.jpg").write_bytes(EXAMPLE.read_bytes()[:300] + b"\0" * 50)
    return sorted(names)
