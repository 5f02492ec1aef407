"""Issue 12 item 5, "Stale letters after a change": a queued message whose facts changed before it left is
re-rendered; one already sent is followed by one correction. For a meeting moved and a date corrected."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from service import cases
from service.domain.model import Case, Referrer, Subject
from service.domain.model_types import EventKind, Outcome
from service.letters.delivery import LEASE, deliver_due
from service.meetings import service as meetings
from service.meetings.service import meetings_job, on_case_opened
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

LONDON = ZoneInfo("Europe/London")
REF = "ESCB-2014-001"
KEY = f"{REF}/meeting/extraordinary/1"
POLICE = "public.protection@met-police.example.org"
REQUEST = f"{KEY}/agency_report_request/met-police"
NAMES = ("Amelia", "Testchild", "Grace", "Testmother", "1 Example Road")


def open_referral(app, agencies=("met-police", "enfield-csc")) -> int:
    now = app.clock.now()
    case = Case.open(REF, date(2014, 5, 12), now, "test",
                     subjects=[Subject("Amelia Testchild", "child", "child", date(2010, 2, 3), "1 Example Road"),
                               Subject("Grace Testmother", "adult", "mother", None, "1 Example Road")],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", "020", "karen@met-police.example.org"), procedure=SCR_PROCEDURE)
    for a in agencies:
        case.add_agency(a, now, "test")
    with app.db.unit_of_work() as uow:
        case_id = uow.cases.add(case, 2014, 1)
        on_case_opened(uow, app, case, case_id)
        uow.commit()
    return case_id


def outbox(app, template: str | None = None) -> dict[str, dict]:
    with app.db.unit_of_work() as uow:
        case_id = uow.cases.id_of(REF)
        ids = [r["id"] for r in uow.outbox.for_case(case_id) if template in (None, r["template"])]
        return {row["key"]: row for row in (uow.outbox.get(i) for i in ids)}


def arranged_at_nine(app) -> datetime:
    """The extraordinary meeting arranged (09:00 to 11:00) and its agency report requests queued."""
    open_referral(app)
    meetings_job(app)
    with app.db.unit_of_work() as uow:
        start = uow.meetings.by_key(KEY)["start"].astimezone(LONDON)
    assert start.hour == 9
    assert "09:00 to 11:00" in outbox(app)[REQUEST]["text"]
    return start


def test_stale_letters_after_a_change_a_queued_report_request_says_the_new_meeting_time(app):
    start = arranged_at_nine(app)
    before = outbox(app)[REQUEST]
    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=13))
    after = outbox(app, "agency_report_request")
    row = after[REQUEST]
    assert row["id"] == before["id"] and row["status"] == "queued"  # the same row, same key: it goes once
    for part in (row["subject"], row["text"], row["html"]):
        assert "13:00 to 15:00" in part and "09:00" not in part
    assert not [k for k in after if "/correction/" in k]  # nothing had gone: nothing to correct
    deliver_due(app, "w1")
    assert outbox(app)[REQUEST]["status"] == "sent"
    assert "13:00 to 15:00" in (app.settings.data_dir / "mail" / "sent").joinpath(
        next(p.name for p in (app.settings.data_dir / "mail" / "sent").glob("*.eml")
             if "agency_report_request" in p.name and "met-police" in p.name)).read_text()


def test_stale_letters_after_a_change_a_sent_report_request_is_followed_by_one_correction(app):
    start = arranged_at_nine(app)
    deliver_due(app, "w1")
    sent = outbox(app)[REQUEST]
    assert sent["status"] == "sent" and "09:00 to 11:00" in sent["text"]

    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=13))
    rows = outbox(app, "agency_report_request")
    assert rows[REQUEST]["text"] == sent["text"]  # what went is the record of what went
    fix = rows[f"{REQUEST}/correction/1"]
    assert fix["to"] == sent["to"] == [POLICE] and fix["status"] == "queued"
    assert fix["subject"] == "Correction: " + sent["subject"].replace("09:00 to 11:00", "13:00 to 15:00")
    first_paragraph = fix["text"].split("\n\n", 1)[0]
    assert first_paragraph.startswith("CORRECTION: this message corrects and replaces our message of")
    assert "The meeting has moved: it was " in first_paragraph and "09:00 to 11:00; it is now " in first_paragraph
    assert first_paragraph.split("it is now ", 1)[1].split(".", 1)[0].endswith("13:00 to 15:00")
    assert first_paragraph.rstrip().endswith("the corrected message follows in full.")
    assert "13:00 to 15:00" in fix["text"].split("\n\n", 1)[1] and "Correction:" in fix["html"]
    assert fix["in_reply_to"] == sent["message_id"]
    for word in NAMES:
        assert word not in fix["subject"] + fix["text"] + fix["html"]
    # Once: the same facts again queue nothing more; the other agency's request is corrected as well.
    from service.letters.corrections import meeting_moved

    with app.db.unit_of_work() as uow:
        m = uow.meetings.by_key(KEY)
    meeting_moved(app, m["id"], before={**m, "start": m["start"] - timedelta(hours=4)})
    corrections = sorted(k for k in outbox(app) if "/correction/" in k)
    assert corrections == [f"{KEY}/agency_report_request/enfield-csc/correction/1", f"{REQUEST}/correction/1"]
    deliver_due(app, "w1")
    assert outbox(app)[f"{REQUEST}/correction/1"]["status"] == "sent"
    # Moved again: a second correction, with its own key.
    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=14))
    assert "14:00 to 16:00" in outbox(app)[f"{REQUEST}/correction/2"]["text"]


def test_stale_letters_after_a_change_a_message_being_sent_is_not_rewritten_but_corrected(app):
    start = arranged_at_nine(app)
    with app.db.unit_of_work() as uow:  # the sender has claimed everything due, and is sending it
        claimed = uow.outbox.claim_due(app.clock.now(), "other-worker", LEASE, 100)
        uow.commit()
    assert claimed
    text = outbox(app)[REQUEST]["text"]
    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=13))
    rows = outbox(app)
    assert rows[REQUEST]["status"] == "sending" and rows[REQUEST]["text"] == text
    assert "13:00 to 15:00" in rows[f"{REQUEST}/correction/1"]["text"]


def decided_on(text: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Decided on:"))


def decided_on_thursday(app, clock) -> None:
    open_referral(app)
    clock.set(datetime(2014, 5, 16, 10, 0, tzinfo=LONDON))
    cases.decide(app, REF, Outcome.SCR, date(2014, 5, 15), "criteria met", "chair")


def test_stale_letters_after_a_date_correction_queued_letters_say_the_corrected_date(app, clock):
    decided_on_thursday(app, clock)
    queued = outbox(app, "decision_notification")
    assert queued and all(decided_on(r["text"]) == "Thursday 15 May 2014" for r in queued.values())
    cases.correct_date(app, REF, EventKind.DECIDED, date(2014, 5, 14), "bm", "typed the wrong day")
    rows = outbox(app, "decision_notification")
    assert sorted(rows) == sorted(queued)  # re-rendered in place: no correction, no second letter
    for key, row in rows.items():
        assert row["status"] == "queued" and row["id"] == queued[key]["id"]
        assert decided_on(row["text"]) == "Wednesday 14 May 2014"


def test_stale_letters_after_a_date_correction_a_sent_letter_is_followed_by_a_correction(app, clock):
    decided_on_thursday(app, clock)
    deliver_due(app, "w1", limit=100)
    sent = outbox(app, "decision_outcome")[f"{REF}/decision_outcome/referrer"]
    assert sent["status"] == "sent"
    cases.correct_date(app, REF, EventKind.DECIDED, date(2014, 5, 14), "bm", "typed the wrong day")
    cases.correct_date(app, REF, EventKind.DECIDED, date(2014, 5, 14), "bm", "the same again")  # no change
    rows = outbox(app, "decision_outcome")
    assert sorted(rows) == [f"{REF}/decision_outcome/referrer", f"{REF}/decision_outcome/referrer/correction/1"]
    fix = rows[f"{REF}/decision_outcome/referrer/correction/1"]
    assert fix["to"] == sent["to"] and fix["subject"] == "Correction: " + sent["subject"]
    first = fix["text"].split("\n\n", 1)[0]
    assert "The date of the decision has been corrected from 15 May 2014 to 14 May 2014." in first
    assert "decided on Wednesday 14 May 2014" in fix["text"] and "decided on Thursday" not in fix["text"]
    deliver_due(app, "w1", limit=100)
    assert outbox(app)[f"{REF}/decision_outcome/referrer/correction/1"]["status"] == "sent"


def test_stale_letters_after_a_date_correction_a_queued_reminder_for_the_old_due_date_is_withdrawn(app):
    from service.case_store import save_case
    from service.chasing.sweep import sweep

    open_referral(app)
    with app.db.unit_of_work() as uow:  # its chasing scheduled, as every command's save does
        save_case(uow, app, uow.cases.get(REF))
        uow.commit()
    sweep(app)  # Monday 09:00: the Chair and SQAS discussion is due tomorrow
    reminders = [r for r in outbox(app, "reminder").values() if "/chair_sqas_discussion/2014-05-13|" in r["key"]]
    assert len(reminders) == 2  # the Chair and the Head of SQAS: the discussion is both of theirs
    cases.correct_date(app, REF, EventKind.REFERRAL_RECEIVED, date(2014, 5, 9), "bm", "received on the Friday")
    for reminder in reminders:
        [row] = [r for r in outbox(app).values() if r["id"] == reminder["id"]]
        assert row["status"] == "withdrawn" and row["text"] == reminder["text"]
    assert not [k for k in outbox(app) if "/correction/" in k]  # a reminder is not corrected: the chase restarts
    deliver_due(app, "w1", limit=100)
    ids = {r["id"] for r in reminders}
    assert [r["status"] for r in outbox(app).values() if r["id"] in ids] == ["withdrawn", "withdrawn"]


def test_stale_letters_after_a_date_correction_only_messages_the_correction_changes_are_corrected(app):
    open_referral(app)
    cases.decide(app, REF, Outcome.SCR, date(2014, 5, 12), "criteria met", "chair")
    deliver_due(app, "w1", limit=100)
    # The police's IMR is given a new due date (its letter, already sent, now differs from a fresh render)...
    cases.set_due(app, REF, "imr", "met-police", date(2014, 8, 29), "bm")
    # ...then the referral's date is corrected: the letters stating it are corrected, not the IMR letters,
    # which do not state it (the new IMR due date is the business of set_due, not of this correction).
    cases.correct_date(app, REF, EventKind.REFERRAL_RECEIVED, date(2014, 5, 9), "bm", "received on the Friday")
    assert {k.split("/")[1] for k in outbox(app) if "/correction/" in k} == {"decision_notification",
                                                                             "decision_outcome"}
    # Correcting the decision's date corrects every letter that states it, the IMR letters included.
    cases.correct_date(app, REF, EventKind.DECIDED, date(2014, 5, 9), "bm", "typed the wrong day")
    corrected = {k.split("/")[1] for k in outbox(app) if "/correction/" in k}
    assert corrected == {"decision_notification", "decision_outcome", "imr_letter", "board_members_letter",
                         "director_informed"}  # it states the decision's date too


def test_stale_letters_after_a_change_a_correction_not_yet_gone_is_re_rendered_not_followed_by_another(app):
    start = arranged_at_nine(app)
    deliver_due(app, "w1")
    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=13))
    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=14))  # before the correction went
    corrections = {k: r for k, r in outbox(app).items() if k.startswith(f"{REQUEST}/correction/")}
    assert list(corrections) == [f"{REQUEST}/correction/1"]
    body = corrections[f"{REQUEST}/correction/1"]["text"].split("\n\n", 1)[1]
    assert "14:00 to 16:00" in body and "13:00" not in body


def test_stale_letters_after_a_date_correction_a_draft_left_for_review_gets_a_correction_draft(app):
    from service.letters.catalogue import CASE_OPENED
    from service.letters.triggers import queue_for_event

    open_referral(app)
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(REF)
        queue_for_event(uow, app, case, uow.cases.id_of(REF), CASE_OPENED)
        uow.commit()
    deliver_due(app, "w1")
    key = f"{REF}/incident_notification/ofsted"
    draft = outbox(app)[key]
    assert draft["status"] == "awaiting_review" and "Monday 12 May 2014" in draft["text"]
    cases.correct_date(app, REF, EventKind.REFERRAL_RECEIVED, date(2014, 5, 9), "bm", "received on the Friday")
    fix = outbox(app)[f"{key}/correction/1"]
    assert fix["mode"] == "review" and fix["reviewer"] == draft["reviewer"] and fix["to"] == draft["to"]
    assert "Referral received:  Friday 9 May 2014" in fix["text"]
    assert [a["filename"] for a in fix["attachments"]] == [a["filename"] for a in draft["attachments"]]
    assert outbox(app)[key]["status"] == "awaiting_review"  # the reviewer's draft is theirs: not touched


def test_stale_letters_after_a_change_a_message_emptied_under_retention_is_not_corrected(app):
    start = arranged_at_nine(app)
    deliver_due(app, "w1")
    with app.db.unit_of_work() as uow:  # what the retention policy does to an old message's body
        uow.outbox.mark(uow.outbox.id_of(REQUEST), text="", html="")
        uow.commit()
    meetings.reschedule(app, REF, "extraordinary", at=start.replace(hour=13))
    keys = outbox(app)
    assert f"{REQUEST}/correction/1" not in keys
    assert f"{KEY}/agency_report_request/enfield-csc/correction/1" in keys
