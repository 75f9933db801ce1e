import threading
import time

import pytest

from dense_landmarks.service.config import ServiceConfig
from dense_landmarks.service.pool import InferencePool, PoolFull


def _pool(workers=1, queue=1, state=lambda: "models"):
    p = InferencePool(workers, queue, state)
    p.start()
    return p


def test_admission_is_bounded_and_slots_come_back():
    p = _pool(workers=2, queue=1)
    try:
        tickets = [p.admit() for _ in range(3)]
        with pytest.raises(PoolFull):
            p.admit()
        assert p.stats()["rejected"] == 1
        tickets[0].release()
        tickets[0].release()  # idempotent
        p.admit().release()
        for t in tickets[1:]:
            t.release()
        assert p.stats()["admitted"] == 0
    finally:
        p.close()


def test_jobs_run_with_their_threads_state_in_parallel():
    built = []
    p = _pool(workers=2, queue=0, state=lambda: built.append(1) or threading.get_ident())
    try:
        gate = threading.Barrier(2, timeout=5)  # both jobs must run at once to pass it
        futs = [p.submit(lambda s: (gate.wait(), s)[1]) for _ in range(2)]
        idents = {f.result(timeout=5) for f in futs}
        assert len(built) == 2 and len(idents) == 2
    finally:
        p.close()


def test_a_ticket_holds_its_slot_until_its_job_ends():
    p = _pool(workers=1, queue=0)
    try:
        release = threading.Event()
        t = p.admit()
        fut = p.submit(lambda s: release.wait(5))
        t.hold(fut)
        t.release()  # the request gave up (e.g. timed out) but the job still runs
        with pytest.raises(PoolFull):
            p.admit()
        release.set()
        fut.result(timeout=5)
        time.sleep(0.05)
        p.admit().release()
    finally:
        p.close()


def test_a_cancelled_queued_job_never_runs_and_errors_propagate():
    p = _pool(workers=1, queue=2)
    try:
        gate = threading.Event()
        ran = []
        first = p.submit(lambda s: gate.wait(5))
        second = p.submit(lambda s: ran.append(1))
        assert second.cancel()
        failing = p.submit(lambda s: 1 / 0)
        gate.set()
        first.result(timeout=5)
        with pytest.raises(ZeroDivisionError):
            failing.result(timeout=5)
        assert ran == []
    finally:
        p.close()


def test_start_fails_when_a_model_set_cannot_load():
    def broken():
        raise OSError("weights missing")

    p = InferencePool(2, 0, broken)
    with pytest.raises(RuntimeError, match="could not load"):
        p.start()


def test_config_round_trip_and_validation():
    c = ServiceConfig(queue_limit=3, cors_origins=("http://a.example",), processes=2)
    assert ServiceConfig.from_json(c.to_json()) == c
    assert ServiceConfig(inference_workers=3).workers == 3
    assert ServiceConfig(processes=64).workers == 1
    with pytest.raises(ValueError, match="max_upload_bytes"):
        ServiceConfig(max_upload_bytes=0)
    with pytest.raises(ValueError, match="unknown"):
        ServiceConfig.from_json('{"max_uploads": 1}')
