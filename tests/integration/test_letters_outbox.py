"""Letters queued by stage events, delivered exactly once, meeting the deadlines that need them (real database)."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from service import cases
from service.config import Letters
from service.domain.model import Case, DomainError, Referrer, Subject
from service.domain.model_types import EventKind, Outcome
from service.letters.catalogue import CASE_OPENED
from service.letters.delivery import REVIEW_POLL, LEASE, deliver_due
from service.letters.triggers import queue_for_event
from service.mailbox.ports import TransportError
from service.store import tables as t
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

REF = "ESCB-2014-001"
AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
CHAIR = "escb.chair@enfield.example.org"
BM = "escb.business.manager@enfield.example.org"


def open_case(app, *agencies: str, ref: str = REF) -> None:
    case = Case.open(ref, date(2014, 5, 12), AT, "test",
                     subjects=[Subject("Amelia Demo", "child", "child", date(2010, 2, 3), "1 Example Road")],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", None,
                                       "karen.sample@met-police.example.org"), procedure=SCR_PROCEDURE)
    for a in agencies:
        case.add_agency(a, AT, "test")
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, int(ref.rsplit("-", 1)[1]))
        uow.commit()


def rows(app, **where) -> list[dict]:
    q = select(t.outbox).order_by(t.outbox.c.id)
    for k, v in where.items():
        q = q.where(getattr(t.outbox.c, k) == v)
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def sent_files(app) -> dict[str, email.message.EmailMessage]:
    folder = app.settings.data_dir / "mail" / "sent"
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))}


def deadline_states(app, ref: str = REF) -> dict[str, str]:
    return {d["key"]: d["state"] for d in cases.show(app, ref)["deadlines"]}


def decide_scr(app, ref: str = REF) -> None:
    cases.decide(app, ref, Outcome.SCR, date(2014, 5, 12), "criteria met", "chair")


def test_an_scr_decision_queues_every_stage_five_letter_with_its_attachments(app):
    open_case(app, "met-police", "enfield-ccg")
    cases.set_due(app, REF, "imr", "met-police", date(2014, 7, 31), "bm")
    decide_scr(app)
    queued = {(r["template"], r["to"][0]): r for r in rows(app)}
    assert sorted(queued) == sorted([
        ("decision_notification", "notifications@ofsted.example.org"),
        ("decision_notification", "national.panel@education.example.org"),
        ("decision_outcome", "karen.sample@met-police.example.org"),
        ("imr_letter", "borough.commander@met-police.example.org"), ("imr_letter", "chief.officer@nhs.example.org"),
        ("board_members_letter", "dcs@enfield.example.org"), ("board_members_letter", "borough.commander@met-police.example.org"),
        ("director_informed", "dcs@enfield.example.org"),  # procedure 4.3, the fifth task
    ])
    imr = queued[("imr_letter", "borough.commander@met-police.example.org")]
    assert [a["filename"] for a in imr["attachments"]] == [
        "ESCB-2014-001 Letter from the Chair - IMR - Metropolitan Police Service.docx",
        "ESCB-2014-001 Chronology template.docx"]
    assert imr["subject"].startswith("[ESCB-2014-001]") and "Amelia" not in imr["subject"] + imr["text"]
    assert [a["filename"] for a in queued[("decision_outcome", "karen.sample@met-police.example.org")]["attachments"]] == []
    assert {r["status"] for r in rows(app)} == {"queued"} and {r["mode"] for r in rows(app)} == {"auto"}


def test_a_refused_domain_change_queues_nothing(app):
    open_case(app, "met-police")
    decide_scr(app)
    before = len(rows(app))
    with pytest.raises(DomainError):
        decide_scr(app)
    assert len(rows(app)) == before


def test_sending_the_letters_meets_the_deadlines_that_need_them(app, clock):
    open_case(app, "met-police", "enfield-ccg")
    decide_scr(app)
    clock.advance(hours=1)
    assert deliver_due(app, "w") == {"sent": 8, "retry": 0, "failed": 0}
    states = deadline_states(app)
    assert states["imr_letters"] == states["board_members_letter"] == states["decision_notification"] == "met"
    assert states["sqas_inform_director"] == "met"  # the message to the Director is that task done
    shown = cases.show(app, REF)
    assert {"imr_letters_sent", "board_members_told", "decision_notified"} <= set(shown["events"])
    assert {m["status"] for m in shown["messages"]} == {"sent"}
    files = sent_files(app)
    assert len(files) == 8
    letter = files["ESCB-2014-001_imr_letter_met-police.eml"]
    assert [p.get_filename() for p in letter.iter_attachments()] == [
        "ESCB-2014-001 Letter from the Chair - IMR - Metropolitan Police Service.docx",
        "ESCB-2014-001 Chronology template.docx"]
    assert deliver_due(app, "w") == {"sent": 0, "retry": 0, "failed": 0}


def test_the_deadline_is_met_only_when_every_chief_executive_has_the_letter(app):
    open_case(app, "met-police", "enfield-ccg")
    decide_scr(app)
    with app.db.engine.begin() as conn:  # the CCG letter has not gone yet
        conn.execute(t.outbox.update().where(t.outbox.c.key == f"{REF}/imr_letter/enfield-ccg")
                     .values(next_attempt_at=datetime(2099, 1, 1, tzinfo=timezone.utc)))
    deliver_due(app, "w")
    assert deadline_states(app)["imr_letters"] == "open"
    with app.db.engine.begin() as conn:
        conn.execute(t.outbox.update().where(t.outbox.c.key == f"{REF}/imr_letter/enfield-ccg")
                     .values(next_attempt_at=None))
    deliver_due(app, "w")
    assert deadline_states(app)["imr_letters"] == "met"


def test_an_agency_without_a_chief_executive_is_raised_to_the_business_manager(app):
    agencies = tuple(a.model_copy(update={"chief_executive": None}) if a.key == "probation" else a
                     for a in app.settings.agencies)
    app.settings = app.settings.model_copy(update={"agencies": agencies})
    open_case(app, "met-police", "probation")
    decide_scr(app)
    [notice] = rows(app, template="not_sent")
    assert notice["to"] == [BM] and notice["key"] == f"not_sent/{REF}/imr_letter/probation"
    assert "no chief executive is on file for London Community Rehabilitation Company" in notice["text"]
    assert "Amelia" not in notice["text"]
    deliver_due(app, "w")
    assert deadline_states(app)["imr_letters"] == "open"  # still chased: one agency has no letter


def test_adding_an_agency_to_a_running_scr_sends_its_chief_executive_the_letter(app):
    open_case(app, "met-police")
    decide_scr(app)
    cases.add_agency(app, REF, "beh-mht", "bm")
    assert [r["to"] for r in rows(app, key=f"{REF}/imr_letter/beh-mht")] == [["chief.executive@beh-mht.example.org"]]
    cases.add_agency(app, REF, "beh-mht", "bm")  # nothing new: nothing queued twice
    assert len(rows(app, template="imr_letter")) == 2


def test_an_agency_added_to_a_running_scr_has_its_own_deadline_met_when_its_letter_goes(app, clock):
    """Procedure 4.3, for an agency identified after the decision: its letter is the Head of SQAS's task with
    its own working day, met when that letter (not the others) has gone."""
    open_case(app, "met-police")
    decide_scr(app)
    clock.advance(hours=1)
    deliver_due(app, "w")
    cases.add_agency(app, REF, "beh-mht", "bm")
    assert deadline_states(app)["imr_letter_later_agency:beh-mht"] == "open"
    clock.advance(hours=1)
    deliver_due(app, "w")
    assert deadline_states(app)["imr_letter_later_agency:beh-mht"] == "met"


class CrashAfterWrite:
    """The local mailbox, except that the process dies right after the message is written."""

    def __init__(self, inner, exc: BaseException):
        self.inner, self.exc, self.calls = inner, exc, 0

    def send(self, message):
        self.calls += 1
        receipt = self.inner.send(message)
        if self.calls == 1:
            raise self.exc
        return receipt

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("crash", [RuntimeError("disk full after write"), SystemExit(9)],
                         ids=["error-after-write", "killed-after-write"])
def test_a_crash_between_sending_and_recording_ends_with_exactly_one_message_sent(app, clock, crash):
    open_case(app, "met-police")
    decide_scr(app)
    app.mailbox = CrashAfterWrite(app.mailbox, crash)
    try:
        deliver_due(app, "w1", limit=1)
    except SystemExit:
        pass  # the process was killed: the row stays claimed until its lease runs out
    assert len(sent_files(app)) == 1
    [first] = [r for r in rows(app) if r["attempts"] == 1]
    assert first["status"] in ("sending", "queued")
    clock.advance(seconds=LEASE.total_seconds() + 60)
    deliver_due(app, "w2")
    assert rows(app, key=first["key"])[0]["status"] == "sent"
    assert len(sent_files(app)) == len(rows(app)) == 7  # one file per message, none twice
    assert deadline_states(app)["decision_notification"] == "met"


def test_a_transient_failure_is_retried_later_and_a_permanent_one_told_to_the_business_manager(app, clock):
    open_case(app, "met-police")
    decide_scr(app)

    class Refusing:
        def __init__(self, inner):
            self.inner = inner

        def send(self, message):
            if message.key == f"{REF}/decision_notification/national_panel":
                raise TransportError("mailbox unknown", permanent=True)
            if message.key == f"{REF}/decision_outcome/referrer":
                raise TransportError("throttled", retry_after=120)
            return self.inner.send(message)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    app.mailbox = Refusing(app.mailbox)
    assert deliver_due(app, "w") == {"sent": 5, "retry": 1, "failed": 1}
    retry = rows(app, key=f"{REF}/decision_outcome/referrer")[0]
    assert retry["status"] == "queued" and retry["next_attempt_at"] is not None
    failed = rows(app, key=f"{REF}/decision_notification/national_panel")[0]
    assert failed["status"] == "failed" and "mailbox unknown" in failed["last_error"]
    [notice] = rows(app, template="not_sent")
    assert notice["to"] == [BM] and "national.panel@education.example.org" in notice["text"]
    assert deliver_due(app, "w")["retry"] == 0  # not yet time for the retry; the notice goes
    assert rows(app, template="not_sent")[0]["status"] == "sent"
    assert deadline_states(app)["decision_notification"] == "open"
    app.mailbox = app.mailbox.inner
    clock.advance(minutes=3)
    from service.letters.delivery import retry as retry_failed

    retry_failed(app, failed["key"])
    deliver_due(app, "w")
    assert deadline_states(app)["decision_notification"] == "met"
    assert len(rows(app, template="not_sent")) == 1


def test_review_mode_leaves_a_draft_and_the_deadline_is_met_when_the_person_sends_it(app, clock):
    app.settings = app.settings.model_copy(update={"letters": Letters(review={"imr_letter": CHAIR})})
    open_case(app, "met-police")
    decide_scr(app)
    deliver_due(app, "w")
    [row] = rows(app, template="imr_letter")
    assert (row["mode"], row["reviewer"], row["status"]) == ("review", CHAIR, "awaiting_review")
    draft = app.settings.data_dir / "mail" / row["provider_id"]
    assert draft.exists() and f"{CHAIR}" in str(draft)
    assert "imr_letter" not in " ".join(sent_files(app))
    assert deadline_states(app)["imr_letters"] == "open"
    assert cases.show(app, REF)["messages"][-1]["status"] in ("awaiting_review", "sent")

    draft.rename(app.settings.data_dir / "mail" / "sent" / draft.name)  # the Chair checks it and sends it
    clock.advance(minutes=1)
    assert deliver_due(app, "w")["sent"] == 0  # drafts are looked at every REVIEW_POLL, not on every run
    clock.advance(seconds=REVIEW_POLL.total_seconds())
    assert deliver_due(app, "w")["sent"] == 1
    assert rows(app, template="imr_letter")[0]["status"] == "sent"
    assert deadline_states(app)["imr_letters"] == "met"
    assert deliver_due(app, "w")["sent"] == 0


def test_a_draft_deleted_without_being_sent_fails_and_the_business_manager_is_told(app, clock):
    app.settings = app.settings.model_copy(update={"letters": Letters(review={"board_members_letter": CHAIR})})
    open_case(app, "met-police")
    decide_scr(app)
    deliver_due(app, "w")
    drafts = [r for r in rows(app, template="board_members_letter")]
    (app.settings.data_dir / "mail" / drafts[0]["provider_id"]).unlink()
    clock.advance(seconds=REVIEW_POLL.total_seconds())
    deliver_due(app, "w")
    assert rows(app, key=drafts[0]["key"])[0]["status"] == "failed"
    [notice] = rows(app, template="not_sent")
    assert "deleted without being sent" in notice["text"]
    assert deadline_states(app)["board_members_letter"] == "open"


def test_the_incident_notification_is_a_draft_for_the_chair_and_sending_it_records_the_notification(app, clock):
    open_case(app)
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(REF)
        queue_for_event(uow, app, case, uow.cases.id_of(REF), CASE_OPENED)
        uow.commit()
    deliver_due(app, "w")
    [row] = rows(app, template="incident_notification")
    assert (row["to"], row["status"], row["reviewer"]) == (["notifications@ofsted.example.org"], "awaiting_review", CHAIR)
    assert row["attachments"][0]["filename"] == "ESCB-2014-001 Serious incident notification.docx"
    draft = app.settings.data_dir / "mail" / row["provider_id"]
    draft.rename(app.settings.data_dir / "mail" / "sent" / draft.name)
    clock.advance(days=1)
    deliver_due(app, "w")
    shown = cases.show(app, REF)
    assert shown["events"]["ofsted_notified"] == "2014-05-13" and shown["stage"] == "incident_notified"
    assert deadline_states(app)["ofsted_incident_notification"] == "met"


def test_the_lead_reviewers_name_goes_to_the_national_panel_and_meets_its_deadline(app):
    open_case(app, "met-police")
    decide_scr(app)
    app.clock.set(datetime(2014, 6, 16, 10, tzinfo=timezone.utc))
    cases.record(app, REF, EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), "bm", "Jane Reviewer")
    [row] = rows(app, template="reviewer_notification")
    assert row["to"] == ["national.panel@education.example.org"] and "Jane Reviewer" in row["text"]
    deliver_due(app, "w")
    assert deadline_states(app)["reviewer_to_national_panel"] == "met"


def test_a_reviewer_appointed_without_a_name_is_raised_and_can_be_sent_later(app):
    from service.letters.commands import send_on_command

    open_case(app, "met-police")
    decide_scr(app)
    app.clock.set(datetime(2014, 6, 16, 10, tzinfo=timezone.utc))
    cases.record(app, REF, EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), "bm")
    assert rows(app, template="reviewer_notification") == []
    assert "lead reviewer's name was not given" in rows(app, template="not_sent")[0]["text"]
    result = send_on_command(app, REF, "reviewer_notification", "bm", name="Jane Reviewer")
    assert result["queued"] == [f"{REF}/reviewer_notification/national_panel"]


def test_planning_publication_queues_the_prepublication_notice_which_meets_its_deadline(app):
    open_case(app, "met-police")
    decide_scr(app)
    app.clock.set(datetime(2014, 6, 16, 10, tzinfo=timezone.utc))
    cases.record(app, REF, EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), "bm", "Jane Reviewer")
    app.clock.set(datetime(2014, 11, 3, 10, tzinfo=timezone.utc))
    cases.record(app, REF, "report_quality_assured", date(2014, 10, 27), "bm")
    cases.record(app, REF, EventKind.REPORT_SIGNED_OFF, date(2014, 11, 3), "bm")
    cases.record(app, REF, EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), "bm")
    [row] = rows(app, template="prepublication_notice")
    assert row["key"] == f"{REF}/prepublication_notice/2014-12-01" and "1 December 2014" in row["text"]
    deliver_due(app, "w")
    assert deadline_states(app)["prepublication_notice"] == "met"


def test_case_show_lists_each_message_with_its_state(app):
    open_case(app, "met-police")
    decide_scr(app)
    messages = cases.show(app, REF)["messages"]
    assert {(m["template"], m["status"]) for m in messages} >= {("imr_letter", "queued"),
                                                                ("decision_notification", "queued")}
    history = [h["action"] for h in cases.show(app, REF)["history"]]
    assert "letters queued" in history


def test_two_letters_sent_at_the_same_moment_still_record_the_event_once(app):
    """Two senders each mark one of the last two IMR letters sent; neither may miss the other's."""
    import threading
    import time

    from service.letters.delivery import mark_sent

    if app.db.dialect != "postgresql":
        pytest.skip("SQLite has a single writer: the race needs PostgreSQL")
    open_case(app, "met-police", "enfield-ccg")
    decide_scr(app)
    with app.db.engine.begin() as conn:
        conn.execute(t.outbox.update().where(t.outbox.c.template != "imr_letter").values(status="sent"))
        conn.execute(t.outbox.update().where(t.outbox.c.template == "imr_letter").values(status="sending"))
    first, second = rows(app, template="imr_letter")

    def other_sender():
        with app.db.unit_of_work() as uow:
            mark_sent(uow, app, second, "sending", None)
            time.sleep(0.5)  # still uncommitted while this process marks the first one sent
            uow.commit()

    worker = threading.Thread(target=other_sender)
    worker.start()
    time.sleep(0.2)
    with app.db.unit_of_work() as uow:
        mark_sent(uow, app, first, "sending", None)
        uow.commit()
    worker.join()
    assert deadline_states(app)["imr_letters"] == "met"
    recorded = [h for h in cases.show(app, REF)["history"]
                if h["action"] == "event recorded" and h["detail"]["event"] == "imr_letters_sent"]
    assert len(recorded) == 1


