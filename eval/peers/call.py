"""Running a peer's runner module in its own venv: request file in, response file out.

Peers (MediaPipe, dlib) live in their own virtual environments (numpy < 2, their wheels), so
we talk to them through files: ``python -m <module> request.json response.<suffix>``.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def read_npz(path: Path) -> dict:
    import numpy as np

    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def call_runner(
    python: Path,
    module: str,
    request: dict[str, Any],
    name: str,
    read: Callable[[Path], Any] = read_json,
    suffix: str = ".json",
) -> Any:
    """Run ``python -m module request response`` from the repo root and return
    ``read(response)``.

    Raises:
        RuntimeError: the runner exited non-zero (the message names ``name`` and ends with the
            runner's stderr).
    """
    with tempfile.TemporaryDirectory() as tmp:
        rq, rs = Path(tmp) / "request.json", Path(tmp) / f"response{suffix}"
        rq.write_text(json.dumps(request), encoding="utf-8")
        proc = subprocess.run(
            [str(python), "-m", module, str(rq), str(rs)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{name} runner failed:\n{proc.stderr[-2000:]}")
        return read(rs)
