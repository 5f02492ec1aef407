"""Replies to an invitation, the quorum and reminders.

Replies come back two ways, both ending in :func:`_record_response`: polled from the calendar
(Graph, :func:`poll_responses`) and filed from ``METHOD:REPLY`` emails (:func:`file_meeting_reply`,
called by intake). A required attendee declining is reported to the Business Manager; when every
invitee holding a quorum role has declined, the next good time is proposed (``meeting reschedule``
accepts it). Attendees who have not replied are reminded a set number of working days before the
meeting.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from service.domain import calendar as wd
from service.domain.model import AuditEvent, Case
from service.letters.queueing import base_context, queue
from service.mailbox.ports import ResponseStatus, TransportError
from service.store.db import Lock

from .arranging import choose, plan_for
from .ical_reply import parse_reply
from .invite import event_spec, meeting_context, when_text
from .invitees import names_of, quorum
from .kinds import MeetingKind, kind_for
from .meeting_row import ACTOR, kind_of, report_meeting

if TYPE_CHECKING:
    from service.bootstrap import App

    from .board_times import BoardTimes
    from service.store.db import UnitOfWork


def file_meeting_reply(uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> str:
    """File an emailed ``METHOD:REPLY`` (an inbound message row) against its meeting.

    Records the reply in ``meeting_attendees`` inside ``uow`` (no calendar
    I/O) and, for a required attendee declining, queues the report to the
    Business Manager. Returns the outcome, one line for the inbox listing
    (addresses of panel members only; never a subject's name).
    """
    reply = parse_reply(row["raw"])
    if reply is None:
        return "no calendar reply (METHOD:REPLY) found in the message"
    m = uow.meetings.by_key(reply.uid)
    if m is None:
        return "a calendar reply for a meeting this service did not arrange"
    label = f"{m['reference']} {m['kind']} meeting"
    if m["state"] == "cancelled":
        return f"reply to the cancelled {label}; nothing recorded"
    if reply.sequence < m["sequence"]:
        return f"reply to an earlier time of the {label}; nothing recorded (the new time was sent since)"
    sender = (row.get("sender") or "").lower()
    attendees = {a["email"]: a for a in uow.meetings.attendees(m["id"])}
    case = uow.cases.get_by_id(m["case_id"])
    kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
    done, refused = [], []
    for r in reply.attendees:
        if r.status is ResponseStatus.NONE:
            continue
        a = attendees.get(r.email)
        if a is None:
            refused.append(f"{r.email} is not invited")
            continue
        if sender and sender not in (r.email, r.sent_by):
            refused.append(f"a reply for {r.email} came from {sender}")
            continue
        _record_response(uow, app, case, m, kind, a, r.status, app.clock.now(), via="email")
        done.append(f"{r.email} {r.status.value}")
    if not done:
        return f"reply to the {label}: nothing recorded" + (f" ({'; '.join(refused)})" if refused else "")
    return f"reply to the {label}: {', '.join(done)}" + (f" (not recorded: {'; '.join(refused)})" if refused else "")


def news_in(found: dict[str, ResponseStatus], atts: list[dict[str, Any]]) -> bool:
    """Whether the calendar's responses ``found`` say anything the attendee rows ``atts`` do not."""
    for a in atts:
        status = found.get(a["email"])
        # "none" from the calendar never overwrites a reply we have (it may have come by email).
        if status not in (None, ResponseStatus.NONE, ResponseStatus.ORGANIZER) and a["response"] != status.value:
            return True
    return False


def poll_responses(app: "App", mid: int, now: datetime,
                   found: dict[str, ResponseStatus] | TransportError | None = None, *,
                   m: dict[str, Any] | None = None, atts: list[dict[str, Any]] | None = None,
                   case: Case | None = None, kind: MeetingKind | None = None) -> tuple[int, int]:
    """Record the calendar's responses for one meeting: ``found`` when they were read already
    (``service.read_responses``, with the other meetings'), else read now. ``m``, ``atts``, ``case``,
    ``kind``: the meeting's row, attendees, case and kind when the caller has them (read under its claim)."""
    if m is None or atts is None or kind is None:
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
            atts = uow.meetings.attendees(mid)
            if m["synced_revision"] != m["revision"]:
                return 0, 0  # the calendar does not have this version yet
            kind = kind_of(uow, app, m)
    elif m["synced_revision"] != m["revision"]:
        return 0, 0
    if isinstance(found, TransportError):
        raise found
    if found is None:
        spec = event_spec(app.settings, m["reference"], kind, m, atts)
        found = app.calendar.responses(spec, m["provider_id"])
    if not news_in(found, atts):
        return 0, 0
    changed = declines = 0
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if m["synced_revision"] != m["revision"]:
            return 0, 0
        case = case if case is not None else uow.cases.get_by_id(m["case_id"])
        for a in uow.meetings.attendees(mid):
            status = found.get(a["email"])
            # "none" from the calendar never overwrites a reply we have (it may have come by email).
            if status in (None, ResponseStatus.NONE, ResponseStatus.ORGANIZER):
                continue
            if _record_response(uow, app, case, m, kind, a, status, now, via="calendar"):
                changed += 1
                declines += status is ResponseStatus.DECLINED
        uow.commit()
    return changed, declines


def _record_response(uow: "UnitOfWork", app: "App", case: Case, m: dict[str, Any], kind: MeetingKind,
                     attendee: dict[str, Any], status: ResponseStatus, at: datetime, via: str) -> bool:
    """Save one attendee's reply; report a required attendee's decline to the Business Manager."""
    if attendee["response"] == status.value:
        return False
    uow.meetings.set_response(attendee["id"], status.value, at)
    uow.audit.append(m["case_id"], m["reference"], [AuditEvent(at, ACTOR, "meeting reply", {
        "kind": kind.name, "key": m["key"], "from": attendee["email"], "response": status.value, "via": via})])
    if status is ResponseStatus.DECLINED and attendee["required"]:
        person = f"{attendee['name']} <{attendee['email']}>"
        report_meeting(uow, app, case, m, kind, "declined", f"declined/{m['sequence']}/{attendee['email']}", person=person,
                command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
    return True


def watch_quorum(app: "App", mid: int, now: datetime, *, m: dict[str, Any] | None = None,
                 atts: list[dict[str, Any]] | None = None, case: Case | None = None,
                 times: "BoardTimes | None" = None) -> bool:
    """When every invitee holding a quorum role has declined, propose the next good time (once per time).
    ``m``, ``atts``, ``case``: the meeting's row, attendees and case when the caller has them (read under
    its claim); ``times``: the run's (:class:`~.board_times.BoardTimes`)."""
    if m is None or atts is None:
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
            atts = uow.meetings.attendees(mid)
    q = quorum(app.settings.meetings.quorum_roles, [(a["roles"], ResponseStatus(a["response"])) for a in atts])
    if not q.lost:
        if m["proposed_start"] is not None:  # somebody changed their mind: the proposal is moot
            with app.db.unit_of_work() as uow:
                uow.meetings.update(mid, now, proposed_start=None, proposed_end=None)
                if times is not None:
                    times.note(uow, mid)
                uow.commit()
        return False
    key = f"{m['key']}/report/quorum_lost/{m['sequence']}"
    with app.db.unit_of_work() as uow:
        if uow.outbox.exists(key):
            return False
        if case is None:
            case = uow.cases.get_by_id(m["case_id"])
    kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
    plan = plan_for(app, case, kind, m["within_days"])
    tz = app.settings.tz
    try:
        with app.db.unit_of_work() as uow:
            uow.serialise(Lock.MEETING_TIMES)  # a proposed time is held like a booked one: see choose
            m = uow.meetings.get(mid)
            choice, later = choose(app, uow, mid, plan, now, avoid=[(m["start"], m["end"])], times=times)
            proposal = None
            if choice is not None:
                uow.meetings.update(mid, now, proposed_start=choice.start.astimezone(timezone.utc),
                                    proposed_end=choice.end.astimezone(timezone.utc))
                proposal = when_text(choice.start, choice.end, tz)
                if choice.cannot_come:
                    proposal += f" (busy then: {', '.join(names_of(choice.cannot_come, plan.people))})"
            uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, ACTOR, "meeting quorum lost", {
                "kind": kind.name, "key": m["key"], "roles": list(q.lost_roles),
                "proposed": choice.start.isoformat() if choice else None})])
            report_meeting(uow, app, case, m, kind, "quorum_lost", f"quorum_lost/{m['sequence']}",
                           lost_roles=list(q.lost_roles), proposal=proposal, notes=[*plan.window.notes, *later],
                           command=f"review-clerk meeting reschedule {case.reference} {kind.name}"
                                   + ("" if proposal else " --at YYYY-MM-DDTHH:MM"))
            if times is not None:
                times.note(uow, mid)
            uow.commit()
    except BaseException:
        if times is not None:
            times.forget()  # what was noted may not have been saved
        raise
    return True


