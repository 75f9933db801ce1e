"""``python -m eval.load``: the HTTP service under load on 127.0.0.1, against the pipeline in-process.

Phases (every loop is bounded by a request count and by ``--max-seconds``):

1. **In-process baseline** (alternating with the HTTP runs, in rounds, so that other load on
   the machine weighs on both alike; the idle server waits meanwhile): ``--threads`` threads,
   each with its own ``DenseLandmarker``, run ``--requests`` calls of (a) ``detect`` on the decoded
   photo and (b) the endpoint's whole job in-process (decode the JPEG bytes, ``detect``, JSON).
2. **Steady load**: the server (``dense-landmarks serve --threads W --workers P``) gets
   ``--requests`` ``POST /v1/landmarks`` (in ``--rounds`` runs) from ``--clients`` concurrent
   keep-alive clients (default 2 x cores): throughput, p50 / p99 latency, errors; the server's
   RSS (all its processes) after warm-up and after each round, i.e. memory over those requests.
3. **Overload**: ``--overload-clients`` clients (default 4 x the admission capacity) each send
   ``--overload-each`` requests; the bounded queue answers 503 + Retry-After instead of growing,
   shown by the status counts and by ``/health``'s admitted count, polled throughout.

CPU time per request (this process's, and the server's from ``/proc``) is printed beside the
throughputs: on a machine shared with other work it varies less than requests per second.
Prints a markdown table; ``--out`` also keeps the numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from dense_landmarks.service.client import Client, multipart
from dense_landmarks.service.launch import LiveServer, rss_bytes

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "astronaut.jpg"


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def _run_threads(n_threads: int, total: int, max_s: float, work) -> dict[str, Any]:
    """``total`` calls of ``work(i_thread)`` spread over ``n_threads`` threads (bounded by time)."""
    lock = threading.Lock()
    left = [total]
    lat: list[float] = []
    outcomes: Counter = Counter()
    deadline = time.monotonic() + max_s

    def loop(i: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            t = time.perf_counter()
            outcome = work(i)
            dt = time.perf_counter() - t
            with lock:
                lat.append(dt)
                outcomes[outcome] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(n_threads)]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    done = sum(outcomes.values())
    return {
        "requests": done,
        "wall_s": wall,
        "throughput": done / wall if wall else 0.0,
        "p50_ms": 1000 * _pct(lat, 50),
        "p99_ms": 1000 * _pct(lat, 99),
        "outcomes": dict(outcomes),
        "timed_out": done < total,
        "cpu_s": cpu,  # this process: the models in-process, the clients for HTTP
    }


class InProcess:
    """``threads`` threads, each with its own ``DenseLandmarker``, calling the pipeline directly."""

    def __init__(self, threads: int, data: bytes):
        from dense_landmarks.landmarker import DenseLandmarker
        from dense_landmarks.service.decode import decode_upload

        self.threads, self.data = threads, data
        self.models = [DenseLandmarker(num_threads=1) for _ in range(threads)]
        self.image = decode_upload(data, 10**9)
        for lm in self.models:  # warm-up
            lm.detect(self.image)

    def detect(self, total: int, max_s: float) -> dict[str, Any]:
        """``detect()`` on the decoded photo."""

        def work(i: int) -> str:
            self.models[i].detect(self.image)
            return "ok"

        return _run_threads(self.threads, total, max_s, work)

    def job(self, total: int, max_s: float) -> dict[str, Any]:
        """The endpoint's whole job: decode the uploaded bytes, ``detect()``, JSON."""
        from dense_landmarks.service.jobs import landmarks_job

        def work(i: int) -> str:
            landmarks_job(self.models[i], self.data, 10**9, 1000, 10)
            return "ok"

        return _run_threads(self.threads, total, max_s, work)


