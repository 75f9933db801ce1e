"""The job runner on the local engine: outputs, manifest, failures, resume, exactly-once."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from dense_landmarks.cli import main
from dense_landmarks.jobs import ItemKind, ItemResult, JobConfigError, read_manifest, run_job
from dense_landmarks.jobs.predict import PredictOptions, load, process_item


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory):
    root, _ = corpus
    out = tmp_path_factory.mktemp("local")
    summary = run_job("predict", [str(root)], out, progress=False)
    return out, summary


def test_every_good_item_is_done_and_the_bad_one_reported(corpus, local_run):
    root, names = corpus
    out, summary = local_run
    assert summary.items == len(names) + 1 and summary.done == len(names) and summary.failed == 1
    assert summary.faces == len(names)  # one face in every good copy
    recs = _records(out)
    assert recs[0]["event"] == "start" and recs[0]["root"] == str(root)
    assert recs[-1]["event"] == "summary" and recs[-1]["done"] == len(names)
    done = sorted(r["key"] for r in recs if r.get("status") == "done")
    assert done == names
    (err,) = [r for r in recs if r.get("status") == "error"]
    assert err["key"] == "set0/corrupt.jpg" and str(root / "set0/corrupt.jpg") in err["error"]
    for n in names:
        doc = json.loads((out / f"{n}.json").read_text())
        assert doc["image"] == str(root / n) and len(doc["faces"]) == 1
    assert not list(out.rglob(".*.tmp"))


def test_documents_are_those_of_dense_landmarks_predict(corpus, local_run, tmp_path):
    from dense_landmarks.batch import run_batch

    root, _ = corpus
    out, _ = local_run
    paths = [root / "set0" / "sub" / "flip.png", root / "set0" / "small.jpg"]
    run_batch(load(PredictOptions()), paths, tmp_path, progress=False)
    for p in paths:
        legacy = (tmp_path / f"{p.stem}.json").read_bytes()
        assert legacy == (out / f"{p.relative_to(root).as_posix()}.json").read_bytes()


def test_process_item_from_bytes_equals_from_path(corpus):
    root, _ = corpus
    opts = PredictOptions(format="npz", overlay=True, density=300)
    lm = load(opts)
    for name in ("set0/gray.png", "set0/orig.jpg"):
        p = root / name
        a = process_item(p.read_bytes(), opts, lm, name=str(p))
        b = process_item(p, opts, lm)
        assert list(a.outputs) == [".png", ".npz"] and a.outputs == b.outputs
        assert a.faces == b.faces == 1 and a.info == {"width": 512, "height": 512}


def test_resume_skips_finished_items_and_redoes_the_rest(corpus, tmp_path):
    root, names = corpus
    out = tmp_path / "out"
    run_job("predict", [str(root)], out, progress=False)
    (out / f"{names[0]}.json").unlink()  # outputs gone: not finished any more
    (out / "set0" / ".orig.jpg.json.x1y2.tmp").write_bytes(b"partial")  # a killed write
    s = run_job("predict", [str(root)], out, resume=True, progress=False)
    assert (s.done, s.skipped, s.failed) == (1, len(names) - 1, 1)  # the corrupt file is retried
    assert not list(out.rglob(".*.tmp"))
    done = [r["key"] for r in _records(out) if r.get("status") == "done"]
    assert sorted(done) == sorted([*names, names[0]])  # the lost output redone once
    assert read_manifest(out / "manifest.jsonl").done == set(names)
    with pytest.raises(JobConfigError, match="other settings"):
        run_job("predict", [str(root)], out, PredictOptions(density=50), resume=True)
    with pytest.raises(JobConfigError, match="root"):
        run_job("predict", [str(root)], out, resume=True, root=root / "set0")


def test_inputs_named_twice_are_done_once(corpus, tmp_path):
    root, _ = corpus
    s = run_job(
        "predict",
        [str(root / "set0" / "sub"), str(root / "set0" / "sub" / "flip.png")],
        tmp_path,
        root=root,
        progress=False,
    )
    assert s.duplicates == 1 and s.done == 3
    keys = [r["key"] for r in _records(tmp_path) if r.get("status") == "done"]
    assert sorted(keys) == ["set0/sub/dark.jpg", "set0/sub/flip.png", "set0/sub/rot.png"]


def test_cli_engine_local(corpus, tmp_path, capsys):
    root, _ = corpus
    args = ["predict", str(root / "set0" / "sub"), str(root / "set0" / "corrupt.jpg")]
    code = main(
        [*args, "--out", str(tmp_path), "--engine", "local", "--quiet", "--root", str(root)]
    )
    assert code == 1  # an item failed
    captured = capsys.readouterr()
    assert "done 3, resumed 0, failed 1" in captured.out and "corrupt.jpg" in captured.err
    assert (tmp_path / "set0" / "sub" / "dark.jpg.json").exists()
    code = main(
        [
            "predict",
            str(root / "set0" / "sub"),
            "--out",
            str(tmp_path / "b"),
            "--engine",
            "local",
            "--quiet",
        ]
    )
    assert code == 0 and (tmp_path / "b" / "flip.png.json").exists()
    assert main(["predict", str(root / "nope"), "--out", str(tmp_path), "--engine", "local"]) == 2
    assert (
        main(["predict", str(root), "--out", str(tmp_path), "--engine", "local", "--workers", "2"])
        == 2
    )


@dataclass(frozen=True)
class _EchoOptions:
    upper: bool = True


def _echo(source, options, state, name=None):
    data = Path(source).read_bytes()
    if b"boom" in data:
        raise ValueError("boom inside")
    if b"wrong" in data:
        return ItemResult({".bad": b""})
    return ItemResult({".txt": data.upper() if options.upper else data}, info={"state": state})


ECHO = ItemKind(
    "echo", _EchoOptions, lambda o: "loaded", _echo, lambda o: (".txt",), frozenset({".txt"})
)


def test_any_kind_runs_and_its_failures_never_stop_the_job(tmp_path):
    src = tmp_path / "in"
    for name, text in [("a", "ok"), ("b", "boom"), ("c", "wrong"), ("d/e", "fine")]:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / f"{name}.txt").write_text(text)
    s = run_job(ECHO, [str(src)], tmp_path / "out", progress=False)
    assert (s.done, s.failed) == (2, 2)
    assert (tmp_path / "out" / "d" / "e.txt.txt").read_text() == "FINE"
    errors = dict(s.errors)
    assert errors[str(src / "b.txt")] == f"ValueError: {src / 'b.txt'}: boom inside"
    assert "returned ['.bad'], not ['.txt']" in errors[str(src / "c.txt")]
    recs = _records(tmp_path / "out")
    assert [r["info"] for r in recs if r.get("status") == "done"] == [{"state": "loaded"}] * 2


def test_a_started_engine_serves_several_jobs_and_stays_open(tmp_path):
    from dense_landmarks.jobs.engines import LocalEngine

    src = tmp_path / "in"
    src.mkdir()
    for name in "abc":
        (src / f"{name}.txt").write_text(name)
    loads: list[_EchoOptions] = []
    kind = ItemKind(
        "echo", _EchoOptions, lambda o: loads.append(o) or "loaded", _echo, ECHO.suffixes,
        ECHO.input_suffixes,
    )  # fmt: skip
    eng = LocalEngine()
    eng.start(kind, _EchoOptions())
    first = run_job(kind, [str(src)], tmp_path / "one", engine=eng, progress=False)
    second = run_job(kind, [str(src)], tmp_path / "two", engine=eng, progress=False)
    assert first.done == second.done == 3 and len(loads) == 1  # the models loaded once
    assert eng.started  # the caller's engine is left open
    assert (tmp_path / "two" / "b.txt.txt").read_text() == "B"
    other = run_job(kind, [str(src)], tmp_path / "low", _EchoOptions(upper=False), engine=eng)
    assert other.done == 3 and loads == [_EchoOptions(), _EchoOptions(upper=False)]  # reloaded
    assert (tmp_path / "low" / "b.txt.txt").read_text() == "b"
    with pytest.raises(ValueError, match="engine object"):
        run_job(kind, [str(src)], tmp_path / "x", engine=eng, workers=2)
    eng.close()
    assert not eng.started


def test_item_cpu_is_spent_on_the_item_thread(local_run):
    _, s = local_run  # every library pool held to one thread: no CPU on other threads
    assert s.worker_cpu_seconds > 0
    assert 0.9 * s.worker_cpu_seconds <= s.worker_thread_cpu_seconds <= s.worker_cpu_seconds
