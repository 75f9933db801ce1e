"""Virtual make-up: lipstick, lip liner, eyeliner, eyeshadow, brow fill and blush from dense
contours.

    from dense_landmarks.makeup import Look, render_makeup
    out = render_makeup(image_rgb, faces, Look(lips="#b0243c", lip_finish="gloss"))
"""

from __future__ import annotations

from dense_landmarks.makeup.look import LIP_FINISHES, Look, parse_colour
from dense_landmarks.makeup.render import render_makeup

__all__ = ["LIP_FINISHES", "Look", "parse_colour", "render_makeup"]
