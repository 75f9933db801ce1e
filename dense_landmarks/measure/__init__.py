"""Aesthetic measurements (facial thirds and fifths, symmetry, lip ratio, canthal tilt, brow
arch, jaw angle, face shape) from dense contours, and their annotated picture.

    from dense_landmarks.measure import measure_face, draw_measurements
    m = [measure_face(f, image.shape[:2]) for f in faces]
    picture = draw_measurements(image, faces, m)

Previews, not a diagnosis: see :data:`dense_landmarks.measure.compute.NOTE`.
"""

from __future__ import annotations

from dense_landmarks.measure.compute import MM_PER_IOD, NOTE, measure_contours, measure_face
from dense_landmarks.measure.draw import draw_measurements

__all__ = ["MM_PER_IOD", "NOTE", "draw_measurements", "measure_contours", "measure_face"]
