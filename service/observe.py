"""What the service tells whoever listens about its own work: the hooks behind the metrics.

The code that does the work (the Graph request layer, the job runner) calls
the functions here; they cost nothing while nobody listens. ``service.metrics``
subscribes an :class:`Observer` when ``[metrics] listen`` is set. This module
imports nothing, so ``service.m365`` stays free of any metrics library.

Arguments are fixed vocabularies only: HTTP methods and status codes, job
names, counts keyed by status names. Never a reference, an address, a path or
anything read from a message. An observer that raises is logged and ignored:
reporting must never break the work reported on.
"""

from __future__ import annotations

import logging
import threading
from typing import Mapping, Protocol

log = logging.getLogger("review_clerk.observe")


class Observer(Protocol):
    def graph_response(self, method: str, status: int) -> None:
        """One Graph HTTP attempt ended: its status, or 0 when no answer came (connection failure)."""

    def graph_throttled(self, status: int, wait_seconds: float) -> None:
        """Graph answered 429 or 503; the request waits ``wait_seconds`` before trying again."""

    def job_finished(self, job: str, seconds: float, counts: Mapping[str, int]) -> None:
        """A scheduled job ran for ``seconds``; ``counts`` is what it returned ({"error": 1} on failure)."""


_lock = threading.Lock()
_observers: tuple[Observer, ...] = ()


def subscribe(observer: Observer) -> None:
    global _observers
    with _lock:
        if observer not in _observers:
            _observers = (*_observers, observer)


def unsubscribe(observer: Observer) -> None:
    global _observers
    with _lock:
        _observers = tuple(o for o in _observers if o is not observer)


def _emit(event: str, *args: object) -> None:
    for observer in _observers:
        try:
            getattr(observer, event)(*args)
        except Exception as exc:  # noqa: BLE001 - never let reporting break the work
            log.warning("observer failed", extra={"event": event, "error": exc.__class__.__name__})


def graph_response(method: str, status: int) -> None:
    if _observers:
        _emit("graph_response", method, status)


def graph_throttled(status: int, wait_seconds: float) -> None:
    if _observers:
        _emit("graph_throttled", status, wait_seconds)


def job_finished(job: str, seconds: float, counts: Mapping[str, int]) -> None:
    if _observers:
        _emit("job_finished", job, seconds, counts)
