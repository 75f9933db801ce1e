"""Evaluation data: labelled faces from a folder of images + ``.pts`` files, or COCO JSON.

Every face becomes an :class:`EvalFace` with 68 iBUG points (the 106 and 98 schemes are
reduced to their 68 subsets) in 0-based pixels of its image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from training.labels.prepare import is_val, photo_id
from training.readers import read_coco_keypoints, read_pts_folder

# WFLW-98 -> iBUG-68 (the standard conversion used by WFLW evaluations)
WFLW98_TO_68 = np.array(
    [
        *range(0, 33, 2),
        *range(33, 38),
        *range(42, 47),
        *range(51, 60),
        60,
        61,
        63,
        64,
        65,
        67,
        68,
        69,
        71,
        72,
        73,
        75,
        *range(76, 96),
    ]
)


@dataclass
class EvalFace:
    image: Path
    points68: np.ndarray  # (68, 2) float64


def load_faces(data: str | Path, split: str = "all", limit: int | None = None) -> list[EvalFace]:
    """Faces of a folder (recursive ``*.pts`` beside images) or a COCO-style JSON file.

    ``split`` (folders only): ``"val"`` keeps the photos of the training code's held-out split,
    ``"train"`` the others, ``"all"`` everything.
    """
    path = Path(data)
    faces: list[EvalFace] = []
    if path.is_dir():
        for s in read_pts_folder(path):
            held_out = is_val(photo_id(s.image_path))
            if split == "all" or (split == "val") == held_out:
                faces.append(EvalFace(s.image_path, s.points))
    else:
        import json

        first = json.loads(path.read_text(encoding="utf-8"))["annotations"][0]
        n = len(first["keypoints"]) // 3
        name = {68: "ibug68", 98: "wflw98", 106: "jd106"}[n]
        for s in read_coco_keypoints(path, name):
            p = s.points
            p68 = scheme.to_68(p) if n == 106 else (p[WFLW98_TO_68] if n == 98 else p)
            faces.append(EvalFace(s.image_path, p68))
    return faces[:limit]
