"""Batch jobs over video files: ``video`` (tracked landmarks NPZ + overlay) and ``lipread``
(mouth ROI, lip contours and features NPZ + mouth clip).

Every output is written atomically; ``resume`` skips inputs whose outputs all exist; an
unreadable video is reported with its path and the batch goes on; a truncated one is processed
as far as it decodes and reported (its NPZ says ``truncated``).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.atomic import atomic_write_bytes
from dense_landmarks.batch import output_stems
from dense_landmarks.contours import layout_name
from dense_landmarks.video.io import VIDEO_SUFFIXES, VideoError, VideoWriter, open_video
from dense_landmarks.video.offline import DEFAULT_SIGMA_S


@dataclass
class JobReport:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"videos: {len(self.done)}, resumed (skipped): {len(self.skipped)}, "
            f"errors: {len(self.errors)}, warnings: {len(self.warnings)}"
        )


def expand_videos(inputs: Iterable[str]) -> list[Path | int]:
    """Files (any suffix), folders (recursive, video suffixes), globs and webcam indices."""
    import glob

    out: dict[Path | int, None] = {}
    for item in inputs:
        p = Path(item)
        if item.isdigit() and not p.exists():
            out[int(item)] = None
        elif p.is_dir():
            out.update(
                (f, None) for f in sorted(p.rglob("*")) if f.suffix.lower() in VIDEO_SUFFIXES
            )
        elif p.is_file():
            out[p] = None
        else:
            matches = [Path(m) for m in sorted(glob.glob(item, recursive=True))]
            if not matches:
                raise FileNotFoundError(f"{item}: no such file, folder or glob match")
            out.update((m, None) for m in matches if m.is_file())
    return list(out)


def _npz_bytes(arrays: dict) -> bytes:
    """A compressed NPZ whose bytes depend on the arrays only (fixed member time stamps, unlike
    ``np.savez_compressed``): the same video gives the same file on every run and engine."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def _frames(reader, progress: bool, name: str):
    if not progress:
        yield from reader
        return
    from tqdm import tqdm

    yield from tqdm(reader, total=reader.frames or None, desc=name, unit="frame", leave=False)


def _stack_contours(
    faces_per_frame: list[dict[int, object]], slots: dict[int, int], density: object
) -> dict:
    """``contours_<part>`` (T, F, n_part, 2) float32, NaN where a slot has no face.

    With a fixed dense layout (``density`` a name of :data:`dense_landmarks.scheme.DENSE_LAYOUTS`,
    the default ``"dense-1000"``) n_part is the layout's count and index i the same anatomical
    place in every frame; with an int density (length-proportional) a face whose part count
    differs from the first face's is resampled to it.
    """
    from curves import resample

    if isinstance(density, str):
        counts = {k: p.count for k, p in scheme.DENSE_LAYOUTS[density].items()}
    else:
        first = next((f for fr in faces_per_frame for f in fr.values()), None)
        if first is None:  # no face in any frame
            empty = np.zeros((len(faces_per_frame), 0, 0, 2), dtype=np.float32)
            return {f"contours_{part}": empty for part in scheme.PART_NAMES}
        counts = {k: len(v) for k, v in first.contours.items()}
    out = {}
    for part, n in counts.items():
        closed = scheme.PARTS[part].closed
        arr = np.full((len(faces_per_frame), len(slots), n, 2), np.nan, dtype=np.float32)
        for t, fr in enumerate(faces_per_frame):
            for tid, f in fr.items():
                c = f.contours[part]
                arr[t, slots[tid]] = (
                    c if len(c) == n else resample(c, n, closed, merge_duplicates=True)
                )
        out[f"contours_{part}"] = arr
    return out


def _raw_tracker(tracker, two_sided: bool):
    """The tracker to run for a file: with two-sided smoothing, its unsmoothed twin (same
    models), whose output :mod:`dense_landmarks.video.offline` then smooths without lag."""
    from dataclasses import replace

    from dense_landmarks.video.tracker import Tracker

    if not (two_sided and tracker.config.smoothing):
        return tracker
    return Tracker(tracker.landmarker, replace(tracker.config, smoothing=False))


