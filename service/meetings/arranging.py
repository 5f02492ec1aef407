"""Arranging a meeting: who is invited, the first good time the required attendees are free, and a
new time when it moves. Times are saved (and invitation lists kept up to date) in the database;
:mod:`service.meetings.calendar_sync` then brings the calendar in step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from service.domain import calendar as wd
from service.domain.model import AuditEvent, Case, DeadlineStatus
from service.mailbox.ports import BusyInterval, ResponseStatus, TransportError
from service.store.db import Lock

from .board_times import BoardTimes
from .calendar_sync import calendar_failed
from .invitees import Invitee, agencies_without_panel_member, invitees, invitees_for, names_of, quorum
from .kinds import MeetingKind, kind_for
from .meeting_row import ACTOR, MeetingError, person_row, report_meeting
from .slots import SlotChoice, Window, WorkingHours, find_slot, window_after, window_for

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.meetings")


BEYOND_WINDOW = 20  # working days looked at after a window already full of the panel's meetings


@dataclass(frozen=True)
class Plan:
    case: Case
    kind: MeetingKind
    people: list[Invitee]
    window: Window
    notes: list[str]


def plan_for(app: "App", case: Case, kind: MeetingKind, within: int | None) -> Plan:
    s = app.settings
    people = invitees(s, case, kind)
    window = window_for(kind, case, app.today(), notice_working_days=s.meetings.notice_working_days, within=within)
    notes = list(window.notes)
    for key in agencies_without_panel_member(s, case):
        notes.append(f"agency '{key}' has no panel member in the directory, so nobody from it is invited")
    q = quorum(s.meetings.quorum_roles, [(p.roles, ResponseStatus.NONE) for p in people])
    if q.unfilled_roles:
        notes.append(f"nobody invited holds the quorum role(s) {', '.join(q.unfilled_roles)} "
                     f"(see [meetings] agency_roles and the panel's roles)")
    return Plan(case, kind, people, window, notes)


def _hours(app: "App") -> WorkingHours:
    wh = app.settings.working_hours
    return WorkingHours(wh.start, wh.end, app.settings.tz)


def _duration(app: "App", kind: MeetingKind) -> timedelta:
    return timedelta(minutes=kind.duration_minutes or app.settings.meetings.duration_minutes)


def _booked(uow: "UnitOfWork", emails: list[str], start: datetime, end: datetime,
            mid: int) -> dict[str, list[BusyInterval]]:
    """Each person's times in this service's other meetings (from the database: free/busy lags behind)."""
    return {e: [BusyInterval(s, f) for s, f in times]
            for e, times in uow.meetings.booked_times(emails, start, end, exclude=mid).items()}


def _find(app: "App", uow: "UnitOfWork", mid: int, plan: Plan, window: Window, now: datetime,
          avoid: list[tuple[datetime, datetime]], times: BoardTimes) -> tuple[SlotChoice | None, bool]:
    """The best slot of ``window``, and whether anybody invited has other meetings of this service in it."""
    hours = _hours(app)
    emails = [p.email for p in plan.people]
    start = datetime.combine(window.first_day, hours.start, hours.tz)
    end = datetime.combine(window.last_day, hours.end, hours.tz)
    busy = times.free_busy(emails, start, end)
    booked, crowded = times.booked(uow, emails, start, end, mid)
    choice = find_slot([p.email for p in plan.people if p.required], busy, window, hours,
                       _duration(app, plan.kind), optional=[p.email for p in plan.people if not p.required],
                       not_before=now, avoid=avoid, booked=booked)
    return choice, crowded


def choose(app: "App", uow: "UnitOfWork", mid: int, plan: Plan, now: datetime,
           avoid: list[tuple[datetime, datetime]] = (),
           times: BoardTimes | None = None) -> tuple[SlotChoice | None, list[str]]:
    """The time for meeting ``mid``, and a note when it had to go past its window.

    Nobody invited is put in two of this service's meetings at once (its own rows count, whether or
    not the calendars show them yet). Call it after ``uow.serialise(Lock.MEETING_TIMES)`` and save the
    time in the same ``uow``: two processes each reading before the other writes would otherwise give
    two meetings one slot. One lock for every meeting rather than one per attendee: every meeting
    invites the chair and the standing panel, so any two share people and would wait for each other
    anyway. ``times``: the run's (:class:`~.board_times.BoardTimes`); then call ``times.note`` once the
    time is saved.
    """
    times = times if times is not None else BoardTimes(app, now)
    choice, crowded = _find(app, uow, mid, plan, plan.window, now, avoid, times)
    if choice is not None or not crowded:
        return choice, []
    later = window_after(plan.window, BEYOND_WINDOW)
    choice, _ = _find(app, uow, mid, plan, later, now, avoid, times)
    if choice is None:
        return None, []
    return choice, [f"every time between {plan.window.first_day.isoformat()} and {plan.window.last_day.isoformat()} "
                    f"clashes with the panel's other meetings arranged by the service; the first free time "
                    f"after it is offered"]


def arrange(app: "App", mid: int, now: datetime, *, m: dict[str, Any] | None = None, case: Case | None = None,
            times: BoardTimes | None = None) -> bool:
    """Find the time for a meeting waiting for one, and save it with its invitation list (no event yet).
    ``m``, ``case``: the meeting's row and case when the caller has them (read under the meeting's claim)."""
    if m is None or case is None:
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
            case = uow.cases.get_by_id(m["case_id"])
    if m["state"] != "to_schedule":
        return False
    try:
        with app.db.unit_of_work() as uow:
            uow.serialise(Lock.MEETING_TIMES)  # until the time is saved: see choose
            done = arrange_in(uow, app, m, case, now, times)
            uow.commit()
    except TransportError as exc:
        calendar_failed(app, mid, exc)
        raise
    except BaseException:
        if times is not None:
            times.forget()  # what was noted may not have been saved
        raise
    return done


def arrange_in(uow: "UnitOfWork", app: "App", m: dict[str, Any], case: Case, now: datetime,
               times: BoardTimes | None = None) -> bool:
    """:func:`arrange` in ``uow``, which the caller has serialised on ``Lock.MEETING_TIMES`` and commits (before
    the calendar is touched). ``m``: the meeting's row, waiting for a time. True when a time was saved; False
    when the request was withdrawn (overtaken by events) or the meeting cancelled or arranged meanwhile."""
    mid = m["id"]
    kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
    served = case.deadlines.get(kind.before_deadline) if kind.before_deadline else None
    if served is not None and served.status is DeadlineStatus.MET:
        _withdraw_in(uow, m, now, f"no longer needed: '{served.what}' was done on {served.met_on} before a time "
                                  f"was found")
        return False
    plan = plan_for(app, case, kind, m["within_days"])
    if not any(p.required for p in plan.people):
        raise MeetingError(f"nobody to invite to the {kind.name} meeting of {case.reference}: check [[panel]]")
    if uow.meetings.get(mid)["state"] != "to_schedule":
        return False  # cancelled (or arranged) meanwhile
    choice, later = choose(app, uow, mid, plan, now, times=times)
    if choice is None:
        raise MeetingError(f"no working time at all between {plan.window.first_day} and "
                           f"{plan.window.last_day}")
    notes = [*plan.notes, *later]
    revision, proposed = m["revision"] + 1, m["proposed_start"] is not None  # once changed, below
    uow.meetings.set_attendees(mid, [person_row(p) for p in plan.people])
    uow.meetings.change(mid, now, new_sequence=False, state="scheduled",
                        start=choice.start.astimezone(timezone.utc), end=choice.end.astimezone(timezone.utc),
                        missing=list(choice.cannot_come),
                        notes=notes, window_end=plan.window.last_day, invited_at=now, last_error=None)
    uow.audit.append(m["case_id"], case.reference, [AuditEvent(now, ACTOR, "meeting arranged", {
        "kind": kind.name, "key": m["key"], "start": choice.start.isoformat(),
        "required_busy": len(choice.cannot_come), "invited": len(plan.people)})])
    if choice.cannot_come or notes:
        m = uow.meetings.get(mid)
        report_meeting(uow, app, case, m, kind, "arranged", f"arranged/{m['sequence']}",
                       cannot_come=names_of(choice.cannot_come, plan.people), notes=notes,
                       command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
    if times is not None:
        if proposed:
            times.note(uow, mid)
        else:  # held at its new time only, as saved just now (not read back)
            times.hold(mid, revision, choice.start, choice.end, [p.email for p in plan.people])
    uow.on_commit(log.info, "meeting arranged", extra={"case": case.reference, "kind": kind.name,
                                                       "required_busy": len(choice.cannot_come)})
    return True


def _withdraw_in(uow: "UnitOfWork", m: dict[str, Any], now: datetime, reason: str) -> None:
    uow.meetings.update(m["id"], now, state="cancelled", cancel_reason=reason)
    uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, ACTOR, "meeting request withdrawn",
                                                                {"kind": m["kind"], "key": m["key"]}, reason)])


def move(app: "App", m: dict[str, Any], kind: MeetingKind, now: datetime, at: datetime | None, actor: str) -> None:
    """A new time for a meeting: saved with SEQUENCE + 1 and everybody asked again."""
    mid = m["id"]
    with app.db.unit_of_work() as uow:
        case = uow.cases.get_by_id(m["case_id"])
    plan = plan_for(app, case, kind, m["within_days"])
    duration = _duration(app, kind)
    notes: list[str] = []
    if at is None and m["proposed_start"] is not None and m["proposed_start"] > now:
        at = m["proposed_start"]
    if at is not None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=app.settings.tz)
        if at <= now:
            raise MeetingError(f"{at.astimezone(app.settings.tz):%d/%m/%Y %H:%M} has passed; give a future time")
    with app.db.unit_of_work() as uow:
        uow.serialise(Lock.MEETING_TIMES)  # until the time is saved: see choose
        if at is not None:
            start, end = at, at + duration
            notes += _outside_hours(app, start, end)
            emails = [p.email for p in plan.people]
            busy = app.calendar.free_busy(emails, start, end)
            booked = _booked(uow, emails, start, end, mid)
            own = (m["start"], m["end"])
            cannot = tuple(p.email for p in plan.people if p.required and (booked.get(p.email) or any(
                iv.start < end and start < iv.end and not (own[0] and iv.start >= own[0] and iv.end <= own[1])
                for iv in busy.get(p.email, ()))))
            choice = SlotChoice(start, end, cannot)
        else:
            avoid = [(m["start"], m["end"])] if m["start"] else []
            choice, later = choose(app, uow, mid, plan, now, avoid)
            notes += [*plan.window.notes, *later]
            if choice is None:
                raise MeetingError(f"no working time between {plan.window.first_day} and {plan.window.last_day}; "
                                   f"give one with --at")
        uow.meetings.set_attendees(mid, [person_row(p) for p in plan.people])
        uow.meetings.reset_responses(mid)
        uow.meetings.change(mid, now, new_sequence=True, state="scheduled",
                            start=choice.start.astimezone(timezone.utc), end=choice.end.astimezone(timezone.utc),
                            missing=list(choice.cannot_come), notes=notes, proposed_start=None, proposed_end=None,
                            invited_at=now, last_error=None)
        uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, actor, "meeting rescheduled", {
            "kind": kind.name, "key": m["key"], "from": m["start"].isoformat() if m["start"] else None,
            "to": choice.start.astimezone(timezone.utc).isoformat(), "required_busy": len(choice.cannot_come)})])
        fresh = uow.meetings.get(mid)
        if choice.cannot_come or notes:
            report_meeting(uow, app, case, fresh, kind, "arranged", f"arranged/{fresh['sequence']}",
                    cannot_come=names_of(choice.cannot_come, plan.people), notes=notes,
                    command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
        uow.commit()


def _outside_hours(app: "App", start: datetime, end: datetime) -> list[str]:
    tz, wh = app.settings.tz, app.settings.working_hours
    s, e = start.astimezone(tz), end.astimezone(tz)
    notes = []
    if not wd.is_working_day(s.date()):
        notes.append(f"{s:%d/%m/%Y} is not a working day (weekend or bank holiday)")
    if s.time() < wh.start or e.time() > wh.end or e.date() != s.date():
        notes.append(f"the meeting is outside working hours ({wh.start:%H:%M} to {wh.end:%H:%M})")
    return notes


def _invitations(people: list[Invitee]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    return {p.email: (p.required, p.roles) for p in people}


def invited(atts: list[dict[str, Any]]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Who the attendee rows ``atts`` invite, as :func:`refresh_invitations` compares them."""
    return {a["email"]: (bool(a["required"]), tuple(a["roles"])) for a in atts}


