"""Pure contour geometry for dense facial landmarks (numpy, scipy, shapely; never torch).

- :mod:`curves.spline`: interpolating centripetal Catmull-Rom curves, arc-length resampling.
- :mod:`curves.batch`: many curves fitted and resampled together.
- :mod:`curves.arcs`: fixed counts per arc between corners, many groups of curves (faces) in
  one vectorised pass.
- :mod:`curves.budget`: share a point budget across parts by length.
- :mod:`curves.regions`: region polygons (lip ring, eyes, brows, nose, face) and raster masks.
- :mod:`curves.distance`: point-to-curve and curve-to-curve distances.

Points are float (N, 2) arrays of (x, y) in the caller's coordinate space (image pixels with the
centre of the top-left pixel at (0, 0) everywhere in dense-landmarks).
"""

from curves.budget import allocate, resample_parts
from curves.distance import curve_to_curve, point_to_curve
from curves.regions import REGION_PARTS, face_regions, rasterize, repair, ring_polygon
from curves.spline import Curve, fit_curve, polyline_length, resample, signed_area
from curves.validate import as_points

__all__ = [
    "REGION_PARTS",
    "Curve",
    "allocate",
    "as_points",
    "curve_to_curve",
    "face_regions",
    "fit_curve",
    "point_to_curve",
    "polyline_length",
    "rasterize",
    "repair",
    "resample",
    "resample_parts",
    "ring_polygon",
    "signed_area",
]
