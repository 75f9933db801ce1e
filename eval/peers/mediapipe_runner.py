"""MediaPipe Face Mesh peer (``mediapipe==0.10.14``, legacy ``solutions.face_mesh``,
``refine_landmarks=True``). Run with the teacher venv: ``.venv-teacher/bin/python -m
eval.peers.mediapipe_runner REQUEST RESPONSE`` from the repository root``.

68 points come from the mesh through the project's JD-106 slot map (request key ``slot_map``:
vertices and weights), then the iBUG subset; contours are MediaPipe's own lips, eyes, brows and
face-oval edge lists, chained into polylines.
"""

from __future__ import annotations

import sys

import numpy as np

from eval.peers.protocol import load_request, readable_items, timed, write_response

# iBUG-68 in JD-106 slots (kept in sync with dense_landmarks.scheme by a test)
IBUG68_FROM_106 = [
    *range(0, 33, 2),
    *range(33, 38),
    *range(42, 47),
    *range(51, 55),
    *range(58, 63),
    66,
    67,
    69,
    70,
    71,
    73,
    75,
    76,
    78,
    79,
    80,
    82,
    *range(84, 96),
    *range(96, 104),
]


def chains(edges) -> list[list[int]]:
    """Vertex chains (closed loops repeat their first vertex) from an undirected edge set."""
    adj: dict[int, list[int]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    seen: set[int] = set()
    out = []
    for start in sorted(adj, key=lambda v: (len(adj[v]) != 1, v)):  # path ends first
        if start in seen:
            continue
        path, prev, cur = [start], None, start
        seen.add(start)
        while True:
            nxt = [
                v
                for v in adj[cur]
                if v != prev and (v not in seen or (v == start and len(path) > 2))
            ]
            if not nxt:
                break
            prev, cur = cur, nxt[0]
            path.append(cur)
            if cur == start:
                break
            seen.add(cur)
        out.append(path)
    return out


def box_region(rgb: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    """The square of 1.8 x the larger side of ``box`` ([x0, y0, x1, y1]) around its centre,
    cut from ``rgb`` (clipped at the image's top-left): (crop, its top-left pixel (2,) float)."""
    x0, y0, x1, y1 = box
    c, s = np.array([(x0 + x1) / 2, (y0 + y1) / 2]), 1.8 * max(x1 - x0, y1 - y0)
    a = np.clip(np.round(c - s / 2).astype(int), 0, None)
    crop = np.ascontiguousarray(rgb[a[1] : int(a[1] + s), a[0] : int(a[0] + s)])
    return crop, a.astype(float)


def part_chains():
    from mediapipe.python.solutions import face_mesh_connections as c

    lips = chains(c.FACEMESH_LIPS)
    lips.sort(key=len, reverse=True)  # the outer loop has more vertices
    return {
        "outer_lips": [lips[0]],
        "inner_lips": [lips[1]],
        "right_eye": chains(c.FACEMESH_RIGHT_EYE),
        "left_eye": chains(c.FACEMESH_LEFT_EYE),
        "right_brow": chains(c.FACEMESH_RIGHT_EYEBROW),
        "left_brow": chains(c.FACEMESH_LEFT_EYEBROW),
        "jaw": chains(c.FACEMESH_FACE_OVAL),
    }


def main() -> int:
    import mediapipe as mp

    req = load_request(sys.argv[1])
    verts = np.asarray(req["slot_map"]["vertices"])
    wts = np.asarray(req["slot_map"]["weights"])
    parts = part_chains()
    mesh = mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=8, refine_landmarks=True, min_detection_confidence=0.5
    )
    results: list[dict] = []
    for item, rgb in readable_items(req, results):
        offset = np.zeros(2)
        if req["mode"] == "box" and item.get("box"):
            rgb, offset = box_region(rgb, item["box"])
        h, w = rgb.shape[:2]
        res, ms = timed(lambda rgb=rgb: mesh.process(rgb), req.get("repeat", 1))
        faces = []
        for lm in res.multi_face_landmarks or []:
            xy = np.array([[p.x * w - 0.5, p.y * h - 0.5] for p in lm.landmark]) + offset
            p106 = np.einsum("kjd,kj->kd", xy[verts], wts)
            contours = {k: [xy[ch].tolist() for ch in v] for k, v in parts.items()}
            faces.append(
                {
                    "box": [*xy.min(0).tolist(), *xy.max(0).tolist()],
                    "score": 1.0,
                    "points68": p106[IBUG68_FROM_106].tolist(),
                    "contours": contours,
                }
            )
            if req["mode"] == "box":
                break
        results.append({"faces": faces, "ms": ms})
    write_response(
        sys.argv[2], {"system": "mediapipe", "version": mp.__version__, "results": results}
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
