"""The meetings part of `review-clerk demo` (local mail backend only).

:func:`demo_meetings` shows, for a case a referral has just opened: the
extraordinary panel meeting arranged around a panel member's other
commitment, the invitation and the agency report requests; replies arriving
in the local inbox as iCalendar REPLY emails (an acceptance, a tentative
reply and the only police officer declining, so the meeting loses its
quorum); the decline reported and a new time proposed to the Business
Manager; and the meeting moved to that time (one event, SEQUENCE 1).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from service.mailbox.local import atomic_write, safe_name
from service.mailbox.ports import ResponseStatus

from .ical_reply import build_reply_email
from .service import meetings_job, reschedule, schedule

if TYPE_CHECKING:
    from rich.console import Console

    from service.bootstrap import App


def drop_reply(app: "App", meeting_key: str, attendee_email: str, status: ResponseStatus, *, subject: str,
               sequence: int = 0, attendee_name: str | None = None) -> str:
    """Put an iCalendar REPLY email from ``attendee_email`` into the local inbox; returns its file name."""
    raw = build_reply_email(uid=meeting_key, attendee_email=attendee_email, attendee_name=attendee_name,
                            status=status, organizer=app.settings.people.business_manager.email,
                            subject=subject, sequence=sequence, when=app.clock.now())
    name = f"reply-{safe_name(attendee_email)}-{status.value}-{sequence}.eml"
    atomic_write(app.settings.data_dir / "mail" / "inbox" / name, raw)
    return name


def busy_elsewhere(app: "App", email: str, start: datetime, end: datetime, what: str = "other-commitment") -> None:
    """Another commitment in someone's calendar (calendar/busy/*.ics, read for free/busy)."""
    tz = app.settings.tz
    atomic_write(app.settings.data_dir / "calendar" / "busy" / f"{safe_name(what)}-{safe_name(email)}.ics", (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Review Clerk demo//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{what}-{email}\r\nDTSTAMP:20140101T000000Z\r\n"
        f"DTSTART;TZID={tz.key}:{start.astimezone(tz):%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID={tz.key}:{end.astimezone(tz):%Y%m%dT%H%M%S}\r\n"
        f"SUMMARY:{what}\r\nATTENDEE:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode())


def demo_meetings(app: "App", out: "Console", reference: str,
                  read_inbox: Callable[["App"], Any] | None = None) -> dict[str, Any]:
    """Arrange, answer and move the extraordinary meeting of ``reference``; print what happens.

    ``read_inbox`` files the replies dropped in the inbox (default: the
    service's own ``read_inbox`` job, which hands REPLY emails to
    :func:`service.meetings.responses.file_meeting_reply`). Returns the
    meeting's view after each step: ``arranged``, ``answered``, ``moved``.
    """
    if read_inbox is None:
        from service.jobs import read_inbox
    tz = app.settings.tz
    steps: dict[str, Any] = {}
    police = next((p for p in app.settings.panel if p.role == "police"), None)
    first = _first_day(app)
    if police is not None:
        busy_elsewhere(app, police.email, datetime.combine(first, datetime.min.time(), tz),
                       datetime.combine(first + timedelta(days=1), datetime.min.time(), tz), "crown-court")
        out.print(f"  {police.name} is in court all day on {first:%A %d %B} (calendar/busy/)")

    current = _extraordinary(app, reference)
    if current is None:  # automatic scheduling is off: the Business Manager asks for it
        current = schedule(app, reference, "extraordinary", actor="demo")
    else:
        meetings_job(app)
        current = _extraordinary(app, reference)
    steps["arranged"] = current
    out.print(f"  [bold]extraordinary panel meeting[/] for {reference}: {current['when']} ({current['where']})")
    out.print(f"    invited: {', '.join(a['email'] for a in current['attendees'])}")
    if current["cannot_come"]:
        out.print(f"    busy then: {', '.join(current['cannot_come'])}")
    out.print(f"    invitation: {app.settings.data_dir / 'calendar' / (safe_name(current['key']) + '.ics')} "
              f"(UID {current['key']}, SEQUENCE {current['sequence']})")

    if hasattr(app.clock, "advance"):
        app.clock.advance(hours=2)
    answers = {ResponseStatus.ACCEPTED: [], ResponseStatus.TENTATIVE: [], ResponseStatus.DECLINED: []}
    for a in current["attendees"]:
        if "police" in a["roles"]:
            status = ResponseStatus.DECLINED
        elif "health" in a["roles"] and answers[ResponseStatus.TENTATIVE] == []:
            status = ResponseStatus.TENTATIVE
        else:
            status = ResponseStatus.ACCEPTED
        answers[status].append(a["email"])
        drop_reply(app, current["key"], a["email"], status, attendee_name=a["name"], sequence=current["sequence"],
                   subject=f"[{reference}] {current['title']}")
    out.print(f"  replies arrive in the inbox: {len(answers[ResponseStatus.ACCEPTED])} accept, "
              f"{len(answers[ResponseStatus.TENTATIVE])} tentative, "
              f"{', '.join(answers[ResponseStatus.DECLINED]) or 'nobody'} declines")
    read_inbox(app)
    meetings_job(app)
    answered = _extraordinary(app, reference)
    steps["answered"] = answered
    out.print(f"    replies recorded: {answered['responses']}")
    if answered["quorum_lost"]:
        out.print(f"    [yellow]quorum lost[/] ({', '.join(answered['quorum_lost'])}); the Business Manager is "
                  f"told, with a proposed new time: {answered['proposed']}")

    moved = reschedule(app, reference, "extraordinary", actor="demo")
    steps["moved"] = moved
    files = sorted((app.settings.data_dir / "calendar").glob("*.ics"))
    out.print(f"  `review-clerk meeting reschedule {reference} extraordinary` moves it to {moved['when']}: "
              f"the same event updated (SEQUENCE {moved['sequence']}; {len(files)} invitation file(s) in calendar/)")
    return steps


def _first_day(app: "App"):
    from service.domain import calendar as wd

    n = app.settings.meetings.notice_working_days
    return wd.add_working_days(app.today(), n) if n else wd.next_working_day(app.today(), include_today=True)


def _extraordinary(app: "App", reference: str) -> dict[str, Any] | None:
    from .service import list_meetings

    found = [v for v in list_meetings(app, reference) if v["kind"] == "extraordinary" and v["state"] != "cancelled"]
    return found[-1] if found else None
