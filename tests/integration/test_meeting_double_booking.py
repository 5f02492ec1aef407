"""The service never puts a panel member in two of its own meetings at once (issue 12 item 4).

Free/busy lags behind the service's own calendar writes (Graph's getSchedule
by minutes), so the meetings table is what says who the service has already
booked. The two-process race is tests/e2e/test_meetings_no_double_booking.py.
"""

from datetime import date, datetime, timezone
from itertools import combinations
from zoneinfo import ZoneInfo

from service.domain.model import Case, Referrer, Subject
from service.mailbox.ports import ResponseStatus
from service.meetings import service as meetings
from service.meetings.ical_reply import build_reply_email
from service.meetings.meeting_row import current_id
from service.meetings.responses import file_meeting_reply
from service.meetings.service import meetings_job, on_case_opened
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

LONDON = ZoneInfo("Europe/London")
CHAIR = "sqas.head@enfield.example.org"
POLICE = "public.protection@met-police.example.org"
BM = "escb.business.manager@enfield.example.org"


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def open_case(app, seq: int, agencies=("met-police",)) -> str:
    """A referral opening a case, with its extraordinary meeting waiting for a time (as intake does)."""
    reference = f"ESCB-2014-{seq:03d}"
    now = app.clock.now()
    case = Case.open(reference, date(2014, 5, 12), now, "test",
                     subjects=[Subject(f"Child{seq} Testname", "child", "child", date(2010, 2, 3), None)],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", "020", "karen@met-police.example.org"), procedure=SCR_PROCEDURE)
    for a in agencies:
        case.add_agency(a, now, "test")
    with app.db.unit_of_work() as uow:
        case_id = uow.cases.add(case, 2014, seq)
        on_case_opened(uow, app, case, case_id)
        uow.commit()
    return reference


def lagging_free_busy(app) -> None:
    """A calendar whose free/busy does not show the events the service has just made (Graph, minutes later)."""
    app.calendar.free_busy = lambda emails, start, end: {e.lower(): [] for e in emails}


def all_meetings(app) -> list[dict]:
    with app.db.unit_of_work() as uow:
        rows = uow.meetings.listing()
        for m in rows:
            m["emails"] = {a["email"] for a in uow.meetings.attendees(m["id"])}
    return rows


def clashes(rows: list[dict]) -> list[tuple[str, str]]:
    return [(a["reference"], b["reference"]) for a, b in combinations(rows, 2)
            if a["start"] and b["start"] and a["start"] < b["end"] and b["start"] < a["end"]
            and a["emails"] & b["emails"]]


def test_meetings_arranged_in_one_run_do_not_share_a_time_when_free_busy_lags(app):
    lagging_free_busy(app)
    for seq in range(1, 7):
        open_case(app, seq)
    assert meetings_job(app)["scheduled"] == 6
    rows = all_meetings(app)
    assert clashes(rows) == []
    # Back to back from the first day with notice, in the order the referrals came.
    assert [m["start"] for m in rows] == [at(2014, 5, d, h).astimezone(timezone.utc)
                                          for d, h in ((14, 9), (14, 11), (14, 13), (14, 15), (15, 9), (15, 11))]


def test_a_window_full_of_the_panels_meetings_gives_the_first_free_time_after_it_and_says_so(app):
    lagging_free_busy(app)
    # Window of a progress meeting asked for within 3 working days on Monday 12 May: 14 and 15 May,
    # four two-hour slots a day. Eight extraordinary meetings fill them.
    for seq in range(1, 9):
        open_case(app, seq)
    meetings_job(app)
    view = meetings.schedule(app, "ESCB-2014-001", "progress", within=3)
    assert view["start"] == at(2014, 5, 16, 9).isoformat()
    assert any("clashes with the panel's other meetings" in n for n in view["notes"])
    assert clashes(all_meetings(app)) == []


def test_a_time_proposed_after_a_lost_quorum_is_held_for_its_attendees(app):
    lagging_free_busy(app)
    first = open_case(app, 1)
    meetings_job(app)  # 14 May, 09:00
    with app.db.unit_of_work() as uow:
        m = uow.meetings.current(uow.cases.id_of(first), "extraordinary")
        raw = build_reply_email(uid=m["key"], attendee_email=POLICE, status=ResponseStatus.DECLINED,
                                organizer=BM, sequence=0, subject=f"[{first}] Extraordinary panel meeting")
        file_meeting_reply(uow, app, {"raw": raw, "sender": POLICE})  # the only police officer: no quorum
        uow.commit()
    assert meetings_job(app)["proposals"] == 1
    assert meetings.view(app, m["id"])["proposed"] == "Wednesday 14 May 2014, 11:00 to 13:00"
    open_case(app, 2)
    meetings_job(app)
    second = [m for m in all_meetings(app) if m["reference"] == "ESCB-2014-002"][0]
    assert second["start"] == at(2014, 5, 14, 13).astimezone(timezone.utc)


def test_a_cancelled_meeting_frees_its_time(app):
    lagging_free_busy(app)
    first = open_case(app, 1)
    meetings_job(app)
    meetings.cancel(app, first, "extraordinary", "referral withdrawn")
    open_case(app, 2)
    meetings_job(app)
    second = [m for m in all_meetings(app) if m["reference"] == "ESCB-2014-002"][0]
    assert second["start"] == at(2014, 5, 14, 9).astimezone(timezone.utc)


def test_moving_a_meeting_to_a_time_another_meeting_has_says_its_people_cannot_come(app):
    lagging_free_busy(app)
    first, second = open_case(app, 1), open_case(app, 2)
    meetings_job(app)
    view = meetings.reschedule(app, second, "extraordinary", at=at(2014, 5, 14, 10))
    assert CHAIR in " ".join(view["cannot_come"]) and POLICE in " ".join(view["cannot_come"])
    assert meetings.view(app, current_id(app, first, meetings.kind_for("extraordinary")))["start"] \
        == at(2014, 5, 14, 9).isoformat()
