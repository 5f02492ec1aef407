"""The case repository, the audit chain and the unit of work against a real database."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text, update

from service import cases
from service.domain.model import Case, DomainError, Referrer, Subject
from service.domain.model_types import EventKind, Outcome, Stage
from service.store import tables as t
from service.store.repositories.common import NotFound
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)


def open_case(app, ref="ESCB-2014-001", received=date(2014, 5, 12)) -> None:
    case = Case.open(ref, received, AT, "test", subjects=[Subject("Test Child", "child", "child", date(2010, 1, 1))],
                     referrer=Referrer("R", "Agency", "1", "r@example.org"), procedure=SCR_PROCEDURE)
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, received.year, int(ref.rsplit("-", 1)[1]))
        uow.commit()


def test_a_case_round_trips_through_the_database(app):
    open_case(app)
    with app.db.unit_of_work() as uow:
        case = uow.cases.get("escb-2014-001")
    assert case.stage == Stage.REFERRAL_RECEIVED
    assert case.subjects[0].date_of_birth == date(2010, 1, 1)
    assert case.deadlines["decision"].due == date(2014, 6, 12)
    assert case.events[EventKind.CHAIR_AWARE] == date(2014, 5, 12)


def test_the_unit_of_work_rolls_back_unless_committed(app):
    case = Case.open("ESCB-2014-002", date(2014, 5, 12), AT, "test", procedure=SCR_PROCEDURE)
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 2)
    with app.db.unit_of_work() as uow, pytest.raises(NotFound):
        uow.cases.get("ESCB-2014-002")


def test_decision_is_saved_with_its_deadlines_and_audit_history(app):
    open_case(app)
    app.clock.set(datetime(2015, 12, 24, 10, tzinfo=timezone.utc))
    cases.decide(app, "ESCB-2014-001", Outcome.SCR, date(2015, 12, 24), "criteria met", "chair")
    shown = cases.show(app, "ESCB-2014-001")
    due = {d["key"]: d["due"] for d in shown["deadlines"]}
    assert due["imr_letters"] == "2015-12-29"
    actions = [h["action"] for h in shown["history"]]
    assert actions[0] == "case opened" and "decision recorded" in actions


def test_an_illegal_transition_leaves_the_case_unchanged(app):
    open_case(app)
    with pytest.raises(DomainError):
        cases.record(app, "ESCB-2014-001", EventKind.PUBLISHED, date(2014, 6, 1), "test")
    assert cases.show(app, "ESCB-2014-001")["stage"] == "referral_received"


def test_the_audit_chain_verifies_and_detects_tampering(app):
    open_case(app)
    app.clock.set(datetime(2014, 5, 20, 10, tzinfo=timezone.utc))
    cases.decide(app, "ESCB-2014-001", Outcome.NONE, date(2014, 5, 20), "criteria not met", "chair")
    with app.db.unit_of_work() as uow:
        n, problems = uow.audit.verify()
    assert n > 3 and problems == []
    with app.db.engine.begin() as conn:
        conn.execute(update(t.audit_events).where(t.audit_events.c.id == 2).values(reason="rewritten"))
    with app.db.unit_of_work() as uow:
        _, problems = uow.audit.verify()
    assert any("event 2" in p for p in problems)


def test_migrations_are_idempotent_and_reach_the_newest_revision(app):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from service.store.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    app.db.migrate()
    with app.db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_two_writers_setting_a_new_state_value_at_once_both_succeed(app):
    """Two processes writing their first heartbeat at the same moment: the second insert loses the race
    and updates instead of failing (on PostgreSQL one `run --once` exited 1 with an IntegrityError)."""
    import threading

    now = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
    inserted, release, errors = threading.Event(), threading.Event(), []

    def first() -> None:
        try:
            with app.db.unit_of_work() as uow:
                uow.state.set("heartbeat:race", "first", now)  # inserted, not yet committed
                inserted.set()
                release.wait(5)
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=first)
    writer.start()
    assert inserted.wait(5)
    timer = threading.Timer(0.5, release.set)  # the first commits while the second waits on its insert
    timer.start()
    with app.db.unit_of_work() as uow:
        uow.state.set("heartbeat:race", "second", now)
        uow.commit()
    writer.join(10)
    timer.join()
    assert errors == []
    with app.db.unit_of_work() as uow:
        assert uow.state.get("heartbeat:race") == "second"


def test_a_message_is_queued_once_by_key_and_the_second_queueing_says_so(app):
    """One INSERT ... ON CONFLICT DO NOTHING: True when the row went in, False for the same key again (on
    PostgreSQL, whose row count for it is -1, as on SQLite)."""
    now = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
    row = {"key": "ESCB-2014-001/acknowledgement", "case_id": None, "template": "acknowledgement",
           "sender": "board@example.org", "to": ["a@example.org"], "cc": [], "subject": "s", "text": "t",
           "html": None, "headers": {}, "attachments": [], "message_id": "<m1@example.org>", "in_reply_to": None,
           "references": [], "mode": "auto", "reviewer": None, "status": "queued", "attempts": 0,
           "created_at": now, "next_attempt_at": None}
    with app.db.unit_of_work() as uow:
        assert uow.outbox.queue(row) is True
        assert uow.outbox.queue({**row, "message_id": "<m2@example.org>", "subject": "again"}) is False
        assert uow.outbox.existing([row["key"], "nothing/else"]) == {row["key"]}
        uow.commit()
    with app.db.unit_of_work() as uow:
        assert uow.outbox.get(uow.outbox.id_of(row["key"]))["subject"] == "s"
        assert uow.outbox.sent_since("A@example.org", now) == 1 and uow.outbox.sent_since("b@example.org", now) == 0


def test_without_update_returning_counters_and_inbox_claims_still_work(app, monkeypatch):
    """An SQLite older than 3.35 has no UPDATE ... RETURNING: the counter is read back, messages claimed one by one."""
    from datetime import timedelta

    monkeypatch.setattr(app.db.engine.dialect, "update_returning", False)
    now = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
    with app.db.unit_of_work() as uow:
        assert [uow.cases.next_sequence(2031) for _ in range(3)] == [1, 2, 3]
        ids = [uow.inbox.store(f"b{i}", b"raw", None, None, now, None) for i in range(3)]
        assert uow.inbox.claim_new(now, "w1", timedelta(minutes=10), 2) == ids[:2]
        assert uow.inbox.claim_new(now, "w2", timedelta(minutes=10), 2) == ids[2:]
        assert uow.inbox.claim_new(now, "w3", timedelta(minutes=10), 2) == []
        assert uow.inbox.get(ids[0])["claimed_by"] == "w1" and uow.inbox.get(ids[0])["attempts"] == 1


def test_a_misspelt_column_given_to_a_prebuilt_update_is_refused_not_ignored(app):
    """Updates built once take their SET columns from the parameters, where SQLAlchemy passes over a name that
    is no column: the repositories check the names, so a typo fails loudly instead of updating nothing."""
    open_case(app)
    with app.db.unit_of_work() as uow:
        cid = uow.cases.id_of("ESCB-2014-001")
        mid = uow.meetings.add(case_id=cid, kind="panel", number=1, key="k/1", now=AT)
        uow.outbox.queue({"key": "m/1", "case_id": cid, "template": "t", "sender": "a@example.org",
                          "to": ["b@example.org"], "cc": [], "subject": "s", "text": "x", "html": None,
                          "attachments": [], "headers": {}, "message_id": "<m1@example.org>", "references": [],
                          "mode": "auto", "status": "queued", "attempts": 0, "created_at": AT})
        oid = uow.outbox.id_of("m/1")
        with pytest.raises(TypeError, match="meetings has no column stat"):
            uow.meetings.update(mid, AT, stat="scheduled")
        with pytest.raises(TypeError, match="meetings has no column stae"):
            uow.meetings.change(mid, AT, new_sequence=True, stae="scheduled")
        with pytest.raises(TypeError, match="outbox has no column last_eror"):
            uow.outbox.mark(oid, last_eror="x")
        with pytest.raises(TypeError, match="outbox has no column sent"):
            uow.outbox.transition(oid, "queued", sent=AT)
        uow.meetings.change(mid, AT, new_sequence=True, state="scheduled")
        uow.outbox.mark(oid, last_error="refused by the server")
        meeting = uow.meetings.get(mid)
        assert meeting["state"] == "scheduled" and meeting["sequence"] == 1 and meeting["revision"] == 1
        assert uow.outbox.get(oid)["last_error"] == "refused by the server"
