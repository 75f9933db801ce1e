import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dense_landmarks.jobs.inputs import (
    InputError,
    check_specs,
    default_root,
    item_key,
    iter_inputs,
    output_path,
)


def _touch(root: Path, *names: str) -> None:
    for n in names:
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(b"x")


def test_folders_are_walked_depth_first_sorted_skipping_hidden_and_excluded(tmp_path):
    _touch(tmp_path, "b.jpg", "a/z.png", "a/b/c.JPG", ".hidden.jpg", "notes.txt", "out/o.png")
    got = [
        p.relative_to(tmp_path).as_posix()
        for p in iter_inputs([str(tmp_path)], exclude=[tmp_path / "out"])
    ]
    assert got == ["a/b/c.JPG", "a/z.png", "b.jpg"]


def test_listing_is_lazy(tmp_path):
    _touch(tmp_path, "a.jpg")
    it = iter_inputs([str(tmp_path / "a.jpg"), str(tmp_path / "missing.jpg")])
    assert next(it) == tmp_path / "a.jpg"  # yielded before the bad spec is reached
    with pytest.raises(InputError, match=r"missing\.jpg"):
        next(it)


def test_list_files_globs_and_stdin(tmp_path, monkeypatch):
    import io

    _touch(tmp_path, "d/x.jpg", "d/y.png", "e/q.jpg", "e/r.txt")
    lst = tmp_path / "list.txt"
    lst.write_text(f"# inputs\nd/x.jpg\n\n{tmp_path / 'e'}\nnot-there.jpg\n")
    got = list(iter_inputs([f"@{lst}"]))
    assert got == [tmp_path / "d/x.jpg", tmp_path / "e/q.jpg", tmp_path / "not-there.jpg"]
    assert sorted(iter_inputs([str(tmp_path / "d" / "*")])) == [
        tmp_path / "d/x.jpg",
        tmp_path / "d/y.png",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{tmp_path / 'd/y.png'}\n"))
    assert list(iter_inputs(["@-"])) == [tmp_path / "d/y.png"]
    with pytest.raises(InputError, match="list file"):
        check_specs([f"@{tmp_path / 'nope.txt'}"])
    with pytest.raises(InputError):
        check_specs([str(tmp_path / "nope")])
    check_specs([str(tmp_path / "*.none"), "@-", str(lst)])  # a glob may match nothing


def test_keys_keep_the_relative_folder_and_the_whole_name(tmp_path):
    assert item_key(tmp_path / "a" / "b" / "x.jpg", tmp_path) == "a/b/x.jpg"
    assert item_key(tmp_path / "a" / "x.jpg", tmp_path) != item_key(
        tmp_path / "a" / "x.png", tmp_path
    )
    assert output_path("out", "a/x.jpg", ".json") == Path("out/a/x.jpg.json")
    with pytest.raises(InputError, match="not under the job root"):
        item_key(tmp_path.parent / "other.jpg", tmp_path)
    rel = os.path.relpath(tmp_path / "a" / "x.jpg")
    assert item_key(rel, tmp_path) == "a/x.jpg"  # relative or absolute: one key


def test_default_root(tmp_path):
    _touch(tmp_path, "p/a/x.jpg", "q/y.jpg")
    assert default_root([str(tmp_path / "p")]) == tmp_path / "p"
    assert default_root([str(tmp_path / "p/a/x.jpg")]) == tmp_path / "p/a"
    assert default_root([str(tmp_path / "p"), str(tmp_path / "q/y.jpg")]) == tmp_path
    assert default_root([str(tmp_path / "p" / "**" / "*.jpg")]) == tmp_path / "p"
    lst = tmp_path / "l.txt"
    lst.write_text(f"{tmp_path / 'p/a/x.jpg'}\n{tmp_path / 'q/y.jpg'}\n")
    assert default_root([f"@{lst}"]) == tmp_path


_part = st.text(alphabet="abc.-_ xé", min_size=1, max_size=6).filter(lambda s: s not in (".", ".."))


@given(st.lists(st.lists(_part, min_size=1, max_size=4), min_size=2, max_size=8, unique_by=tuple))
def test_keys_are_injective_and_stay_inside_the_output(parts):
    root = Path("/data/root")
    keys = [item_key(root.joinpath(*p), root) for p in parts]
    assert len(set(keys)) == len(keys)
    for k in keys:
        assert not k.startswith("/") and ".." not in Path(k).parts
        assert item_key(root / k, root) == k  # stable: the key names the input again