def invitations_changed(app: "App", agencies: list[str], kind: MeetingKind, atts: list[dict[str, Any]]) -> bool:
    """Whether the people to invite (for a case involving ``agencies``) are not those ``atts`` invite."""
    return invited(atts) != _invitations(invitees_for(app.settings, agencies, kind))


def refresh_invitations(app: "App", mid: int, now: datetime, *, m: dict[str, Any] | None = None,
                        case: Case | None = None, atts: list[dict[str, Any]] | None = None,
                        times: BoardTimes | None = None) -> bool:
    """Invite people who should now come (an agency added to the case, a panel change); True if changed.
    ``m``, ``case``, ``atts``: the meeting's row, case and attendees when the caller has them (read under
    its claim): then a meeting whose invitations are as they should be costs no query."""
    if m is not None and case is not None and atts is not None:
        if m["start"] is None or m["start"] <= now:
            return False
        kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
        if invited(atts) == _invitations(invitees(app.settings, case, kind)):
            return False
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if m["start"] is None or m["start"] <= now:
            return False
        case = uow.cases.get_by_id(m["case_id"])
        kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
        people = invitees(app.settings, case, kind)
        have = invited(uow.meetings.attendees(mid))
        want = _invitations(people)
        if have == want:
            return False
        added = uow.meetings.set_attendees(mid, [person_row(p) for p in people])
        uow.meetings.change(mid, now, new_sequence=False)  # same time: the same SEQUENCE (RFC 5546 3.2.2)
        uow.audit.append(m["case_id"], case.reference, [AuditEvent(now, ACTOR, "meeting invitations updated", {
            "kind": kind.name, "key": m["key"], "added": added,
            "removed": sorted(set(have) - set(want))})])
        if times is not None:
            times.note(uow, mid)
        uow.commit()
    return True
