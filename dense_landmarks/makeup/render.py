"""Render a :class:`~dense_landmarks.makeup.look.Look` on every face of an image.

Per face, each product's feathered mask is built on a small window (:mod:`.masks`), the face's
window is converted to CIELAB once, products are blended in order (blush, shadow, brows,
eyeliner, lipstick, liner; :mod:`.colour`), and only pixels some product touched are written
back, so everything else stays bit-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dense_landmarks import anatomy
from dense_landmarks.contours import dense_contours
from dense_landmarks.face import Face
from dense_landmarks.makeup import blush, brows, eyes, lips
from dense_landmarks.makeup.colour import colour_lab, gloss, lab_to_rgb, rgb_to_lab, tint
from dense_landmarks.makeup.look import Look
from dense_landmarks.makeup.masks import Patch

Contours = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Blend:
    """How a product's colour goes on (see :func:`.colour.tint`)."""

    lightness: float
    chroma_detail: float


BLENDS: dict[str, Blend] = {
    "lips": Blend(lightness=0.55, chroma_detail=0.35),
    "liner": Blend(lightness=0.7, chroma_detail=0.2),
    "eyeliner": Blend(lightness=0.9, chroma_detail=0.1),
    "shadow": Blend(lightness=0.45, chroma_detail=0.3),
    "brows": Blend(lightness=0.6, chroma_detail=0.3),
    "blush": Blend(lightness=0.15, chroma_detail=0.6),
}
#: L-detail contrast of the lipstick per finish (matte flattens highlights).
FINISH_CONTRAST = {"matte": 0.7, "satin": 1.0, "gloss": 1.05}


def product_masks(
    contours: Contours, look: Look, image: np.ndarray, lip_params: lips.LipParams
) -> list[tuple[str, Patch, np.ndarray]]:
    """(product, window, alpha) for every product of ``look`` on one face of ``image``
    (H, W, 3) uint8 RGB, in rendering order."""
    shape = image.shape[:2]
    fr = anatomy.face_frame(contours)
    iod = fr.iod
    per_side: dict[str, Callable[[str], tuple[Patch, np.ndarray]]] = {
        "blush": lambda s: blush.blush_alpha(contours, s, fr, shape),
        "shadow": lambda s: eyes.shadow_alpha(contours, s, fr, shape),
        "brows": lambda s: brows.brow_alpha(contours, s, fr, shape),
        "eyeliner": lambda s: eyes.eyeliner_alpha(contours, s, fr, shape, look.eyeliner_wing),
    }
    out = []
    for product in look.products:
        if product in per_side:
            out.extend((product, *per_side[product](s)) for s in eyes.SIDES)
        elif product == "lips":
            out.append((product, *lips.lips_alpha(contours, iod, image, lip_params)))
        elif product == "liner":
            out.append((product, *lips.liner_alpha(contours, iod, shape)))
    return [(p, patch, a) for p, patch, a in out if not patch.empty]


def face_contours(face: Face) -> dict[str, np.ndarray]:
    """The face's dense contours, or splines through its 106 points when it has none."""
    return dict(face.contours) if face.contours else dense_contours(face.points)


def render_face(
    image: np.ndarray, face: Face, look: Look, lip_params: lips.LipParams | None = None
) -> None:
    """Render ``look`` on one face of ``image`` (H, W, 3) uint8 RGB, in place (lip-mask
    geometry ``lip_params``, default :class:`.lips.LipParams`)."""
    lip_params = lips.LipParams() if lip_params is None else lip_params
    contours = face_contours(face)
    masks = product_masks(contours, look, image, lip_params)
    if not masks:
        return
    win = Patch(
        min(p.x0 for _, p, _ in masks),
        min(p.y0 for _, p, _ in masks),
        max(p.x1 for _, p, _ in masks),
        max(p.y1 for _, p, _ in masks),
    )
    src = image[win.slices]
    lab = rgb_to_lab(src)
    touched = np.zeros(win.shape, bool)
    sigma = 0.01 * anatomy.inter_ocular(contours)
    for product, patch, alpha in masks:
        sl = (
            slice(patch.y0 - win.y0, patch.y1 - win.y0),
            slice(patch.x0 - win.x0, patch.x1 - win.x0),
        )
        a = alpha * look.opacity(product)
        sub = lab[sl]
        b = BLENDS[product]
        contrast = FINISH_CONTRAST[look.lip_finish] if product == "lips" else 1.0
        tint(sub, a, colour_lab(look.colour(product)), b.lightness, b.chroma_detail, contrast)
        if product == "lips" and look.lip_finish == "gloss":
            gloss(sub, a, sigma)
        touched[sl] |= a > 1e-3
    rgb = lab_to_rgb(lab)
    src[touched] = rgb[touched]


def render_makeup(image: np.ndarray, faces: Sequence[Face], look: Look) -> np.ndarray:
    """Apply a make-up look to every face.

    Args:
        image: (H, W, 3) uint8 RGB.
        faces: faces of this image (e.g. ``DenseLandmarker().detect(image)``), pixels.
        look: the look.
    Returns:
        (H, W, 3) uint8 RGB, a new array; ``image`` is not modified. Pixels no product touches
        are unchanged.
    """
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"image: expected (H, W, 3) uint8 RGB, got {arr.shape} {arr.dtype}")
    out = arr.copy()
    for face in faces:
        render_face(out, face, look)
    return out
