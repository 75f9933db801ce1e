"""Dependencies flow downhill: curves <- dense_landmarks <- training, eval; inference without torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: package -> top-level modules it must never import (anywhere, lazily included)
FORBIDDEN = {
    "curves": {"dense_landmarks", "training", "eval", "torch"},
    "dense_landmarks": {"training", "eval", "trimesh"},
    "training": {"eval"},
}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (  # importlib.import_module("x.y") with a literal name
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_directions(package):
    bad = {
        str(p.relative_to(REPO)): sorted(imported_modules(p) & FORBIDDEN[package])
        for p in sorted((REPO / package).rglob("*.py"))
    }
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"{package} imports uphill or forbidden modules: {bad}"


def test_the_checker_sees_lazy_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from training.readers import read_pts\n    import eval.metrics\n")
    assert imported_modules(f) == {"training", "eval"}


# A child interpreter in which importing torch (or trimesh) fails, as on `pip install .`.
BLOCK_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('torch', 'trimesh'):
            raise ImportError(f'{name} is blocked in this test')
        return None
sys.meta_path.insert(0, Block())
sys.argv = ['dense-landmarks', *sys.argv[1:]]
from dense_landmarks.cli import main
code = main()
assert 'torch' not in sys.modules
sys.exit(code)
"""


def test_predict_runs_with_torch_blocked(tmp_path):
    out = tmp_path / "out"
    example = REPO / "examples" / "astronaut.jpg"
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK_TORCH, "predict", str(example), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    doc = json.loads((out / "astronaut.json").read_text())
    face = doc["faces"][0]
    assert face["schema"] == "dense-landmarks/face-v2" and face["layout"] == "dense-1000"
    assert sum(len(v) for v in face["contours"].values()) == 1000
    # and the block is real: the same wrapper refuses torch
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCK_TORCH.replace(
                "from dense_landmarks.cli", "import torch\nfrom dense_landmarks.cli"
            ),
            "scheme",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode != 0 and "blocked" in proc.stderr
