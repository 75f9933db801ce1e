"""Landmark-guided warps (lips, nose width, jaw, brow lift, eyes) by moving least squares.

from dense_landmarks.warp import WarpSpec, warp_faces
out = warp_faces(image_rgb, faces, WarpSpec(lips=1.15, nose_width=0.9))
"""

from __future__ import annotations

from dense_landmarks.warp.field import jacobian_det, moved_contours, warp_faces, warp_field
from dense_landmarks.warp.spec import LIMITS, WarpSpec

__all__ = ["LIMITS", "WarpSpec", "jacobian_det", "moved_contours", "warp_faces", "warp_field"]
