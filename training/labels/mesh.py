"""The MediaPipe canonical face mesh (Apache-2.0) and the JD-106 -> mesh correspondence.

Each JD-106 slot is a barycentric point of one mesh triangle (``jd106_mediapipe_map.json``,
made by ``python -m training.labels.mesh derive``). The map serves three purposes:
teacher points for slots with no human evidence, anchors that align the teacher to the human
points, and 3D model points for head-pose labels (PnP).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from dense_landmarks import scheme

MAP_PATH = Path(__file__).with_name("jd106_mediapipe_map.json")
DEFAULT_MESH = Path("../shared/data/mediapipe_canonical_face/canonical_face_model.obj")
RIGHT_IRIS, LEFT_IRIS = 468, 473  # iris centres of the refined mesh (subject's right / left)


def load_mesh(path: str | Path = DEFAULT_MESH) -> tuple[np.ndarray, np.ndarray]:
    """Canonical mesh as (468, 3) float64 vertices in OpenCV camera axes and (T, 3) triangles.

    The file's axes are x to the viewer's right, y up, z towards the viewer (centimetres); they
    are returned as x right, y down, z away from the camera, as ``cv2.solvePnP`` expects.
    """
    import trimesh

    mesh = trimesh.load(str(path), process=False)
    v = np.asarray(mesh.vertices, dtype=np.float64) * np.array([1.0, -1.0, -1.0])
    return v, np.asarray(mesh.faces, dtype=np.int64)


def load_map(path: str | Path = MAP_PATH) -> tuple[np.ndarray, np.ndarray]:
    """(106, 3) int vertex indices (into the 478-point refined mesh) and (106, 3) weights."""
    d = json.loads(Path(path).read_text(encoding="utf-8"))
    if d.get("scheme") != scheme.SCHEME_VERSION:
        raise ValueError(
            f"{path}: made for scheme {d.get('scheme')!r}, not {scheme.SCHEME_VERSION!r}"
        )
    return np.asarray(d["vertices"], dtype=np.int64), np.asarray(d["weights"], dtype=np.float64)


def mesh_to_106(mesh_points: np.ndarray, vertices: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """JD-106 points from mesh points (..., V, D) through the barycentric map -> (..., 106, D)."""
    return np.einsum("...kjd,kj->...kd", mesh_points[..., vertices, :], weights)


def model3d_106(
    mesh_path: str | Path = DEFAULT_MESH, map_path: str | Path = MAP_PATH
) -> np.ndarray:
    """(106, 3) canonical 3D face in the JD-106 slots (camera axes, centimetres).

    The 468-vertex canonical mesh has no iris vertices: eye centres and pupils take the middle
    of the eye corners.
    """
    v, _ = load_mesh(mesh_path)
    verts, wts = load_map(map_path)
    out = mesh_to_106(np.vstack([v, np.zeros((10, 3))]), verts, wts)
    out[[74, 104]] = out[[66, 70]].mean(axis=0)
    out[[83, 105]] = out[[75, 79]].mean(axis=0)
    return out


def _barycentric(p: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Barycentric coordinates of 2D point p in each triangle of (T, 3, 2) -> (T, 3)."""
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    v0, v1, v2 = b - a, c - a, p - a
    den = v0[:, 0] * v1[:, 1] - v1[:, 0] * v0[:, 1]
    den = np.where(np.abs(den) < 1e-12, 1e-12, den)
    l1 = (v2[:, 0] * v1[:, 1] - v1[:, 0] * v2[:, 1]) / den
    l2 = (v0[:, 0] * v2[:, 1] - v2[:, 0] * v0[:, 1]) / den
    return np.stack([1 - l1 - l2, l1, l2], axis=1)


def derive_map(
    teacher: np.ndarray, labels: np.ndarray, triangles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric map from labelled faces and the teacher's mesh on the same images.

    For every slot and face, the mesh triangle that holds the human point (or, outside the mesh,
    the one whose extrapolation is least extreme) gives a candidate; the candidate with the
    smallest error over all faces (normalised by eye distance) wins. Eye centres and pupils are
    the iris centres.

    Args:
        teacher: (F, 478, 2) mesh points per face. labels: (F, 106, 2) human points.
        triangles: (T, 3) mesh triangles.
    """
    iod = np.linalg.norm(labels[:, 66] - labels[:, 79], axis=1)
    verts = np.zeros((scheme.NUM_POINTS, 3), dtype=np.int64)
    wts = np.zeros((scheme.NUM_POINTS, 3))
    for k in range(scheme.NUM_POINTS):
        cands = []
        for f in range(len(labels)):
            bary = _barycentric(labels[f, k], teacher[f][triangles])
            t = int(np.argmax(bary.min(axis=1)))  # inside if min >= 0; else least outside
            cands.append((triangles[t], bary[t]))
        errs = []
        for tri, w in cands:
            pred = np.einsum("fjd,j->fd", teacher[:, tri], w)
            errs.append(float((np.linalg.norm(pred - labels[:, k], axis=1) / iod).mean()))
        best = int(np.argmin(errs))
        verts[k], wts[k] = cands[best]
    for slot, iris in ((74, RIGHT_IRIS), (104, RIGHT_IRIS), (83, LEFT_IRIS), (105, LEFT_IRIS)):
        verts[slot], wts[slot] = [iris, iris, iris], [1.0, 0.0, 0.0]
    return verts, wts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.labels.mesh", description=__doc__)
    ap.add_argument("command", choices=["derive", "face3d"])
    ap.add_argument("--teacher", default="cache/teacher_lapa.npz", help="teacher_mediapipe output")
    ap.add_argument("--labels", default="../shared/fixtures/lapa/test_lapa.json")
    ap.add_argument("--mesh", default=str(DEFAULT_MESH))
    ap.add_argument("--out", default=str(MAP_PATH))
    args = ap.parse_args(argv)
    if args.command == "face3d":  # the runtime's 3D face for PnP pose
        from dense_landmarks.pose import FACE3D_PATH

        np.save(FACE3D_PATH, model3d_106(args.mesh))
        print(f"wrote {FACE3D_PATH}")
        return 0
    from training.readers import read_coco_keypoints

    samples = read_coco_keypoints(args.labels, scheme.SCHEME_NAME)
    t = np.load(args.teacher)
    by_path = {Path(str(p)).name: i for i, p in enumerate(t["paths"])}
    idx = [by_path[s.image_path.name] for s in samples]
    if not t["found"][idx].all():
        raise SystemExit("the teacher found no face on some labelled images")
    _, tris = load_mesh(args.mesh)
    labels = np.stack([s.points for s in samples])
    verts, wts = derive_map(t["points"][idx].astype(np.float64), labels, tris)
    pred = mesh_to_106(t["points"][idx].astype(np.float64), verts, wts)
    iod = np.linalg.norm(labels[:, 66] - labels[:, 79], axis=1)
    err = np.linalg.norm(pred - labels, axis=2) / iod[:, None]
    doc = {
        "scheme": scheme.SCHEME_VERSION,
        "about": "JD-106 slot -> MediaPipe Face Mesh triangle (vertex ids) and barycentric weights",
        "derived_from": f"{args.labels} with {args.teacher}",
        "fit_error_iod": {"mean": float(err.mean()), "per_slot": np.round(err.mean(0), 4).tolist()},
        "vertices": verts.tolist(),
        "weights": np.round(wts, 6).tolist(),
    }
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}; mean slot error {err.mean():.4f} IOD on the labelled faces")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
