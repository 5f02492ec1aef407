"""A process that dies holding work leaves it to the others once its lease has run out (PostgreSQL).

Worker A claims work exactly as the service does (the repositories' claim methods, at time T)
and dies there. Worker B, another process on the same database and mailbox, finds the work held
while A's lease runs (10 minutes for inbound mail, 5 for the outbox and for meetings), then takes
it over and completes it exactly once. And when A was not dead but only stalled (a long pause, a
suspended machine, a slow send ahead of it in its batch) and comes back after B has taken over,
what it then does with its stale claim changes nothing.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.bootstrap import build_app
from service.clock import FixedClock
from service.demo import sample_emails
from service.intake import processing, triage
from service.jobs import read_inbox
from service.letters import delivery
from service.meetings import service as meetings
from service.meetings.meeting_row import LEASE, claimed
from service.meetings.demo import busy_elsewhere
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
T = datetime(2014, 5, 12, 9, 5, tzinfo=LONDON)  # a Monday morning


@pytest.fixture
def workers(settings, db_env):
    if not db_env:
        pytest.skip("needs PostgreSQL: set REVIEW_CLERK_TEST_DATABASE_URL (SQLite is one writer at a time)")
    apps = []
    for name in ("host-a:101", "host-b:202", "host-c:303"):
        app = build_app(settings, FixedClock(T), create=True)
        app.worker = name  # three processes on one database and one mailbox
        apps.append(app)
    yield apps
    for app in apps:
        app.db.dispose()


def at(app, minutes: float):
    app.clock.set(T + timedelta(minutes=minutes))
    return app


def drop_samples(app) -> None:
    inbox = app.settings.data_dir / "mail" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for name, raw in sample_emails(T).items():
        (inbox / name).write_bytes(raw)


def inbound(app) -> list[dict]:
    c = t.inbound_messages.c
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(c.id, c.status, c.outcome, c.case_id, c.claimed_by, c.claimed_until, c.attempts, c.filed)
            .order_by(c.id)).mappings()]


def outbox_rows(app) -> list[dict]:
    c = t.outbox.c
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(c.id, c.key, c.template, c.mode, c.status, c.claimed_by, c.attempts, c.provider_id)
            .order_by(c.id)).mappings()]


def table_count(app, table) -> int:
    with app.db.engine.connect() as conn:
        return len(conn.execute(select(table.c.id)).all())


def delivery_log(app) -> list[tuple[str, str]]:
    path = app.settings.data_dir / "mail" / "delivery.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(line.split()[1], line.split()[2]) for line in lines]


def test_inbound_mail_held_by_a_dead_worker_is_taken_over_after_its_lease_and_handled_once(workers):
    a, b, _ = workers
    drop_samples(a)
    assert processing.store_new(a) == 5
    with a.db.unit_of_work() as uow:
        held = uow.inbox.claim_new(a.clock.now(), a.worker, processing.LEASE, 50)
        uow.commit()
    assert len(held) == 5  # ... and A dies here

    for minutes in (1, 5, 10):  # the lease runs to T + 10 minutes
        assert processing.process_stored(at(b, minutes)) == []
        assert {(r["status"], r["claimed_by"]) for r in inbound(b)} == {("new", a.worker)}

    outcomes = processing.process_stored(at(b, 11))
    assert sorted(o.status for o in outcomes) == ["duplicate", "held", "not_referral", "processed", "processed"]
    rows = inbound(b)
    assert all(r["status"] != "new" and r["outcome"] and r["claimed_by"] is None for r in rows)
    assert [r["attempts"] for r in rows] == [2] * 5  # A's claim and B's
    assert table_count(b, t.cases) == 2
    replies = Counter(r["template"] for r in outbox_rows(b))
    assert replies["acknowledgement"] == 1 and replies["missing_information"] == 1
    assert processing.process_stored(at(b, 12)) == []  # nothing handled twice
    assert processing.file_handled(b) == 5 and list((b.settings.data_dir / "mail" / "inbox").glob("*")) == []

    # A was only stalled: it wakes up and carries on with the messages it claimed at T.
    before = (inbound(b), outbox_rows(b), table_count(b, t.cases), table_count(b, t.audit_events))
    for mid in held:
        processing._process_one(at(a, 13), mid)
    assert (inbound(b), outbox_rows(b), table_count(b, t.cases), table_count(b, t.audit_events)) == before


def test_letters_held_by_a_dead_worker_are_taken_over_after_its_lease_and_sent_once(workers):
    a, b, _ = workers
    drop_samples(b)
    read_inbox(b)  # two cases: their acknowledgement, request for information and Ofsted drafts are queued
    with a.db.unit_of_work() as uow:
        held = uow.outbox.claim_due(a.clock.now(), a.worker, delivery.LEASE, 20)
        uow.commit()
    queued = outbox_rows(b)
    assert len(held) == len(queued) >= 4 and {r["status"] for r in queued} == {"sending"}  # ... and A dies

    for minutes in (1, 3, 5):  # the lease runs to T + 5 minutes
        assert delivery.deliver_due(at(b, minutes), b.worker) == {"sent": 0, "retry": 0, "failed": 0}
        assert {(r["status"], r["claimed_by"]) for r in outbox_rows(b)} == {("sending", a.worker)}
    assert delivery_log(b) == []

    counts = delivery.deliver_due(at(b, 6), b.worker)
    rows = outbox_rows(b)
    auto = [r["key"] for r in rows if r["mode"] == "auto"]
    assert counts == {"sent": len(auto), "retry": 0, "failed": 0}
    assert {r["key"]: r["status"] for r in rows} == {r["key"]: "sent" if r["mode"] == "auto" else "awaiting_review"
                                                     for r in rows}
    assert all(r["attempts"] == 2 and r["claimed_by"] == b.worker for r in rows)
    assert sorted(delivery_log(b)) == sorted(("delivered", k) for k in auto)  # once each, nothing tried twice
    assert len(list((b.settings.data_dir / "mail" / "sent").glob("*.eml"))) == len(auto)
    drafts = list((b.settings.data_dir / "mail" / "drafts").rglob("*.eml"))
    assert len(drafts) == len(rows) - len(auto)
    assert delivery.deliver_due(at(b, 7), b.worker) == {"sent": 0, "retry": 0, "failed": 0}

    # A was only stalled (say behind slow sends earlier in its batch): it carries on with its claim.
    for oid in held:
        assert delivery.deliver_claimed(at(a, 8), a.worker, oid) is None  # no longer A's: left alone
    assert outbox_rows(b) == rows
    assert sorted(delivery_log(b)) == sorted(("delivered", k) for k in auto)  # no second attempt at all


def test_a_meeting_held_by_a_dead_worker_is_arranged_once_after_its_lease(workers):
    a, b, c = workers
    drop_samples(b)
    read_inbox(b)  # two cases, each asking for an extraordinary panel meeting
    with b.db.unit_of_work() as uow:
        ids = uow.meetings.open_ids()
    assert len(ids) == 2
    with a.db.unit_of_work() as uow:
        assert all(uow.meetings.claim(mid, a.clock.now(), a.worker, LEASE) for mid in ids)
        uow.commit()  # ... and A dies
    calendar = b.settings.data_dir / "calendar"
    # The designated doctor is away all month, so the Business Manager is told with each invitation.
    busy_elsewhere(b, "designated.doctor@nhs.example.org", T, T + timedelta(days=31), "leave")

    for minutes in (1, 5):
        assert meetings.meetings_job(at(b, minutes))["skipped"] == 2
    assert list(calendar.glob("*.ics")) == []

    assert meetings.meetings_job(at(b, 6))["scheduled"] == 2
    letters = outbox_rows(b)
    assert meetings.meetings_job(at(b, 7))["scheduled"] == 0
    with b.db.unit_of_work() as uow:
        rows = [uow.meetings.get(mid) for mid in ids]
    assert all(m["state"] == "scheduled" and m["provider_id"] and m["synced_revision"] == m["revision"]
               and m["claimed_by"] is None for m in rows)
    assert sorted(p.name for p in calendar.glob("*.ics")) == sorted(m["provider_id"] for m in rows)
    # What goes with the invitations went once: each agency asked for its report, the BM told.
    requests = [r["key"] for r in letters if "/agency_report_request/" in r["key"]]
    assert len(requests) == 2 and any(r["key"].endswith("/report/arranged/0") for r in letters)
    assert outbox_rows(b) == letters

    # B works on a meeting again (its claim taken at T + 20); stalled A finishes its old piece of work.
    with b.db.unit_of_work() as uow:
        assert uow.meetings.claim(ids[0], at(b, 20).clock.now(), b.worker, LEASE)
        uow.commit()
    claimed(at(a, 21), ids[0]).__exit__(None, None, None)  # A lets go of what it held
    assert meetings.meetings_job(at(c, 22))["skipped"] == 1  # B's claim stands: C leaves that meeting alone


def test_an_original_and_its_forwarded_copy_handled_at_once_by_two_workers_open_one_case(workers, monkeypatch):
    """Claims go one message at a time, so two processes can each hold one copy of the same referral."""
    a, b, _ = workers
    drop_samples(a)
    processing.store_new(a)
    claimed = []
    for worker in (a, b):  # A takes the police referral, B the colleague's forward of it
        with worker.db.unit_of_work() as uow:
            claimed += uow.inbox.claim_new(worker.clock.now(), worker.worker, processing.LEASE, 1)
            uow.commit()
    real = triage.referral_fingerprint

    def slowly(parsed):  # both would check for an earlier case before either has committed its own
        time.sleep(0.5)
        return real(parsed)

    monkeypatch.setattr(triage, "referral_fingerprint", slowly)
    threads = [threading.Thread(target=processing._process_one, args=(w, mid)) for w, mid in zip((a, b), claimed)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert table_count(a, t.cases) == 1
    assert sorted(r["status"] for r in inbound(a) if r["id"] in claimed) == ["duplicate", "processed"]


class ProcessDied(BaseException):
    """What the service sees of SIGKILL or the out-of-memory killer: nothing runs after it (not `except Exception`)."""


def test_a_message_that_kills_the_process_handling_it_is_set_aside_and_the_rest_go_on(app, monkeypatch):
    """On SQLite too: a message whose handling kills the service (out of memory, a crash inside a document
    library) is retried after each lease like any other, but not for ever: once three processes have
    died on it, it is set aside for a person and the messages behind it are handled."""
    drop_samples(app)
    real = processing.handle_message
    poison = "<demo-3@enfield.example.org>"  # the Word form

    def dies_on_the_poison(uow, app_, row):
        if row["internet_message_id"] == poison:
            raise ProcessDied()
        return real(uow, app_, row)

    monkeypatch.setattr(processing, "handle_message", dies_on_the_poison)
    processing.store_new(app)
    for restart in range(3):
        with pytest.raises(ProcessDied):
            processing.process_stored(app)
        app.clock.advance(minutes=11)  # restarted once the dead process's lease has run out
    statuses = Counter(r["status"] for r in inbound(app))
    assert statuses["new"] >= 1  # the poison and whatever came after it are still waiting

    outcomes = processing.process_stored(app)  # the fourth process sets it aside unread
    rows = {r["id"]: r for r in inbound(app)}
    assert all(r["status"] != "new" and r["outcome"] for r in rows.values())
    [poisoned] = [r for r in rows.values() if r["status"] == "failed"]
    assert poisoned["attempts"] == 4 and "stopped while handling it on 3 attempts" in poisoned["outcome"]
    assert table_count(app, t.cases) == 1  # the police referral (and its forwarded copy)
    assert "failed" in {o.status for o in outcomes}
