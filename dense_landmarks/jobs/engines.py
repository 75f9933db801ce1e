"""Engines run an :class:`ItemKind` over a stream of ``(key, path)`` tasks.

- :class:`LocalEngine`: in this process, one item at a time (no extra dependencies).
- :class:`RayEngine`: a pool of Ray actors, each loading the models once, on a local Ray it
  starts itself or on a cluster (``address``). Tasks are pulled from the stream as actors free
  up (at most two calls of ``items_per_call`` items queued per actor, smaller calls as the
  stream ends: :class:`GuidedCalls`), so memory stays bounded however long the stream.

Both call :func:`dense_landmarks.jobs.kinds.run_item` with the same kind and options, so their
outcomes are identical; ``map`` yields them in completion order. ``start`` is idempotent for the
same kind and options, so one started engine (Ray actors with their models loaded) can serve
several jobs: pass it to :func:`dense_landmarks.jobs.run_job` and ``close`` it when done.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from dense_landmarks.jobs.kinds import ItemKind, Outcome, run_item, worker_id


class EngineError(RuntimeError):
    """The engine cannot go on: its workers cannot start, or all of them are gone."""


#: ``busy`` count of an actor that did not come back
_GONE = 1 << 30

#: Calls queued per Ray actor: one running, one waiting (hides the round trip). A call carries
#: the kind's ``items_per_call`` items (fewer round trips for short items such as images).
QUEUE_PER_ACTOR = 2


class LocalEngine:
    """One worker in this process."""

    name = "local"

    def __init__(self, workers: int | None = None):
        if workers not in (None, 1):
            raise ValueError("the local engine runs one worker; use --engine ray for several")
        self.workers = 1
        self.state: Any = None
        self._job: tuple[ItemKind, Any] | None = None

    def start(self, kind: ItemKind, options: Any) -> None:
        """Load the kind's state (kept when already loaded for the same kind and options)."""
        if self.state is not None and (kind, options) == self._job:
            return
        self.kind, self.options = kind, options
        self.state = kind.load(options)
        self._job = (kind, options)

    @property
    def started(self) -> bool:
        return self.state is not None

    def map(self, tasks: Iterable[tuple[str, str]]) -> Iterator[Outcome]:
        for key, path in tasks:
            yield run_item(self.kind, self.options, self.state, key, path)

    def close(self) -> None:
        self.state, self._job = None, None


class _Worker:
    """A Ray actor's body: the kind's state is loaded once, in the constructor."""

    def __init__(self, kind: ItemKind, options: Any):
        self.kind, self.options = kind, options
        self.state = kind.load(options)

    def ready(self) -> str:
        return worker_id()

    def run(self, tasks: list[tuple[str, str]]) -> list[Outcome]:
        return [run_item(self.kind, self.options, self.state, k, p) for k, p in tasks]


