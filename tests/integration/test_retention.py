"""Retention and legal hold on a real database: what is past its period goes, a held case keeps everything."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, text

from service import cases, retention
from service.domain.model import Case, DomainError, Referrer, Subject
from service.domain.model_types import EventKind, Outcome
from service.letters.delivery import deliver_due
from service.store import tables as t
from service.store.repositories.common import NotFound
from service.store.retention_repository import REMOVED
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

T2014 = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
T2030 = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
T2040 = datetime(2040, 1, 15, 10, tzinfo=timezone.utc)  # 25 years after a case closed in 2014
RAW = b"From: someone@example.org\r\nSubject: about Amy Smith\r\n\r\nAmy Smith, 1 High Street\r\n"


# Building the records -------------------------------------------------------------------------
def open_case(app, seq: int, name: str = "Amy Smith") -> str:
    ref = f"ESCB-2014-{seq:03d}"
    case = Case.open(ref, date(2014, 5, 12), app.clock.now(), "test",
                     subjects=[Subject(name, "child", "daughter", date(2010, 1, 1), "1 High Street"),
                               Subject("Bob Smith", "adult", "father", None, "1 High Street")],
                     referrer=Referrer("Rita Referrer", "Metropolitan Police Service", "020 7946 0000",
                                       "rita.referrer@met-police.example.org"), procedure=SCR_PROCEDURE)
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, seq, referral={"child": {"name": name, "address": "1 High Street"}},
                      fingerprint=f"{seq:064d}")
        uow.commit()
    return ref


def close_without_scr(app, ref: str, closed_on: date) -> None:
    if app.clock.now().date() < closed_on:  # a date is recorded once it has come
        app.clock.set(datetime(closed_on.year, closed_on.month, closed_on.day, 9, tzinfo=timezone.utc))
    cases.decide(app, ref, Outcome.NONE, date(2014, 5, 20), "criteria not met", "chair")
    send_everything(app)
    cases.record(app, ref, EventKind.CLOSED, closed_on, "business manager")


def receive(app, name: str, status: str, ref: str | None = None, filed: bool = True) -> int:
    with app.db.unit_of_work() as uow:
        mid = uow.inbox.store(name, RAW + name.encode(), f"<{name}@example.org>", None, app.clock.now(),
                              "someone@example.org")
        if status != "new":
            case_id = uow.cases.id_of(ref) if ref else None
            uow.inbox.finish(mid, status, "test", "referral" if ref else None, case_id)
        if filed:
            uow.inbox.mark_filed(mid)
        uow.commit()
    return mid


def send_everything(app) -> None:
    while deliver_due(app, "test")["sent"]:
        pass


def queue_unlinked(app, key: str) -> None:
    """A message tied to no case (like the weekly digest), sent now."""
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        uow.outbox.queue({"key": key, "case_id": None, "template": "digest", "sender": "escb@enfield.example.org",
                          "to": ["bm@enfield.example.org"], "cc": [], "subject": "digest", "text": "ESCB-2014-001 Amy",
                          "html": "<p>Amy</p>", "attachments": [], "headers": {}, "message_id": f"<{key}@x>",
                          "references": [], "mode": "auto", "status": "queued", "attempts": 0, "created_at": now})
        uow.commit()
    send_everything(app)


@pytest.fixture
def board(app):
    """Four cases and their mail, made in 2014 (and one closed in 2030); the clock left in 2040.

    001 closed in 2014 (due); 002 closed in 2014 and under legal hold; 003 closed in 2030 (not due);
    004 a serious case review still running.
    """
    app.clock.set(T2014)
    ids = {}
    for seq in (1, 2, 3, 4):
        ref = open_case(app, seq)
        ids[ref] = {"referral": receive(app, f"referral-{seq}", "processed", ref)}
    close_without_scr(app, "ESCB-2014-001", date(2014, 6, 2))
    close_without_scr(app, "ESCB-2014-002", date(2014, 6, 2))
    cases.decide(app, "ESCB-2014-004", Outcome.SCR, date(2014, 5, 20), "criteria met", "chair")
    ids["unlinked"] = {s: receive(app, f"old-{s}", s) for s in ("not_referral", "held", "quarantined", "failed")}
    ids["unlinked"]["new"] = receive(app, "old-new", "new", filed=False)
    ids["unlinked"]["unfiled"] = receive(app, "old-unfiled", "not_referral", filed=False)
    queue_unlinked(app, "digest-2014")
    send_everything(app)
    retention.place_hold(app, "ESCB-2014-002", "Civil claim: preserve all records", "legal services")

    app.clock.set(T2030)
    close_without_scr(app, "ESCB-2014-003", date(2030, 1, 2))

    app.clock.set(datetime(2039, 12, 20, 9, tzinfo=timezone.utc))
    ids["unlinked"]["recent"] = receive(app, "recent-not-referral", "not_referral")
    queue_unlinked(app, "digest-2039")
    app.clock.set(T2040)
    return ids


# Looking at them --------------------------------------------------------------------------------
def case_row(app, ref: str) -> dict:
    with app.db.engine.connect() as conn:
        return dict(conn.execute(select(t.cases).where(t.cases.c.reference == ref)).mappings().one())


def inbound(app, mid: int) -> dict | None:
    with app.db.engine.connect() as conn:
        row = conn.execute(select(t.inbound_messages).where(t.inbound_messages.c.id == mid)).mappings().first()
    return dict(row) if row else None


def letters(app, ref: str | None) -> list[dict]:
    with app.db.engine.connect() as conn:
        cid = conn.execute(select(t.cases.c.id).where(t.cases.c.reference == ref)).scalar() if ref else None
        q = select(t.outbox).where(t.outbox.c.case_id == cid if cid else t.outbox.c.case_id.is_(None))
        return [dict(r) for r in conn.execute(q.order_by(t.outbox.c.id)).mappings()]


def audit(app, **where) -> list[dict]:
    q = select(t.audit_events).order_by(t.audit_events.c.id)
    for k, v in where.items():
        q = q.where(getattr(t.audit_events.c, k) == v if v is not None else getattr(t.audit_events.c, k).is_(None))
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def dump(app) -> dict[str, list]:
    """Every row of every table, as text: equal dumps mean nothing changed."""
    out = {}
    with app.db.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            q = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [repr(tuple(r)) for r in conn.execute(q)]
    return out


def audit_intact(app) -> bool:
    with app.db.unit_of_work() as uow:
        n, problems = uow.audit.verify()
    return n > 0 and problems == []


# Applying the periods ---------------------------------------------------------------------------
def test_a_case_closed_longer_ago_than_its_period_is_anonymised_keeping_its_reference_dates_and_history(app, board):
    before = cases.show(app, "ESCB-2014-001")
    report = retention.apply(app, "records officer")
    assert [c["reference"] for c in report["cases_anonymised"]] == ["ESCB-2014-001"]

    row = case_row(app, "ESCB-2014-001")
    assert [s["name"] for s in row["subjects"]] == ["Child 1", "Adult 1"]
    assert "Smith" not in json.dumps(row["subjects"]) and "High Street" not in json.dumps(row["subjects"])
    assert row["referral"] is None and row["fingerprint"] is None
    assert row["referrer"] == {"name": None, "agency": "Metropolitan Police Service", "telephone": None,
                               "email": None}
    assert row["anonymised_at"] == T2040
    after = cases.show(app, "ESCB-2014-001")
    for kept in ("reference", "stage", "outcome", "opened_at", "events"):
        assert after[kept] == before[kept], kept
    # Free text people wrote may name the family: the decision's reasons and deadline reasons go.
    assert before["decision_reason"] == "criteria not met" and after["decision_reason"] == REMOVED
    assert [{**d, "reason": None} for d in after["deadlines"]] == [{**d, "reason": None} for d in before["deadlines"]]
    assert all(d["reason"] in (None, REMOVED) for d in after["deadlines"])
    assert after["history"][:len(before["history"])] == before["history"]
    assert [m["key"] for m in after["messages"]] == [m["key"] for m in before["messages"]]


def test_reasons_people_wrote_for_a_deadline_are_removed_when_the_case_is_anonymised(app, board):
    case_id = case_row(app, "ESCB-2014-001")["id"]
    with app.db.engine.begin() as conn:  # as an extension's reason, written while the case was open
        conn.execute(t.deadlines.update().where(t.deadlines.c.case_id == case_id)
                     .values(reason="court case against Mary Smith"))
    retention.apply(app, "records officer")
    with app.db.unit_of_work() as uow:
        deadlines = uow.cases.get("ESCB-2014-001").deadlines.values()
    assert all(d.reason in (None, REMOVED) for d in deadlines)


def test_the_emails_and_letter_bodies_of_an_anonymised_case_are_emptied_but_their_metadata_stays(app, board):
    retention.apply(app, "records officer")
    mail = inbound(app, board["ESCB-2014-001"]["referral"])
    assert mail["raw"] == b"" and mail["status"] == "processed" and mail["size"] > 0
    sent = letters(app, "ESCB-2014-001")
    assert sent and all(m["text"] == "" and m["html"] is None for m in sent)
    assert all(m["to"] and m["subject"] and m["sent_at"] for m in sent)
    assert all("data_b64" not in a for m in sent for a in m["attachments"])


def test_a_case_under_legal_hold_keeps_everything_however_old(app, board):
    held_before = case_row(app, "ESCB-2014-002")
    report = retention.apply(app, "records officer")
    assert [c["reference"] for c in report["cases_kept_on_legal_hold"]] == ["ESCB-2014-002"]
    assert report["sent_bodies_kept_on_legal_hold"] > 0
    assert case_row(app, "ESCB-2014-002") == held_before
    assert inbound(app, board["ESCB-2014-002"]["referral"])["raw"].startswith(RAW)
    assert all(m["text"] for m in letters(app, "ESCB-2014-002"))


def test_cases_closed_recently_or_still_under_review_keep_their_personal_data(app, board):
    retention.apply(app, "records officer")
    for ref in ("ESCB-2014-003", "ESCB-2014-004"):
        row = case_row(app, ref)
        assert row["subjects"][0]["name"] == "Amy Smith" and row["referral"] and row["anonymised_at"] is None
        assert inbound(app, board[ref]["referral"])["raw"].startswith(RAW)


def test_mail_linked_to_no_case_is_deleted_after_a_year_unless_unprocessed_or_unfiled(app, board):
    report = retention.apply(app, "records officer")
    old = board["unlinked"]
    assert report["unlinked_mail_deleted_by_status"] == {"not_referral": 1, "held": 1, "quarantined": 1,
                                                         "failed": 1}
    for status in ("not_referral", "held", "quarantined", "failed"):
        assert inbound(app, old[status]) is None, status
    for kept in ("new", "unfiled", "recent"):
        assert inbound(app, old[kept])["raw"].startswith(RAW), kept


def test_sent_bodies_are_removed_two_years_after_sending_whatever_the_case(app, board):
    retention.apply(app, "records officer")
    old_digest, recent_digest = letters(app, None)
    assert (old_digest["text"], old_digest["html"], old_digest["status"]) == ("", None, "sent")
    assert recent_digest["text"] == "ESCB-2014-001 Amy", "sent less than two years ago"
    for ref in ("ESCB-2014-003", "ESCB-2014-004"):  # cases kept, their letters' bodies gone
        assert letters(app, ref) and all(m["text"] == "" and m["to"] for m in letters(app, ref))


def test_every_removal_is_audited_and_the_audit_chain_stays_intact(app, board):
    before = audit(app)
    report = retention.apply(app, "records officer")
    new = audit(app)[len(before):]
    assert audit(app)[:len(before)] == before  # nothing rewritten or deleted
    per_case = [e for e in new if e["action"] == "personal data removed"]
    assert [(e["reference"], e["actor"]) for e in per_case] == [("ESCB-2014-001", "records officer")]
    assert per_case[0]["detail"]["basis"] == "closed" and per_case[0]["detail"]["since"] == "2014-06-02"
    assert "25 years" in per_case[0]["reason"]
    (summary,) = [e for e in new if e["action"] == "retention applied"]
    assert summary["case_id"] is None
    assert summary["detail"]["unlinked_mail_deleted"] == 4
    assert summary["detail"]["sent_bodies_removed"] == report["sent_bodies_removed"] > 0
    assert "Smith" not in json.dumps([e["detail"] for e in new])
    assert audit_intact(app)


def test_a_dry_run_changes_nothing_and_says_what_a_real_run_then_does(app, board):
    before = dump(app)
    preview = retention.apply(app, "records officer", dry_run=True)
    assert dump(app) == before
    done = retention.apply(app, "records officer")
    strip = ("cases_anonymised", "dry_run")
    assert {k: v for k, v in preview.items() if k not in strip} == {k: v for k, v in done.items() if k not in strip}
    assert [c["reference"] for c in preview["cases_anonymised"]] == [c["reference"] for c in done["cases_anonymised"]]


def test_running_it_again_does_nothing(app, board):
    retention.apply(app, "records officer")
    before = dump(app)
    again = retention.apply(app, "records officer")
    assert dump(app) == before
    assert again["cases_anonymised"] == [] and again["unlinked_mail_deleted"] == 0
    assert again["sent_bodies_removed"] == 0 and again["late_mail_cleared"] == 0


def test_an_email_filed_against_a_case_after_it_was_anonymised_is_emptied_next_time(app, board):
    retention.apply(app, "records officer")
    late = receive(app, "late-reply", "reply", "ESCB-2014-001")
    report = retention.apply(app, "records officer")
    assert report["late_mail_cleared"] == 1 and inbound(app, late)["raw"] == b""
    assert retention.apply(app, "records officer")["late_mail_cleared"] == 0


def test_a_case_with_a_letter_still_to_go_waits_for_it(app, board):
    with app.db.engine.begin() as conn:
        cid = conn.execute(select(t.cases.c.id).where(t.cases.c.reference == "ESCB-2014-001")).scalar()
        conn.execute(t.outbox.update().where(t.outbox.c.id == select(func.min(t.outbox.c.id))
                                             .where(t.outbox.c.case_id == cid).scalar_subquery())
                     .values(status="awaiting_review"))
    report = retention.apply(app, "records officer")
    assert [c["reference"] for c in report["cases_waiting_for_letters"]] == ["ESCB-2014-001"]
    assert case_row(app, "ESCB-2014-001")["anonymised_at"] is None


# Legal hold -------------------------------------------------------------------------------------------
def test_a_hold_placed_after_the_plan_was_made_still_wins(app, board):
    plan = retention.make_plan(app)
    assert [d.reference for d in plan.anonymise] == ["ESCB-2014-001"]
    retention.place_hold(app, "ESCB-2014-001", "Subject access request pending", "legal services")
    with app.db.unit_of_work() as uow:
        assert uow.retention.anonymise_case(plan.anonymise[0].id, T2040) is None
    assert case_row(app, "ESCB-2014-001")["subjects"][0]["name"] == "Amy Smith"


def test_holding_and_releasing_a_case_is_audited_with_who_and_why(app, board):
    retention.release_hold(app, "escb-2014-002", "Claim settled", "legal services")
    events = [e for e in audit(app, reference="ESCB-2014-002") if e["action"].startswith("legal hold")]
    assert [(e["action"], e["actor"], e["reason"]) for e in events] == [
        ("legal hold placed", "legal services", "Civil claim: preserve all records"),
        ("legal hold released", "legal services", "Claim settled")]
    assert case_row(app, "ESCB-2014-002")["legal_hold"] is False
    report = retention.apply(app, "records officer")
    assert [c["reference"] for c in report["cases_anonymised"]] == ["ESCB-2014-001", "ESCB-2014-002"]
    assert audit_intact(app)


def test_a_hold_needs_a_reason_a_known_case_and_is_not_placed_or_released_twice(app, board):
    with pytest.raises(DomainError, match="reason"):
        retention.place_hold(app, "ESCB-2014-001", "  ", "x")
    with pytest.raises(NotFound):
        retention.place_hold(app, "ESCB-2099-001", "claim", "x")
    with pytest.raises(DomainError, match="already under legal hold"):
        retention.place_hold(app, "ESCB-2014-002", "another claim", "x")
    with pytest.raises(DomainError, match="not under legal hold"):
        retention.release_hold(app, "ESCB-2014-001", "no claim", "x")
    assert [h["reference"] for h in retention.holds(app)] == ["ESCB-2014-002"]


# The migration ------------------------------------------------------------------------------------------
def test_the_retention_migration_keeps_every_case_record_and_starts_with_no_holds(app):
    """0003 adds columns in place: on SQLite a table rebuild would cascade-delete the case's events."""
    from alembic import command
    from alembic.config import Config

    from service.store.db import MIGRATIONS

    open_case(app, 1)
    close_without_scr(app, "ESCB-2014-001", date(2014, 6, 2))
    with app.db.engine.begin() as conn:  # as a case opened before packs: going below 0006 forgets the version
        conn.execute(text("UPDATE cases SET procedure_version = '1'"))
        conn.execute(text("DELETE FROM procedures WHERE version <> '1'"))
    before = dump(app)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    for target in ("0002", "head"):
        with app.db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if target == "0002" else command.upgrade)(cfg, target)
    from service.store.keys import open_keys

    open_keys(app.settings, app.db)  # as the service does when it starts after migrating
    assert dump(app) == before
    with app.db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM case_events")).scalar() >= 3
    assert case_row(app, "ESCB-2014-001")["legal_hold"] is False


