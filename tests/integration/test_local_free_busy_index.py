"""Local free/busy reads each calendar file once, from an index of the folder kept between look-ups, and
reads a file again only when it changed (issue 18: 50 meetings re-parsed every file per meeting)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from service.mailbox.local import LocalCalendar
from service.mailbox.ports import Attendee, EventSpec

LONDON = ZoneInfo("Europe/London")
START = datetime(2014, 5, 20, 10, tzinfo=LONDON)


def spec(n: int, start: datetime = START) -> EventSpec:
    return EventSpec(key=f"ESCB-2014-{n:03d}-panel@review-clerk", organizer="bm@example.org",
                     subject=f"[ESCB-2014-{n:03d}] Panel", body_text="Agenda", start=start,
                     end=start + timedelta(hours=2), attendees=(Attendee(f"p{n}@example.org", f"P{n}"),),
                     location="Civic Centre", sequence=0)


def busy_file(n: int, day: datetime) -> bytes:
    """Another commitment dropped in calendar/busy/ (not written by the backend)."""
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:other-{n}\r\n"
            f"DTSTART:{day.astimezone(LONDON):%Y%m%dT%H%M%S}\r\nDTEND:{day.astimezone(LONDON) + timedelta(hours=1):%Y%m%dT%H%M%S}"
            f"\r\nATTENDEE:mailto:q{n}@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def test_fifty_look_ups_read_each_dropped_calendar_file_once_and_never_the_backends_own(tmp_path, monkeypatch):
    cal = LocalCalendar(tmp_path, LONDON)
    for n in range(50):
        cal.upsert_event(spec(n, START + timedelta(days=n)))
        (tmp_path / "calendar" / "busy" / f"other-{n}.ics").write_bytes(busy_file(n, START + timedelta(days=n)))
    reads = []
    real = cal._read_events
    monkeypatch.setattr(cal, "_read_events", lambda path: reads.append(path) or real(path))
    for n in range(50):  # one look-up per meeting, as a run arranging 50 meetings makes
        day = START + timedelta(days=n)
        busy = cal.free_busy([f"P{n}@example.org", f"q{n}@example.org"], day - timedelta(hours=1),
                             day + timedelta(hours=3))
        assert busy[f"p{n}@example.org"][0].start == day.astimezone(timezone.utc)
        assert busy[f"q{n}@example.org"][0].start == day.astimezone(timezone.utc)
    assert len(reads) == 50 and len(set(reads)) == 50
    assert all(p.parent.name == "busy" for p in reads)  # the invitations it wrote are known as written


def test_an_invitation_the_backend_wrote_is_busy_as_reading_the_file_back_says(tmp_path):
    cal = LocalCalendar(tmp_path, LONDON)
    cal.upsert_event(spec(1))
    window = (START - timedelta(days=1), START + timedelta(days=3))
    written = cal.free_busy(["P1@example.org", "bm@example.org"], *window)
    again = LocalCalendar(tmp_path, LONDON).free_busy(["P1@example.org", "bm@example.org"], *window)  # parses it
    assert written == again and written["p1@example.org"] and written["bm@example.org"]


def test_a_changed_moved_or_cancelled_meeting_is_read_again(tmp_path):
    cal = LocalCalendar(tmp_path, LONDON)
    cal.upsert_event(spec(1))
    window = (START - timedelta(days=1), START + timedelta(days=3))
    assert cal.free_busy(["p1@example.org"], *window)["p1@example.org"]
    moved = START + timedelta(days=1)
    cal.upsert_event(replace(spec(1, moved), sequence=1))
    assert [b.start for b in cal.free_busy(["p1@example.org"], *window)["p1@example.org"]] == [
        moved.astimezone(timezone.utc)]
    cal.cancel_event(spec(1, moved), None, "not needed")
    assert cal.free_busy(["p1@example.org"], *window)["p1@example.org"] == []
    (tmp_path / "calendar" / "busy" / "leave.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:leave\r\nDTSTART;VALUE=DATE:20140520\r\n"
        b"ATTENDEE:mailto:p1@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert len(cal.free_busy(["p1@example.org"], *window)["p1@example.org"]) == 1
    (tmp_path / "calendar" / "busy" / "leave.ics").unlink()
    assert cal.free_busy(["p1@example.org"], *window)["p1@example.org"] == []