def test_a_draft_deleted_because_the_notification_went_another_way_is_not_raised(app, clock):
    open_case(app)
    with app.db.unit_of_work() as uow:
        queue_for_event(uow, app, uow.cases.get(REF), uow.cases.id_of(REF), CASE_OPENED)
        uow.commit()
    deliver_due(app, "w")
    cases.record(app, REF, EventKind.OFSTED_NOTIFIED, date(2014, 5, 12), "chair", "phoned the SIN team")
    [row] = rows(app, template="incident_notification")
    (app.settings.data_dir / "mail" / row["provider_id"]).unlink()
    clock.advance(seconds=REVIEW_POLL.total_seconds())
    deliver_due(app, "w")
    assert rows(app, template="incident_notification")[0]["status"] == "failed"
    assert rows(app, template="not_sent") == []


def test_a_failed_letter_emptied_by_retention_is_not_sent_again_empty(app):
    from service.letters.delivery import retry

    with app.db.unit_of_work() as uow:
        uow.outbox.queue({"key": "ESCB-2014-001/imr_letter/x", "template": "imr_letter", "sender": "b@x.org",
                          "to": ["ceo@x.org"], "subject": "[ESCB-2014-001] IMR", "text": "", "html": None,
                          "message_id": "<m@x>", "status": "failed", "attempts": 3,
                          "created_at": app.clock.now()})
        uow.commit()
    with pytest.raises(ValueError, match="retention"):
        retry(app, "ESCB-2014-001/imr_letter/x")
