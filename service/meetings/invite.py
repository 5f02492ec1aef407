"""The calendar invitation for a panel meeting: title, agenda, attendees, place.

The invitation is seen by everyone on the panel and sits in their calendars,
so it identifies the case by its reference only: no child's or family
member's name, initials, date of birth or address is ever put into it
(PROCESS.md, "What must never happen"). It is built from the meeting kind,
the case reference and the attendees' professional addresses, never from
the case's subjects. Pure.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence
from zoneinfo import ZoneInfo

from service.mailbox.ports import Attendee, EventSpec

from .kinds import MeetingKind

if TYPE_CHECKING:
    from service.config import Settings


def subject_line(reference: str, kind: MeetingKind) -> str:
    return f"[{reference}] {kind.title}"


def when_text(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Tuesday 20 May 2014, 10:00 to 12:00' in the board's zone."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    return f"{s.strftime('%A')} {s.day} {s.strftime('%B %Y')}, {s.strftime('%H:%M')} to {e.strftime('%H:%M')}"


def where_text(settings: "Settings", online_url: str | None = None) -> str:
    m = settings.meetings
    if m.online:
        return f"Microsoft Teams ({online_url})" if online_url else "Microsoft Teams (link in the invitation)"
    return m.location or ""


def body_parts(settings: "Settings", reference: str, kind: MeetingKind) -> tuple[list[str], list[str], list[str]]:
    """(paragraphs before the agenda, agenda items, paragraphs after it)."""
    m = settings.meetings
    before = [f"Case {reference}: {kind.title}.", f"Purpose: {kind.purpose}."]
    after = []
    if kind.asks_for_agency_reports:
        after.append("Each agency involved is asked for a short report or chronology before the meeting; the "
                     "request has gone to its panel member by email.")
    after.append("Join online with the Microsoft Teams link in this invitation." if m.online
                 else f"Venue: {m.location}.")
    after += ["Please accept or decline, so that the Business Manager knows whether the meeting is quorate.",
              "This invitation identifies the case by its reference only. Please do not add names or other "
              "personal details to it or to your reply; papers go by secure email.",
              f"{settings.board.name}. Organised by {settings.people.business_manager.name} "
              f"({settings.people.business_manager.email})."]
    return before, list(kind.agenda), after


def event_spec(settings: "Settings", reference: str, kind: MeetingKind, meeting: dict[str, Any],
               attendees: Sequence[dict[str, Any]]) -> EventSpec:
    """The EventSpec for a stored meeting (``meeting``: a row of ``meetings``; ``attendees``: its attendee rows)."""
    before, agenda, after = body_parts(settings, reference, kind)
    text = "\n\n".join([*before, "Agenda\n" + "\n".join(f"{n}. {i}" for n, i in enumerate(agenda, 1)), *after])
    body_html = ("".join(f"<p>{html.escape(p)}</p>" for p in before)
                 + "<p>Agenda</p><ol>" + "".join(f"<li>{html.escape(i)}</li>" for i in agenda) + "</ol>"
                 + "".join(f"<p>{html.escape(p)}</p>" for p in after))
    m = settings.meetings
    return EventSpec(
        key=meeting["key"], organizer=settings.people.business_manager.email,
        subject=subject_line(reference, kind), body_text=text, body_html=body_html,
        start=meeting["start"], end=meeting["end"],
        attendees=tuple(Attendee(a["email"], a["name"], bool(a["required"])) for a in attendees),
        location=None if m.online else m.location, online_meeting=m.online, sequence=int(meeting["sequence"]))


REPORT_DAYS_BEFORE = 2  # agency reports are asked for this many working days before the meeting


def meeting_context(settings: "Settings", m: dict[str, Any], kind: MeetingKind) -> dict[str, Any]:
    """What a template may know of a meeting (``meeting.*`` in mail_templates/VARIABLES.md): no names."""
    tz = settings.tz
    return {"title": kind.title, "kind": kind.name, "reference": m["reference"],
            "when": when_text(m["start"], m["end"], tz) if m["start"] else "time not yet fixed",
            "where": where_text(settings, m["online_url"]), "online_url": m["online_url"]}
