"""The scheduler's periodic jobs, each a thin call into the service.

State lives in the database, not in the scheduler: the scheduler only says
"now would be a good time". A restart loses nothing and repeats nothing,
because every job is idempotent. SIGTERM lets the job in hand finish, then
the process exits.

A job has failed when it raised or when its counts report ``error`` or
``errors`` (:func:`failed`); ``run --once`` then exits non-zero. After each
job that did not fail, its heartbeat is written to the database
(``service_state`` row ``heartbeat:<job>``, the wall-clock time of its last
successful run and the process): ``doctor`` reads it to tell a service that
runs from one that stalled (:func:`heartbeats`, :func:`stale_after`).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable

from service import observe
from service.chasing.digest import send_weekly_digest
from service.chasing.sweep import sweep
from service.intake.agency_returns import send_integrated
from service.intake.processing import file_handled, process_stored, store_new
from service.intake.report import daily_report
from service.letters.delivery import deliver_due, is_working_time
from service.mailbox import notifications
from service.mailbox.ports import TransportError
from service.meetings.service import meetings_job
from service.store.db import explain

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.jobs")


def read_inbox(app: "App") -> dict[str, int]:
    notifications.keep_subscribed(app)  # with [graph] notification_url: the subscription kept alive
    stored = store_new(app)
    outcomes = process_stored(app)
    filed = file_handled(app)
    by_status: dict[str, int] = {}
    for o in outcomes:
        by_status[o.status] = by_status.get(o.status, 0) + 1
    # Once the run's mail is filed: an integrated chronology per new set of agencies' chronologies.
    integrated = send_integrated(app)
    return {"stored": stored, "filed": filed, **by_status, **({"chronologies_built": integrated} if integrated else {})}


def send_outbox(app: "App") -> dict[str, int]:
    total = {"sent": 0, "retry": 0, "failed": 0}
    while True:  # drain what is due, a batch at a time
        counts = deliver_due(app, app.worker)
        for k, v in counts.items():
            total[k] += v
        if sum(counts.values()) == 0 or counts["sent"] == 0:
            return total


def sweep_deadlines(app: "App") -> dict[str, int]:
    """Chase what is due, in working hours only: after a night or a weekend down, the sweep's first
    working-hours run takes each deadline's latest due step once, so nothing stale queues overnight."""
    total = {"reminders": 0, "escalations": 0, "skipped": 0}
    if not is_working_time(app, app.clock.now()):
        return total
    while True:
        counts = sweep(app)
        for k, v in counts.items():
            total[k] += v
        if counts["reminders"] + counts["escalations"] + counts["skipped"] == 0:
            return total


def report_intake(app: "App") -> dict[str, int]:
    """The day's intake report, made in working hours (a start-up at 04:00 on a Sunday makes none;
    Monday's covers everything since the last one)."""
    if not is_working_time(app, app.clock.now()):
        return {"reports": 0}
    return {"reports": int(daily_report(app))}


def arrange_meetings(app: "App") -> dict[str, int]:
    """Meetings arranged, moved and followed up in working hours only: an invitation or an update is mail
    to people too (a restart at 04:00 on a Sunday books nothing until the working morning). A person's
    own `meeting` command acts at once."""
    if not is_working_time(app, app.clock.now()):
        return {}
    return meetings_job(app)


def weekly_digest(app: "App") -> dict[str, int]:
    return {"digests": int(send_weekly_digest(app))}


# In the order `run --once` runs them: mail in, meetings arranged, what that
# queued goes out (and meets the deadlines it was for), then the sweep chases
# whatever is still open, and the outbox is drained once more at the end.
JOBS: dict[str, Callable[["App"], dict[str, int]]] = {
    "read_inbox": read_inbox,
    "meetings": arrange_meetings,
    "send_outbox": send_outbox,
    "sweep_deadlines": sweep_deadlines,
    "report_intake": report_intake,
    "weekly_digest": weekly_digest,
}


def failed(counts: dict[str, int]) -> bool:
    """Whether a job's counts say it failed (it raised, or a part of its work did)."""
    return bool(counts.get("error") or counts.get("errors"))


