"""A bounded inference pool: ``workers`` threads, each with its own model set, behind an
admission counter.

Requests are admitted (:meth:`InferencePool.admit`) before their upload is read; at most
``workers + queue_limit`` are admitted at once and the rest are refused at once (the service
answers 503 with ``Retry-After``), so the queue never grows past its limit. onnxruntime and
OpenCV release the GIL, so ``workers`` threads run that many inferences in parallel.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class PoolFull(RuntimeError):
    """Every admission slot is taken."""


class Ticket:
    """One admitted request; :meth:`release` frees its slot once its job (if any) is done."""

    def __init__(self, pool: InferencePool):
        self._pool = pool
        self._job: Future | None = None
        self._released = False

    def hold(self, job: Future) -> None:
        """Keep the slot until ``job`` has finished, even if the request gives up on it."""
        self._job = job

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        if self._job is not None and not self._job.done():
            self._job.add_done_callback(lambda _: self._pool._release())
        else:
            self._pool._release()


class InferencePool:
    """``workers`` threads, each running jobs ``fn(state)`` with its own ``make_state()``.

    Args:
        workers: threads (concurrent inferences), >= 1.
        queue_limit: admitted requests beyond ``workers`` that may wait, >= 0.
        make_state: builds one thread's state (its model set); called once in each thread.
    """

    def __init__(self, workers: int, queue_limit: int, make_state: Callable[[], Any]):
        if workers < 1 or queue_limit < 0:
            raise ValueError(f"workers >= 1 and queue_limit >= 0, got {workers}, {queue_limit}")
        self.workers = workers
        self.queue_limit = queue_limit
        self.capacity = workers + queue_limit
        self._make_state = make_state
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0
        self.rejected = 0
        self.completed = 0
        self._threads: list[threading.Thread] = []
        self._ready = threading.Barrier(workers + 1)
        self._errors: list[BaseException] = []

    def start(self) -> None:
        """Start the threads and wait until every one has built its model set."""
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"inference-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        self._ready.wait()
        if self._errors:
            self.close()
            raise RuntimeError("inference pool: a worker could not load its models") from (
                self._errors[0]
            )

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join(timeout=30)
        self._threads.clear()

    def admit(self) -> Ticket:
        """A slot for one request, or :class:`PoolFull` when all are taken."""
        with self._lock:
            if self._admitted >= self.capacity:
                self.rejected += 1
                raise PoolFull(f"{self._admitted} requests admitted (limit {self.capacity})")
            self._admitted += 1
        return Ticket(self)

    def _release(self) -> None:
        with self._lock:
            self._admitted -= 1

    def submit(self, fn: Callable[[Any], Any]) -> Future:
        """Run ``fn(state)`` on a worker thread (callers hold a :class:`Ticket`)."""
        fut: Future = Future()
        self._jobs.put((fn, fut))
        return fut

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "workers": self.workers,
                "capacity": self.capacity,
                "admitted": self._admitted,
                "running": self._running,
                "completed": self.completed,
                "rejected": self.rejected,
            }

    def _loop(self) -> None:
        try:
            state = self._make_state()
        except BaseException as exc:  # reported by start()
            self._errors.append(exc)
            self._ready.wait()
            return
        self._ready.wait()
        while True:
            item = self._jobs.get()
            if item is None:
                return
            fn, fut = item
            if not fut.set_running_or_notify_cancel():  # given up while queued
                continue
            with self._lock:
                self._running += 1
            try:
                fut.set_result(fn(state))
            except BaseException as exc:
                fut.set_exception(exc)
            finally:
                with self._lock:
                    self._running -= 1
                    self.completed += 1