def reminder_due(app: "App", m: dict[str, Any], atts: list[dict[str, Any]] | None, now: datetime) -> bool:
    """Whether :func:`remind` has anybody to remind of meeting ``m`` now (``atts``: its attendees; None:
    not read, so only the time is looked at)."""
    days = app.settings.meetings.reminder_working_days
    if days <= 0 or not _in_working_hours(app, now):
        return False
    tz = app.settings.tz
    today = now.astimezone(tz).date()
    meeting_day = m["start"].astimezone(tz).date()
    if today < wd.add_working_days(meeting_day, -days) or today >= meeting_day:
        return False
    if m["invited_at"] is not None and m["invited_at"].astimezone(tz).date() >= today:
        return False  # invited today: give people a day to answer
    return atts is None or any(a["response"] == ResponseStatus.NONE.value and not a["reminded"] for a in atts)


def remind(app: "App", mid: int, now: datetime, *, m: dict[str, Any] | None = None, case: Case | None = None,
           kind: MeetingKind | None = None) -> int:
    """Remind attendees who have not replied, from N working days before the meeting, in working hours.
    ``m``, ``case``, ``kind``: the meeting's row, case and kind when the caller has them."""
    days = app.settings.meetings.reminder_working_days
    if days <= 0 or not _in_working_hours(app, now):
        return 0
    if m is not None and not reminder_due(app, m, None, now):
        return 0
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if not reminder_due(app, m, None, now):
            return 0
        case = case if case is not None else uow.cases.get_by_id(m["case_id"])
        kind = kind if kind is not None else kind_for(m["kind"], case.procedure, app.settings.meetings)
        sent = 0
        for a in uow.meetings.attendees(mid):
            if a["response"] != ResponseStatus.NONE.value or a["reminded"]:
                continue
            if not uow.meetings.mark_reminded(a["id"]):
                continue
            ctx = base_context(app, a["name"], a["email"], case=case, meeting=meeting_context(app.settings, m, kind))
            sent += queue(uow, app, key=f"{m['key']}/reminder/{m['sequence']}/{a['email']}",
                          template="meeting_reminder", to=[a["email"]], context=ctx, case_id=m["case_id"])
        uow.commit()
    return sent


def _in_working_hours(app: "App", now: datetime) -> bool:
    local = now.astimezone(app.settings.tz)
    wh = app.settings.working_hours
    return wd.is_working_day(local.date()) and wh.start <= local.time() < wh.end
