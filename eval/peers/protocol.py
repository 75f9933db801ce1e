"""The request/response files shared by the peer runners (standard library + numpy only).

Request JSON: ``{"mode": "detect" | "box", "repeat": int, "items": [{"image": path,
"box": [x0, y0, x1, y1] | null}], ...runner-specific keys}``.
Response JSON: ``{"system": name, "version": str, "results": [{"faces": [face, ...],
"ms": float}]}`` with ``face = {"box": [4], "score": float, "points68": [[x, y]] * 68 | null,
"contours": {part: [polyline, ...]}}``; points are 0-based pixels of the item's image; ``ms`` is
the median time of the peer's own call over ``repeat`` runs (image decoding excluded).
"""

from __future__ import annotations

import json
import os
import tempfile
import time


def load_request(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_response(path: str, doc: dict) -> None:
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    os.replace(tmp, path)


def readable_items(req: dict, results: list):
    """Yield ``(item, rgb)`` for each request item whose image reads (RGB uint8 array); an
    unreadable one gets an empty result appended to ``results`` instead."""
    import cv2
    import numpy as np

    for item in req["items"]:
        img = cv2.imread(item["image"], cv2.IMREAD_COLOR)
        if img is None:
            results.append({"faces": [], "ms": None, "error": "unreadable"})
            continue
        yield item, np.ascontiguousarray(img[:, :, ::-1])


def timed(fn, repeat: int):
    """(result of the first call, median milliseconds over ``repeat`` calls)."""
    times, out = [], None
    for i in range(max(1, repeat)):
        t0 = time.perf_counter()
        r = fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if i == 0:
            out = r
    times.sort()
    return out, times[len(times) // 2]