def run_once(app: "App") -> dict[str, dict[str, int]]:
    """Every job once, in an order where each sees what the one before did; then the heartbeats of
    those that did not fail, in one transaction."""
    results = {}
    for name, job in JOBS.items():
        results[name] = _guarded(app, name, job)
    for k, v in _guarded(app, "send_outbox", send_outbox).items():  # what the sweep and report queued
        results["send_outbox"][k] = results["send_outbox"].get(k, 0) + v
    if not _beat(app, [name for name, counts in results.items() if not failed(counts)]):
        results.setdefault("heartbeat", {})["error"] = 1
    return results


# Heartbeats -------------------------------------------------------------------------
HEARTBEAT = "heartbeat:"


def _beat(app: "App", names: Iterable[str]) -> bool:
    """Write the heartbeat of each job in ``names`` (the wall clock: it says when the process last
    worked, whatever time the jobs acted as of). False, logged, when the database refused it."""
    names = list(names)
    if not names:
        return True
    now = datetime.now(timezone.utc)
    value = json.dumps({"at": now.isoformat(), "by": app.worker})
    try:
        with app.db.unit_of_work() as uow:
            for name in names:
                uow.state.set(HEARTBEAT + name, value, now)
            uow.commit()
    except Exception as exc:  # noqa: BLE001 - reported as the run's failure, never raised
        log.error("heartbeat not written: %s", explain(exc) or exc.__class__.__name__, extra={"jobs": names})
        return False
    return True


def heartbeats(conn) -> dict[str, datetime]:
    """The last successful run of each job that has one, from the database (``conn``: a connection)."""
    from sqlalchemy import select

    from service.store import tables as t

    rows = conn.execute(select(t.service_state.c.name, t.service_state.c.value)
                        .where(t.service_state.c.name.like(HEARTBEAT + "%"))).all()
    out = {}
    for name, value in rows:
        try:
            out[name[len(HEARTBEAT):]] = datetime.fromisoformat(json.loads(value)["at"])
        except (ValueError, KeyError, TypeError):
            continue
    return out


def stale_after(settings, name: str) -> timedelta:
    """How long without a successful run of job ``name`` means the service has stalled: three of its
    intervals (for the daily report and the weekly digest, three of their longest gaps: a weekend, a week)."""
    s = settings.scheduler
    interval = {"read_inbox": timedelta(seconds=s.inbox_every_seconds),
                "send_outbox": timedelta(seconds=s.outbox_every_seconds),
                "sweep_deadlines": timedelta(seconds=s.sweep_every_seconds),
                "meetings": timedelta(seconds=settings.meetings.every_seconds),
                "report_intake": timedelta(days=3),
                "weekly_digest": timedelta(days=7)}[name]
    return 3 * interval


RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure (PostgreSQL)


def _guarded(app: "App", name: str, job: Callable[["App"], dict[str, int]], tries: int = 3) -> dict[str, int]:
    """Run a job; a failure is logged and reported, never raised. A deadlock victim runs again:
    every job is idempotent, so running it again finishes what the rolled-back transaction began.
    A failure an operator can act on (disk full, database locked, connection lost, permission
    denied) is logged as that, naming the path or host."""
    for attempt in range(1, tries + 1):
        try:
            return job(app)
        except TransportError as exc:
            log.error("job could not reach the mailbox", extra={"job": name, "error": str(exc)[:300],
                                                                "permanent": exc.permanent})
            return {"error": 1}
        except Exception as exc:  # noqa: BLE001 - a failing job must not stop the others
            sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
            if sqlstate in RETRYABLE_SQLSTATES and attempt < tries:
                log.info("job lost a database race; running it again", extra={"job": name, "sqlstate": sqlstate})
                continue
            # What happened in the operator's words, else the class and the SQLSTATE only:
            # exception text can quote documents or SQL parameters.
            line = explain(exc)
            if line:
                log.error("job failed: %s", line, extra={"job": name, "error": exc.__class__.__name__,
                                                         "sqlstate": sqlstate})
            else:
                log.exception("job failed", extra={"job": name, "error": exc.__class__.__name__,
                                                   "sqlstate": sqlstate})
            return {"error": 1}
    return {"error": 1}


