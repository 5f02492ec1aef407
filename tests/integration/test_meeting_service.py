"""Panel meetings end to end on a real database and the local calendar (calendar/*.ics files)."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from service import cases
from service.domain.model import Case, Referrer, Subject
from service.domain.model_types import Outcome
from service.mailbox.local import safe_name
from service.mailbox.ports import ResponseStatus
from service.meetings import service as meetings
from service.meetings.ical_reply import build_reply_email
from service.meetings import calendar_sync
from service.meetings.meeting_row import LEASE, MeetingError
from service.meetings.responses import file_meeting_reply
from service.meetings.service import meetings_job, on_case_opened
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

LONDON = ZoneInfo("Europe/London")
REF = "ESCB-2014-001"
KEY = f"{REF}/meeting/extraordinary/1"
NAMES = ("Amelia", "Testchild", "Grace", "Testmother", "1 Example Road", "2010-02-03", "20100203")
POLICE = "public.protection@met-police.example.org"
DOCTOR = "designated.doctor@nhs.example.org"
CHAIR = "sqas.head@enfield.example.org"
BM = "escb.business.manager@enfield.example.org"


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def open_referral(app, agencies=("met-police", "enfield-csc")) -> int:
    """What intake does when a referral opens a case: the case and the meeting request in one unit of work."""
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


def calendar_dir(app) -> Path:
    return app.settings.data_dir / "calendar"


def event_files(app) -> list[Path]:
    return sorted(calendar_dir(app).glob("*.ics"))


def the_event(app):
    files = event_files(app)
    assert len(files) == 1, files
    cal = Calendar.from_ical(files[0].read_bytes())
    return cal, next(iter(cal.walk("VEVENT")))


def busy(app, email: str, start: datetime, end: datetime, name: str = "other") -> None:
    """Another commitment in someone's calendar (read by the local backend's free/busy)."""
    (calendar_dir(app) / "busy" / f"{name}-{safe_name(email)}.ics").write_bytes(
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{name}-{email}\r\n"
        f"DTSTAMP:20140501T000000Z\r\nDTSTART:{start.astimezone(LONDON):%Y%m%dT%H%M%S}\r\n"
        f"DTEND:{end.astimezone(LONDON):%Y%m%dT%H%M%S}\r\nSUMMARY:busy\r\n"
        f"ATTENDEE:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".encode())


def outbox(app, template: str | None = None) -> list[dict]:
    with app.db.unit_of_work() as uow:
        case_id = uow.cases.id_of(REF)
        keys = [r["id"] for r in uow.outbox.for_case(case_id) if template in (None, r["template"])]
        return [uow.outbox.get(i) for i in keys]


def meeting(app) -> dict:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.by_key(KEY)
        m["attendees"] = {a["email"]: a for a in uow.meetings.attendees(m["id"])}
        return m


def reply(app, email: str, status: ResponseStatus, sequence: int = 0, sender: str | None = None) -> str:
    raw = build_reply_email(uid=KEY, attendee_email=email, status=status, organizer=BM, sequence=sequence,
                            subject=f"[{REF}] Extraordinary panel meeting")
    with app.db.unit_of_work() as uow:
        outcome = file_meeting_reply(uow, app, {"raw": raw, "sender": sender or email})
        uow.commit()
    return outcome


# Arranging ------------------------------------------------------------------------
def test_a_new_referral_asks_for_the_extraordinary_meeting_without_touching_the_calendar(app):
    open_referral(app)
    m = meeting(app)
    assert m["state"] == "to_schedule" and m["attendees"] == {}
    assert event_files(app) == []


def test_the_job_invites_the_panel_at_the_first_time_everyone_is_free(app):
    open_referral(app)
    busy(app, POLICE, at(2014, 5, 14, 8), at(2014, 5, 14, 18))  # the first day with notice
    counts = meetings_job(app)
    assert counts["scheduled"] == 1
    cal, ev = the_event(app)
    assert str(cal["method"]) == "REQUEST"
    assert ev.decoded("dtstart") == at(2014, 5, 15, 9) and ev.decoded("dtend") == at(2014, 5, 15, 11)
    assert str(ev["uid"]) == KEY and int(ev["sequence"]) == 0
    assert str(ev["summary"]) == f"[{REF}] Extraordinary panel meeting: referral for a serious case review"
    invited = {str(a).split(":", 1)[1] for a in ev["attendee"]}
    assert invited == {CHAIR, DOCTOR, "designated.nurse@nhs.example.org", POLICE, "education.safeguarding@enfield.example.org"}
    m = meeting(app)
    assert m["state"] == "scheduled" and m["provider_id"] and m["synced_revision"] == m["revision"]
    assert outbox(app, "meeting_report") == []  # everyone can come: nothing to tell the Business Manager


def test_the_invite_and_the_report_requests_carry_no_child_or_family_name(app):
    open_referral(app, agencies=("met-police", "beh-mht"))
    meetings_job(app)
    raw = event_files(app)[0].read_bytes()
    Calendar.from_ical(raw)  # parses
    for row in outbox(app):
        raw += (row["subject"] + row["text"] + (row["html"] or "")).encode()
    for word in NAMES:
        assert word.encode() not in raw, word


def test_each_involved_agency_is_asked_for_its_report_with_the_invite(app):
    open_referral(app, agencies=("met-police", "beh-mht"))
    meetings_job(app)
    requests = outbox(app, "agency_report_request")
    assert sorted(r["to"][0] for r in requests) == [POLICE, "safeguarding@beh-mht.example.org"]
    assert all("Wednesday 14 May 2014, 09:00 to 11:00" in r["text"] for r in requests)
    assert "by Tuesday 13 May 2014" in requests[0]["text"]
    meetings_job(app)
    assert len(outbox(app, "agency_report_request")) == 2  # never twice


def test_when_no_time_suits_everyone_the_bm_hears_who_cannot_come(app):
    open_referral(app)
    busy(app, DOCTOR, at(2014, 5, 13, 0), at(2014, 6, 30, 0))  # on leave for the whole window
    meetings_job(app)
    m = meeting(app)
    assert m["start"] == at(2014, 5, 14, 9) and m["missing"] == [DOCTOR]
    [report] = outbox(app, "meeting_report")
    assert report["to"] == [BM] and report["subject"].startswith(f"[{REF}] Arranged:")
    assert f"Designated Doctor <{DOCTOR}>" in report["text"]


def test_a_crash_after_the_calendar_created_the_event_ends_with_one_event(app, monkeypatch):
    open_referral(app)
    pushes = []
    real_upsert = app.calendar.upsert_event

    def upsert(spec, provider_id=None):
        pushes.append((spec.key, spec.sequence, provider_id))
        return real_upsert(spec, provider_id)

    app.calendar.upsert_event = upsert

    def dies(*args, **kwargs):
        raise SystemExit("the process died before storing the provider id")

    monkeypatch.setattr(calendar_sync, "record_pushed", dies)
    with pytest.raises(SystemExit):
        meetings_job(app)
    assert len(event_files(app)) == 1 and meeting(app)["provider_id"] is None
    monkeypatch.undo()
    app.clock.advance(minutes=10)  # the dead process's claim has lapsed
    meetings_job(app)
    meetings_job(app)
    cal, ev = the_event(app)  # still exactly one event, unchanged
    assert int(ev["sequence"]) == 0 and ev.decoded("dtstart") == at(2014, 5, 14, 9)
    m = meeting(app)
    assert m["provider_id"] and m["synced_revision"] == m["revision"]
    assert len(outbox(app, "agency_report_request")) == 2  # police and children's social care, once each
    # The retry is the same create (same key and SEQUENCE): Graph answers it from its transactionId.
    assert pushes == [(KEY, 0, None), (KEY, 0, None)]


def test_a_meeting_another_process_is_working_on_is_left_alone(app):
    open_referral(app)
    with app.db.unit_of_work() as uow:
        assert uow.meetings.claim(meeting(app)["id"], app.clock.now(), "other-host:1", LEASE)
        uow.commit()
    assert meetings_job(app)["skipped"] == 1
    assert event_files(app) == []


def test_automatic_scheduling_can_be_turned_off_and_the_command_arranges_it(app):
    app.settings = app.settings.model_copy(update={"meetings": app.settings.meetings.model_copy(
        update={"auto_schedule": False})})
    open_referral(app)
    with app.db.unit_of_work() as uow:
        assert uow.meetings.listing() == []
    view = meetings.schedule(app, REF.lower(), "extraordinary")
    assert view["state"] == "scheduled" and view["when"] == "Wednesday 14 May 2014, 09:00 to 11:00"
    assert len(event_files(app)) == 1
    with pytest.raises(MeetingError, match="already has an open extraordinary meeting"):
        meetings.schedule(app, REF, "extraordinary")


def test_a_later_meeting_is_scheduled_on_command_within_the_window_asked_for(app):
    open_referral(app)
    meetings_job(app)
    view = meetings.schedule(app, REF, "terms_of_reference", within=3)
    assert view["key"] == f"{REF}/meeting/terms_of_reference/1"
    assert view["start"].startswith("2014-05-14T11:00")  # the extraordinary meeting holds 09:00 to 11:00
    assert len(event_files(app)) == 2


# Changing ---------------------------------------------------------------------------
def test_rescheduling_updates_the_same_event_with_the_next_sequence(app):
    open_referral(app)
    meetings_job(app)
    reply(app, CHAIR, ResponseStatus.ACCEPTED)
    view = meetings.reschedule(app, REF, "extraordinary", at=at(2014, 5, 20, 14))
    assert view["when"] == "Tuesday 20 May 2014, 14:00 to 16:00" and view["sequence"] == 1
    cal, ev = the_event(app)
    assert str(ev["uid"]) == KEY and int(ev["sequence"]) == 1
    assert ev.decoded("dtstart") == at(2014, 5, 20, 14)
    assert meeting(app)["attendees"][CHAIR]["response"] == "none"  # asked again for the new time


def test_rescheduling_without_a_time_takes_the_next_good_one(app):
    open_referral(app)
    meetings_job(app)
    view = meetings.reschedule(app, REF, "extraordinary")
    assert view["start"].startswith("2014-05-14T11:00") and view["sequence"] == 1


def test_cancelling_sends_a_cancellation_of_the_same_event(app):
    open_referral(app)
    meetings_job(app)
    view = meetings.cancel(app, REF, "extraordinary", "the referral was withdrawn")
    assert view["state"] == "cancelled"
    cal, ev = the_event(app)
    assert str(cal["method"]) == "CANCEL" and str(ev["status"]) == "CANCELLED" and int(ev["sequence"]) == 1
    assert "the referral was withdrawn" in str(ev["description"])
    assert meetings_job(app)["errors"] == 0


def test_an_agency_added_to_the_case_is_invited_and_asked_for_its_report(app):
    open_referral(app)
    meetings_job(app)
    cases.add_agency(app, REF, "probation", "business manager")
    counts = meetings_job(app)
    assert counts["updated"] == 1
    cal, ev = the_event(app)
    assert "mailto:safeguarding@probation.example.org" in [str(a) for a in ev["attendee"]]
    assert int(ev["sequence"]) == 0  # the time did not change
    assert "safeguarding@probation.example.org" in [r["to"][0] for r in outbox(app, "agency_report_request")]


# Replies, quorum, reminders ---------------------------------------------------------
def test_a_required_attendee_declining_is_reported_to_the_business_manager(app):
    open_referral(app)
    meetings_job(app)
    outcome = reply(app, DOCTOR, ResponseStatus.DECLINED)
    assert outcome == f"reply to the {REF} extraordinary meeting: {DOCTOR} declined"
    assert meeting(app)["attendees"][DOCTOR]["response"] == "declined"
    [report] = outbox(app, "meeting_report")
    assert report["to"] == [BM] and report["subject"].startswith(f"[{REF}] Declined by Designated Doctor")
    reply(app, DOCTOR, ResponseStatus.DECLINED)
    assert len(outbox(app, "meeting_report")) == 1


def test_losing_the_quorum_proposes_a_new_time_which_reschedule_accepts(app):
    open_referral(app)
    meetings_job(app)
    busy(app, CHAIR, at(2014, 5, 14, 11), at(2014, 5, 14, 17))
    reply(app, POLICE, ResponseStatus.DECLINED)  # the only police officer invited
    counts = meetings_job(app)
    assert counts["proposals"] == 1
    [report] = [r for r in outbox(app, "meeting_report") if "No quorum" in r["subject"]]
    assert "everyone invited for police has declined" in report["text"]
    assert "Proposed new time: Thursday 15 May 2014, 09:00 to 11:00" in report["text"]
    assert f"review-clerk meeting reschedule {REF} extraordinary" in report["text"]
    meetings_job(app)
    assert len([r for r in outbox(app, "meeting_report") if "No quorum" in r["subject"]]) == 1

    view = meetings.reschedule(app, REF, "extraordinary")
    assert view["when"] == "Thursday 15 May 2014, 09:00 to 11:00" and view["sequence"] == 1
    assert view["quorum_lost"] == [] and view["proposed"] is None
    assert len(event_files(app)) == 1


def test_a_reply_to_an_earlier_time_is_not_counted(app):
    open_referral(app)
    meetings_job(app)
    meetings.reschedule(app, REF, "extraordinary", at=at(2014, 5, 20, 10))
    outcome = reply(app, DOCTOR, ResponseStatus.DECLINED, sequence=0)
    assert "earlier time" in outcome
    assert meeting(app)["attendees"][DOCTOR]["response"] == "none"


def test_a_reply_sent_by_someone_else_is_not_recorded(app):
    open_referral(app)
    meetings_job(app)
    outcome = reply(app, DOCTOR, ResponseStatus.DECLINED, sender="someone@example.org")
    assert "nothing recorded" in outcome and meeting(app)["attendees"][DOCTOR]["response"] == "none"


def test_replies_found_in_the_calendar_are_recorded(app):
    open_referral(app)
    meetings_job(app)
    folder = calendar_dir(app) / "replies" / safe_name(KEY)
    folder.mkdir(parents=True)
    raw = build_reply_email(uid=KEY, attendee_email=CHAIR, status=ResponseStatus.ACCEPTED, organizer=BM,
                            subject="x")
    ics = raw.split(b"BEGIN:VCALENDAR", 1)[1].split(b"END:VCALENDAR", 1)[0]
    (folder / "chair.ics").write_bytes(b"BEGIN:VCALENDAR" + ics + b"END:VCALENDAR\r\n")
    assert meetings_job(app)["responses"] == 1
    assert meeting(app)["attendees"][CHAIR]["response"] == "accepted"


def test_those_who_have_not_replied_are_reminded_two_working_days_before(app):
    open_referral(app)
    busy(app, CHAIR, at(2014, 5, 14, 0), at(2014, 5, 20, 0))
    meetings_job(app)
    assert meeting(app)["start"] == at(2014, 5, 20, 9)  # Tuesday
    reply(app, CHAIR, ResponseStatus.ACCEPTED)
    app.clock.set(at(2014, 5, 15, 10))  # Thursday: three working days before
    assert meetings_job(app)["reminders"] == 0
    app.clock.set(at(2014, 5, 16, 7))  # Friday, before working hours
    assert meetings_job(app)["reminders"] == 0
    app.clock.set(at(2014, 5, 16, 10))
    assert meetings_job(app)["reminders"] == 4
    reminded = sorted(r["to"][0] for r in outbox(app, "meeting_reminder"))
    assert CHAIR not in reminded and POLICE in reminded
    assert meetings_job(app)["reminders"] == 0  # once only


def test_a_meeting_whose_time_has_passed_is_marked_held_and_left_alone(app):
    open_referral(app)
    meetings_job(app)
    app.clock.set(at(2014, 5, 14, 12))
    assert meetings_job(app)["held"] == 1
    assert meeting(app)["state"] == "held"
    with app.db.unit_of_work() as uow:
        assert uow.meetings.open_ids() == []


def test_a_meeting_request_overtaken_by_the_decision_is_withdrawn_without_an_invite(app):
    open_referral(app)
    cases.decide(app, REF, Outcome.NONE, date(2014, 5, 12), "criteria not met", "chair")
    meetings_job(app)
    m = meeting(app)
    assert m["state"] == "cancelled" and "no longer needed" in m["cancel_reason"]
    assert event_files(app) == []


def test_moving_to_a_given_time_says_who_is_busy_then(app):
    open_referral(app)
    meetings_job(app)
    busy(app, DOCTOR, at(2014, 5, 21, 13), at(2014, 5, 21, 15))
    view = meetings.reschedule(app, REF, "extraordinary", at=at(2014, 5, 21, 14))
    assert view["cannot_come"] == [f"Designated Doctor <{DOCTOR}>"]
    assert any(r["subject"].startswith(f"[{REF}] Arranged:") and "Designated Doctor" in r["text"]
               for r in outbox(app, "meeting_report"))
