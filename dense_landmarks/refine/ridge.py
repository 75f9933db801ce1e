"""Decoding boundary heatmaps: move contour samples along their normals onto the ridge.

All arcs of all parts of all faces are decoded in one vectorised call: the heatmaps are laid
side by side in one edge-padded atlas and sampled with a single bicubic ``cv2.remap``, so the
cost hardly depends on how many arcs there are.

Coordinates here are heatmap pixels (centre of the top-left heatmap pixel at (0, 0));
:func:`to_heatmap` / :func:`from_heatmap` convert from / to crop pixels (heatmaps are half the
crop's resolution).
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

# snapping passes, by how far (heatmap pixels) each searches on either side of the current arc.
# One pass: on the held-out faces a second one (reach 1.5 along the corrected normals) moved the
# contours further from the human points (lips 2.20 -> 2.22, eyes 1.12 -> 1.15, brows 2.26 ->
# 2.35 % IOD), following the predicted ridges' noise, and costs 0.5 ms.
SNAP_REACHES = (4.0,)
STEP = 0.5  # heatmap pixels between samples along a normal
MIN_PEAK = 0.25  # ridge peaks below this do not move a point (full move from 2 x this)
_PAD = 4  # edge padding of each atlas tile: bicubic taps of clipped positions stay inside


def to_heatmap(p: np.ndarray) -> np.ndarray:
    """Crop pixels (..., 2) -> heatmap pixels (heatmaps are half resolution)."""
    return (np.asarray(p) - 0.5) / 2.0


def from_heatmap(q: np.ndarray) -> np.ndarray:
    """Heatmap pixels (..., 2) -> crop pixels."""
    return np.asarray(q) * 2.0 + 0.5


# OpenCV's remap takes source and destination images under SHRT_MAX (32767) pixels a side
REMAP_LIMIT = 32000


class MapAtlas:
    """Heatmaps laid side by side, each edge-padded, for one-call bicubic sampling.

    The tiles are split over as many atlas images as OpenCV's limits need (each under
    :data:`REMAP_LIMIT` pixels wide), so any number of faces can be sampled.

    Args:
        maps: (K, h, w) heatmaps, or a list of (K_i, h_i, w_i) groups (maps of different sizes:
            each is padded at its bottom and right with its own edge values, which is what
            replicate-border sampling reads there anyway); map k is the k-th over all groups.
        limit: widest atlas image, pixels (tests use small ones).
    """

    def __init__(self, maps: np.ndarray | list[np.ndarray], limit: int = REMAP_LIMIT):
        groups = [np.asarray(maps, dtype=np.float32)] if isinstance(maps, np.ndarray) else maps
        if not groups or any(np.ndim(g) != 3 for g in groups):
            raise ValueError("maps: expected (K, h, w) or a list of (K_i, h_i, w_i) arrays")
        self.h = max(g.shape[1] for g in groups)
        self.w = max(g.shape[2] for g in groups)
        self.tile = self.w + 2 * _PAD
        if self.tile > limit or self.h + 2 * _PAD > limit:
            raise ValueError(f"maps: {self.h} x {self.w} heatmaps exceed the remap limit {limit}")
        k = sum(len(g) for g in groups)
        # tile t of the atlas: columns t * tile ... (t + 1) * tile - 1, written in place
        rows = self.h + 2 * _PAD
        atlas = np.empty((rows, k, self.tile), np.float32)
        start = 0
        for g in groups:
            n, h, w = g.shape
            t, g = atlas[:, start : start + n], g.transpose(1, 0, 2)  # (h, n, w)
            t[_PAD : _PAD + h, :, _PAD : _PAD + w] = g
            t[_PAD : _PAD + h, :, :_PAD] = g[:, :, :1]
            t[_PAD : _PAD + h, :, _PAD + w :] = g[:, :, -1:]
            t[:_PAD] = t[_PAD : _PAD + 1]
            t[_PAD + h :] = t[_PAD + h - 1 : _PAD + h]
            start += n
        self.per_image = limit // self.tile  # tiles per atlas image
        self.limit = limit
        # each map's x offset in its atlas image (its tile's first column inside the padding)
        self.offsets = ((np.arange(k) % self.per_image) * self.tile + _PAD).astype(np.float32)
        self.images = [
            np.ascontiguousarray(atlas[:, i : i + self.per_image]).reshape(rows, -1)
            for i in range(0, k, self.per_image)
        ]

    def sample(self, index: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Bicubic values of map ``index[a]`` at positions ``xy[a]``, outside values replicated.

        Bilinear sampling would make every profile piecewise linear, with its maximum stuck on
        a grid line (up to half a heatmap pixel off); bicubic keeps the ridge smooth.

        Args:
            index: (A,) int. xy: (A, ..., 2) float (x, y) heatmap pixels.
        Returns:
            (A, ...) float32. Equal to sampling each map on its own with ``BORDER_REPLICATE``:
            positions are clipped to [-2, w + 1] x [-2, h + 1], beyond which every bicubic tap
            is the replicated edge anyway.
        """
        xy = np.asarray(xy, dtype=np.float32)
        return self.sample_xy(index, xy[..., 0], xy[..., 1])

    def sample_xy(self, index: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:meth:`sample` with the coordinates apart: ``x``, ``y`` (A, ...) float heatmap pixels
        (cast to float32, as the maps) -> (A, ...) float32."""
        index = np.asarray(index)
        shape = np.shape(x)
        n, size = len(index), math.prod(shape[1:])
        offset = self.offsets[index][:, None]
        # clipped and shifted into the atlas (fresh float32 arrays, then in place)
        mx = np.maximum(np.asarray(x, dtype=np.float32).reshape(n, size), -2.0)
        np.minimum(mx, self.w + 1.0, out=mx)
        mx += offset
        my = np.maximum(np.asarray(y, dtype=np.float32).reshape(n, size), -2.0)
        np.minimum(my, self.h + 1.0, out=my)
        my += _PAD
        if len(self.images) == 1:
            return self._remap(self.images[0], mx, my).reshape(shape)
        which = index // self.per_image
        out = np.empty(mx.shape, np.float32)
        for i in np.unique(which):
            rows = which == i
            out[rows] = self._remap(self.images[i], mx[rows], my[rows])
        return out.reshape(shape)

    def _remap(self, image: np.ndarray, mx: np.ndarray, my: np.ndarray) -> np.ndarray:
        """cv2.remap of one atlas image at (mx, my) (any shape, float32), in rows under the
        limit."""
        n = mx.size
        if n <= self.limit:  # one row (none at all: nothing to sample)
            if not n:
                return np.empty(mx.shape, np.float32)
            grid = [np.ascontiguousarray(m).reshape(1, n) for m in (mx, my)]
        else:
            cols = self.limit
            rows = -(-n // cols)
            pad = np.zeros(rows * cols - n, np.float32)
            grid = [np.concatenate([m.ravel(), pad]).reshape(rows, cols) for m in (mx, my)]
        vals = cv2.remap(image, grid[0], grid[1], cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        return vals.ravel()[:n].reshape(mx.shape)


@lru_cache(maxsize=8)
def _snap_steps(reach: float) -> np.ndarray:
    """(T,) float32 read-only: the offsets along a normal that :func:`snap_to_ridge` samples."""
    out = np.arange(-reach, reach + 1e-9, STEP).astype(np.float32)
    out.flags.writeable = False
    return out


def unit_normals(arcs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals (x, y), each (A, M) float64, of arcs (A, M >= 2, 2): the tangents by central
    differences (one-sided at the ends) turned by +90 degrees; 0 where an arc stands still."""
    d = np.empty_like(arcs)
    d[:, 1:-1] = arcs[:, 2:] - arcs[:, :-2]
    d[:, 0] = arcs[:, 1] - arcs[:, 0]
    d[:, -1] = arcs[:, -1] - arcs[:, -2]
    tx, ty = d[..., 0], d[..., 1]
    norm = np.maximum(np.sqrt(tx * tx + ty * ty), 1e-9)
    return -(ty / norm), tx / norm


def snap_to_ridge(
    arcs: np.ndarray,
    maps: np.ndarray | MapAtlas,
    index: np.ndarray | None = None,
    reach: float = SNAP_REACHES[0],
    min_peak: float = MIN_PEAK,
    smooth: np.ndarray | None = None,
) -> np.ndarray:
    """Move the interior points of arcs along their normals to the heatmap ridge, once.

    A point moves by its offset (sub-pixel: a parabola through the peak sample and its
    neighbours) times a confidence that ramps from 0 (ridge peak below ``min_peak``) to 1
    (``2 * min_peak``), so weak ridges fade in instead of switching on. (Where a profile has
    two near-equal peaks, a tiny input change can still move the chosen one.) Offsets are
    median-filtered over neighbours to drop single outliers, then, for arcs with ``smooth``
    passes, smoothed by a binomial (1, 2, 1) / 4 filter that many times (steps in the offsets
    become ramps). End points never move (and are not sampled). Each arc is decoded on its
    own: a call on some of the arcs gives their rows of the call on all.

    Args:
        arcs: (A, M, 2) float heatmap pixels, M >= 2.
        maps: (K, h, w) heatmaps, or their :class:`MapAtlas`. index: (A,) int, the map of each
            arc (default: arc a uses map a, so K == A). smooth: (A,) int smoothing passes per
            arc (default none).
    Returns:
        (A, M, 2) float64.
    """
    arcs = np.asarray(arcs, dtype=np.float64)
    if arcs.ndim != 3 or arcs.shape[2] != 2 or arcs.shape[1] < 2:
        raise ValueError(f"arcs: expected (A, M >= 2, 2), got {arcs.shape}")
    index = np.arange(len(arcs)) if index is None else np.asarray(index, dtype=np.int64)
    atlas = maps if isinstance(maps, MapAtlas) else MapAtlas(maps)
    if index.shape != (len(arcs),):
        raise ValueError(f"index: expected ({len(arcs)},), got {index.shape}")
    nx, ny = unit_normals(arcs)
    steps = _snap_steps(reach)
    # (A, M - 2, T) positions along the interior normals, float32 like the sampler's maps
    inner = arcs[:, 1:-1].astype(np.float32)
    x = inner[:, :, None, 0] + steps * nx[:, 1:-1, None].astype(np.float32)
    y = inner[:, :, None, 1] + steps * ny[:, 1:-1, None].astype(np.float32)
    vals = atlas.sample_xy(index, x, y).reshape(-1, len(steps))  # (A * (M - 2), T)
    best = vals.argmax(axis=1)
    i = np.minimum(np.maximum(best, 1), len(steps) - 2)
    flat, at = vals.ravel(), np.arange(0, vals.size, len(steps))
    peak, at = flat[at + best], at + i
    left, mid, right = flat[at - 1], flat[at], flat[at + 1]
    den = left - 2 * mid + right
    ok = np.abs(den) > 1e-9
    frac = np.where(ok, 0.5 * (left - right) / np.where(ok, den, 1.0), 0.0)
    moved = steps[i] + np.minimum(np.maximum(frac, -1.0), 1.0) * STEP
    moved *= np.minimum(np.maximum((peak - min_peak) / min_peak, 0.0), 1.0)
    offset = np.zeros(arcs.shape[:2], np.float32)  # the ends never move
    offset[:, 1:-1] = moved.reshape(len(arcs), -1)
    if offset.shape[1] >= 5:  # the ends do not vote: median of 3 neighbours, ends replicated
        offset[:, 0], offset[:, -1] = offset[:, 1], offset[:, -2]
        a, b, mid = offset[:, :-2], offset[:, 2:], offset[:, 1:-1]
        offset[:, 1:-1] = np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), mid))
        offset[:, 0] = offset[:, -1] = 0.0
    if smooth is not None and offset.shape[1] >= 3:
        _smooth_offsets(offset, np.asarray(smooth, dtype=np.int64))
    out = np.empty_like(arcs)
    out[..., 0] = arcs[..., 0] + offset * nx
    out[..., 1] = arcs[..., 1] + offset * ny
    return out


