"""Region polygons of a face (shapely) and their raster masks.

Polygons are built from dense part contours in image pixels, (x, y) with the centre of the
top-left pixel at (0, 0). Invalid rings (self-touching predictions, collapsed inner lips) are
repaired with ``shapely.make_valid`` and reduced to their polygonal parts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from curves.validate import as_points

#: Regions :func:`face_regions` builds, and the parts each needs.
REGION_PARTS: dict[str, tuple[str, ...]] = {
    "lips": ("outer_lips", "inner_lips"),
    "mouth_opening": ("inner_lips",),
    "right_eye": ("right_eye",),
    "left_eye": ("left_eye",),
    "right_brow": ("right_brow",),
    "left_brow": ("left_brow",),
    "nose": ("nose_bridge", "nose_base"),
    "face": ("jaw", "right_brow", "left_brow"),
}


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Keep only the areal parts of a geometry: a (possibly empty) Polygon or MultiPolygon."""
    if geom.is_empty:
        return Polygon()
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polys: list[Polygon] = []
    for g in getattr(geom, "geoms", []):
        part = polygonal(g)
        polys.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    polys = [p for p in polys if not p.is_empty and p.area > 0]
    if not polys:
        return Polygon()
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def repair(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Make a geometry valid and polygonal (self-intersections split, slivers dropped)."""
    return polygonal(geom if geom.is_valid else shapely.make_valid(geom))


def ring_polygon(points: np.ndarray, name: str = "points") -> Polygon | MultiPolygon:
    """Valid polygon enclosed by a closed (K, 2) outline; empty when it encloses no area."""
    pts = as_points(points, name=name, min_points=1)
    if len(pts) < 3:
        return Polygon()
    return repair(Polygon(pts))


def face_regions(contours: Mapping[str, np.ndarray]) -> dict[str, Polygon | MultiPolygon]:
    """Region polygons from part contours (scheme part names -> (n, 2) dense points).

    Regions (each built when its parts are present, see :data:`REGION_PARTS`):

    - ``lips``: outer lip outline minus the mouth opening, so teeth and tongue are never inside;
    - ``mouth_opening``: inside the inner lip outline;
    - ``right_eye`` / ``left_eye``: inside the lid outline;
    - ``right_brow`` / ``left_brow``: the brow outline;
    - ``nose``: bridge top joined to the base curve (wing to wing);
    - ``face``: convex hull of jaw and both brows.
    """
    out: dict[str, Polygon | MultiPolygon] = {}
    have = set(contours)
    for region, parts in REGION_PARTS.items():
        if not have.issuperset(parts):
            continue
        if region == "lips":
            outer = ring_polygon(contours["outer_lips"], "outer_lips")
            inner = ring_polygon(contours["inner_lips"], "inner_lips")
            out[region] = repair(outer.difference(inner))
        elif region == "nose":
            bridge = as_points(contours["nose_bridge"], "nose_bridge")
            base = as_points(contours["nose_base"], "nose_base")
            out[region] = ring_polygon(np.vstack([bridge[:1], base]), "nose")
        elif region == "face":
            pts = np.vstack([as_points(contours[p], p) for p in parts])
            out[region] = polygonal(shapely.MultiPoint(pts).convex_hull)
        else:
            out[region] = ring_polygon(contours[parts[0]], parts[0])
    return out


def rasterize(
    geom: BaseGeometry, shape: tuple[int, int], antialias: bool = False, supersample: int = 4
) -> np.ndarray:
    """Raster mask of a polygon on an image grid.

    Args:
        geom: polygonal geometry in pixel coordinates (pixel (r, c) covers x in [c-0.5, c+0.5]).
        shape: (height, width) of the mask.
        antialias: return the covered fraction of each pixel instead of a hard mask.
        supersample: sub-samples per pixel side when ``antialias`` is set.
    Returns:
        (H, W) bool mask (pixel centre inside), or (H, W) float32 coverage in [0, 1].
    """
    h, w = int(shape[0]), int(shape[1])
    if h <= 0 or w <= 0:
        raise ValueError(f"shape: expected positive (height, width), got {shape}")
    out = np.zeros((h, w), dtype=np.float32 if antialias else bool)
    geom = repair(geom)
    if geom.is_empty:
        return out
    x0, y0, x1, y1 = geom.bounds
    c0, r0 = max(int(np.floor(x0)) - 1, 0), max(int(np.floor(y0)) - 1, 0)
    c1, r1 = min(int(np.ceil(x1)) + 2, w), min(int(np.ceil(y1)) + 2, h)
    if c0 >= c1 or r0 >= r1:
        return out
    shapely.prepare(geom)
    s = supersample if antialias else 1
    offs = (np.arange(s) + 0.5) / s - 0.5
    xs = (np.arange(c0, c1)[:, None] + offs[None]).ravel()
    ys = (np.arange(r0, r1)[:, None] + offs[None]).ravel()
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(geom, gx, gy)
    if antialias:
        cov = inside.reshape(r1 - r0, s, c1 - c0, s).mean(axis=(1, 3))
        out[r0:r1, c0:c1] = cov.astype(np.float32)
    else:
        out[r0:r1, c0:c1] = inside
    return out
