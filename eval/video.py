"""Video evaluation: ours (tracking) against MediaPipe Face Mesh in tracking mode, same frames.

    python -m eval.video --grid ../shared/data/grid_talking --data ../shared/data/300w_train
    python -m eval.video --roi-sheet out/lip     # contact sheet of `dense-landmarks lipread` ROIs

On the GRID talking-face clips (real speech; the audio is the reference):
- roughness of the mouth-opening signal: mean |second difference| / standard deviation;
- its correlation with the log audio envelope at the best lag in ``eval.lipsync.LAGS`` (video
  frames; positive: the video leads the audio), and that lag with and without smoothing;
- per-frame time of each system's tracking call, both pinned to one CPU core.
On synthetic-motion videos (:mod:`eval.jitter`, still 300-W faces moved by known similarities):
jitter of the 68 points after undoing the known motion, both in tracking mode.

The signals and measures are in :mod:`eval.lipsync`. Ours is run three ways: files (the
zero-phase smoothing of ``dense-landmarks video``/``lipread``), online (the tracker's One-Euro
filter) and unsmoothed.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.imageio import read_image
from dense_landmarks.metrics import normaliser
from dense_landmarks.video.io import open_video
from dense_landmarks.video.lipread import ring_resample
from eval.jitter import jitter, make_video
from eval.lipsync import (
    audio_envelope,
    delay,
    lagged_correlation,
    mp_opening,
    ours_opening,
    roughness,
)
from eval.peers.call import call_runner, read_npz
from eval.systems import REPO

TEACHER = ".venv-teacher/bin/python"


def _ours_track(tracker, frames: list[np.ndarray], fps: float):
    """Per-frame (106 points or None, inner contour or None); per-frame wall and CPU ms."""
    tracker.reset()
    rows, ms, cpu = [], [], []
    for k, rgb in enumerate(frames):
        t0, c0 = time.perf_counter(), time.process_time()
        faces = tracker.update(rgb, k / fps)
        ms.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        f = faces[0] if faces else None
        rows.append((f.points, f.contours["inner_lips"]) if f else (None, None))
    return rows, np.asarray(ms), np.asarray(cpu)


def two_sided(rows, fps: float, sigma_s: float | None = None) -> list:
    """The file jobs' zero-phase smoothing (:mod:`dense_landmarks.video.offline`) of
    unsmoothed tracked rows (106 points, inner-lip contour)."""
    from dense_landmarks.video.offline import DEFAULT_SIGMA_S, smooth_sequence
    from dense_landmarks.video.tracker import FRAME_PARTS, frame_indices

    sigma_s = DEFAULT_SIGMA_S if sigma_s is None else sigma_s
    valid = np.array([p is not None for p, _ in rows])
    stack = np.full((len(rows), 106 + 64, 2), np.nan)
    for t, (p, inner) in enumerate(rows):
        if p is not None:
            stack[t] = np.concatenate([p, ring_resample(inner, 64)])
    out = smooth_sequence(stack, valid, fps, frame_indices(FRAME_PARTS), sigma_s)
    return [(o[:106], o[106:]) if ok else (None, None) for o, ok in zip(out, valid)]


def run_mediapipe(sequences: list[dict], cpu: int | None, python: Path) -> dict[str, np.ndarray]:
    if not python.exists():
        raise SystemExit(f"{python} missing: MediaPipe runs in its own venv (`make teacher`)")
    request = {"cpu": cpu, "sequences": sequences}
    return call_runner(python, "eval.peers.mediapipe_video", request, "mediapipe", read_npz, ".npz")


def _mp_slot_map() -> tuple[np.ndarray, np.ndarray]:
    from training.labels.mesh import MAP_PATH

    m = json.loads(MAP_PATH.read_text(encoding="utf-8"))
    return np.asarray(m["vertices"]), np.asarray(m["weights"])


def evaluate(
    grid: Path,
    data: Path | None,
    jitter_faces: int,
    frames: int,
    out: Path,
    cpu: int | None,
    teacher: Path = REPO / TEACHER,
    sigma_s: float | None = None,
) -> dict:
    from dense_landmarks.landmarker import DenseLandmarker
    from dense_landmarks.video.tracker import Tracker, TrackerConfig

    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    out.mkdir(parents=True, exist_ok=True)
    lm = DenseLandmarker(num_threads=1)
    smooth, raw = Tracker(lm), Tracker(lm, TrackerConfig(smoothing=False))
    raw_lips = Tracker(lm, TrackerConfig(smoothing=False, skip_refine=()))  # video's choice
    clips = sorted(grid.glob("*.mpg"))
    seqs, decoded = [], []
    for clip in clips:
        with open_video(clip) as v:
            fr = [(rgb, t) for rgb, t in v]
            fps = v.fps
        frames_np = np.stack([f for f, _ in fr])
        np.save(out / f"{clip.stem}_frames.npy", frames_np)
        seqs.append({"frames": str(out / f"{clip.stem}_frames.npy")})
        decoded.append((clip, [f for f, _ in fr], np.array([t for _, t in fr]), fps))
    jit_items = []
    if data is not None and jitter_faces > 0:
        from eval.data import load_faces

        rng = np.random.default_rng(0)
        (out / "jitter_frames").mkdir(exist_ok=True)
        for i, f in enumerate(load_faces(data, "val", limit=jitter_faces)):
            items = make_video(f.image, f.points68, frames, rng, out / "jitter_frames", f"v{i:03d}")
            jit_items.append((f, items))
            seqs.append({"images": [it["image"] for it in items]})
    mp = run_mediapipe(seqs, cpu, teacher)
    inner_ring = mp["inner_lips"]

    result: dict = {"clips": {}, "ms": {}, "delay": {}}
    times_ours: dict[str, list] = {"ms": [], "cpu": []}
    times_mp: dict[str, list] = {"ms": [], "cpu": []}
    for k, (clip, fr, times, fps) in enumerate(decoded):
        env = audio_envelope(clip, times, fps)
        rows_s, ms, cpu = _ours_track(smooth, fr, fps)
        rows_r, _, _ = _ours_track(raw, fr, fps)
        rows_l, _, _ = _ours_track(raw_lips, fr, fps)
        times_ours["ms"].append(ms)
        times_ours["cpu"].append(cpu)
        times_mp["ms"].append(mp[f"ms_{k}"])
        times_mp["cpu"].append(mp[f"cpu_{k}"])
        sig = {
            "ours": ours_opening(two_sided(rows_r, fps, sigma_s)),
            "ours_online": ours_opening(rows_s),
            "ours_raw": ours_opening(rows_r),
            "ours_raw_lips_refined": ours_opening(rows_l),
            "mediapipe": mp_opening(mp[f"points_{k}"], inner_ring),
        }
        result["clips"][clip.stem] = {
            name: {
                "roughness": roughness(x),
                **dict(zip(("corr", "lag"), lagged_correlation(x, env))),
            }
            for name, x in sig.items()
        }
        result["delay"][clip.stem] = {
            n: delay(sig["ours_raw"], sig[n]) for n in ("ours", "ours_online")
        }
        np.savez(out / f"{clip.stem}_signals.npz", envelope=env, **sig)
    verts, wts = _mp_slot_map()
    jit = {"ours": [], "mediapipe": []}
    for j, (f, items) in enumerate(jit_items):
        k = len(decoded) + j
        rows, _, _ = _ours_track(smooth, [read_image(it["image"]) for it in items], 25.0)
        mats = [np.asarray(it["matrix"]) for it in items]
        iod = float(normaliser(f.points68[None])[0])
        ours68 = [scheme.to_68(p) if p is not None else None for p, _ in rows]
        mp68 = [
            np.einsum("kjd,kj->kd", p[verts], wts)[scheme.IBUG68_FROM_106]
            if np.isfinite(p).all()
            else None
            for p in mp[f"points_{k}"]
        ]
        jit["ours"].append(jitter(ours68, mats, iod))
        jit["mediapipe"].append(jitter(mp68, mats, iod))
    result["jitter"] = {
        k: float(np.mean([x for x in v if x is not None]))
        if any(x is not None for x in v)
        else float("nan")
        for k, v in jit.items()
    }
    result["jitter_videos"] = {k: sum(x is not None for x in v) for k, v in jit.items()}
    result["ms"] = {
        name: {
            "wall_mean": float(np.concatenate(t["ms"]).mean()),
            "wall_median": float(np.median(np.concatenate(t["ms"]))),
            "cpu_mean": float(np.concatenate(t["cpu"]).mean()),
        }
        for name, t in (("ours", times_ours), ("mediapipe", times_mp))
    }
    for p in out.glob("*_frames.npy"):
        p.unlink()
    return result


NAMES = {
    "ours": "ours (files: zero-phase)",
    "ours_online": "ours (online)",
    "ours_raw": "ours (no smoothing)",
    "ours_raw_lips_refined": "ours (no smoothing, lips refined)",
    "mediapipe": "MediaPipe (tracking)",
}


def table(r: dict) -> str:
    clips = list(r["clips"])
    lines = []
    for key, fmt in (("roughness", "{:.3f}"), ("corr", "{:.3f}"), ("lag", "{:+d}")):
        lines += [f"| {key} | " + " | ".join(clips) + " | mean |", "|---" * (len(clips) + 2) + "|"]
        for n, label in NAMES.items():
            vals = [r["clips"][c][n][key] for c in clips]
            mean = "" if key == "lag" else f"{np.mean(vals):.3f}"
            lines.append(f"| {label} | " + " | ".join(fmt.format(v) for v in vals) + f" | {mean} |")
        lines.append("")
    lines.append(
        "delay of the smoothed opening behind the unsmoothed one (frames, cross-correlation peak): "
        + ", ".join(
            f"{c}: {d['ours']:+.2f} files / {d['ours_online']:+.2f} online"
            for c, d in r["delay"].items()
        )
    )
    mp = {k: [r["clips"][c]["mediapipe"][k] for c in clips] for k in ("roughness", "corr")}
    for n in ("ours", "ours_online"):
        ro = np.mean([r["clips"][c][n]["roughness"] for c in clips])
        co = [r["clips"][c][n]["corr"] for c in clips]
        worst = min(a - b for a, b in zip(co, mp["corr"]))
        gap = max(abs(r["clips"][c][n]["lag"] - r["clips"][c]["ours_raw"]["lag"]) for c in clips)
        lines += [
            f"- {NAMES[n]}: roughness / MediaPipe {ro / np.mean(mp['roughness']):.2f} (target <= 0.5: "
            f"{_ok(ro <= 0.5 * np.mean(mp['roughness']))}); correlation mean {np.mean(co):.3f} vs "
            f"{np.mean(mp['corr']):.3f} ({_ok(np.mean(co) >= np.mean(mp['corr']))}), worst clip "
            f"{worst:+.3f} (target >= -0.1: {_ok(worst >= -0.1)}); best lag vs unsmoothed at most "
            f"{gap} frame(s) apart (target <= 1: {_ok(gap <= 1)})",
        ]
    jo, jm = r["jitter"]["ours"], r["jitter"]["mediapipe"]
    to, tm = r["ms"]["ours"], r["ms"]["mediapipe"]
    lines += [
        f"- jitter on {r['jitter_videos']['ours']} synthetic-motion videos (% IOD, tracking): ours "
        f"{100 * jo:.3f}, MediaPipe {100 * jm:.3f}, ratio {jo / jm:.2f} (target <= 0.8: {_ok(jo <= 0.8 * jm)})",
        f"- tracking time per GRID frame, one core: ours {to['cpu_mean']:.1f} ms CPU ({to['wall_mean']:.1f} "
        f"wall, median {to['wall_median']:.1f}), MediaPipe {tm['cpu_mean']:.1f} ms CPU ({tm['wall_mean']:.1f} "
        f"wall, median {tm['wall_median']:.1f}); CPU ratio {to['cpu_mean'] / tm['cpu_mean']:.2f} "
        f"(target <= 1: {_ok(to['cpu_mean'] <= tm['cpu_mean'])})",
    ]
    return "\n".join(lines)


def _ok(flag: bool) -> str:
    return "OK" if flag else "MISSED"


def roi_sheet(folder: Path, per_clip: int = 10) -> Path:
    """``folder/roi_sheet.png``: ``per_clip`` evenly spaced mouth ROIs of every lipread NPZ in
    ``folder`` (one row per clip), to look at centring, stability and scale across speakers."""
    import cv2

    rows = []
    for path in sorted(folder.glob("*.npz")):
        with np.load(path) as z:
            if "mouth_roi" not in z.files:
                continue
            roi = z["mouth_roi"]
        pick = np.linspace(0, len(roi) - 1, per_clip).round().astype(int)
        row = np.hstack([np.pad(roi[k], 2, constant_values=255) for k in pick])
        cv2.putText(row, path.stem, (4, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35, 255, 1)
        rows.append(row)
    if not rows:
        raise SystemExit(f"{folder}: no lipread NPZ files")
    out = folder / "roi_sheet.png"
    cv2.imwrite(str(out), np.vstack(rows))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--grid", default=os.environ.get("GRID", "../shared/data/grid_talking"))
    ap.add_argument(
        "--data",
        default=os.environ.get("DATA", "../shared/data/300w_train"),
        help="300-W folder for the synthetic-motion jitter videos ('' to skip)",
    )
    ap.add_argument("--jitter-faces", type=int, default=8)
    ap.add_argument("--frames", type=int, default=30, help="frames per jitter video")
    ap.add_argument("--cpu", type=int, default=0, help="pin both systems to this core (-1: no pin)")
    ap.add_argument("--out", default="runs/video")
    ap.add_argument(
        "--teacher",
        default=os.environ.get("TEACHER_PYTHON", str(REPO / TEACHER)),
        help="python of the venv with mediapipe",
    )
    ap.add_argument(
        "--sigma", type=float, help="file smoothing sigma, seconds (default: the package's)"
    )
    ap.add_argument(
        "--roi-sheet", metavar="DIR", help="only write DIR/roi_sheet.png from lipread outputs"
    )
    args = ap.parse_args(argv)
    if args.roi_sheet:
        print(roi_sheet(Path(args.roi_sheet)))
        return 0
    out = Path(args.out)
    r = evaluate(
        Path(args.grid),
        Path(args.data) if args.data else None,
        args.jitter_faces,
        args.frames,
        out,
        None if args.cpu < 0 else args.cpu,
        Path(args.teacher),
        args.sigma,
    )
    (out / "video.json").write_text(json.dumps(r, indent=1), encoding="utf-8")
    text = table(r)
    (out / "video.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
