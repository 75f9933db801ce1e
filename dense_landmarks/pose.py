"""Head pose: PnP of the 106 landmarks against the canonical 3D face.

The same function makes the training labels and, at inference, the pose of predicted points.
The 3D face (``weights/face3d_106.npy``: the MediaPipe canonical mesh, Apache-2.0, in the 106
slots; made by ``python -m training.labels.mesh face3d``) ships with the package.

Angles are degrees, camera axes x right, y down, z forward, and follow the rotation
``R = Rz(roll) @ Ry(-yaw) @ Rx(-pitch)`` of the face model (frontal face: all zero):

- pitch > 0: the face looks up;
- yaw > 0: the face turns towards the subject's left (its nose moves to the image right);
- roll > 0: the face is tilted clockwise in the image.

Under a horizontal flip, yaw and roll change sign; rotating the image clockwise by ``a``
degrees adds ``a`` to roll.

The pose is measured relative to the line of sight to the face: the camera's principal point is
put on the face (the mean of the PnP points), so a face that looks into the camera reads
frontal wherever it sits in the frame. (With the principal point at the image centre, a face
131 px above the centre of a 512 px photo, looking at the camera, read pitch -21 degrees: the
angle of its line of sight, about 14 degrees, was taken for head pitch.) Zero pitch is the
frontal portrait pose: the canonical mesh, whose own frame has its eye-mouth plane tilted, is
turned by :data:`FRAME_PITCH` about the x axis so that the median pitch of the 300-W training
faces' labelled points is 0.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

FACE3D_PATH = Path(__file__).resolve().parent / "weights" / "face3d_106.npy"


#: Pitch (degrees) of a frontal portrait in the canonical mesh's own frame: the median PnP pitch
#: of 435 training faces (every 4th) of ``cache/labels_300w.npz`` from their labelled points,
#: measured with the line-of-sight camera below and the mesh unturned.
FRAME_PITCH = -6.23


@lru_cache(maxsize=1)
def face3d() -> np.ndarray:
    """(106, 3) float64 canonical face (camera axes: x right, y down, z away; centimetres), in the
    frontal-portrait frame (see :data:`FRAME_PITCH`)."""
    arr = np.load(FACE3D_PATH)
    if arr.shape != (106, 3):
        raise ValueError(f"{FACE3D_PATH}: expected (106, 3), got {arr.shape}")
    return arr.astype(np.float64) @ euler_to_rotation(-FRAME_PITCH, 0.0, 0.0)


#: Slots used for PnP: human-labelled, rigid (no jaw silhouette, no mouth interior).
PNP_SLOTS = np.array(
    [33, 35, 37, 42, 44, 46, 51, 52, 53, 54, 58, 60, 62, 66, 70, 75, 79, 84, 87, 90, 93]
)


@lru_cache(maxsize=1)
def _face3d_slots() -> np.ndarray:
    """(len(PNP_SLOTS), 3) float64 C-contiguous, read-only: the bundled face's PnP points."""
    obj = np.ascontiguousarray(face3d()[PNP_SLOTS], dtype=np.float64)
    obj.flags.writeable = False
    return obj


def rotation_to_euler(rot: np.ndarray) -> np.ndarray:
    """(3, 3) rotation -> (3,) pitch, yaw, roll in degrees (see module docstring)."""
    pitch = -np.degrees(np.arctan2(rot[2, 1], rot[2, 2]))
    yaw = np.degrees(np.arcsin(np.clip(rot[2, 0], -1.0, 1.0)))
    roll = np.degrees(np.arctan2(rot[1, 0], rot[0, 0]))
    return np.array([pitch, yaw, roll])


def euler_to_rotation(pitch: float, yaw: float, roll: float) -> np.ndarray:
    """Inverse of :func:`rotation_to_euler` (degrees -> (3, 3))."""
    p, y, r = np.radians([-pitch, -yaw, roll])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


def head_pose(
    points2d: np.ndarray, model3d: np.ndarray | None, image_size: tuple[int, int]
) -> np.ndarray:
    """Pitch, yaw, roll (degrees) of a face from its 106 points.

    Args:
        points2d: (106, 2) float pixels.
        model3d: (106, 3) canonical face in camera axes (None: the bundled one).
        image_size: (height, width); the focal length is taken as the larger side, the
            principal point on the face (pose relative to the line of sight; module docstring).
    """
    h, w = image_size
    f = float(max(h, w))
    img = np.ascontiguousarray(points2d[PNP_SLOTS], dtype=np.float64)
    cx, cy = img.mean(axis=0)
    cam = np.array([[f, 0, cx], [0, f, cy], [0, 0, 1]], dtype=np.float64)
    if model3d is None:
        obj = _face3d_slots()
    else:
        obj = np.ascontiguousarray(model3d[PNP_SLOTS], dtype=np.float64)
    ok, rvec, tvec = cv2.solvePnP(obj, img, cam, None, flags=cv2.SOLVEPNP_EPNP)
    if not ok:
        return np.full(3, np.nan)
    # Levenberg-Marquardt on the reprojection error from the EPnP start: the angles of
    # solvePnP(SOLVEPNP_ITERATIVE, useExtrinsicGuess) within ~0.001 deg (a test checks; at most
    # 0.0012 deg on the GRID frames, python -m eval.same_outputs), 0.2 ms
    # (a third) cheaper
    rvec, tvec = cv2.solvePnPRefineLM(obj, img, cam, None, rvec, tvec)
    return rotation_to_euler(cv2.Rodrigues(rvec)[0])


def pose_degrees(raw: np.ndarray) -> np.ndarray:
    """(B, 4) raw pose-branch output (pitch/90, yaw/90, cos roll, sin roll) -> (B, 3) degrees."""
    raw = np.asarray(raw, dtype=np.float64)
    roll = np.degrees(np.arctan2(raw[:, 3], raw[:, 2]))
    return np.stack([raw[:, 0] * 90.0, raw[:, 1] * 90.0, roll], axis=1)
