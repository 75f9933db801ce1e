"""The Ray engine on a local Ray (started once for the module): identical outputs to the local
engine, failures recorded while the rest finish, and a killed run resumed exactly once."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from dense_landmarks.jobs import ItemKind, ItemResult, run_job
from tests.dense_landmarks.jobs.corpus import write_corpus

ray = pytest.importorskip("ray")


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != "manifest.jsonl"
    }


def _records(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines() if x.strip()]


def test_ray_and_local_outputs_are_identical(gcs_address, corpus, tmp_path):
    root, names = corpus
    local = run_job("predict", [str(root)], tmp_path / "local", progress=False)
    dist = run_job(
        "predict", [str(root)], tmp_path / "ray", engine="ray", workers=2, progress=False
    )
    assert (dist.done, dist.failed, dist.workers) == (local.done, local.failed, 2) == (7, 1, 2)
    a, b = _outputs(tmp_path / "local"), _outputs(tmp_path / "ray")
    assert sorted(a) == sorted(f"{n}.json" for n in names)
    assert a == b  # byte for byte
    recs = [r for r in _records(tmp_path / "ray") if "status" in r]
    (err,) = [r for r in recs if r["status"] == "error"]
    assert str(root / "set0" / "corrupt.jpg") in err["error"] and "ImageError" in err["error"]
    assert len({r["worker"] for r in recs}) == 2  # both actors took items
    assert ray.is_initialized()  # the engine left the caller's Ray running


def _done_lines(manifest: Path) -> int:
    try:
        return manifest.read_bytes().count(b'"status":"done"')
    except FileNotFoundError:
        return 0


def test_killed_run_resumed_loses_nothing_and_writes_nothing_twice(gcs_address, tmp_path):
    root = tmp_path / "in"
    names = write_corpus(root, copies=8)  # 49 images + 1 corrupt file
    ref = tmp_path / "ref"
    run_job("predict", [str(root)], ref, engine="ray", workers=2, progress=False)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dense_landmarks.cli", "predict", str(root), "--out", str(out)]
    cmd += ["--engine", "ray", "--address", gcs_address, "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline and _done_lines(out / "manifest.jsonl") < 4:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = read_done(out)
    assert 4 <= len(before) < len(names), "the run was not killed part-way"
    mtimes = {k: (out / f"{k}.json").stat().st_mtime_ns for k in before}
    for p in out.rglob("*.json"):  # whatever exists is complete
        json.loads(p.read_text())

    res = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr  # 1: the corrupt file failed again
    assert f"resumed {len(before)}, failed 1" in res.stdout
    recs = _records(out)
    done = [r["key"] for r in recs if r.get("status") == "done"]
    assert sorted(done) == names  # every item committed exactly once
    assert _outputs(out) == _outputs(ref)  # nothing lost, identical to an uninterrupted run
    assert not list(out.rglob(".*.tmp"))
    for k, t in mtimes.items():  # finished items were not written again
        assert (out / f"{k}.json").stat().st_mtime_ns == t
    starts = [r for r in recs if r.get("event") == "start"]
    assert [s["resume"] for s in starts] == [False, True]


def read_done(out: Path) -> set[str]:
    from dense_landmarks.jobs import read_manifest

    return read_manifest(out / "manifest.jsonl").done


@dataclass(frozen=True)
class _CrashOptions:
    pass


def _crash_or_copy(source, options, state, name=None):
    if Path(source).name.startswith("crash"):
        os._exit(3)  # a worker dying on a poison input (a segfault in a decoder, say)
    return ItemResult({".out": Path(source).read_bytes()})


CRASHER = ItemKind(
    "crasher",
    _CrashOptions,
    lambda o: None,
    _crash_or_copy,
    lambda o: (".out",),
    frozenset({".txt"}),
)


def test_a_worker_crash_is_one_failed_item_and_the_job_goes_on(gcs_address, tmp_path):
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "b", "crash", "c", "d"):
        (src / f"{name}.txt").write_text(name)
    s = run_job(CRASHER, [str(src)], tmp_path / "out", engine="ray", workers=1, progress=False)
    assert (s.done, s.failed) == (4, 1)
    (path, error) = s.errors[0]
    assert path == str(src / "crash.txt") and "the worker died twice on it" in error
    for name in "abcd":
        assert (tmp_path / "out" / f"{name}.txt.out").read_text() == name


def test_a_started_ray_engine_serves_several_jobs(gcs_address, corpus, tmp_path):
    from dense_landmarks.jobs.engines import RayEngine
    from dense_landmarks.jobs.kinds import get_kind
    from dense_landmarks.jobs.predict import PredictOptions

    root, _ = corpus
    eng = RayEngine(workers=2)
    eng.start(get_kind("predict"), PredictOptions())
    try:
        runs = [
            run_job("predict", [str(root)], tmp_path / n, engine=eng, progress=False)
            for n in ("one", "two")
        ]
        assert eng.started  # left open for the next job
        workers = [
            {r["worker"] for r in _records(tmp_path / n) if "status" in r}
            for n in "one two".split()
        ]
    finally:
        eng.close()
    assert [(s.done, s.failed) for s in runs] == [(7, 1), (7, 1)]
    assert workers[0] == workers[1] and len(workers[0]) == 2  # the same two actors
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")
    # Ray workers hold every library pool to one thread: the item CPU is the item thread's
    s = runs[1]
    assert 0.9 * s.worker_cpu_seconds <= s.worker_thread_cpu_seconds <= s.worker_cpu_seconds
