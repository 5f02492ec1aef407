"""Prometheus metrics for `review-clerk run` (``[metrics] listen = "127.0.0.1:9464"``; off by default).

The only module that imports ``prometheus_client``, and nothing imports it
unless metrics are on (``run`` does, lazily), so other commands never pay for it.

Two kinds of figures:

* **From the database, read at each scrape** (:class:`DatabaseCollector`), so
  every process sharing the database reports the same figures: messages in
  the outbox by state, the age of the oldest message waiting to be sent and of
  the oldest draft waiting for a person, open deadlines past their due date,
  messages in the inbox by status.
* **Counted by this process** (through :mod:`service.observe`): jobs run and
  how long they took, messages handled by outcome, Graph requests by method
  and status, throttling answers and the waits they imposed. Prometheus sums
  them across processes.

Labels are fixed vocabularies (job names, status names, HTTP methods and
codes); a value outside the vocabulary is reported as ``other``. No label ever
carries a reference, an address, a name or anything read from a message.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from service import observe
from service.domain.model import DeadlineStatus
from service.store import tables as t

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.metrics")

PREFIX = "review_clerk"
OTHER = "other"
OUTBOX_STATES = ("queued", "sending", "awaiting_review", "sent", "failed")
UNSENT_STATES = ("queued", "sending")  # what the service itself still has to send
INBOX_STATUSES = ("new", "processed", "duplicate", "not_referral", "quarantined", "held", "reply", "refused",
                  "failed")
HTTP_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
JOB_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
# Keys of read_inbox's counts that are not message outcomes.
_NOT_OUTCOMES = frozenset({"stored", "filed", "error"})


def _known(value: str, vocabulary: Iterable[str]) -> str:
    return value if value in vocabulary else OTHER


def _jobs() -> tuple[str, ...]:
    from service.jobs import JOBS

    return tuple(JOBS)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


class DatabaseCollector(Collector):
    """Gauges read from the database when Prometheus scrapes: every process sharing it agrees."""

    def __init__(self, app: "App"):
        self.app = app

    def collect(self) -> Iterable[GaugeMetricFamily]:
        up = GaugeMetricFamily(f"{PREFIX}_metrics_database_up",
                               "1 when the database figures below could be read at this scrape, else 0")
        try:
            figures = self._read()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("metrics could not read the database", extra={"error": exc.__class__.__name__})
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        outbox = GaugeMetricFamily(f"{PREFIX}_outbox_messages", "Messages in the outbox, by state",
                                   labels=["state"])
        for state, n in sorted(figures["outbox"].items()):
            outbox.add_metric([state], n)
        yield outbox
        for name, text, value in (
                ("outbox_oldest_unsent_age_seconds",
                 "Age of the oldest message queued or being sent (0 when none is waiting)", figures["unsent_age"]),
                ("outbox_oldest_awaiting_review_age_seconds",
                 "Age of the oldest draft left for a person to check and send (0 when none)", figures["review_age"]),
                ("deadlines_overdue", "Open deadlines whose due date has passed", figures["overdue"])):
            g = GaugeMetricFamily(f"{PREFIX}_{name}", text)
            g.add_metric([], value)
            yield g
        inbox = GaugeMetricFamily(f"{PREFIX}_inbox_messages", "Messages received, by status", labels=["status"])
        for status, n in sorted(figures["inbox"].items()):
            inbox.add_metric([status], n)
        yield inbox

    def _read(self) -> dict[str, Any]:
        now = self.app.clock.now()
        today = self.app.today()
        o, d = t.outbox.c, t.deadlines.c
        with self.app.db.unit_of_work() as uow:  # read only: rolled back at the end
            outbox = {s: 0 for s in OUTBOX_STATES}
            for state, n in uow.outbox.counts().items():
                key = _known(state, OUTBOX_STATES)
                outbox[key] = outbox.get(key, 0) + n
            inbox = {s: 0 for s in INBOX_STATUSES}
            for status, n in uow.inbox.counts().items():
                key = _known(status, INBOX_STATUSES)
                inbox[key] = inbox.get(key, 0) + n
            oldest_unsent = uow.conn.execute(select(func.min(o.created_at)).where(o.status.in_(UNSENT_STATES))).scalar()
            oldest_review = uow.conn.execute(
                select(func.min(o.created_at)).where(o.status == "awaiting_review")).scalar()
            overdue = uow.conn.execute(select(func.count()).select_from(t.deadlines).where(
                d.status == DeadlineStatus.OPEN.value, d.due < today)).scalar()

        def age(when: datetime | None) -> float:
            when = _utc(when)
            return max(0.0, (now - when).total_seconds()) if when else 0.0

        return {"outbox": outbox, "inbox": inbox, "unsent_age": age(oldest_unsent),
                "review_age": age(oldest_review), "overdue": int(overdue or 0)}


class ProcessMetrics:
    """The counters this process keeps; an :class:`service.observe.Observer`."""

    def __init__(self, registry: CollectorRegistry):
        self.jobs = Counter(f"{PREFIX}_jobs", "Scheduled jobs run, by job and outcome (ok or error)",
                            ["job", "outcome"], registry=registry)
        self.job_seconds = Histogram(f"{PREFIX}_job_duration_seconds", "How long each scheduled job took",
                                     ["job"], buckets=JOB_BUCKETS, registry=registry)
        self.messages = Counter(f"{PREFIX}_messages_handled", "Messages read from the inbox, by outcome",
                                ["outcome"], registry=registry)
        self.graph = Counter(f"{PREFIX}_graph_requests", "Microsoft Graph HTTP attempts, by method and status "
                             "(status 0: no answer, e.g. a connection failure)", ["method", "status"],
                             registry=registry)
        self.throttled = Counter(f"{PREFIX}_graph_throttled", "Graph answers asking us to slow down (429, 503)",
                                 ["status"], registry=registry)
        self.throttle_wait = Counter(f"{PREFIX}_graph_throttle_wait_seconds",
                                     "Seconds Graph's throttling answers made requests wait", registry=registry)
        jobs = _jobs()
        self._jobs_known = jobs
        for job in jobs:  # every series exists from the start, at 0
            for outcome in ("ok", "error"):
                self.jobs.labels(job, outcome)
            self.job_seconds.labels(job)
        for status in INBOX_STATUSES:
            self.messages.labels(status)

    # observe.Observer ---------------------------------------------------------------
    def graph_response(self, method: str, status: int) -> None:
        code = str(status) if 0 <= int(status) <= 599 else OTHER
        self.graph.labels(_known(method.upper(), HTTP_METHODS), code).inc()

    def graph_throttled(self, status: int, wait_seconds: float) -> None:
        self.throttled.labels(_known(str(status), ("429", "503"))).inc()
        self.throttle_wait.inc(max(0.0, float(wait_seconds)))

    def job_finished(self, job: str, seconds: float, counts: Mapping[str, int]) -> None:
        job = _known(job, self._jobs_known)
        self.jobs.labels(job, "error" if counts.get("error") else "ok").inc()
        self.job_seconds.labels(job).observe(max(0.0, seconds))
        if job == "read_inbox":
            for outcome, n in counts.items():
                if outcome not in _NOT_OUTCOMES and n:
                    self.messages.labels(_known(outcome, INBOX_STATUSES)).inc(n)


@dataclass
class Exporter:
    """A running metrics endpoint; ``stop()`` closes it and stops counting."""

    host: str
    port: int
    registry: CollectorRegistry
    counters: ProcessMetrics
    _server: Any
    _thread: threading.Thread

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    def stop(self) -> None:
        observe.unsubscribe(self.counters)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def build_registry(app: "App") -> tuple[CollectorRegistry, ProcessMetrics]:
    registry = CollectorRegistry(auto_describe=False)
    counters = ProcessMetrics(registry)
    registry.register(DatabaseCollector(app))
    return registry, counters


def start_exporter(app: "App", host: str, port: int) -> Exporter:
    """Serve /metrics on host:port (port 0: any free port) in a background thread, and start counting.

    Raises OSError when the address cannot be used (taken, or not this machine's)."""
    registry, counters = build_registry(app)
    server, thread = start_http_server(port, addr=host, registry=registry)
    observe.subscribe(counters)
    bound = server.server_address
    exporter = Exporter(host=host, port=int(bound[1]), registry=registry, counters=counters,
                        _server=server, _thread=thread)
    log.info("metrics served", extra={"url": exporter.url})
    return exporter
