import json

import pytest

from dense_landmarks.jobs.manifest import JobLockedError, ManifestWriter, job_lock, read_manifest


def test_a_torn_last_line_is_skipped_and_never_glued_to(tmp_path):
    path = tmp_path / "manifest.jsonl"
    with ManifestWriter(path, append=False) as m:
        m.write({"event": "start", "kind": "predict"})
        m.write({"key": "a.jpg", "status": "done"})
    with path.open("ab") as fh:
        fh.write(b'{"key": "b.jpg", "sta')  # a write cut by a kill
    state = read_manifest(path)
    assert state.done == {"a.jpg"} and state.torn == 1 and state.header["kind"] == "predict"
    with ManifestWriter(path, append=True) as m:
        m.write({"key": "b.jpg", "status": "done"})
    state = read_manifest(path)
    assert state.done == {"a.jpg", "b.jpg"} and state.torn == 1
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[-1]) == {"key": "b.jpg", "status": "done"}


def test_one_writer_per_output_folder(tmp_path):
    with job_lock(tmp_path):
        with pytest.raises(JobLockedError, match="another job"):
            with job_lock(tmp_path):
                pass
    with job_lock(tmp_path):  # released
        pass
