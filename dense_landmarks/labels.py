"""Reading labelled faces at the runtime level: COCO-style keypoint JSON.

The command line's ``contours`` command draws dense contours from such labels; the training
readers (:mod:`training.readers`) build their samples on this parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class AnnotationError(ValueError):
    """A malformed annotation file or record; the message names the file and the record."""


@dataclass(frozen=True)
class LabelledFace:
    """One annotated face.

    Attributes:
        image_path: the image file (relative names resolved against the image root).
        points: (N, 2) float64 (x, y) pixels, centre of the top-left pixel at (0, 0).
        visible: (N,) bool, False where the annotation's visibility flag is 0.
        box: (4,) float64 ``[x0, y0, x1, y1]`` from the annotation's ``bbox``, or None.
        where: the record, for error messages.
    """

    image_path: Path
    points: np.ndarray
    visible: np.ndarray
    box: np.ndarray | None
    where: str


def read_coco_faces(
    json_path: str | Path, image_root: str | Path | None = None
) -> list[LabelledFace]:
    """Faces of a COCO-style keypoint JSON (``keypoints`` as x, y, v triples; ``bbox`` as
    x, y, w, h), images relative to ``image_root`` (default: the JSON's folder).

    Raises:
        AnnotationError: unreadable JSON, missing sections, or a bad record (named).
    """
    json_path = Path(json_path)
    root = Path(image_root) if image_root is not None else json_path.parent
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnnotationError(f"{json_path}: cannot parse JSON ({exc})") from None
    try:
        images = {im["id"]: im for im in data["images"]}
        anns = data["annotations"]
    except (KeyError, TypeError):
        raise AnnotationError(f"{json_path}: needs 'images' with ids and 'annotations'") from None
    out = []
    for k, ann in enumerate(anns):
        where = f"{json_path}: annotation {k} (id {ann.get('id', '?')})"
        try:
            kp = np.asarray(ann["keypoints"], dtype=np.float64)
            image = images[ann["image_id"]]
            name = image["file_name"]
        except (KeyError, TypeError, ValueError) as exc:
            raise AnnotationError(f"{where}: bad record ({exc})") from None
        if kp.ndim != 1 or kp.size % 3 or not np.isfinite(kp).all():
            raise AnnotationError(f"{where}: keypoints must be finite x, y, v triples")
        kp = kp.reshape(-1, 3)
        box = None
        if "bbox" in ann:
            try:
                x, y, w, h = (float(v) for v in ann["bbox"])
            except (TypeError, ValueError) as exc:
                raise AnnotationError(f"{where}: bad bbox ({exc})") from None
            box = np.array([x, y, x + w, y + h])
        out.append(LabelledFace(root / name, kp[:, :2].copy(), kp[:, 2] > 0, box, where))
    return out
