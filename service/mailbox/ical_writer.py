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
- DATE-TIME in UTC ends in ``Z``; a local time carries ``TZID`` with the zone's IANA name (3.3.5).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
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
    offset = value.utcoffset()
    key = getattr(value.tzinfo, "key", None)
    if offset is None:
        raise ValueError("an iCalendar time needs a time zone")
    if offset == timedelta(0) and key in (None, "UTC", "Etc/UTC") or not key:
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


def event(*, prodid: str, method: str, uid: str, sequence: int, stamp: datetime, start: datetime, end: datetime,
          summary: str, description: str, organizer: str, attendees: Iterable[Attendee],
          location: str | None = None, status: str = "CONFIRMED") -> bytes:
    """A VCALENDAR holding one VEVENT, with METHOD (REQUEST, CANCEL) as RFC 5546 has it."""
    s_params, s_value = when(start)
    e_params, e_value = when(end)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{text(prodid)}", f"METHOD:{method}", "BEGIN:VEVENT",
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
