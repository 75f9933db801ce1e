import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from curves import point_to_curve
from training.augment import AugmentConfig
from training.data import LabelDataset
from training.pack import is_pack, pack_labels, packed_image
from training.refine_data import RIDGE_REACH, ridge_distance


def test_a_pack_gives_the_same_crops_as_the_photos(tiny_labels, tmp_path):
    d = dict(np.load(tiny_labels))
    packed = pack_labels(d, size=256, margin=2.2, quality=95)
    assert is_pack(packed) and not is_pack(d)
    assert packed_image(packed, 0).shape == (256, 256, 3)
    out = tmp_path / "pack.npz"
    np.savez(out, **packed)
    cfg = AugmentConfig()
    for split in ("train", "val"):
        a = LabelDataset(tiny_labels, split, cfg, None)
        b = LabelDataset(out, split, cfg, None)
        for i in range(len(a)):
            x, y = a[i], b[i]
            # the same face crop up to resampling and JPEG
            diff = np.abs(x["image"].numpy().astype(float) - y["image"].numpy().astype(float))
            assert diff.mean() < 6.0, (split, i, diff.mean())
            np.testing.assert_allclose(x["points"].numpy(), y["points"].numpy(), atol=1e-3)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 30))
def test_ridge_distance_matches_the_exact_distance_near_the_arc(seed, k):
    rng = np.random.default_rng(seed)
    arc = 16 + np.cumsum(rng.normal(0, 2, (k, 2)), axis=0)
    ys, xs = np.mgrid[0:32, 0:32]
    grid = np.stack([xs.ravel(), ys.ravel()], 1).astype(float)
    exact, fast = point_to_curve(grid, arc), ridge_distance(grid, arc)
    near = exact < RIDGE_REACH - 0.05
    np.testing.assert_allclose(fast[near], exact[near], atol=0.03)
    assert np.all(np.isinf(fast[exact > RIDGE_REACH + 0.05]))