class GuidedCalls:
    """Cuts a stream of tasks into calls (guided self-scheduling): ``size`` tasks a call while
    the stream goes on; once its end is in sight (``size * slots`` tasks read ahead), calls of
    ``ceil(remaining / slots)`` tasks, down to 1, so that the workers finish together instead of
    one working through its last full calls while the others wait.

    Args:
        tasks: the stream, read lazily (at most ``size * slots`` tasks ahead of the calls).
        size: tasks per call at most (>= 1).
        slots: calls that may be queued at once (workers x calls queued per worker).
    """

    def __init__(self, tasks: Iterable[tuple[str, str]], size: int, slots: int):
        self._stream = iter(tasks)
        self.size, self.slots = max(1, size), max(1, slots)
        self._ahead: deque[tuple[str, str]] = deque()
        self._exhausted = False

    def next(self) -> list[tuple[str, str]]:
        """The next call's tasks; ``[]`` when the stream is done."""
        while not self._exhausted and len(self._ahead) < self.size * self.slots:
            try:
                self._ahead.append(next(self._stream))
            except StopIteration:
                self._exhausted = True
        n = self.size
        if self._exhausted:
            n = max(1, min(n, -(-len(self._ahead) // self.slots)))
        return [self._ahead.popleft() for _ in range(min(n, len(self._ahead)))]


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ImportError("the ray engine needs Ray: pip install 'dense-landmarks[ray]'") from None
    return ray


class RayEngine:
    """A pool of Ray actors.

    Args:
        address: None: start a new local Ray sized for ``workers`` (never one found running);
            ``"auto"``: the cluster this node belongs to (``ray start``); ``"ray://host:10001"``:
            Ray Client; ``"host:6379"``: a cluster's GCS. If this process already called
            ``ray.init``, that Ray is used.
        workers: actors (default: the cluster's CPUs / ``threads``).
        threads: CPUs reserved per actor (match the models' thread count).
    """

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None, threads: int = 1):
        if workers is not None and workers < 1:
            raise ValueError(f"workers: expected >= 1, got {workers}")
        self.address, self.workers, self.threads = address, workers, max(1, int(threads))
        self._owns_ray = False
        self._actors: list = []
        self._job: tuple[ItemKind, Any] | None = None

    @property
    def started(self) -> bool:
        return bool(self._actors)

    def start(self, kind: ItemKind, options: Any) -> None:
        """Start Ray (unless running) and the actors, models loaded; actors already started for
        the same kind and options are kept, for other ones replaced."""
        ray = _import_ray()
        if self._actors:
            if (kind, options) == self._job:
                return
            for a in self._actors:
                ray.kill(a)
            self._actors = []
        self._job = (kind, options)
        self.items_per_call = max(1, kind.items_per_call)
        if not ray.is_initialized():
            if self.address is None:
                n = self.workers or max(1, (os.cpu_count() or 1) // self.threads)
                ray.init(
                    address="local",  # a new Ray, never one found on this machine
                    num_cpus=n * self.threads,
                    include_dashboard=False,
                    object_store_memory=max(256, 64 * n) * 2**20,
                    configure_logging=False,
                )
            else:
                try:
                    ray.init(address=self.address, configure_logging=False)
                except ConnectionError as exc:
                    raise ConnectionError(
                        f"cannot reach the Ray cluster at {self.address} ({exc}); a cluster "
                        "started by `ray start` (Ray 2.60) checks a token: set RAY_AUTH_MODE=token "
                        "and give its token (~/.ray/auth_token or RAY_AUTH_TOKEN)"
                    ) from None
            self._owns_ray = True
        if self.workers is None:
            cpus = int(ray.cluster_resources().get("CPU", 1))
            self.workers = max(1, cpus // self.threads)
        # an actor that dies (a crash on a poison input, a lost node) is restarted; ``map``
        # retries the items of its lost calls
        actor = ray.remote(num_cpus=self.threads, max_restarts=-1)(_Worker)
        self._actors = [actor.remote(kind, options) for _ in range(self.workers)]
        from ray.exceptions import RayError

        try:
            ray.get([a.ready.remote() for a in self._actors])  # models loaded everywhere
        except RayError as exc:  # the kind's load failed (a missing install on a node, say)
            text = str(exc).strip()
            raise EngineError(
                f"Ray workers could not start: {text.splitlines()[-1] if text else exc!r}"
            ) from exc

    def map(self, tasks: Iterable[tuple[str, str]]) -> Iterator[Outcome]:
        """Outcomes in completion order. A call lost with its actor (a crash on a poison input,
        a lost node) is tried again item by item; an item lost twice is recorded as failed.
        Workers only compute (the driver writes), so a retried item is still committed once."""
        ray = _import_ray()
        from ray.exceptions import RayError

        calls = GuidedCalls(tasks, self.items_per_call, len(self._actors) * QUEUE_PER_ACTOR)
        retry: deque[tuple[str, str]] = deque()
        busy = [0] * len(self._actors)
        pending: dict[Any, tuple[int, list[tuple[str, str]], int]] = {}
        while True:
            while min(busy) < QUEUE_PER_ACTOR:
                if retry:
                    batch, attempt = [retry.popleft()], 1
                else:
                    batch, attempt = calls.next(), 0
                    if not batch:
                        break
                i = busy.index(min(busy))
                pending[self._actors[i].run.remote(batch)] = (i, batch, attempt)
                busy[i] += 1
            if not pending:
                return
            [ref], _ = ray.wait(list(pending), num_returns=1)
            i, batch, attempt = pending.pop(ref)
            busy[i] -= 1
            try:
                outs = ray.get(ref)
            except RayError as exc:
                if not self._revive(i):
                    busy[i] = _GONE
                    if min(busy) >= _GONE:
                        raise EngineError("every Ray worker is gone; rerun with --resume") from exc
                if attempt == 0:
                    retry.extend(batch)
                    continue
                text = str(exc).strip()
                why = f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
                outs = [
                    Outcome(k, p, "error", error=f"{p}: the worker died twice on it ({why})")
                    for k, p in batch
                ]
            yield from outs

    def _revive(self, i: int, wait_s: float = 300.0) -> bool:
        """Wait until actor ``i`` answers again (Ray restarts it, models reloaded); False if it
        does not within ``wait_s``. Calls sent to a restarting actor fail at once, so a lost
        call's items are sent again only after this."""
        ray = _import_ray()
        from ray.exceptions import GetTimeoutError, RayError

        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                ray.get(self._actors[i].ready.remote(), timeout=max(1.0, wait_s / 5))
                return True
            except (RayError, GetTimeoutError):
                time.sleep(0.5)
        return False

    def close(self) -> None:
        if not self._actors and not self._owns_ray:
            return
        ray = _import_ray()
        for a in self._actors:
            ray.kill(a)
        self._actors, self._job = [], None
        if self._owns_ray:
            ray.shutdown()
            self._owns_ray = False


def make_engine(
    engine: str, address: str | None = None, workers: int | None = None, threads: int = 1
) -> LocalEngine | RayEngine:
    """``"local"`` or ``"ray"`` (see the classes)."""
    if engine == "local":
        if address is not None:
            raise ValueError("--address needs --engine ray")
        return LocalEngine(workers)
    if engine == "ray":
        return RayEngine(address, workers, threads)
    raise ValueError(f"engine: expected local or ray, got {engine!r}")
