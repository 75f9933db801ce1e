"""Dense layouts of many faces in one vectorised pass: exactly the faces one by one, and
exactly the per-face method it replaced (kept below as an oracle); a face whose refined control
points fail falls back to its sparse contours without touching the others."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curves.batch import CurveBatch
from curves.spline import evaluate_segments
from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours, dense_layout_faces
from dense_landmarks.stages.densifier import ContourDensifier
from tests.dense_landmarks.test_dense_layout import BASE, faces

LAYOUT = scheme.DENSE_PARTS
GRID = 32


def oracle(points106: np.ndarray, control: dict | None = None) -> dict[str, np.ndarray]:
    """The dense-1000 contours of one face as computed before the batched pass: one table,
    one corner search and one arc at a time."""
    parts = {n: (points106[list(p.indices)], p.closed) for n, p in scheme.PARTS.items()}
    for n, c in (control or {}).items():
        parts[n] = (np.asarray(c, dtype=np.float64), parts[n][1])
    names = list(parts)
    batch = CurveBatch(list(parts.values()), merge_duplicates=True, names=names)
    nseg = np.array([len(p) if cl else len(p) - 1 for p, cl in zip(batch.points, batch.closed)])
    seg0 = np.concatenate([[0], np.cumsum(nseg)[:-1]])
    t = np.arange(GRID + 1) / GRID
    xy = np.matmul(np.stack([t**3, t**2, t, np.ones_like(t)], axis=1)[None], batch.coeffs)
    steps = np.hypot(*np.moveaxis(np.diff(xy, axis=1), 2, 0))
    within = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)
    seg_s0 = np.concatenate([[0.0], np.cumsum(within[:, -1])[:-1]])
    table_s = (seg_s0[:, None] + within).ravel()
    table_u = (np.arange(len(steps))[:, None] + t[None]).ravel()
    ends = np.append(seg_s0, table_s[-1])
    out = {}
    for c, name in enumerate(names):
        part = LAYOUT[name]
        corners = [a.start for a in part.arcs] + ([] if part.closed else [part.arcs[-1].end])
        u = [seg0[c] + _param_of(batch, c, seg0[c], nseg[c], points106[i], xy) for i in corners]
        s = np.interp(u, table_u, table_s) - ends[seg0[c]]
        total = ends[seg0[c] + nseg[c]] - ends[seg0[c]]
        along = []
        for i, arc in enumerate(part.arcs):
            span = s[(i + 1) % len(s)] - s[i]
            span = (span % total if part.closed else span) if len(s) > 1 else total
            if not span > 0:
                raise ValueError(f"{name}: corners {arc.start} and {arc.end} coincide")
            along.append(s[i] + span * np.arange(arc.count) / arc.count)
        a = np.concatenate([*along, [] if part.closed else s[-1:]])
        target = ends[seg0[c]] + (a % total if part.closed else a)
        uu = np.clip(np.interp(target, table_s, table_u), seg0[c], seg0[c] + nseg[c])
        out[name] = evaluate_segments(batch.coeffs, uu, seg0[c] + nseg[c] - 1)
    return out


def _param_of(batch, c, first, n, p, table) -> float:
    """The nearest place on curve ``c`` to ``p``: a knot, or a three-level grid search."""
    d = np.hypot(*(batch.points[c] - p).T)
    if d.min() <= 1e-9 * max(1.0, float(np.abs(p).max())):
        return float(np.argmin(d))
    g = np.linspace(0.0, n, n * GRID + 1)
    rows = np.append((np.arange(n)[:, None] * (GRID + 1) + np.arange(GRID)).ravel(), -1)
    xy = table[first : first + n].reshape(-1, 2)[rows]
    best, step = g[np.argmin(np.hypot(*(xy - p).T))], 1.0 / GRID
    for _ in range(2):
        g = np.clip(np.linspace(best - step, best + step, 2 * GRID + 1), 0.0, n)
        xy = evaluate_segments(batch.coeffs, first + g, first + n - 1)
        best, step = g[np.argmin(np.hypot(*(xy - p).T))], step / GRID
    return best


def refined(points106: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Refined-like control points: denser rings and polylines through the face's parts
    (midpoints pushed off the sparse curve), corners kept or moved a little."""
    rng = np.random.default_rng(seed)
    out = {}
    for name in ("jaw", "right_eye", "outer_lips", "inner_lips", "left_brow"):
        part = scheme.PARTS[name]
        p = points106[list(part.indices)]
        q = np.roll(p, -1, axis=0) if part.closed else p[1:]
        mid = (p[: len(q)] + q) / 2 + rng.normal(0, 0.3, (len(q), 2))
        dense = np.empty((len(p) + len(mid), 2))
        dense[0::2], dense[1::2] = p, mid
        if rng.random() < 0.5:
            dense[0::2] += rng.normal(0, 0.2, p.shape)  # corners off the knots
        out[name] = dense
    return out


def assert_same(got: list, want: list) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, ValueError):
            assert isinstance(g, ValueError) and str(g) == str(w)
            continue
        assert list(g) == list(w)
        for name in w:
            np.testing.assert_array_equal(g[name], w[name])


