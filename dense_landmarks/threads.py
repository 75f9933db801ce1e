"""OpenCV's thread pool held to the models' thread count while a public call runs.

No process-wide setting outlives a call: OpenCV's thread count is set on entry and restored on
exit (here), the torch backend does the same with ``torch.set_num_threads`` around each forward
pass (:class:`dense_landmarks.runtime.runners.TorchRunner`), and onnxruntime's thread pools
belong to each session.

OpenCV parallelises warps and resizes over all cores by default. On these small images that
buys nothing, and its worker threads keep spinning after each call, taking the core that the
(single-threaded) model inference and decoding run on, which slowed the refinement step on a
2-core machine. Every public entry point of the runtime therefore runs with OpenCV set to
the ``num_threads`` its object was built with, and restores the caller's setting afterwards
(``cv2.setNumThreads`` is process-wide: two objects with different counts used from two Python
threads at once only change each other's speed, never results).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import cv2

F = TypeVar("F", bound=Callable)


@contextmanager
def opencv_threads(n: int) -> Iterator[None]:
    """Within the block, OpenCV uses ``n`` threads (n >= 1); the previous count is restored."""
    old = cv2.getNumThreads()
    if old == n:
        yield
        return
    cv2.setNumThreads(int(n))
    try:
        yield
    finally:
        cv2.setNumThreads(old)


def holds_opencv_threads(method: F) -> F:
    """Decorator for methods of objects with a ``num_threads`` attribute."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with opencv_threads(self.num_threads):
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
