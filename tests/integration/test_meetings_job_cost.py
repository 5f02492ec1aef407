"""The meetings job costs in step with the meetings it has work on (issue 18, "Fast at every size").

A run arranging N meetings reads the board's times once and keeps them up to date as it books; a
run with nothing new costs a few statements for the whole board, not dozens per meeting. What the
job does is unchanged: see test_meeting_service.py and test_meeting_double_booking.py.
"""

from datetime import timezone

from sqlalchemy import event
from test_meeting_double_booking import BM, CHAIR, POLICE, all_meetings, at, clashes, open_case

from service.mailbox.local import safe_name
from service.mailbox.ports import ResponseStatus
from service.meetings import arranging
from service.meetings.board_times import BoardTimes
from service.meetings.ical_reply import build_reply_email
from service.meetings.service import meetings_job
from service.store.db import Lock

class Statements:
    """Counts the SQL statements the database is sent while it is in use."""

    def __init__(self, app):
        self.engine, self.sent = app.db.engine, []

    def _count(self, conn, cursor, statement, *args) -> None:
        self.sent.append(statement)

    def __enter__(self) -> "Statements":
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_fifty_meetings_arranged_in_one_run_get_distinct_times_that_never_overlap(app):
    for seq in range(1, 51):
        open_case(app, seq, agencies=(("met-police",), ("enfield-csc",), ("met-police", "enfield-csc"))[seq % 3])
    assert meetings_job(app)["scheduled"] == 50
    rows = sorted(all_meetings(app), key=lambda m: m["id"])
    assert all(m["state"] == "scheduled" and m["synced_revision"] == m["revision"] for m in rows)
    assert clashes(rows) == []
    starts = [m["start"] for m in rows]
    assert len(set(starts)) == 50
    # In the order the referrals came, the first at the first time with notice, as one at a time would give.
    assert starts == sorted(starts) and starts[0] == at(2014, 5, 14, 9).astimezone(timezone.utc)
    assert len(list((app.settings.data_dir / "calendar").glob("*.ics"))) == 50


def test_a_second_run_with_nothing_changed_sends_a_few_statements_for_the_whole_board(app):
    n = 30
    for seq in range(1, n + 1):
        open_case(app, seq)
    assert meetings_job(app)["scheduled"] == n
    with Statements(app) as sql:
        counts = meetings_job(app)
    assert not any(counts.values()), counts
    # The open meetings, their attendees, their cases' agencies, the procedure: not per meeting.
    assert len(sql.sent) <= 6, sql.sent


def test_a_reply_found_in_the_calendar_is_recorded_and_the_other_meetings_cost_nothing(app):
    n = 20
    for seq in range(1, n + 1):
        open_case(app, seq)
    assert meetings_job(app)["scheduled"] == n
    key = "ESCB-2014-007/meeting/extraordinary/1"
    folder = app.settings.data_dir / "calendar" / "replies" / safe_name(key)
    folder.mkdir(parents=True)
    raw = build_reply_email(uid=key, attendee_email=POLICE, status=ResponseStatus.ACCEPTED, organizer=BM,
                            subject="x")
    ics = raw.split(b"BEGIN:VCALENDAR", 1)[1].split(b"END:VCALENDAR", 1)[0]
    (folder / "police.ics").write_bytes(b"BEGIN:VCALENDAR" + ics + b"END:VCALENDAR\r\n")
    with Statements(app) as sql:
        counts = meetings_job(app)
    assert counts["responses"] == 1
    with app.db.unit_of_work() as uow:
        m = uow.meetings.by_key(key)
        assert {a["email"]: a["response"] for a in uow.meetings.attendees(m["id"])}[POLICE] == "accepted"
    # One meeting's work (claim, read, record, release), not every meeting's.
    assert len(sql.sent) <= 30, len(sql.sent)


def test_a_meeting_booked_earlier_in_the_run_is_busy_for_the_next_without_reading_every_meeting_again(app):
    app.calendar.free_busy = lambda emails, start, end: {e.lower(): [] for e in emails}  # lags behind
    open_case(app, 1)
    open_case(app, 2)
    with app.db.unit_of_work() as uow:
        first, second = uow.meetings.open_ids()
    now = app.clock.now()
    times = BoardTimes(app, now)
    window = (at(2014, 5, 14, 8), at(2014, 5, 14, 18))
    assert arranging.arrange(app, first, now, times=times)
    with app.db.unit_of_work() as uow:
        booked_first = uow.meetings.get(first)
    with Statements(app) as sql, app.db.unit_of_work() as uow:
        uow.serialise(Lock.MEETING_TIMES)
        booked, crowded = times.booked(uow, [CHAIR, "nobody@example.org"], *window, exclude=second)
    assert crowded and booked[CHAIR].busy(booked_first["start"], booked_first["end"])
    assert not booked["nobody@example.org"]
    reads = [s for s in sql.sent if "FROM meetings" in s or "FROM meeting_attendees" in s]
    assert len(reads) == 1 and "meeting_attendees" not in reads[0]  # what changed in the window, only
    assert arranging.arrange(app, second, now, times=times)
    with app.db.unit_of_work() as uow:
        assert uow.meetings.get(second)["start"] == booked_first["end"]  # the next time, back to back


def test_a_meeting_booked_by_another_process_during_the_run_is_busy_for_the_next(app):
    app.calendar.free_busy = lambda emails, start, end: {e.lower(): [] for e in emails}
    for seq in (1, 2, 3):
        open_case(app, seq)
    with app.db.unit_of_work() as uow:
        first, other, third = uow.meetings.open_ids()
    now = app.clock.now()
    times = BoardTimes(app, now)
    assert arranging.arrange(app, first, now, times=times)
    assert arranging.arrange(app, other, now)  # "another process": not noted in this run's times
    assert arranging.arrange(app, third, now, times=times)
    rows = all_meetings(app)
    assert clashes(rows) == [] and len({m["start"] for m in rows}) == 3


def test_a_meeting_that_fails_while_arranged_with_others_leaves_the_others_arranged(app, monkeypatch):
    for seq in range(1, 8):
        open_case(app, seq)
    real = arranging.plan_for

    def plan_for(app_, case, kind, within):
        if case.reference == "ESCB-2014-004":
            raise RuntimeError("a fault in one meeting")
        return real(app_, case, kind, within)

    monkeypatch.setattr(arranging, "plan_for", plan_for)
    counts = meetings_job(app)
    assert counts["scheduled"] == 6 and counts["errors"] == 1
    rows = {m["reference"]: m for m in all_meetings(app)}
    assert rows["ESCB-2014-004"]["state"] == "to_schedule" and rows["ESCB-2014-004"]["claimed_by"] is None
    arranged = [m for ref, m in rows.items() if ref != "ESCB-2014-004"]
    assert all(m["state"] == "scheduled" and m["synced_revision"] == m["revision"] for m in arranged)
    assert clashes(arranged) == []
    assert len(list((app.settings.data_dir / "calendar").glob("*.ics"))) == 6