def _two_sided(
    points: np.ndarray, contours: dict, valid: np.ndarray, fps: float, sigma_s: float
) -> None:
    """In place: :func:`dense_landmarks.video.offline.smooth_sequence` over each face slot's
    106 points and contour points (float32 arrays (T, F, n, 2))."""
    from dense_landmarks.video.offline import smooth_sequence
    from dense_landmarks.video.tracker import FRAME_PARTS, frame_indices

    names = list(contours)
    sizes = np.cumsum([points.shape[2]] + [contours[k].shape[2] for k in names])[:-1]
    for f in range(points.shape[1]):
        stack = np.concatenate([points[:, f]] + [contours[k][:, f] for k in names], axis=1)
        out = smooth_sequence(stack, valid[:, f], fps, frame_indices(FRAME_PARTS), sigma_s)
        parts = np.split(out, sizes, axis=1)
        points[:, f] = parts[0]
        for k, arr in zip(names, parts[1:]):
            contours[k][:, f] = arr


def video_job(
    tracker,
    src: Path | int,
    out: Path,
    stem: str,
    overlay: bool,
    progress: bool,
    two_sided: bool = True,
    sigma_s: float = DEFAULT_SIGMA_S,
) -> str:
    """Track one video: ``out/<stem>.npz`` (+ ``<stem>_overlay.mp4``). Returns a warning or "".

    ``two_sided`` (files only, when the tracker smooths): smooth the whole unsmoothed track
    without phase lag (:mod:`dense_landmarks.video.offline`) instead of the online filter.
    """
    from dense_landmarks.draw import draw_contours

    two_sided = two_sided and isinstance(src, Path) and tracker.config.smoothing
    tracker = _raw_tracker(tracker, two_sided)
    tracker.reset()
    per_frame, times = [], []
    live_overlay = overlay and not two_sided  # otherwise drawn after smoothing, below
    with open_video(src) as reader:
        writer = VideoWriter(out / f"{stem}_overlay.mp4", reader.fps, src) if live_overlay else None
        try:
            for rgb, t in _frames(reader, progress, stem):
                faces = tracker.update(rgb, t)
                per_frame.append({f.track_id: f for f in faces})
                times.append(t)
                if writer is not None:
                    img = rgb
                    for f in faces:
                        img = draw_contours(img, f.contours, thickness=1)
                    writer.write(img)
        except KeyboardInterrupt:
            if not isinstance(src, int) or not per_frame:
                if writer is not None:
                    writer.abort()
                raise
            # a webcam ends when its user stops it: keep what was recorded
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        fps, truncated, problem = reader.fps, reader.truncated, reader.problem
    ids = sorted({tid for fr in per_frame for tid in fr}, key=lambda i: i)
    slots = {tid: k for k, tid in enumerate(ids)}
    T, F = len(per_frame), len(slots)
    points = np.full((T, F, 106, 2), np.nan, dtype=np.float32)
    valid = np.zeros((T, F), dtype=bool)
    quality = np.full((T, F), np.nan, dtype=np.float32)
    pose = np.full((T, F, 3), np.nan, dtype=np.float32)
    track = np.full((T, F), -1, dtype=np.int32)
    for t, fr in enumerate(per_frame):
        for tid, f in fr.items():
            k = slots[tid]
            points[t, k], valid[t, k], track[t, k] = f.points, True, tid
            quality[t, k], pose[t, k] = f.quality if f.quality is not None else np.nan, f.pose
    contours = _stack_contours(per_frame, slots, tracker.landmarker.density)
    if two_sided:
        _two_sided(points, contours, valid, fps, sigma_s)
    arrays = {
        "points106": points,
        "valid": valid,
        "track_id": track,
        "quality": quality,
        "pose": pose,
        "timestamps": np.asarray(times, dtype=np.float64),
        "fps": np.float64(fps),
        "part_names": np.array(scheme.PART_NAMES),
        "layout": np.array(layout_name(tracker.landmarker.density)),
        "truncated": np.bool_(truncated),
        "source": np.array(str(src)),
        "two_sided": np.bool_(two_sided),
        **contours,
    }
    if overlay and two_sided:
        _overlay(src, out / f"{stem}_overlay.mp4", fps, contours, valid)
    atomic_write_bytes(out / f"{stem}.npz", _npz_bytes(arrays))
    if writer is not None:
        writer.close()
    return problem


def _overlay(src: Path, path: Path, fps: float, contours: dict, valid: np.ndarray) -> None:
    """Decode ``src`` again and draw each frame's (smoothed) contours: ``path`` with audio."""
    from dense_landmarks.draw import draw_contours

    with open_video(src) as reader, VideoWriter(path, fps, src) as writer:
        for t, (rgb, _) in enumerate(reader):
            if t >= len(valid):
                break
            img = rgb
            for f in np.flatnonzero(valid[t]):
                img = draw_contours(
                    img, {k[len("contours_") :]: v[t, f] for k, v in contours.items()}, thickness=1
                )
            writer.write(img)


