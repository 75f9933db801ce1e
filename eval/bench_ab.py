"""Is a change slower? ``python -m eval.bench_ab --base ../base-checkout``.

Times the default pipeline (``DenseLandmarker().detect`` on ``examples/astronaut.jpg``, one
thread, CPU time, median of ``--repeat`` calls after 5 warm-up calls) in fresh processes for
this checkout and for another one (e.g. ``git worktree add ../base <commit>``), alternating
``--rounds`` times, each process pinned to the same core, and prints the medians of the rounds and
their ratio (this / base): the "not slower than today" check of issue 10.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
import numpy as np
import dense_landmarks as dl
from dense_landmarks.imageio import read_image
img = read_image(sys.argv[1])
lm = dl.DenseLandmarker()
for _ in range(5):
    lm.detect(img)
ts = []
for _ in range(int(sys.argv[2])):
    t = time.process_time(); lm.detect(img); ts.append(time.process_time() - t)
print(json.dumps({"ms": 1000 * float(np.median(ts)), "faces": len(lm.detect(img)),
                  "module": dl.__file__}))
"""


def time_tree(tree: Path, repeat: int, cpu: int) -> dict:
    """One fresh process importing ``dense_landmarks`` from ``tree``: median CPU ms a call."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-c", _CHILD, str(REPO / "examples" / "astronaut.jpg"), str(repeat)]
    if cpu >= 0:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_ab", description=__doc__)
    ap.add_argument("--base", required=True, help="the other checkout (its repo root)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--cpu", type=int, default=0, help="pin to this core (-1: no pin)")
    args = ap.parse_args(argv)
    trees = {"this": REPO, "base": Path(args.base).resolve()}
    ms: dict[str, list[float]] = {k: [] for k in trees}
    for r in range(args.rounds):
        for name, tree in reversed(trees.items()) if r % 2 else trees.items():
            res = time_tree(tree, args.repeat, args.cpu)
            if not res["module"].startswith(str(tree)):
                raise SystemExit(f"{name}: imported {res['module']}, not from {tree}")
            ms[name].append(res["ms"])
            print(f"round {r + 1}: {name} {res['ms']:.1f} ms ({res['faces']} face)")
    med = {k: float(np.median(v)) for k, v in ms.items()}
    print(
        f"median of {args.rounds} rounds: this {med['this']:.1f} ms, base {med['base']:.1f} ms, "
        f"ratio {med['this'] / med['base']:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
