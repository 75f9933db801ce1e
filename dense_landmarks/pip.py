"""Decoding of pixel-in-pixel (PIP) landmark heads, numpy only (no torch at inference).

A PIP head (:mod:`dense_landmarks.models.pipnet`) predicts, on a G x G grid of cells (cell side
``stride`` crop pixels), for every landmark ``i``:

- ``scores`` (B, P, G, G): logits of "landmark i lies in this cell";
- ``offsets`` (B, P, 2, G, G): the landmark's (x, y) position inside the cell, in cell units;
- ``neighbours`` (B, P, K, 2, G, G): the (x, y) positions of the landmark's K neighbours
  (``table[i]``), relative to the same cell, in cell units.

Grid coordinates: ``u = (p + 0.5) / stride`` for a crop pixel coordinate ``p`` (pixel centres
at integers, so the crop spans ``[-0.5, S - 0.5]`` and ``u`` spans ``[0, G]``); cell ``c`` holds
``floor(u) == c``. Decoding takes each landmark's best cell, reads its own offset there and
the offsets its neighbours predicted for it from *their* best cells, and averages them
(PIPNet's neighbour regression): a landmark on a weak edge borrows the positions of sure ones.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

FACE3D = Path(__file__).resolve().parent / "weights" / "face3d_106.npy"


def neighbour_table(k: int, mean_face: np.ndarray | None = None) -> tuple[tuple[int, ...], ...]:
    """The ``k`` nearest other landmarks of each landmark on a frontal mean face.

    Args:
        k: neighbours per landmark (0: none).
        mean_face: (P, 2+) mean landmark positions; default the bundled canonical 3D face
            (x, y of ``face3d_106.npy``).
    Returns:
        P tuples of ``k`` landmark indices, nearest first.
    """
    pts = np.load(FACE3D) if mean_face is None else np.asarray(mean_face, dtype=np.float64)
    xy = pts[:, :2].astype(np.float64)
    if not 0 <= k < len(xy):
        raise ValueError(f"k: expected 0..{len(xy) - 1}, got {k}")
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return tuple(tuple(int(j) for j in row) for row in order)


@lru_cache(maxsize=8)
def _inverse(table: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(landmark j, slot k, target i) for every neighbour prediction j -> i."""
    src, slot, dst = [], [], []
    for j, row in enumerate(table):
        for k, i in enumerate(row):
            src.append(j)
            slot.append(k)
            dst.append(i)
    return np.array(src, int), np.array(slot, int), np.array(dst, int)


def decode_pip(
    scores: np.ndarray,
    offsets: np.ndarray,
    neighbours: np.ndarray | None,
    stride: int,
    table: tuple[tuple[int, ...], ...] = (),
) -> np.ndarray:
    """Landmarks from PIP head outputs.

    Args:
        scores: (B, P, G, G) float cell logits. offsets: (B, P, 2, G, G) float cell units.
        neighbours: (B, P, K, 2, G, G) float cell units, or None / K = 0 for no neighbour
            regression. stride: crop pixels per cell. table: P tuples of K neighbour indices
            (see :func:`neighbour_table`); ignored when there are no neighbours.
    Returns:
        (B, P, 2) float64 (x, y) crop pixels.
    """
    scores = np.asarray(scores)
    b, p, gh, gw = scores.shape
    if offsets.shape != (b, p, 2, gh, gw):
        raise ValueError(f"offsets {offsets.shape}: expected {(b, p, 2, gh, gw)}")
    best = scores.reshape(b, p, gh * gw).argmax(2)  # (B, P)
    cy, cx = np.divmod(best, gw)
    cell = np.stack([cx, cy], axis=2).astype(np.float64)  # (B, P, 2)
    bi, pi = np.meshgrid(np.arange(b), np.arange(p), indexing="ij")
    own = cell + offsets.reshape(b, p, 2, gh * gw)[bi, pi, :, best]  # (B, P, 2)
    total, count = own.copy(), np.ones((b, p, 1))
    k = 0 if neighbours is None else neighbours.shape[2]
    if k:
        if neighbours.shape != (b, p, k, 2, gh, gw) or len(table) != p:
            raise ValueError(
                f"neighbours {neighbours.shape} / table of {len(table)}: expected "
                f"{(b, p, k, 2, gh, gw)} and {p} rows"
            )
        src, slot, dst = _inverse(tuple(tuple(r) for r in table))
        flat = neighbours.reshape(b, p, k, 2, gh * gw)
        best_src = best[:, src]  # (B, E)
        bb = np.arange(b)[:, None]
        est = cell[:, src] + flat[bb, src[None], slot[None], :, best_src]  # (B, E, 2)
        np.add.at(total, (slice(None), dst), est)
        np.add.at(count, (slice(None), dst), 1.0)
    u = total / count
    return u * stride - 0.5


def pip_targets(
    points: np.ndarray, stride: int, grid: int, table: tuple[tuple[int, ...], ...] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training targets for crop-pixel points (the inverse of :func:`decode_pip`).

    Args:
        points: (B, P, 2) float crop pixels. stride, grid: the head's cell side and grid size.
        table: P tuples of K neighbour indices.
    Returns:
        cells (B, P) int flat cell index (clipped into the grid), offsets (B, P, 2) and
        neighbour offsets (B, P, K, 2) in cell units, relative to each landmark's cell.
    """
    u = (np.asarray(points, dtype=np.float64) + 0.5) / stride
    c = np.clip(np.floor(u), 0, grid - 1)
    cells = (c[..., 1] * grid + c[..., 0]).astype(np.int64)
    off = u - c
    if table:
        nb = u[:, np.array(table)] - c[:, :, None]  # (B, P, K, 2)
    else:
        nb = np.zeros((*u.shape[:2], 0, 2))
    return cells, off, nb


def pip_decoder(meta: dict):
    """The decoder of a bundled PIP model from its weights metadata (``config.stride``,
    ``config.neighbour_table``): a callable (scores, offsets, neighbours) -> (B, P, 2) crop
    pixels."""
    cfg = meta["config"]
    stride = int(cfg["stride"])
    table = tuple(tuple(int(j) for j in row) for row in cfg["neighbour_table"])

    def decode(scores: np.ndarray, offsets: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
        return decode_pip(scores, offsets, neighbours, stride, table)

    return decode
