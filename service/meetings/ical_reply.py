"""Meeting replies by email: iCalendar REPLY messages (RFC 5546), read and (for demos and tests) built.

When someone accepts or declines an invitation, their calendar client mails
the organiser a message with a ``text/calendar; method=REPLY`` part carrying
the event's UID, its SEQUENCE and the replier as an ATTENDEE with PARTSTAT.
:func:`parse_reply` finds and reads that part from the raw message;
:func:`build_reply_email` makes such a message, as Outlook would.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from service.mailbox.ports import ResponseStatus

PRODID = "-//Review Clerk//Meeting replies//EN"
PARTSTAT = {"ACCEPTED": ResponseStatus.ACCEPTED, "DECLINED": ResponseStatus.DECLINED,
            "TENTATIVE": ResponseStatus.TENTATIVE}
VERB = {ResponseStatus.ACCEPTED: "Accepted", ResponseStatus.DECLINED: "Declined",
        ResponseStatus.TENTATIVE: "Tentative"}
MAX_PART = 256 * 1024


@dataclass(frozen=True)
class AttendeeReply:
    email: str
    status: ResponseStatus
    sent_by: str | None = None  # a delegate answering for the attendee


@dataclass(frozen=True)
class MeetingReply:
    uid: str
    sequence: int
    attendees: tuple[AttendeeReply, ...]


def _address(value) -> str:
    return str(value).split(":", 1)[-1].strip().lower()


def _calendar_parts(raw: bytes) -> list[bytes]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if ctype in ("text/calendar", "application/ics") or name.endswith(".ics"):
            data = part.get_payload(decode=True) or b""
            if len(data) <= MAX_PART:
                parts.append(data)
    return parts


def parse_reply(raw: bytes) -> MeetingReply | None:
    """The REPLY in a message, or None when it carries none (or only an unreadable one)."""
    from icalendar import Calendar as ICalendar  # here: most runs read no reply

    for data in _calendar_parts(raw):
        try:
            cal = ICalendar.from_ical(data)
        except (ValueError, IndexError, KeyError):
            continue
        if str(cal.get("method", "")).upper() != "REPLY":
            continue
        for ev in cal.walk("VEVENT"):
            uid = str(ev.get("uid", "")).strip()
            if not uid:
                continue
            try:
                sequence = int(ev.get("sequence", 0))
            except (TypeError, ValueError):
                sequence = 0
            found = ev.get("attendee")
            atts = found if isinstance(found, list) else [found] if found is not None else []
            replies = []
            for a in atts:
                status = PARTSTAT.get(str(a.params.get("PARTSTAT", "")).upper(), ResponseStatus.NONE)
                sent_by = a.params.get("SENT-BY")
                replies.append(AttendeeReply(_address(a), status, _address(sent_by) if sent_by else None))
            return MeetingReply(uid, sequence, tuple(replies))
    return None


def build_reply_email(*, uid: str, attendee_email: str, status: ResponseStatus, organizer: str, subject: str,
                      sequence: int = 0, attendee_name: str | None = None, when: datetime | None = None,
                      comment: str | None = None) -> bytes:
    """A reply to a meeting invitation, as a calendar client sends it (for the local inbox, the demo and tests)."""
    from icalendar import Calendar as ICalendar
    from icalendar import Event as IEvent
    from icalendar import vCalAddress, vText

    when = when or datetime.now(timezone.utc)
    cal = ICalendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    ev = IEvent()
    ev.add("uid", uid)
    ev.add("sequence", sequence)
    ev.add("dtstamp", when.astimezone(timezone.utc))
    ev.add("summary", subject)
    ev["organizer"] = vCalAddress(f"mailto:{organizer}")
    who = vCalAddress(f"mailto:{attendee_email}")
    who.params["partstat"] = vText(status.value.upper() if status is not ResponseStatus.NONE else "NEEDS-ACTION")
    if attendee_name:
        who.params["cn"] = vText(attendee_name)
    ev.add("attendee", who, encode=0)
    if comment:
        ev.add("comment", comment)
    cal.add_component(ev)

    msg = EmailMessage()
    msg["From"] = formataddr((attendee_name, attendee_email)) if attendee_name else attendee_email
    msg["To"] = organizer
    msg["Subject"] = f"{VERB.get(status, 'Reply')}: {subject}"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=attendee_email.rsplit("@", 1)[-1])
    msg["Content-Class"] = "urn:content-classes:calendarmessage"
    msg.set_content(f"{attendee_email} has {VERB.get(status, 'answered').lower()} this meeting."
                    + (f"\n\n{comment}" if comment else ""))
    msg.add_alternative(cal.to_ical().decode("utf-8"), subtype="calendar", params={"method": "REPLY"})
    return bytes(msg)
