"""Write the local backend's invitations and cancellations as iCalendar (RFC 5545), by hand.

The service writes one small, fixed shape of VEVENT, so it does not need a general iCalendar
library to write it (reading other people's .ics files still does: ``icalendar``, imported where a
file is read). Writing by hand is a tenth of the time ``icalendar.Calendar.to_ical`` takes, whose
line folding walks every character; a run that books a hundred panel meetings writes a hundred.

What RFC 5545 asks of the writer, and what this does:

- lines end in CRLF and are folded at 75 octets, never inside a UTF-8 character (3.1);
- TEXT values escape backslash, semicolon, comma and newlines (3.3.11);
- parameter values are quoted, and cannot hold a double quote or a control character (3.2), so a
  double quote in a name becomes a single one and control characters become spaces;
- DATE-TIME in UTC ends in ``Z``; a local time carries ``TZID`` with the zone's IANA name (3.3.5), and the
  calendar holds a VTIMEZONE of that name (3.6.5) with the zone's changes of offset from the year before the
  event to the year after it, read from the zone database, so that a client that does not know the IANA
  name still places the meeting at the right hour.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Iterable

from .ports import Attendee

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_TEXT_SPECIAL = re.compile(r"(\r\n|\r|\n|[\\;,])")
_TEXT_ESCAPES = {"\\": "\\\\", ";": "\\;", ",": "\\,", "\r\n": "\\n", "\r": "\\n", "\n": "\\n"}


def text(value: str) -> str:
    """A TEXT value: newlines as ``\\n``; backslash, semicolon and comma escaped; other control
    characters (not allowed in TEXT) as spaces."""
    escaped = _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group(0)], value)
    return _CONTROL.sub(" ", escaped)


def param(value: str) -> str:
    """A quoted parameter value (a DQUOTE cannot be inside one; nor can a control character)."""
    return '"' + _CONTROL.sub(" ", value.replace("\r\n", " ").replace("\r", " ")).replace('"', "'") + '"'


def when(value: datetime) -> tuple[str, str]:
    """(parameters, value) of a DATE-TIME: UTC as ``...Z``; another zone's local time with ``;TZID=``
    (a zone without an IANA name, or a fixed offset, is written in UTC rather than as a floating time)."""
    value = value.replace(microsecond=0)
    if value.utcoffset() is None:
        raise ValueError("an iCalendar time needs a time zone")
    key = getattr(value.tzinfo, "key", None)
    if not key or key in ("UTC", "Etc/UTC"):
        return "", value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f";TZID={key}", value.strftime("%Y%m%dT%H%M%S")


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded into lines of at most 75 octets (continuations begin with a
    space, which counts), each ending CRLF. A character is never split."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    out, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character: end before it
            end -= 1
        out.append(data[start:end])
        start, limit = end, 74
    return b"\r\n ".join(out) + b"\r\n"


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@lru_cache(maxsize=32)
def vtimezone(zone: tzinfo, key: str, year: int) -> tuple[str, ...]:
    """The lines of a VTIMEZONE for ``zone`` (named ``key``) around ``year``: each change of its UTC offset
    from the start of the year before to the end of the year after, found by stepping through UTC (a day at
    a time, then an hour, then a minute), as one observance each (DTSTART in the local time
    before the change, RFC 5545 3.6.5); a zone with no change in that time, one observance."""
    start = datetime(year - 1, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 2, 1, 1, tzinfo=timezone.utc)

    def at(t: datetime) -> tuple[timedelta, timedelta, str]:
        local = t.astimezone(zone)
        return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or key

    def first_change(t: datetime, step: timedelta, until: datetime) -> datetime:
        """The first step from ``t`` (before ``until``) whose offset differs from ``t``'s."""
        was = at(t)[0]
        while t < until and at(t)[0] == was:
            t += step
        return t

    changes = []
    t, now = start, at(start)
    while t < end:
        nxt = t + timedelta(days=1)  # no zone changes its offset twice in a day
        then = at(nxt)
        if then[0] != now[0]:
            hour = first_change(t, timedelta(hours=1), nxt) - timedelta(hours=1)
            m = first_change(hour, timedelta(minutes=1), hour + timedelta(hours=1))
            changes.append((m, now[0], at(m)))
        t, now = nxt, then
    lines = ["BEGIN:VTIMEZONE", f"TZID:{text(key)}"]
    if not changes:
        offset, dst, name = at(start)
        changes = [(datetime(1970, 1, 1, tzinfo=timezone.utc) - offset, offset, (offset, dst, name))]
    for moment, before, (after, dst, name) in changes:
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [f"BEGIN:{kind}", f"DTSTART:{(moment + before).strftime('%Y%m%dT%H%M%S')}",
                  f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after)}", f"TZNAME:{text(name)}",
                  f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return tuple(lines)


def event(*, prodid: str, method: str, uid: str, sequence: int, stamp: datetime, start: datetime, end: datetime,
          summary: str, description: str, organizer: str, attendees: Iterable[Attendee],
          location: str | None = None, status: str = "CONFIRMED") -> bytes:
    """A VCALENDAR holding one VEVENT, with METHOD (REQUEST, CANCEL) as RFC 5546 has it."""
    s_params, s_value = when(start)
    e_params, e_value = when(end)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{text(prodid)}", f"METHOD:{method}"]
    zones = {}
    for value, params in ((start, s_params), (end, e_params)):
        if params:  # a zone named by TZID: its VTIMEZONE, once
            zones[(value.tzinfo, params.removeprefix(";TZID="), value.year)] = None
    for zone, key, year in zones:
        lines += vtimezone(zone, key, year)
    lines += ["BEGIN:VEVENT",
             f"UID:{text(uid)}", f"SEQUENCE:{int(sequence)}", f"DTSTAMP:{when(stamp.astimezone(timezone.utc))[1]}",
             f"DTSTART{s_params}:{s_value}", f"DTEND{e_params}:{e_value}", f"SUMMARY:{text(summary)}",
             f"DESCRIPTION:{text(description)}"]
    if location:
        lines.append(f"LOCATION:{text(location)}")
    lines.append(f"STATUS:{status}")
    lines.append(f"ORGANIZER:mailto:{_address(organizer)}")
    for a in attendees:
        cn = f";CN={param(a.name)}" if a.name else ""
        role = "REQ-PARTICIPANT" if a.required else "OPT-PARTICIPANT"
        lines.append(f"ATTENDEE{cn};ROLE={role};PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{_address(a.email)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return b"".join(fold(line) for line in lines)


def _address(email: str) -> str:
    """An address as a CAL-ADDRESS's mailto: URI; it cannot break the line or the property."""
    return _CONTROL.sub("", email).strip()
