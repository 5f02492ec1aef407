"""The local backend's hand-written iCalendar: what a standard reader (icalendar) reads back from it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from service.mailbox import ical_writer
from service.mailbox.ports import Attendee

LONDON = ZoneInfo("Europe/London")


def write(**over) -> bytes:
    fields = dict(prodid="-//Review Clerk//Test//EN", method="REQUEST", uid="ESCB-2014-001/meeting/panel/1",
                  sequence=2, stamp=datetime(2014, 5, 12, 8, 0, 7, 123456, tzinfo=timezone.utc),
                  start=datetime(2014, 5, 14, 9, 0, tzinfo=LONDON), end=datetime(2014, 5, 14, 11, 0, tzinfo=LONDON),
                  summary="[ESCB-2014-001] Panel meeting", description="Agenda\n1. Introductions",
                  organizer="escb.business.manager@enfield.example.org",
                  attendees=(Attendee("designated.nurse@nhs.example.org", "Designated Nurse"),
                             Attendee("observer@enfield.example.org", None, required=False)))
    fields.update(over)
    return ical_writer.event(**fields)


def the_event(data: bytes):
    cal = Calendar.from_ical(data)
    (ev,) = cal.walk("VEVENT")
    return cal, ev


def test_a_standard_reader_reads_back_every_property_written():
    cal, ev = the_event(write(location="Civic Centre, Room 1"))
    assert str(cal["method"]) == "REQUEST" and str(cal["version"]) == "2.0"
    assert str(ev["uid"]) == "ESCB-2014-001/meeting/panel/1" and int(ev["sequence"]) == 2
    assert ev.decoded("dtstart") == datetime(2014, 5, 14, 9, 0, tzinfo=LONDON)
    assert ev.decoded("dtend") == datetime(2014, 5, 14, 11, 0, tzinfo=LONDON)
    assert ev.decoded("dtstamp") == datetime(2014, 5, 12, 8, 0, 7, tzinfo=timezone.utc)
    assert str(ev["summary"]) == "[ESCB-2014-001] Panel meeting"
    assert str(ev["description"]) == "Agenda\n1. Introductions"
    assert str(ev["location"]) == "Civic Centre, Room 1" and str(ev["status"]) == "CONFIRMED"
    assert str(ev["organizer"]) == "mailto:escb.business.manager@enfield.example.org"
    nurse, observer = ev["attendee"]
    assert str(nurse) == "mailto:designated.nurse@nhs.example.org" and nurse.params["CN"] == "Designated Nurse"
    assert nurse.params["ROLE"] == "REQ-PARTICIPANT" and nurse.params["PARTSTAT"] == "NEEDS-ACTION"
    assert nurse.params["RSVP"] == "TRUE"
    assert "CN" not in observer.params and observer.params["ROLE"] == "OPT-PARTICIPANT"


@pytest.mark.parametrize("value", [
    "a; b, c \\ d", "line one\nline two\r\nline three\rfour", "tab\there, bell\x07here",
    "Zoë Ørsted-Łukasiewicz 日本語 " * 9, "x" * 74, "x" * 75, "x" * 76, "é" * 80,
])
def test_text_with_separators_newlines_and_any_script_comes_back_as_written(value):
    _, ev = the_event(write(summary=value, description=value))
    expected = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x07", " ")  # tabs are allowed
    assert str(ev["summary"]) == expected and str(ev["description"]) == expected


def test_every_line_is_at_most_75_octets_ends_crlf_and_no_character_is_split():
    data = write(description="Zoë 日本語 " * 40 + "é" * 100,
                 attendees=(Attendee("a@example.org", "Ålesund Ørsted " * 6),))
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is whole characters


def test_a_double_quote_or_control_character_in_a_name_cannot_break_the_parameter():
    _, ev = the_event(write(attendees=(Attendee("dn@nhs.example.org", 'Dr "Sam" Jones;\nROLE=CHAIR'),)))
    att = ev["attendee"]
    assert str(att) == "mailto:dn@nhs.example.org"
    assert att.params["CN"] == "Dr 'Sam' Jones; ROLE=CHAIR" and att.params["ROLE"] == "REQ-PARTICIPANT"


def test_utc_and_fixed_offsets_are_written_in_utc_and_a_zone_by_its_name():
    _, ev = the_event(write(start=datetime(2014, 5, 14, 8, 0, tzinfo=timezone.utc),
                            end=datetime(2014, 5, 14, 12, 0, tzinfo=timezone(timedelta(hours=2)))))
    assert ev.decoded("dtstart") == datetime(2014, 5, 14, 8, 0, tzinfo=timezone.utc)
    assert ev.decoded("dtend") == datetime(2014, 5, 14, 10, 0, tzinfo=timezone.utc)
    assert b"DTSTART:20140514T080000Z\r\n" in write(start=datetime(2014, 5, 14, 8, 0, tzinfo=timezone.utc))
    winter = write(start=datetime(2014, 1, 14, 9, 0, tzinfo=LONDON), end=datetime(2014, 1, 14, 10, 0, tzinfo=LONDON))
    assert b"DTSTART;TZID=Europe/London:20140114T090000\r\n" in winter  # GMT, but London's time
    with pytest.raises(ValueError):
        write(start=datetime(2014, 5, 14, 9, 0))


def test_a_cancellation_says_so():
    cal, ev = the_event(write(method="CANCEL", status="CANCELLED"))
    assert str(cal["method"]) == "CANCEL" and str(ev["status"]) == "CANCELLED"


def as_a_client_without_the_zone_database_reads_it(data: bytes):
    """The tzinfo a client builds from the calendar's own VTIMEZONE (not from the IANA name)."""
    [tz] = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Europe/London"
    return tz.to_tz()


@pytest.mark.parametrize("start, offset", [
    (datetime(2014, 5, 14, 9, 0), timedelta(hours=1)),  # BST
    (datetime(2014, 12, 3, 9, 0), timedelta(0)),  # GMT
    (datetime(2014, 3, 30, 9, 0), timedelta(hours=1)),  # the morning the clocks went forward
    (datetime(2014, 10, 26, 9, 0), timedelta(0)),  # the morning they went back
])
def test_a_zoned_time_comes_with_the_zones_rules_so_any_client_places_it_at_the_right_hour(start, offset):
    data = write(start=start.replace(tzinfo=LONDON), end=(start + timedelta(hours=2)).replace(tzinfo=LONDON))
    tz = as_a_client_without_the_zone_database_reads_it(data)
    assert start.replace(tzinfo=tz).utcoffset() == offset == start.replace(tzinfo=LONDON).utcoffset()
    assert data.count(b"BEGIN:VTIMEZONE") == 1  # one for the zone, though both times name it


def test_a_zone_that_never_changes_its_offset_has_one_observance_and_utc_needs_none():
    data = write(start=datetime(2014, 5, 14, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata")),
                 end=datetime(2014, 5, 14, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")))
    [tz] = Calendar.from_ical(data).walk("VTIMEZONE")
    assert [c.name for c in tz.subcomponents] == ["STANDARD"]
    assert datetime(2014, 5, 14, 9, 0).replace(tzinfo=tz.to_tz()).utcoffset() == timedelta(hours=5, minutes=30)
    utc = write(start=datetime(2014, 5, 14, 8, 0, tzinfo=timezone.utc),
                end=datetime(2014, 5, 14, 9, 0, tzinfo=timezone.utc))
    assert b"VTIMEZONE" not in utc
