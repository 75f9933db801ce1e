"""Lazy input listing and per-item output names.

Inputs are named by *specs*: a file, a folder (walked recursively, one directory listing in
memory at a time), a glob pattern, or ``@LIST`` (a text file with one spec per line; ``@-`` reads
standard input). Nothing lists the whole job up front: :func:`iter_inputs` is a generator.

Each input's output name is computed from the input alone (:func:`item_key`): its path relative
to the job's root, whole file name included (``ROOT/a/b/x.jpg`` -> key ``a/b/x.jpg`` -> outputs
``OUT/a/b/x.jpg.json`` ...). Distinct inputs under one root get distinct keys (the relative path
is kept whole, so ``x.jpg`` and ``x.png`` do not clash), and a key never changes between runs,
which is what ``--resume`` relies on.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

#: File suffixes taken from folders and globs (a file named directly is always taken).
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".webp"}
)
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".m4v"})

_MAGIC = set("*?[")


class InputError(ValueError):
    """A spec that names nothing (a missing file or folder, a missing list file)."""


def _is_glob(spec: str) -> bool:
    return any(c in _MAGIC for c in spec)


def _walk(folder: Path, suffixes: frozenset[str], exclude: frozenset[str]) -> Iterator[Path]:
    """Files under ``folder`` with one of ``suffixes``, depth first, names sorted per folder.

    Hidden entries (``.name``) and folders in ``exclude`` (absolute paths) are skipped.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        print(f"warning: {folder}: cannot list ({exc.strerror or exc})", file=sys.stderr)
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        if e.is_dir():
            if os.path.abspath(e.path) not in exclude:
                yield from _walk(Path(e.path), suffixes, exclude)
        elif e.is_file() and os.path.splitext(e.name)[1].lower() in suffixes:
            yield Path(e.path)


def _list_lines(spec: str) -> Iterator[tuple[str, Path]]:
    """(entry, folder its relative entries are resolved against) for a ``@LIST`` spec."""
    name = spec[1:]
    if name == "-":
        base, lines = Path.cwd(), sys.stdin
    else:
        lst = Path(name)
        if not lst.is_file():
            raise InputError(f"{name}: list file not found")
        base, lines = lst.parent, lst.open(encoding="utf-8")
    try:
        for line in lines:
            entry = line.strip()
            if entry and not entry.startswith("#"):
                yield entry, base
    finally:
        if lines is not sys.stdin:
            lines.close()


def iter_inputs(
    specs: Iterable[str],
    suffixes: frozenset[str] = IMAGE_SUFFIXES,
    exclude: Iterable[str | Path] = (),
) -> Iterator[Path]:
    """Input files named by ``specs``, lazily, in spec order.

    Args:
        specs: files, folders, glob patterns or ``@LIST`` files (entries: any of the first three,
            relative ones against the list file's folder).
        suffixes: lower-case suffixes taken from folders and globs.
        exclude: folders never walked into (the job's output folder).
    Yields:
        paths as named (not resolved); a file named directly or in a list is yielded even if it
        does not exist, so that the job records it as a failed item instead of stopping.
    Raises:
        InputError: a spec (not a list entry) that names no file, folder or list file.
    """
    skip = frozenset(os.path.abspath(p) for p in exclude)
    for spec in specs:
        if spec.startswith("@"):
            for entry, base in _list_lines(spec):
                p = Path(entry) if os.path.isabs(entry) else base / entry
                if p.is_dir():
                    yield from _walk(p, suffixes, skip)
                elif _is_glob(entry):
                    yield from _glob(str(p), suffixes)
                else:
                    yield p
            continue
        p = Path(spec)
        if p.is_dir():
            yield from _walk(p, suffixes, skip)
        elif p.is_file():
            yield p
        elif _is_glob(spec):
            yield from _glob(spec, suffixes)
        else:
            raise InputError(f"{spec}: no such file, folder or glob pattern")


def _glob(pattern: str, suffixes: frozenset[str]) -> Iterator[Path]:
    for m in glob.iglob(pattern, recursive=True):
        p = Path(m)
        if p.is_file() and p.suffix.lower() in suffixes:
            yield p


def check_specs(specs: Iterable[str]) -> None:
    """Raise :class:`InputError` for a spec that names nothing, before a job starts."""
    for spec in specs:
        if spec == "@-":
            continue
        name = spec[1:] if spec.startswith("@") else spec
        if not (Path(name).exists() or (not spec.startswith("@") and _is_glob(spec))):
            kind = "list file" if spec.startswith("@") else "file, folder or glob pattern"
            raise InputError(f"{name}: no such {kind}")


def _spec_dirs(spec: str) -> Iterator[str]:
    """Folders that the inputs of one spec lie under (absolute)."""
    if spec == "@-":
        yield os.getcwd()
    elif spec.startswith("@"):
        for entry, base in _list_lines(spec):
            p = entry if os.path.isabs(entry) else os.path.join(base, entry)
            yield from _spec_dirs(p)
    elif _is_glob(spec):
        parts = Path(os.path.abspath(spec)).parts
        static = [q for q in parts[: next(i for i, q in enumerate(parts) if _is_glob(q))]]
        yield os.path.join(*static)
    elif os.path.isdir(spec):
        yield os.path.abspath(spec)
    else:
        yield os.path.dirname(os.path.abspath(spec))


def default_root(specs: Iterable[str]) -> Path:
    """The deepest folder that holds every input of ``specs`` (list files are read once for it).

    One folder spec gives that folder (``photos/a/x.jpg`` -> key ``a/x.jpg``); files give their
    folder; several specs their common folder.
    """
    root: str | None = None
    for spec in specs:
        for d in _spec_dirs(spec):
            root = d if root is None else os.path.commonpath([root, d])
    return Path(root if root is not None else os.getcwd())


def item_key(path: str | Path, root: str | Path) -> str:
    """The output key of ``path``: its POSIX path relative to ``root``, file name kept whole.

    Raises:
        InputError: ``path`` is not under ``root``.
    """
    p, r = os.path.abspath(path), os.path.abspath(root)
    if os.path.commonpath([p, r]) != r or p == r:
        raise InputError(f"{path}: not under the job root {r} (give --root)")
    return Path(os.path.relpath(p, r)).as_posix()


def output_path(out_dir: str | Path, key: str, suffix: str) -> Path:
    """Where the output ``suffix`` (e.g. ``.json``) of the item ``key`` goes."""
    return Path(out_dir) / f"{key}{suffix}"
