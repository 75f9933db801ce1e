"""Does a change move the outputs? ``python -m eval.same_outputs --base ../base-checkout``.

The companion of :mod:`eval.bench_ab` for speed work that must not change results: runs the
default pipeline in a fresh process for this checkout and for another one (e.g.
``git worktree add ../base <commit>``) on the same inputs, and compares every output:

- ``DenseLandmarker().detect`` on the bundled example in a 640 x 480 frame and on the six-face
  frame of :mod:`eval.bench_pipeline` (licence-clean), on every image under ``--fixtures`` and
  on the first ``--faces`` held-out photos of ``--data`` (300-W: research only, never committed);
- ``Tracker.update`` on the first ``--frames`` frames of every clip in ``--grid``;

per face its box, score, quality, pose, 106 points and dense contours. Faces are paired by
order; a different face count is reported as such. Prints the worst absolute difference per
input group and per output kind, and exits 1 when any output differs by more than ``--atol``
(default 0: bit-identical).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

_CHILD = """
import sys
from pathlib import Path
import numpy as np
import dense_landmarks as dl
from dense_landmarks.imageio import read_image
from dense_landmarks.video.io import open_video
from dense_landmarks.video.tracker import Tracker
from eval.bench_pipeline import frame_640x480, frame_six_faces
from eval.data import load_faces

out_path, fixtures, data, faces, grid, frames = sys.argv[1:7]
lm = dl.DenseLandmarker(num_threads=1)
images = {"bench/one": frame_640x480(), "bench/six": frame_six_faces()}
for p in sorted(Path(fixtures).rglob("*")) if fixtures else []:
    if p.suffix.lower() in (".jpg", ".jpeg", ".png"):
        images[f"fixtures/{p.relative_to(fixtures)}"] = read_image(p)
if data and int(faces) > 0:
    for f in load_faces(data, "val")[: int(faces)]:
        images[f"300w/{Path(f.image).name}"] = read_image(f.image)
arrays = {"module": np.array(dl.__file__)}

def put(key, found):
    arrays[f"{key}|count"] = np.array(len(found))
    for j, face in enumerate(found):
        arrays[f"{key}|{j}|box"] = np.asarray(face.box, dtype=np.float64)
        arrays[f"{key}|{j}|score"] = np.array(face.score, dtype=np.float64)
        arrays[f"{key}|{j}|quality"] = np.array(np.nan if face.quality is None else face.quality)
        arrays[f"{key}|{j}|pose"] = np.asarray(face.pose, dtype=np.float64)
        arrays[f"{key}|{j}|points"] = face.points
        for part, c in face.contours.items():
            arrays[f"{key}|{j}|contour:{part}"] = c

for name, img in images.items():
    put(name, lm.detect(img))
for clip in sorted(Path(grid).glob("*.mpg")) if grid else []:
    tracker = Tracker(lm)
    with open_video(clip) as video:
        for t, (img, ts) in enumerate(video):
            if t >= int(frames):
                break
            put(f"grid/{clip.stem}/{t:04d}", tracker.update(img, ts))
np.savez(out_path, **arrays)
"""


def run_tree(tree: Path, out: Path, args: argparse.Namespace) -> dict[str, np.ndarray]:
    """Outputs of the pipeline imported from ``tree`` (a fresh process), by key."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-c", _CHILD, str(out), args.fixtures, args.data, str(args.faces)]
    cmd += [args.grid, str(args.frames)]
    subprocess.run(cmd, cwd=tree, env=env, check=True)
    with np.load(out) as z:
        arrays = {k: z[k] for k in z.files}
    if not str(arrays.pop("module")).startswith(str(tree)):
        raise SystemExit(f"{tree}: the pipeline was not imported from it")
    return arrays


def compare(this: dict[str, np.ndarray], base: dict[str, np.ndarray]) -> dict[str, float]:
    """Worst absolute difference per ``group`` (input folder) and ``kind`` (output), as
    ``"group kind" -> float``: inf where a face count, a key or a shape differs."""
    worst: dict[str, float] = {}
    for key in sorted(set(this) | set(base)):
        name, *rest = key.split("|")
        group = name.split("/")[0]
        kind = rest[-1].split(":")[0]
        a, b = this.get(key), base.get(key)
        if a is None or b is None or a.shape != b.shape:
            d = np.inf
        else:
            both_nan = np.isnan(a) & np.isnan(b)
            diff = np.where(both_nan, 0.0, np.abs(a.astype(np.float64) - b.astype(np.float64)))
            d = float(np.nan_to_num(diff, nan=np.inf).max()) if diff.size else 0.0
        label = f"{group} {kind}"
        worst[label] = max(worst.get(label, 0.0), d)
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.same_outputs", description=__doc__)
    ap.add_argument("--base", required=True, help="the other checkout (its repo root)")
    ap.add_argument("--fixtures", default=str(REPO.parent / "shared" / "fixtures"))
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "300w_train"))
    ap.add_argument("--faces", type=int, default=40, help="held-out 300-W photos (0: none)")
    ap.add_argument("--grid", default=str(REPO.parent / "shared" / "data" / "grid_talking"))
    ap.add_argument("--frames", type=int, default=25, help="tracked frames per GRID clip")
    ap.add_argument("--atol", type=float, default=0.0)
    args = ap.parse_args(argv)
    for opt in ("fixtures", "data", "grid"):  # a missing folder: that group is left out
        if not Path(getattr(args, opt)).is_dir():
            print(f"--{opt} {getattr(args, opt)}: not a folder, left out")
            setattr(args, opt, "")
    with tempfile.TemporaryDirectory() as tmp:
        this = run_tree(REPO, Path(tmp) / "this.npz", args)
        base = run_tree(Path(args.base).resolve(), Path(tmp) / "base.npz", args)
    worst = compare(this, base)
    faces = sum(int(v) for k, v in this.items() if k.endswith("|count"))
    print(f"{faces} faces compared, {len(this)} arrays; worst absolute difference:")
    print("| input | output | worst |\n|---|---|---|")
    for label, d in sorted(worst.items()):
        print(f"| {label.split(' ')[0]} | {label.split(' ')[1]} | {d:.3g} |")
    bad = {k: v for k, v in worst.items() if not v <= args.atol}
    print(f"{'differ' if bad else 'same'} (atol {args.atol:g}): {len(bad)} of {len(worst)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
