"""Stored outputs of the pipeline for the regression test ``tests/test_pipeline_reference.py``.

First made at commit 8ee8b2c (before the stage redesign of issue 12), again when issue 10's
weights changed the outputs by design, and again on 2026-11-26 for issue 10's retrained sparse,
jaw and mouth weights, the refiners' mirrored crops and the slot
priors (all measured by ``eval.sparse`` / ``eval.refine``), with the test module's own stages,
by::

    PYTHONPATH=$PWD python tests/data/make_pipeline_reference.py

Inputs are licence-clean: ``examples/astronaut.jpg`` and shifted, scaled and rotated copies of
it (``variants`` in the test module). Per variant the file stores the default
pipeline's boxes, scores, points106 (F, 106, 2), pose (F, 3) and the length-proportional contours
at density 1000 (all parts concatenated in scheme part order, with per-part counts), plus the same
for given boxes (the detected boxes fed back as ``boxes=``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).with_name("pipeline_reference.npz")


def main() -> None:
    from dense_landmarks import scheme
    from dense_landmarks.imageio import read_image
    from tests.dense_landmarks.test_pipeline_reference import reference_landmarker, variants

    lm = reference_landmarker()
    image = read_image(REPO / "examples" / "astronaut.jpg")
    arrays: dict[str, np.ndarray] = {}
    for name, img in variants(image).items():
        faces = lm.detect(img, density=1000)
        given = lm.detect(img, boxes=np.stack([f.box for f in faces]), density=1000)
        for tag, fs in ((name, faces), (f"{name}_boxes", given)):
            arrays[f"{tag}/box"] = np.stack([f.box for f in fs])
            arrays[f"{tag}/score"] = np.array([f.score for f in fs])
            arrays[f"{tag}/points"] = np.stack([f.points for f in fs])
            arrays[f"{tag}/pose"] = np.stack([f.pose for f in fs])
            arrays[f"{tag}/contours"] = np.stack(
                [np.concatenate([f.contours[k] for k in scheme.PART_NAMES]) for f in fs]
            )
            arrays[f"{tag}/counts"] = np.array(
                [[len(f.contours[k]) for k in scheme.PART_NAMES] for f in fs]
            )
        print(name, len(faces), "face(s)")
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