@dataclass
class Runner:
    app: "App"
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _run(self, name: str) -> None:
        if self.stop.is_set():
            return
        with self.lock:  # one job at a time: they share the mailbox and its rate limits
            started = time.monotonic()
            result = _guarded(self.app, name, JOBS[name])
            observe.job_finished(name, time.monotonic() - started, result)
            if not failed(result):
                _beat(self.app, [name])
        if any(result.values()):
            log.info("job finished", extra={"job": name, **{f"n_{k}": v for k, v in result.items()}})

    def _poll_inbox(self) -> None:
        """The scheduled inbox read: every interval, or only every 5 minutes while change notifications
        work (they wake :meth:`woken` as mail arrives)."""
        if notifications.poll_due(self.app):
            self._run("read_inbox")

    def woken(self, since: int | None = None) -> None:
        """Until stopped: when a change notification wakes the inbox (``/graph/notify``), read it at once
        and send what that queued (the acknowledgement goes within seconds, not at the next poll).

        A notification received in this process (``run --web``) sets the hub's event; one received by a
        web workspace running on its own is recorded in the database, where this loop looks every
        ``notifications.WAKE_CHECK_SECONDS`` (one SELECT by primary key). ``since``: the count of recorded
        wake-ups taken before the first inbox read (a later one wakes the job)."""
        hub = notifications.hub_for(self.app)
        seen = since if since is not None else notifications.wake_mark(self.app)
        next_look = time.monotonic() + notifications.WAKE_CHECK_SECONDS
        unreadable = False
        hub.listen(True)
        try:
            while not self.stop.is_set():
                if hub.wake.wait(timeout=max(0.0, min(1.0, next_look - time.monotonic()))):
                    hub.wake.clear()
                    self._read_and_send()
                    continue
                if time.monotonic() < next_look:
                    continue
                next_look = time.monotonic() + notifications.WAKE_CHECK_SECONDS
                try:
                    seen, moved = notifications.take_wakes(self.app, seen)
                except Exception as exc:  # noqa: BLE001 - logged once until it reads again; the poll goes on
                    if not unreadable:
                        log.warning("recorded graph wake-ups unreadable: %s", explain(exc) or "database error",
                                    extra={"error": exc.__class__.__name__})
                    unreadable = True
                    continue
                unreadable = False
                if moved:
                    self._read_and_send()
        finally:
            hub.listen(False)

    def _read_and_send(self) -> None:
        self._run("read_inbox")
        self._run("send_outbox")

    def serve(self, when_listening: Callable[[], Any] | None = None) -> None:
        """Run the jobs until SIGTERM or SIGINT. ``when_listening`` runs once the signals are the service's
        (the web workspace starts there, so that a signal never finds the process without its handler)."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        from service.meetings.invitees import quorum_warnings

        for warning in quorum_warnings(self.app.settings, self.app.procedures):  # roles and agency keys only
            log.warning("configuration: %s", warning)
        s = self.app.settings.scheduler
        tz = self.app.settings.tz
        sched = BackgroundScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
        sched.add_job(self._poll_inbox, IntervalTrigger(seconds=s.inbox_every_seconds), id="read_inbox")
        sched.add_job(self._run, IntervalTrigger(seconds=s.outbox_every_seconds), args=["send_outbox"],
                      id="send_outbox")
        sched.add_job(self._run, IntervalTrigger(seconds=s.sweep_every_seconds), args=["sweep_deadlines"],
                      id="sweep_deadlines")
        sched.add_job(self._run, IntervalTrigger(seconds=self.app.settings.meetings.every_seconds),
                      args=["meetings"], id="meetings")
        start = self.app.settings.working_hours.start
        sched.add_job(self._run, CronTrigger(day_of_week="mon-fri", hour=start.hour, minute=start.minute,
                                             timezone=tz), args=["report_intake"], id="report_intake")
        dt = s.digest_time
        sched.add_job(self._run, CronTrigger(day_of_week=s.digest_day, hour=dt.hour, minute=dt.minute, timezone=tz),
                      args=["weekly_digest"], id="weekly_digest")

        def _stop(signum, _frame):
            log.info("stopping after the job in hand", extra={"signal": signum})
            self.stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        if when_listening is not None:
            when_listening()
        woken = notifications.enabled(self.app)
        since = notifications.wake_mark(self.app) if woken else None  # before the first read: none is missed
        for name in JOBS:  # catch up at once rather than waiting a full interval
            self._run(name)
        if woken:
            threading.Thread(target=self.woken, args=(since,), name="graph-notify", daemon=True).start()
        sched.start()
        log.info("review clerk running", extra={"backend": self.app.settings.mail.backend,
                                                "database": self.app.db.describe()})
        try:
            self.stop.wait()
        finally:
            sched.shutdown(wait=True)  # waits for the job in hand
            log.info("stopped")