# The command line -----------------------------------------------------------------------------------------
def test_the_commands_hold_release_and_apply_with_a_dry_run_first(cli):
    from service.demo import sample_emails

    for name, raw in sample_emails(datetime.fromisoformat("2014-05-12T08:30:00+01:00")).items():
        (cli.folder / "data" / "mail" / "inbox" / name).write_bytes(raw)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    assert cli("case", "decide", "ESCB-2014-001", "--outcome", "none", "--date", "2014-05-20",
               "--reason", "criteria not met").exit_code == 0
    assert cli("case", "record", "ESCB-2014-001", "closed", "--date", "2014-06-02").exit_code == 0
    assert cli("case", "decide", "ESCB-2014-002", "--outcome", "none", "--date", "2014-05-20",
               "--reason", "criteria not met").exit_code == 0
    assert cli("case", "record", "ESCB-2014-002", "closed", "--date", "2014-06-02").exit_code == 0
    assert cli("run", "--once", "--now", "2014-06-03T10:00").exit_code == 0
    config = cli.folder / "review-clerk.toml"  # a six-year period: the 2014 cases are past it today
    config.write_text(config.read_text().replace("# [retention]", "[retention]")
                      .replace("# closed_cases_years = 25", "closed_cases_years = 6"))
    preview = json.loads(cli("retention", "apply", "--dry-run", "--json").stdout)
    assert [c["reference"] for c in preview["cases_waiting_for_letters"]] == ["ESCB-2014-001", "ESCB-2014-002"]
    for draft in (cli.folder / "data" / "mail" / "drafts").rglob("*.eml"):  # the Chair sends the drafts
        draft.rename(cli.folder / "data" / "mail" / "sent" / draft.name)
    assert cli("run", "--once", "--now", "2014-06-03T11:00").exit_code == 0

    r = cli("case", "hold", "ESCB-2014-002", "--reason", "Civil claim", "--by", "legal services")
    assert r.exit_code == 0 and "under legal hold" in r.output, r.output
    assert cli("case", "hold", "ESCB-2014-002", "--reason", "again").exit_code == 1
    holds = json.loads(cli("retention", "holds", "--json").output)
    assert [(h["reference"], h["reason"]) for h in holds] == [("ESCB-2014-002", "Civil claim")]

    preview = cli("retention", "apply", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "dry run: nothing changed" in preview.output and "to anonymise" in preview.output
    assert "ESCB-2014-001" in preview.output and "kept: legal hold" in preview.output
    shown = json.loads(cli("case", "show", "ESCB-2014-001", "--json").output)
    assert shown["subjects"][0]["name"] != "Child 1"

    done = json.loads(cli("retention", "apply", "--json", "--by", "records officer").stdout)
    assert [c["reference"] for c in done["cases_anonymised"]] == ["ESCB-2014-001"]
    assert [c["reference"] for c in done["cases_kept_on_legal_hold"]] == ["ESCB-2014-002"]
    shown = json.loads(cli("case", "show", "ESCB-2014-001", "--json").output)
    assert shown["subjects"][0]["name"] == "Child 1" and shown["history"][-1]["action"] == "personal data removed"
    assert shown["history"][-1]["actor"] == "records officer"
    assert "anonymised under the retention policy on" in cli("case", "show", "ESCB-2014-001").output
    held = cli("case", "show", "ESCB-2014-002")
    assert "[legal hold] Civil claim" in held.output and "release-hold ESCB-2014-002" in held.output
    assert json.loads(cli("case", "show", "ESCB-2014-002", "--json").output)["legal_hold"] is True

    again = cli("retention", "apply")
    assert again.exit_code == 0 and "anonymised" in again.output
    assert json.loads(cli("retention", "apply", "--json").stdout)["cases_anonymised"] == []
    r = cli("case", "release-hold", "ESCB-2014-002", "--reason", "Claim settled")
    assert r.exit_code == 0 and "released" in r.output
    assert cli("case", "release-hold", "ESCB-2014-002", "--reason", "again").exit_code == 1
    assert "audit trail intact" in cli("audit", "verify").output