def one_by_one(points: list, controls: list) -> list:
    out = []
    for p, c in zip(points, controls):
        try:
            out.append(dense_contours(p, control=c, constrain=False))
        except ValueError as exc:
            out.append(exc)
    return out


@given(st.lists(faces(), min_size=1, max_size=5), st.integers(0, 2**31))
def test_batched_faces_equal_the_per_face_oracle(points, seed):
    controls = [refined(p, seed + i) if i % 2 == 0 else None for i, p in enumerate(points)]
    got = dense_layout_faces(points, controls, "dense-1000")
    want = []
    for p, c in zip(points, controls):
        try:
            want.append(oracle(p, c))
        except ValueError as exc:
            want.append(exc)
    assert_same(got, want)
    assert_same(got, one_by_one(points, controls))


def degenerate_faces() -> tuple[list[np.ndarray], list[dict | None]]:
    """Six faces: refined, sparse, refined with NaN control points, with a control ring of
    one point, with merged duplicates (other counts in the same batch), with an unknown part."""
    points = [BASE + np.array([40.0 * i, 5.0 * i]) for i in range(6)]
    controls: list[dict | None] = [refined(p, i) for i, p in enumerate(points)]
    controls[1] = None
    controls[2]["outer_lips"][3] = np.nan
    controls[3]["right_eye"][:] = controls[3]["right_eye"][0]
    controls[4]["inner_lips"][5] = controls[4]["inner_lips"][4]
    controls[5]["ears"] = np.zeros((4, 2))
    return points, controls


def test_densify_faces_batched_equals_face_by_face():
    points, controls = degenerate_faces()
    densifier = ContourDensifier(constrain=False)
    got = densifier.densify_faces(points, controls, "dense-1000")
    want = [densifier.densify(p, c, "dense-1000") for p, c in zip(points, controls)]
    assert_same(got, want)
    sparse = dense_contours(points[2], constrain=False)  # the NaN face fell back ...
    assert_same(got[2:4], [sparse, dense_contours(points[3], constrain=False)])
    assert_same(got[:2], [oracle(points[0], controls[0]), oracle(points[1])])  # ... alone
    assert_same(got[4:5], [oracle(points[4], controls[4])])
    errors = dense_layout_faces(points, controls, "dense-1000")
    assert [type(e).__name__ for e in errors] == ["dict", "dict"] + ["ValueError"] * 2 + [
        "dict",
        "ValueError",
    ]
    assert "control: 'ears' is not a part" in str(errors[5])


def test_coincident_corners_fall_back_for_that_face_only():
    points = [BASE.copy(), BASE + 60.0]
    controls = [refined(p, 7) for p in points]
    ring = controls[1]["right_eye"]
    controls[1]["right_eye"] = np.vstack([ring[:1], ring[1:] * 0 + ring[8]])  # 2 distinct points
    moved = points[1].copy()
    moved[70] = moved[66]  # the eye's corners on one place: no arc between them
    with pytest.raises(ValueError, match="right_eye: corners 66 and 70 coincide"):
        dense_contours(moved, constrain=False)
    got = dense_layout_faces([points[0], moved], [controls[0], None], "dense-1000")
    assert isinstance(got[1], ValueError) and "coincide" in str(got[1])
    assert_same(got[:1], [oracle(points[0], controls[0])])
    densifier = ContourDensifier(constrain=False)
    with pytest.raises(ValueError, match="right_eye: corners 66 and 70 coincide"):
        densifier.densify_faces([points[0], moved], [controls[0], controls[1]], "dense-1000")
    got = densifier.densify_faces(points, controls, "dense-1000")  # the bad ring: sparse
    assert_same(got, [oracle(points[0], controls[0]), oracle(points[1])])


def test_the_first_failing_face_raises_as_face_by_face():
    points = [BASE.copy(), np.zeros((106, 2)), np.ones((106, 2))]
    densifier = ContourDensifier(constrain=False)
    with pytest.raises(ValueError) as batched:
        densifier.densify_faces(points, [None] * 3, "dense-1000")
    with pytest.raises(ValueError) as single:
        densifier.densify(points[1], {}, "dense-1000")
    assert str(batched.value) == str(single.value)
    assert densifier.densify_faces([], [], "dense-1000") == []


def test_other_densities_and_subclasses_go_face_by_face():
    points, controls = degenerate_faces()
    points, controls = points[:3], controls[:3]
    densifier = ContourDensifier(constrain=False)
    got = densifier.densify_faces(points, controls, 600)
    assert_same(got, [densifier.densify(p, c, 600) for p, c in zip(points, controls)])

    class Half(ContourDensifier):
        def densify(self, points106, control, density):
            return {k: v[::2] for k, v in super().densify(points106, control, density).items()}

    half = Half(constrain=False).densify_faces(points, controls, "dense-1000")
    full = densifier.densify_faces(points, controls, "dense-1000")
    assert_same(half, [{k: v[::2] for k, v in d.items()} for d in full])
