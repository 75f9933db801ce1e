"""Jobs over many inputs: lazy listing, per-item output names, atomic outputs, a JSONL manifest,
``--resume``, and engines (``local``, ``ray``) that share one per-item function.

    from dense_landmarks.jobs import run_job
    summary = run_job("predict", ["photos/"], "out/photos", engine="ray", workers=2)

Modules: :mod:`~dense_landmarks.jobs.inputs` (specs -> paths -> keys),
:mod:`~dense_landmarks.jobs.kinds` (the per-item work and its registry),
:mod:`~dense_landmarks.jobs.predict` (the ``predict`` kind), :mod:`~dense_landmarks.jobs.engines`,
:mod:`~dense_landmarks.jobs.manifest`, :mod:`~dense_landmarks.jobs.runner`,
:mod:`~dense_landmarks.jobs.cli` (the shared command-line options).
"""

from dense_landmarks.jobs.engines import EngineError
from dense_landmarks.jobs.inputs import InputError, item_key, iter_inputs
from dense_landmarks.jobs.kinds import KINDS, ItemKind, ItemResult, get_kind, run_item
from dense_landmarks.jobs.manifest import JobLockedError, read_manifest
from dense_landmarks.jobs.runner import JobConfigError, JobSummary, run_job

__all__ = [
    "KINDS",
    "EngineError",
    "InputError",
    "ItemKind",
    "ItemResult",
    "JobConfigError",
    "JobLockedError",
    "JobSummary",
    "get_kind",
    "item_key",
    "iter_inputs",
    "read_manifest",
    "run_item",
    "run_job",
]
