"""``python -m eval run`` and ``python -m eval report``: all systems on the same faces.

``run`` writes, per system, ``<out>/<system>.json`` with predictions of two tracks (``detect``:
each system's own detector, misses count as failures; ``box``: the labelled face's landmark box
given) and of the jitter videos. ``report`` reads them and prints one markdown table (and
writes CED plots ``<out>/ced_<track>.png``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from curves import point_to_curve
from dense_landmarks.atomic import atomic_write_text
from dense_landmarks.crop import landmark_box
from dense_landmarks.metrics import auc, failure_rate, nme, normaliser
from eval.data import EvalFace, load_faces
from eval.jitter import jitter, make_video
from eval.systems import PARTS68, make_system

PART_GROUPS = {
    "lips": ("outer_lips", "inner_lips"),
    "eyes": ("right_eye", "left_eye"),
    "brows": ("right_brow", "left_brow"),
    "nose": ("nose_bridge", "nose_base"),
    "jaw": ("jaw",),
}


def _requests(faces: list[EvalFace], jitter_faces: int, frames: int, out: Path, seed: int) -> dict:
    images = sorted({str(f.image) for f in faces})
    rng = np.random.default_rng(seed)
    videos = []
    (out / "jitter_frames").mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(faces[:jitter_faces]):
        videos.append(
            make_video(f.image, f.points68, frames, rng, out / "jitter_frames", f"v{i:03d}")
        )
    return {
        "detect": {"mode": "detect", "items": [{"image": p, "box": None} for p in images]},
        "box": {
            "mode": "box",
            "items": [
                {"image": str(f.image), "box": landmark_box(f.points68).tolist()} for f in faces
            ],
        },
        "jitter": {"mode": "box", "items": [it for v in videos for it in v]},
    }


def run(
    data: str,
    split: str,
    systems: list[str],
    out: Path,
    limit: int | None,
    jitter_faces: int = 30,
    frames: int = 8,
    seed: int = 0,
) -> None:
    faces = load_faces(data, split, limit)
    out.mkdir(parents=True, exist_ok=True)
    reqs = _requests(faces, jitter_faces, frames, out, seed)
    meta = {
        "data": data,
        "split": split,
        "faces": [{"image": str(f.image), "points68": f.points68.tolist()} for f in faces],
        "frames": frames,
        "jitter_items": reqs["jitter"]["items"],
    }
    atomic_write_text(out / "faces.json", json.dumps(meta))
    for name in systems:
        system = make_system(name)
        if system is None:
            continue
        doc = {"system": name, "tracks": {}}
        for track, req in reqs.items():
            res = system.run(req)
            doc["version"] = res.get("version")
            doc["tracks"][track] = res["results"]
        atomic_write_text(out / f"{name}.json", json.dumps(doc))
        print(
            f"{name}: {len(faces)} faces, {len(reqs['detect']['items'])} images -> {out / name}.json"
        )


def _match(faces: list[dict], gt68: np.ndarray) -> dict | None:
    box = landmark_box(gt68)
    size = max(box[2] - box[0], box[3] - box[1])
    best, dist = None, np.inf
    for f in faces:
        if f.get("points68") is None:
            continue
        d = np.linalg.norm(np.asarray(f["points68"]).mean(0) - gt68.mean(0))
        if d < dist:
            best, dist = f, d
    return best if dist < 0.5 * size else None


#: the lips' two contours apart, for the open-mouth subset
LIP_GROUPS = {"outer lips": ("outer_lips",), "inner lips": ("inner_lips",)}

#: a mouth is open when its human inner-lip gap exceeds this fraction of the inter-ocular distance
OPEN_MOUTH_GAP = 0.05

# iBUG-68 inner-lip pairs facing each other across the mouth (upper, lower), 0-based
_INNER_PAIRS = ((61, 67), (62, 66), (63, 65))


def mouth_gap(gt68: np.ndarray) -> np.ndarray:
    """(..., 68, 2) human points -> (...,) largest upper-to-lower inner-lip distance, pixels."""
    up = gt68[..., [a for a, _ in _INNER_PAIRS], :]
    lo = gt68[..., [b for _, b in _INNER_PAIRS], :]
    return np.linalg.norm(up - lo, axis=-1).max(axis=-1)


def part_errors(
    face: dict | None, gt68: np.ndarray, iod: float, groups: dict = PART_GROUPS
) -> dict[str, float]:
    """Mean distance (fraction of ``iod``) of each group's human points (``gt68`` (68, 2)) to
    the nearest of the face's polylines of that group's parts; NaN where a part is missing."""
    out = {}
    for group, parts in groups.items():
        errs = []
        for part in parts:
            idx, _ = PARTS68[part]
            polylines = (face or {}).get("contours", {}).get(part)
            if not polylines:
                errs = None
                break
            d = np.min([point_to_curve(gt68[list(idx)], np.asarray(p)) for p in polylines], axis=0)
            errs.extend(d.tolist())
        out[group] = float(np.mean(errs) / iod) if errs is not None else float("nan")
    return out


def score(doc: dict, meta: dict) -> dict[str, dict]:
    gts = [np.asarray(f["points68"]) for f in meta["faces"]]
    gt = np.stack(gts)
    iod = normaliser(gt)
    images = sorted({f["image"] for f in meta["faces"]})
    by_image = dict(zip(images, doc["tracks"]["detect"]))
    rows = {}
    for track in ("detect", "box"):
        results = (
            [by_image[f["image"]] for f in meta["faces"]]
            if track == "detect"
            else doc["tracks"]["box"]
        )
        matched = [_match(r["faces"], g) for r, g in zip(results, gts)]
        pred = np.stack(
            [np.asarray(m["points68"]) if m else np.full((68, 2), np.nan) for m in matched]
        )
        e = nme(pred, gt, iod)
        found = np.isfinite(e)
        parts = [part_errors(m, g, d) for m, g, d in zip(matched, gts, iod) if m]
        open_ = [m and mouth_gap(g) > OPEN_MOUTH_GAP * d for m, g, d in zip(matched, gts, iod)]
        lips = [
            part_errors(m, g, d, LIP_GROUPS) for m, g, d, o in zip(matched, gts, iod, open_) if o
        ]
        ms = [
            r["ms"]
            for r in (doc["tracks"]["detect"] if track == "detect" else results)
            if r.get("ms")
        ]
        rows[track] = {
            "detection": float(found.mean()),
            "nme": float(np.nanmean(e)) if found.any() else float("nan"),
            "fr08": failure_rate(e, 0.08),
            "fr10": failure_rate(e, 0.10),
            "auc08": auc(e, 0.08),
            "auc10": auc(e, 0.10),
            "parts": {g: _mean_or_nan([p[g] for p in parts]) for g in PART_GROUPS},
            "open_mouth": {
                "faces": len(lips),
                **{g: _mean_or_nan([p[g] for p in lips]) for g in LIP_GROUPS},
            },
            "ms": float(np.median(ms)) if ms else float("nan"),
            "errors": e,
            # mean signed error of the 68 points (x, y): pixels and % inter-ocular
            "bias_px": np.nanmean(pred - gt, axis=(0, 1)),
            "bias_iod": np.nanmean((pred - gt) / iod[:, None, None], axis=(0, 1)),
        }
    items = meta["jitter_items"]
    n = meta["frames"]
    js = []
    for v in range(len(items) // n):
        seg = doc["tracks"]["jitter"][v * n : (v + 1) * n]
        its = items[v * n : (v + 1) * n]
        g0 = np.asarray(meta["faces"][v]["points68"])
        pred = [
            (np.asarray(m["points68"]) if (m := _match(r["faces"], _moved(g0, it))) else None)
            for r, it in zip(seg, its)
        ]
        js.append(
            jitter(pred, [np.asarray(it["matrix"]) for it in its], float(normaliser(g0[None])[0]))
        )
    valid = [j for j in js if j is not None]
    rows["box"]["jitter"] = float(np.mean(valid)) if valid else float("nan")
    return rows


def _mean_or_nan(values: list[float]) -> float:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) else float("nan")


def _moved(points: np.ndarray, item: dict) -> np.ndarray:
    m = np.asarray(item["matrix"])
    return points @ m[:, :2].T + m[:, 2]


def report(out: Path) -> str:
    meta = json.loads((out / "faces.json").read_text(encoding="utf-8"))
    docs = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(out.glob("*.json"))
        if p.name != "faces.json"
    ]
    order = {"ours": 0, "mediapipe": 1, "dlib": 2}
    docs.sort(key=lambda d: order.get(d["system"], 9))
    scores = {d["system"]: score(d, meta) for d in docs}
    lines = [
        f"{len(meta['faces'])} faces from {meta['data']} (split: {meta['split']}). NME and part errors in % of "
        "inter-ocular distance (outer eye corners); FR/AUC count misses as failures.",
        "",
        "| system | track | detected (%) | NME68 (%) | FR@8 (%) | FR@10 (%) | AUC@8 | AUC@10 | lips | eyes "
        "| brows | nose | jaw | jitter (%) | ms/frame |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in scores.items():
        for track in ("detect", "box"):
            r = rows[track]
            p = r["parts"]
            jit = f"{100 * r['jitter']:.2f}" if track == "box" else ""
            cells = [
                name,
                track,
                f"{100 * r['detection']:.1f}",
                f"{100 * r['nme']:.2f}",
                f"{100 * r['fr08']:.1f}",
                f"{100 * r['fr10']:.1f}",
                f"{r['auc08']:.3f}",
                f"{r['auc10']:.3f}",
                *(f"{100 * p[g]:.2f}" if np.isfinite(p[g]) else "—" for g in PART_GROUPS),
                jit,
                f"{r['ms']:.1f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Open mouths (human inner-lip gap > {100 * OPEN_MOUTH_GAP:.0f} % inter-ocular), box track:",
        "",
        "| system | faces | outer lips | inner lips |",
        "|---|---|---|---|",
    ]
    for name, rows in scores.items():
        o = rows["box"]["open_mouth"]
        cells = [f"{100 * o[g]:.2f}" if np.isfinite(o[g]) else "—" for g in LIP_GROUPS]
        lines.append(f"| {name} | {o['faces']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Mean signed error of the 68 points, box track (predicted - human; + is right / down):",
        "",
        "| system | x (px) | y (px) | x (% IOD) | y (% IOD) |",
        "|---|---|---|---|---|",
    ]
    for name, rows in scores.items():
        (bx, by), (ix, iy) = rows["box"]["bias_px"], 100 * rows["box"]["bias_iod"]
        lines.append(f"| {name} | {bx:+.2f} | {by:+.2f} | {ix:+.2f} | {iy:+.2f} |")
    _ced_plots(scores, out)
    return "\n".join(lines)


def _ced_plots(scores: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dense_landmarks.metrics import ced

    for track in ("detect", "box"):
        fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
        for name, rows in scores.items():
            x, y = ced(np.nan_to_num(rows[track]["errors"], nan=np.inf), 0.10)
            ax.plot(100 * x, y, label=name)
        ax.set_xlabel("NME68 (% inter-ocular)")
        ax.set_ylabel("fraction of faces")
        ax.set_title(f"CED, track: {track}")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / f"ced_{track}.png")
        plt.close(fig)
