"""The ``lipread`` job kind: one video -> its lip-reading front end (``_mouth.mp4`` + ``.npz``),
as ``dense-landmarks lipread`` writes it, for the job engines (``--engine local|ray``).

    from dense_landmarks.jobs import run_job
    from dense_landmarks.video.job_kind import LipreadOptions
    run_job("lipread", ["clips/"], "out/lip", LipreadOptions(), engine="ray", workers=2)

Outputs are named from each input's whole file name (``a/s1.mpg`` -> ``a/s1.mpg_mouth.mp4`` and
``a/s1.mpg.npz``; the NPZ, written last, marks the item complete); their content is that of
:func:`dense_landmarks.video.jobs.lipread_job`.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dense_landmarks.contours import DEFAULT_DENSITY, Density, check_density
from dense_landmarks.jobs.kinds import ItemKind, ItemResult, Source
from dense_landmarks.video.io import VIDEO_SUFFIXES, VideoError
from dense_landmarks.video.offline import DEFAULT_SIGMA_S

SUFFIXES = ("_mouth.mp4", ".npz")


@dataclass(frozen=True)
class LipreadOptions:
    """The ``lipread`` command's options (the manifest records them; ``--resume`` checks them).

    Attributes:
        density: the contours the lip rings are resampled from (``"dense-1000"`` or an int).
        backend: ``"onnx"`` or ``"torch"``. threads: CPU threads per model.
        tiles: detector tiles per side.
        smoothing: False: raw per-frame landmarks (``--no-smoothing``).
        online: the causal One-Euro output instead of zero-phase smoothing (``--online``).
        sigma: zero-phase smoothing, seconds (Gaussian standard deviation).
        min_cutoff, beta, d_cutoff: the One-Euro filter of the shape (Hz, -, Hz).
        detect_every: detector every N frames. max_faces: faces tracked (the largest is read).
    """

    density: Density = DEFAULT_DENSITY
    backend: str = "onnx"
    threads: int = 1
    tiles: int = 1
    smoothing: bool = True
    online: bool = False
    sigma: float = DEFAULT_SIGMA_S
    min_cutoff: float = 1.0
    beta: float = 20.0
    d_cutoff: float = 5.0
    detect_every: int = 30
    max_faces: int = 1

    def __post_init__(self) -> None:
        check_density(self.density)
        if self.sigma <= 0:
            raise ValueError(f"sigma: expected > 0 seconds, got {self.sigma}")


def load(o: LipreadOptions):
    """The tracker for ``o`` (models loaded once per worker)."""
    from dense_landmarks.video.one_euro import OneEuroParams
    from dense_landmarks.video.tracker import build_tracker

    return build_tracker(
        o.backend,
        o.threads,
        o.tiles,
        o.density,
        o.smoothing,
        OneEuroParams(o.min_cutoff, o.beta, o.d_cutoff),
        o.detect_every,
        o.max_faces,
    )


def process(source: Source, o: LipreadOptions, tracker=None, name: str | None = None) -> ItemResult:
    """The lip-reading front end of one video.

    Args:
        source: a video path (read here), or its encoded bytes (written to a temporary file).
        o: options. tracker: from :func:`load` (built here when None).
        name: the input's name in errors and in the NPZ's ``source`` (default: the path).
    Returns:
        ItemResult with ``outputs`` {"_mouth.mp4": the 96 x 96 mouth clip with the source's
        audio, ".npz": the arrays}, ``faces`` (frames with a face) and ``info`` {"frames",
        "warning" (a truncated video's problem, or "")}.
    Raises:
        VideoError: unreadable video, or no face in any frame (message names the input).
    """
    from dense_landmarks.video.jobs import lipread_job

    tracker = load(o) if tracker is None else tracker
    is_bytes = isinstance(source, bytes | bytearray | memoryview)
    label = name or ("<bytes>" if is_bytes else str(source))
    with tempfile.TemporaryDirectory(prefix="lipread-") as tmp:
        d = Path(tmp)
        if is_bytes:
            src = d / "input"
            src.write_bytes(bytes(source))
        else:
            src = Path(source)
        try:
            warning = lipread_job(
                tracker,
                src,
                d,
                "item",
                progress=False,
                two_sided=o.smoothing and not o.online,
                sigma_s=o.sigma,
                label=label,
            )
        except VideoError as exc:
            raise VideoError(str(exc).replace(str(src), label)) from None
        npz, mp4 = (d / "item.npz").read_bytes(), (d / "item_mouth.mp4").read_bytes()
    with np.load(io.BytesIO(npz)) as z:
        valid = z["valid"]
    info = {"frames": len(valid), "warning": (warning or "").replace(str(src), label)}
    return ItemResult({"_mouth.mp4": mp4, ".npz": npz}, faces=int(valid.sum()), info=info)


KIND = ItemKind(
    "lipread",
    LipreadOptions,
    load,
    process,
    lambda o: SUFFIXES,
    frozenset(VIDEO_SUFFIXES),
    items_per_call=1,
)
