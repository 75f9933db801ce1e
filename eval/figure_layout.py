"""The ``dense-1000`` index figure: ``python -m eval.figures dense-layout`` -> docs/dense_layout.png.

Points only (no photo pixels): the bundled public-domain astronaut's dense contours on a dark
canvas, every dense point a dot in its part's colour, each part's anatomical corners labelled
with their dense index, and an arrow at the start of every arc showing its direction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.draw import PART_COLOURS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"


def dense_layout_figure(
    image_path: Path = EXAMPLE, size: int = 1600, margin: int = 90
) -> np.ndarray:
    """(size, size + 520, 3) uint8 RGB index map of the ``dense-1000`` layout."""
    import cv2

    import dense_landmarks as dl
    from dense_landmarks.imageio import read_image

    face = dl.build_landmarker().detect(read_image(image_path))[0]
    dense = face.dense
    lo, hi = dense.min(0), dense.max(0)
    scale = (size - 2 * margin) / float((hi - lo).max())
    pts = (dense - lo) * scale + margin + [0, (size - 2 * margin - (hi - lo)[1] * scale) / 2]
    panel = 520  # legend on the right
    canvas = np.full((size, size + panel, 3), 24, dtype=np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for name, part in scheme.DENSE_PARTS.items():
        colour = PART_COLOURS.get(name, (255, 255, 255))
        off = scheme.DENSE_OFFSETS[name]
        for p in pts[off : off + part.count]:
            cv2.circle(canvas, tuple(np.round(p).astype(int)), 2, colour, -1, cv2.LINE_AA)
        first = off
        for arc in part.arcs:  # direction: an arrow from the arc's first point along it
            a, b = pts[first], pts[first + min(6, arc.count - 1)]
            tip = a + 28 * (b - a) / max(np.linalg.norm(b - a), 1e-9)
            cv2.arrowedLine(
                canvas,
                tuple(np.round(a).astype(int)),
                tuple(np.round(tip).astype(int)),
                (255, 255, 255),
                2,
                cv2.LINE_AA,
                tipLength=0.4,
            )
            first += arc.count
    centre = pts.mean(0)
    for i in scheme.DENSE_POINTS.values():
        p = pts[i]
        cv2.circle(canvas, tuple(np.round(p).astype(int)), 6, (255, 255, 255), 2, cv2.LINE_AA)
        away = (p - centre) / max(np.linalg.norm(p - centre), 1e-9)
        text = str(i)
        (w, h), _ = cv2.getTextSize(text, font, 0.8, 2)
        q = p + away * 34 - [w / 2, -h / 2]
        cv2.putText(
            canvas, text, tuple(np.round(q).astype(int)), font, 0.8, (255, 255, 255), 2, cv2.LINE_AA
        )
    y = 60
    for name, n in scheme.DENSE_LAYOUT.items():
        colour = PART_COLOURS.get(name, (255, 255, 255))
        first = scheme.DENSE_OFFSETS[name]
        text = f"{name} {first}-{first + n - 1} ({n})"
        cv2.putText(canvas, text, (size, y), font, 0.8, colour, 2, cv2.LINE_AA)
        y += 40
    for line in (
        "dense-1000",
        "circled: anatomical corners",
        "  (dense index)",
        "arrows: direction",
    ):
        y += 40
        cv2.putText(canvas, line, (size, y), font, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
    return canvas