def _merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of several rounds (latency percentiles: the rounds' medians)."""
    n = sum(r["requests"] for r in runs)
    wall = sum(r["wall_s"] for r in runs)
    outcomes: Counter = Counter()
    for r in runs:
        outcomes.update(r["outcomes"])
    return {
        "requests": n,
        "wall_s": wall,
        "throughput": n / wall if wall else 0.0,
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "outcomes": dict(outcomes),
        "rounds": [round(r["throughput"], 2) for r in runs],
        "cpu_ms_per_request": 1000 * sum(r["cpu_s"] for r in runs) / max(n, 1),
        "server_cpu_ms_per_request": 1000
        * sum(r.get("server_cpu_s", 0.0) for r in runs)
        / max(n, 1),
    }


def _server_pids(server: LiveServer) -> list[int]:
    """The server process and its worker processes (``--workers`` > 1)."""
    pids = [server.proc.pid]
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return pids


def _server_rss(server: LiveServer) -> int:
    """RSS of the server's processes, bytes."""
    return sum(rss_bytes(p) for p in _server_pids(server))


def _server_cpu_s(server: LiveServer) -> float:
    """CPU seconds (user + system) used so far by the server's processes (Linux ``/proc``)."""
    total = 0
    for pid in _server_pids(server):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def http_load(url: str, clients: int, total: int, max_s: float, data: bytes) -> dict[str, Any]:
    body, ctype = multipart({}, {"image": ("astronaut.jpg", data, "image/jpeg")})
    conns = [Client(url, timeout=120) for _ in range(clients)]

    def one(i: int) -> str:
        try:
            r = conns[i].request("POST", "/v1/landmarks", body, {"Content-Type": ctype})
            return str(r.status)
        except OSError as exc:  # counted as an error
            return type(exc).__name__

    try:
        return _run_threads(clients, total, max_s, one)
    finally:
        for c in conns:
            c.close()


def overload(url: str, clients: int, each: int, max_s: float, data: bytes) -> dict[str, Any]:
    admitted: list[int] = []
    stop = threading.Event()

    def poll() -> None:
        c = Client(url, timeout=30)
        while not stop.is_set():
            admitted.append(c.get("/health").json()["pool"]["admitted"])
            time.sleep(0.05)
        c.close()

    poller = threading.Thread(target=poll)
    poller.start()
    retry_after: Counter = Counter()
    body, ctype = multipart({}, {"image": ("astronaut.jpg", data, "image/jpeg")})
    conns = [Client(url, timeout=120) for _ in range(clients)]

    def one(i: int) -> str:
        r = conns[i].request("POST", "/v1/landmarks", body, {"Content-Type": ctype})
        if r.status == 503:
            retry_after[r.headers.get("retry-after")] += 1
        return str(r.status)

    try:
        res = _run_threads(clients, clients * each, max_s, one)
    finally:
        stop.set()
        poller.join()
        for c in conns:
            c.close()
    res["max_admitted_seen"] = max(admitted) if admitted else None
    res["retry_after"] = dict(retry_after)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n")[0])
    cores = _cores()
    ap.add_argument("--threads", type=int, default=cores, help="inference threads (both sides)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (threads split)")
    ap.add_argument("--clients", type=int, default=2 * cores)
    ap.add_argument(
        "--requests", type=int, default=1000, help="HTTP requests (and in-process calls)"
    )
    ap.add_argument("--rounds", type=int, default=4, help="in-process and HTTP runs alternate")
    ap.add_argument("--queue", type=int, default=8)
    ap.add_argument("--overload-clients", type=int, default=0, help="0: 4 x capacity")
    ap.add_argument("--overload-each", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=120.0, help="per run")
    ap.add_argument("--image", default=str(EXAMPLE))
    ap.add_argument("--out", default="runs/load/load.json")
    args = ap.parse_args(argv)
    data = Path(args.image).read_bytes()

    local = InProcess(args.threads, data)
    per_proc = max(1, args.threads // args.workers)
    serve_args = ["--threads", str(per_proc), "--workers", str(args.workers),
                  "--queue", str(args.queue)]  # fmt: skip
    capacity = args.workers * (per_proc + args.queue)
    per_round = max(1, args.requests // args.rounds)
    runs: dict[str, list] = {"detect": [], "job": [], "http": []}
    with LiveServer(serve_args) as server:
        http_load(server.url, args.clients, 4 * args.clients, args.max_seconds, data)  # warm-up
        rss = [(0, _server_rss(server))]
        for _ in range(args.rounds):  # alternate, so that other load on the machine hits all
            runs["detect"].append(local.detect(per_round, args.max_seconds))
            runs["job"].append(local.job(per_round, args.max_seconds))
            cpu0 = _server_cpu_s(server)
            run = http_load(server.url, args.clients, per_round, args.max_seconds, data)
            run["server_cpu_s"] = _server_cpu_s(server) - cpu0
            runs["http"].append(run)
            rss.append((sum(r["requests"] for r in runs["http"]), _server_rss(server)))
        over_clients = args.overload_clients or 4 * capacity
        over = overload(server.url, over_clients, args.overload_each, args.max_seconds, data)
        alive = server.alive()

    detect, job, steady = (_merge(runs[k]) for k in ("detect", "job", "http"))
    ok = steady["outcomes"].get("200", 0)
    errors = steady["requests"] - ok
    mb = [(n, r / 2**20) for n, r in rss]
    ratios = [h["throughput"] / d["throughput"] for h, d in zip(runs["http"], runs["detect"])]
    report = {
        "cores": cores,
        "threads": args.threads,
        "workers": args.workers,
        "clients": args.clients,
        "in_process_detect": detect,
        "in_process_job": job,
        "http": steady,
        "ratio_vs_detect": steady["throughput"] / detect["throughput"],
        "ratio_vs_job": steady["throughput"] / job["throughput"],
        "ratio_vs_detect_rounds": ratios,
        "rss_mb": mb,
        "overload": {**over, "clients": over_clients, "capacity": capacity},
        "alive_after": alive,
    }
    print(f"cores {cores}; server: {args.workers} process(es) x {per_proc} inference thread(s), "
          f"queue {args.queue}; {args.clients} clients; {args.rounds} alternating rounds")  # fmt: skip
    print("| run | requests | req/s | req/s per round | p50 ms | p99 ms | outcomes |")
    print("|---|---|---|---|---|---|---|")
    for name, r in (
        (f"in-process detect(), {args.threads} threads", detect),
        (f"in-process decode+detect+JSON, {args.threads} threads", job),
        (f"HTTP POST /v1/landmarks, {args.clients} clients", steady),
        (f"HTTP overload, {over_clients} clients", {**over, "rounds": "-"}),
    ):
        print(f"| {name} | {r['requests']} | {r['throughput']:.1f} | {r['rounds']} | "
              f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['outcomes']} |")  # fmt: skip
    print(f"HTTP throughput / in-process: {report['ratio_vs_detect']:.2f} vs detect() "
          f"(per round {', '.join(f'{x:.2f}' for x in ratios)}), {report['ratio_vs_job']:.2f} "
          f"vs decode+detect+JSON; HTTP errors: {errors}")  # fmt: skip
    print(
        f"CPU ms per request: in-process detect() {detect['cpu_ms_per_request']:.1f}, in-process "
        f"decode+detect+JSON {job['cpu_ms_per_request']:.1f}; HTTP: server "
        f"{steady['server_cpu_ms_per_request']:.1f} + load clients {steady['cpu_ms_per_request']:.1f}"
    )
    print("server RSS MB after n requests: " + ", ".join(f"{n}: {m:.1f}" for n, m in mb))
    print(f"overload: capacity {capacity}, most admitted seen {over['max_admitted_seen']}, "
          f"Retry-After {over['retry_after']}; server answers afterwards: {alive}")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