def _smooth_offsets(offset: np.ndarray, smooth: np.ndarray) -> None:
    """Binomial (1, 2, 1) / 4 passes over the interior of each row of ``offset`` (A, M), in
    place, ``smooth[a]`` times for row a; the ends (0) stay."""
    if not smooth.size:
        return
    lo, hi = int(smooth.min()), int(smooth.max())
    if hi <= 0:
        return
    whole = lo > 0  # every row smooths: no gathering
    rows = slice(None) if whole else np.flatnonzero(smooth > 0)
    o, passes = (offset, smooth) if whole else (offset[rows], smooth[rows])
    least = int(passes.min())
    for k in range(hi):
        if k < least:  # every row still smoothing
            o[:, 1:-1] = 0.25 * o[:, :-2] + 0.5 * o[:, 1:-1] + 0.25 * o[:, 2:]
            continue
        sel = passes > k
        p = o[sel]
        p[:, 1:-1] = 0.25 * p[:, :-2] + 0.5 * p[:, 1:-1] + 0.25 * p[:, 2:]
        o[sel] = p
    if not whole:
        offset[rows] = o


def decode_arcs(
    arcs: np.ndarray,
    maps: np.ndarray | MapAtlas,
    index: np.ndarray | None = None,
    reaches: tuple[float, ...] = SNAP_REACHES,
    smooth: np.ndarray | None = None,
) -> np.ndarray:
    """Initial arcs (A, M, 2) -> arcs on the ridges of ``maps`` (K, h, w), heatmap pixels.

    One snapping pass per entry of ``reaches`` (search half-widths); each later pass searches
    along the corrected normals.
    ``index`` and ``smooth`` (A,) as in :func:`snap_to_ridge`.
    """
    atlas = maps if isinstance(maps, MapAtlas) else MapAtlas(maps)
    for reach in reaches:
        arcs = snap_to_ridge(arcs, atlas, index, reach=reach, smooth=smooth)
    return arcs