def lipread_job(
    tracker,
    src: Path,
    out: Path,
    stem: str,
    progress: bool,
    two_sided: bool = True,
    sigma_s: float = DEFAULT_SIGMA_S,
    label: str | None = None,
) -> str:
    """Lip-reading front end for the largest face of one video: ``out/<stem>.npz`` and
    ``out/<stem>_mouth.mp4``. Returns a warning or "". ``two_sided``: as in :func:`video_job`;
    ``label``: the NPZ's ``source`` (default: the path)."""
    from dense_landmarks.video import lipread as lr

    two_sided = two_sided and tracker.config.smoothing
    tracker = _raw_tracker(tracker, two_sided)
    tracker.reset()
    rows, times = [], []
    with open_video(src) as reader:
        for rgb, t in _frames(reader, progress, stem):
            faces = tracker.update(rgb, t)
            rows.append(faces[0] if faces else None)
            times.append(t)
        fps, truncated, problem = reader.fps, reader.truncated, reader.problem
    T, n = len(rows), lr.LIP_POINTS
    valid = np.array([f is not None for f in rows])
    if not valid.any():
        raise VideoError(f"{label or src}: no face in any of its {T} frames")
    stack = np.full((T, 106 + 2 * n, 2), np.nan)
    for t, f in enumerate(rows):
        if f is not None:
            stack[t] = np.concatenate([f.points, *lr.lip_rings(f.contours, n)])
    if two_sided:
        from dense_landmarks.video.offline import smooth_sequence
        from dense_landmarks.video.tracker import FRAME_PARTS, frame_indices

        stack = smooth_sequence(stack, valid, fps, frame_indices(FRAME_PARTS), sigma_s)
    points, outer, inner = stack[:, :106], stack[:, 106 : 106 + n], stack[:, 106 + n :]
    feats = np.full((T, len(lr.FEATURE_NAMES)), np.nan, dtype=np.float32)
    for t in np.flatnonzero(valid):
        feats[t] = lr.lip_features(points[t], outer[t], inner[t])
    mats = lr.roi_matrices(points, valid)
    roi = np.zeros((T, lr.ROI_SIZE, lr.ROI_SIZE), dtype=np.uint8)
    with open_video(src) as reader, VideoWriter(out / f"{stem}_mouth.mp4", fps, src) as writer:
        for t, (rgb, _) in enumerate(reader):
            if t >= T:
                break
            roi[t] = lr.crop_roi(rgb, mats[t])
            writer.write(roi[t])
    arrays = {
        "mouth_roi": roi,
        "outer_lips": outer.astype(np.float32),
        "inner_lips": inner.astype(np.float32),
        "valid": valid,
        "fps": np.float64(fps),
        "timestamps": np.asarray(times, dtype=np.float64),
        "features": feats,
        "feature_names": np.array(lr.FEATURE_NAMES),
        "points106": points.astype(np.float32),
        "roi_matrix": mats.astype(np.float32),
        "two_sided": np.bool_(two_sided),
        "truncated": np.bool_(truncated),
        "source": np.array(label or str(src)),
    }
    atomic_write_bytes(out / f"{stem}.npz", _npz_bytes(arrays))
    return problem


def run_jobs(
    job: Callable[..., str],
    tracker,
    inputs: list[Path | int],
    out: Path,
    outputs: Callable[[str], list[str]],
    resume: bool,
    **kwargs: object,
) -> JobReport:
    """Run ``job(tracker, src, out, stem, **kwargs)`` on every input; ``outputs(stem)`` names
    the files whose existence makes ``resume`` skip an input."""
    report = JobReport()
    files = [p for p in inputs if isinstance(p, Path)]
    stems = output_stems(files)
    for src in inputs:
        stem = stems[src] if isinstance(src, Path) else f"webcam{src}"
        if resume and all((out / name).exists() for name in outputs(stem)):
            report.skipped.append(str(src))
            continue
        try:
            warning = job(tracker, src, out, stem, **kwargs)
        except VideoError as exc:
            report.errors.append((str(src), str(exc)))
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        if warning:
            report.warnings.append(warning)
            print(f"warning: {warning} (kept the frames that decode)", file=sys.stderr)
        report.done.append(str(src))
        print(f"{src} -> {out / stem}.npz", file=sys.stderr)
    return report
