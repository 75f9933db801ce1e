import numpy as np

from eval.sparse import rotate_image


def test_rotate_image_moves_points_with_pixels():
    img = np.zeros((40, 60, 3), np.uint8)
    pts = np.array([[5.0, 7.0], [50.0, 30.0]])
    for x, y in pts.astype(int):
        img[y, x] = 255
    for k in range(4):
        r, p = rotate_image(img, pts, k)
        for x, y in p.astype(int):
            assert r[y, x, 0] == 255
    r4, p4 = rotate_image(img, pts, 4)
    np.testing.assert_array_equal(r4, img)
    np.testing.assert_allclose(p4, pts)
