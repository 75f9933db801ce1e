"""Benchmark: the networks' own share of the pipeline, against MediaPipe's whole pipeline.

    python -m eval.bench_networks                 # ours + MediaPipe (.venv-teacher), one core
    python -m eval.bench_networks --no-peer

Every model runner of a :class:`~dense_landmarks.DenseLandmarker` (detector, sparse landmarks,
part refiners) is wrapped by a timer, and the pipeline runs on the frames of
:mod:`eval.bench_pipeline` (one thread, pinned to one core): ``detect`` on the one-face
640 x 480 frame (the full pipeline) and ``Tracker.update`` on it repeated (tracking). Per model:
network calls per pipeline call, batch sizes, and CPU ms inside the network per pipeline call
(median over ``--repeat`` calls; of ``--rounds`` rounds, each row keeps the one with the lowest
whole-call median, as :mod:`eval.bench_pipeline` does, since this shared machine's speed drifts
between minutes). The rest of a call is the code around the networks (crops, decoding,
geometry, contours).

The sum over the networks is a floor for the pipeline with these models: however fast the
code around them gets, the pipeline cannot be faster than its networks. Printed beside
MediaPipe Face Mesh's whole pipeline measured in the same run (``eval.bench_pipeline``'s
peer), it says whether issue 17's targets (full <= 1.0 x MediaPipe, tracking <= 0.7 x) are
reachable by work on the code alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

import numpy as np

from dense_landmarks.runtime.runners import OnnxRunner, TorchRunner
from eval.bench_pipeline import (
    add_peer_options,
    frame_640x480,
    frame_six_faces,
    mediapipe,
    pin_and_find_peer,
)


class TimedRunner:
    """A model runner that adds the CPU time of each call to ``log[name]``."""

    def __init__(self, runner: OnnxRunner | TorchRunner, log: dict[str, list]):
        self.runner, self.meta, self.log = runner, runner.meta, log

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, ...]:
        t0 = time.process_time()
        out = self.runner(crops)
        self.log[self.meta.name].append((len(crops), (time.process_time() - t0) * 1e3))
        return out


def wrap_runners(obj: object, log: dict[str, list], seen: set[int] | None = None) -> int:
    """Replace every model runner reachable from ``obj``'s attributes (and dicts of them) by a
    :class:`TimedRunner` logging into ``log``; returns how many were wrapped."""
    seen = set() if seen is None else seen
    if id(obj) in seen or not hasattr(obj, "__dict__"):
        return 0
    seen.add(id(obj))
    n = 0
    for key, value in vars(obj).items():
        if isinstance(value, OnnxRunner | TorchRunner):
            setattr(obj, key, TimedRunner(value, log))
            n += 1
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, OnnxRunner | TorchRunner):
                    value[k] = TimedRunner(v, log)
                    n += 1
        elif type(value).__module__.startswith("dense_landmarks"):
            n += wrap_runners(value, log, seen)
    return n


def network_share(call, log: dict[str, list], repeat: int) -> tuple[float, dict[str, dict]]:
    """Median CPU ms of ``call()`` and, per model, calls / batch sizes / median ms per call."""
    call()
    per_call: list[dict[str, list]] = []
    totals = []
    for _ in range(repeat):
        log.clear()
        t0 = time.process_time()
        call()
        totals.append((time.process_time() - t0) * 1e3)
        per_call.append({k: list(v) for k, v in log.items()})
    models = sorted({k for c in per_call for k in c})
    out = {}
    for m in models:
        rows = [c.get(m, []) for c in per_call]
        out[m] = {
            "calls": statistics.median(len(r) for r in rows),
            "batch": sorted({b for r in rows for b, _ in r}),
            "ms": statistics.median(sum(t for _, t in r) for r in rows),
        }
    return statistics.median(totals), out


def main(argv: list[str] | None = None) -> int:
    import dense_landmarks as dl
    from dense_landmarks.video.tracker import Tracker

    ap = argparse.ArgumentParser(
        prog="python -m eval.bench_networks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of ours then MediaPipe; per row the least disturbed round is kept (the "
        "lowest whole-call median; MediaPipe: its lowest median)",
    )
    add_peer_options(ap)
    args = ap.parse_args(argv)
    teacher = pin_and_find_peer(args)
    one = frame_640x480()
    log: dict[str, list] = defaultdict(list)
    lm = dl.DenseLandmarker(num_threads=1)
    wrapped = wrap_runners(lm, log)
    tracker = Tracker(lm)
    for _ in range(3):
        tracker.update(one)
    calls = {
        "full pipeline (detect), 1 face": lambda: lm.detect(one),
        "tracking (Tracker.update), 1 face": lambda: tracker.update(one),
    }
    rows: dict[str, tuple[float, dict[str, dict]]] = {}
    mp: dict[str, float] = {}
    for _ in range(max(args.rounds, 1)):
        for name, call in calls.items():
            got = network_share(call, log, args.repeat)
            if name not in rows or got[0] < rows[name][0]:
                rows[name] = got
        if teacher is not None:
            m = mediapipe({"one": one, "six": frame_six_faces()}, args.repeat, teacher)
            for name, key in zip(calls, ("full_1", "tracking_1")):
                mp[name] = min(mp.get(name, float("inf")), m[key])
    print(
        f"640 x 480 frame, one thread, {wrapped} model runners timed; medians of {args.repeat} "
        f"calls, CPU ms; per row the least disturbed of {max(args.rounds, 1)} rounds"
    )
    for name, (total, share) in rows.items():
        nets = sum(s["ms"] for s in share.values())
        print()
        print(f"### {name}")
        print("| model | calls | batch sizes | network ms |")
        print("|---|---|---|---|")
        for model, s in share.items():
            batches = ", ".join(str(b) for b in s["batch"])
            print(f"| {model} | {s['calls']:g} | {batches} | {s['ms']:.2f} |")
        print(f"| **all networks** | | | **{nets:.2f}** |")
        line = f"- whole call {total:.2f} ms: networks {nets:.2f}, the code around them "
        line += f"{total - nets:.2f}"
        if name in mp:
            line += (
                f"; MediaPipe's whole pipeline {mp[name]:.2f} ms: our networks alone are "
                f"{nets / mp[name]:.2f} x it, the whole call {total / mp[name]:.2f} x"
            )
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
