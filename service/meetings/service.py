"""Panel meetings in the running service: arrange, invite, track replies, chase, reschedule.

PROCESS.md stage 3 ("Panel considers the case": an extraordinary panel
meeting with every relevant agency, each sending a short report first) and
the case panel meetings of stages 6 to 8.

How a meeting lives:

* A row in ``meetings`` is the meeting. It is created in state
  ``to_schedule`` by :func:`on_case_opened` (inside the intake's unit of
  work, with no calendar I/O) or by :func:`schedule` (a command).
* :func:`meetings_job` (periodic) and the commands do the calendar work.
  Every change is saved *before* the calendar is touched: ``revision``
  counts changes the calendar must see, ``synced_revision`` the last one it
  saw. A crash between the two is repaired by pushing again, and the
  calendar port is idempotent on the meeting's ``key`` (iCalendar UID, Graph
  transactionId), so a retry never makes a second event.
* A meeting is claimed (a conditional UPDATE with a lease) before any
  calendar work, so two service processes never work on one meeting at once.
* Replies come back two ways, both ending in :func:`_record_response`:
  polled from the calendar (Graph) and filed from ``METHOD:REPLY`` emails
  (:func:`file_meeting_reply`, called by intake).
* A required attendee declining is reported to the Business Manager; when
  every invitee holding a quorum role has declined, the job proposes the next
  good time (``meeting reschedule`` accepts it). Attendees who have not
  replied are reminded a set number of working days before the meeting.

Nothing here puts a child's or family member's name in an invite, an email
or a log line: meetings are identified by the case reference.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from service.domain import calendar as wd
from service.domain.model import AuditEvent, Case, DeadlineStatus
from service.letters.corrections import meeting_moved
from service.letters.queueing import base_context, queue
from service.mailbox.ports import BusyInterval, ResponseStatus, TransportError
from service.store.db import Lock

from .invite import REPORT_DAYS_BEFORE, event_spec, meeting_context, when_text, where_text
from .invitees import Invitee, agencies_without_panel_member, invitees, names_of, quorum
from .kinds import MeetingKind, kind_for
from .replies import parse_reply
from .slots import SlotChoice, Window, WorkingHours, find_slot, window_after, window_for

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.meetings")

LEASE = timedelta(minutes=5)
ACTOR = "meetings"
EXTRAORDINARY = "extraordinary"
BEYOND_WINDOW = 20  # working days looked at after a window already full of the panel's meetings


class MeetingError(Exception):
    """A meeting command that cannot be done. ``str()`` is one line for a person."""


def meeting_key(reference: str, kind: str, number: int) -> str:
    """Stable for the meeting's life: the iCalendar UID and the Graph transactionId."""
    return f"{reference}/meeting/{kind}/{number}"


# Opening a case -------------------------------------------------------------------
def on_case_opened(uow: "UnitOfWork", app: "App", case: Case, case_id: int) -> int | None:
    """Stage 1 -> 3: ask for the extraordinary panel meeting (when scheduling is automatic).

    Runs inside the intake's unit of work and does no calendar I/O: it only
    inserts the meeting in state ``to_schedule``; :func:`meetings_job` finds
    the time and sends the invitations. Returns the meeting's id, or None.
    """
    if not app.settings.meetings.auto_schedule:
        return None
    existing = uow.meetings.current(case_id, EXTRAORDINARY)
    if existing is not None:
        return existing["id"]
    return _add(uow, app, case.reference, case_id, EXTRAORDINARY, None, "intake")


def _add(uow: "UnitOfWork", app: "App", reference: str, case_id: int, kind: str, within: int | None,
         actor: str) -> int:
    now = app.clock.now()
    number = uow.meetings.next_number(case_id, kind)
    key = meeting_key(reference, kind, number)
    mid = uow.meetings.add(case_id=case_id, kind=kind, number=number, key=key, now=now, within_days=within)
    uow.audit.append(case_id, reference, [AuditEvent(now, actor, "meeting requested",
                                                     {"kind": kind, "key": key, "within": within})])
    return mid


# Commands -----------------------------------------------------------------------
def schedule(app: "App", reference: str, kind_name: str, within: int | None = None,
             actor: str = "command line") -> dict[str, Any]:
    """``meeting schedule``: ask for a meeting and arrange it now. Returns its view."""
    kind = kind_for(kind_name, app.settings.meetings)
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        case_id = uow.cases.id_of(case.reference)
        existing = uow.meetings.current(case_id, kind.name)
        if existing is not None and _is_pending(existing, now):
            raise MeetingError(f"{case.reference} already has an open {kind.name} meeting "
                               f"({_state_text(app, existing)}); use `meeting reschedule` or `meeting cancel`")
        mid = _add(uow, app, case.reference, case_id, kind.name, within, actor)
        uow.commit()
    _tend(app, mid, now, polling=False)
    return view(app, mid)


def reschedule(app: "App", reference: str, kind_name: str, at: datetime | None = None,
               actor: str = "command line") -> dict[str, Any]:
    """``meeting reschedule``: move the meeting (same event, SEQUENCE + 1).

    To ``at`` when given; else to the time proposed after the quorum was
    lost; else to the next good time in the kind's window.
    """
    kind = kind_for(kind_name, app.settings.meetings)
    now = app.clock.now()
    mid = _current_id(app, reference, kind)
    with _claimed(app, mid) as m:
        if m["state"] == "to_schedule" and at is None:
            _arrange(app, mid, now)
        elif m["state"] in ("to_schedule", "scheduled"):
            _move(app, m, kind, now, at, actor)
        else:
            raise MeetingError(f"the {kind.name} meeting of {m['reference']} is {m['state']}; "
                               f"use `meeting schedule` for a new one")
        _push(app, mid, now)
        meeting_moved(app, mid, before=m)  # its letters, queued or sent, say the new time
    return view(app, mid)


def cancel(app: "App", reference: str, kind_name: str, reason: str, actor: str = "command line") -> dict[str, Any]:
    """``meeting cancel``: cancel the meeting and tell its attendees (SEQUENCE + 1, METHOD:CANCEL)."""
    if not reason or not reason.strip():
        raise MeetingError("cancelling a meeting needs a reason (it goes to the attendees)")
    kind = kind_for(kind_name, app.settings.meetings)
    now = app.clock.now()
    mid = _current_id(app, reference, kind)
    with _claimed(app, mid) as m:
        if m["state"] == "held":
            raise MeetingError(f"the {kind.name} meeting of {m['reference']} has taken place; it cannot be cancelled")
        with app.db.unit_of_work() as uow:
            uow.meetings.change(mid, now, new_sequence=m["start"] is not None, state="cancelled",
                                cancel_reason=reason.strip(), proposed_start=None, proposed_end=None)
            uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, actor, "meeting cancelled",
                                                                        {"kind": kind.name, "key": m["key"]},
                                                                        reason.strip())])
            uow.commit()
        _push(app, mid, now)
    return view(app, mid)


def list_meetings(app: "App", reference: str | None = None) -> list[dict[str, Any]]:
    with app.db.unit_of_work() as uow:
        case_id = None
        if reference:
            case_id = uow.cases.id_of(uow.cases.get(reference).reference)
        ids = [r["id"] for r in uow.meetings.listing(case_id)]
    return [view(app, mid) for mid in ids]


def view(app: "App", mid: int) -> dict[str, Any]:
    """What a person (or `--json`) sees of a meeting."""
    tz = app.settings.tz
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        atts = uow.meetings.attendees(mid)
    kind = kind_for(m["kind"], app.settings.meetings)
    counts = {s.value: 0 for s in (ResponseStatus.ACCEPTED, ResponseStatus.TENTATIVE, ResponseStatus.DECLINED,
                                   ResponseStatus.NONE)}
    for a in atts:
        counts[a["response"]] = counts.get(a["response"], 0) + 1
    q = quorum(app.settings.meetings.quorum_roles, [(a["roles"], ResponseStatus(a["response"])) for a in atts])
    return {
        "reference": m["reference"], "kind": m["kind"], "title": kind.title, "number": m["number"],
        "key": m["key"], "state": m["state"],
        "start": m["start"].astimezone(tz).isoformat() if m["start"] else None,
        "end": m["end"].astimezone(tz).isoformat() if m["end"] else None,
        "when": when_text(m["start"], m["end"], tz) if m["start"] else None,
        "where": where_text(app.settings, m["online_url"]), "sequence": m["sequence"],
        "in_calendar": m["synced_revision"] == m["revision"] and m["synced_revision"] is not None,
        "provider_id": m["provider_id"], "online_url": m["online_url"],
        "responses": counts, "quorum_lost": list(q.lost_roles),
        "cannot_come": names_of(m["missing"] or [], _invitees_of(atts)), "notes": list(m["notes"] or []),
        "proposed": when_text(m["proposed_start"], m["proposed_end"], tz) if m["proposed_start"] else None,
        "cancel_reason": m["cancel_reason"], "last_error": m["last_error"],
        "attendees": [{"name": a["name"], "email": a["email"], "roles": list(a["roles"]),
                       "required": a["required"], "response": a["response"]} for a in atts],
    }


# The job --------------------------------------------------------------------------
def meetings_job(app: "App") -> dict[str, int]:
    """Arrange meetings waiting for a time, keep calendars in step, read replies, remind, watch quorum."""
    counts = {k: 0 for k in ("scheduled", "updated", "responses", "declines", "proposals", "reminders", "held",
                             "errors", "skipped")}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        ids = uow.meetings.open_ids()
    for mid in ids:
        try:
            done = _tend(app, mid, now)
        except TransportError as exc:
            done = {"errors": 1}
            log.warning("calendar unavailable for a meeting", extra={"meeting_id": mid, "error": str(exc)[:200]})
        except MeetingError as exc:
            done = {"errors": 1}
            log.warning("meeting needs a person", extra={"meeting_id": mid, "error": str(exc)[:200]})
        except Exception as exc:  # noqa: BLE001 - one meeting's failure must not stop the others
            done = {"errors": 1}
            log.error("meeting work failed", extra={"meeting_id": mid, "error": exc.__class__.__name__})
        for k, v in done.items():
            counts[k] = counts.get(k, 0) + v
    return counts


def _tend(app: "App", mid: int, now: datetime, polling: bool = True) -> dict[str, int]:
    """Everything due for one meeting, under its claim."""
    try:
        with _claimed(app, mid) as m:
            out: dict[str, int] = {}
            if m["state"] == "to_schedule":
                out["scheduled"] = int(_arrange(app, mid, now))
            elif m["state"] == "scheduled" and m["end"] is not None and m["end"] <= now:
                _mark_held(app, m, now)
                return {"held": 1}
            elif m["state"] == "scheduled":
                out["updated"] = int(_refresh_invitations(app, mid, now))
            if not _push(app, mid, now) and _needs_push(app, mid):
                out["errors"] = 1
            if polling and _is_upcoming(app, mid, now):
                out.update(_follow_up(app, mid, now))
            return {k: v for k, v in out.items() if v}
    except _Busy:
        return {"skipped": 1}


def _follow_up(app: "App", mid: int, now: datetime) -> dict[str, int]:
    out = {"responses": 0, "declines": 0, "proposals": 0, "reminders": 0}
    r, d = _poll_responses(app, mid, now)
    out["responses"], out["declines"] = r, d
    out["proposals"] = int(_watch_quorum(app, mid, now))
    out["reminders"] = _remind(app, mid, now)
    return out


# Claims ---------------------------------------------------------------------------
class _Busy(MeetingError):
    pass


class _claimed:
    """``with _claimed(app, mid) as meeting_row:`` holds the meeting's lease for calendar work."""

    def __init__(self, app: "App", mid: int):
        self.app, self.mid = app, mid

    def __enter__(self) -> dict[str, Any]:
        now = self.app.clock.now()
        with self.app.db.unit_of_work() as uow:
            won = uow.meetings.claim(self.mid, now, self.app.worker, LEASE)
            m = uow.meetings.get(self.mid)
            uow.commit()
        if not won:
            raise _Busy(f"the {m['kind']} meeting of {m['reference']} is being worked on by the service; "
                        f"try again in a few minutes")
        return m

    def __exit__(self, *exc: Any) -> None:
        with self.app.db.unit_of_work() as uow:
            uow.meetings.release(self.mid, self.app.worker)
            uow.commit()


# Arranging ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    case: Case
    kind: MeetingKind
    people: list[Invitee]
    window: Window
    notes: list[str]


def _plan(app: "App", case: Case, kind: MeetingKind, within: int | None) -> _Plan:
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
    return _Plan(case, kind, people, window, notes)


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


def _find(app: "App", uow: "UnitOfWork", mid: int, plan: _Plan, window: Window, now: datetime,
          avoid: list[tuple[datetime, datetime]]) -> tuple[SlotChoice | None, bool]:
    """The best slot of ``window``, and whether anybody invited has other meetings of this service in it."""
    hours = _hours(app)
    emails = [p.email for p in plan.people]
    start = datetime.combine(window.first_day, hours.start, hours.tz)
    end = datetime.combine(window.last_day, hours.end, hours.tz)
    busy = app.calendar.free_busy(emails, start, end)
    booked = _booked(uow, emails, start, end, mid)
    choice = find_slot([p.email for p in plan.people if p.required], busy, window, hours,
                       _duration(app, plan.kind), optional=[p.email for p in plan.people if not p.required],
                       not_before=now, avoid=avoid, booked=booked)
    return choice, any(booked.values())


def _choose(app: "App", uow: "UnitOfWork", mid: int, plan: _Plan, now: datetime,
            avoid: list[tuple[datetime, datetime]] = ()) -> tuple[SlotChoice | None, list[str]]:
    """The time for meeting ``mid``, and a note when it had to go past its window.

    Nobody invited is put in two of this service's meetings at once (its own rows count, whether or
    not the calendars show them yet). Call it after ``uow.serialise(Lock.MEETING_TIMES)`` and save the
    time in the same ``uow``: two processes each reading before the other writes would otherwise give
    two meetings one slot. One lock for every meeting rather than one per attendee: every meeting
    invites the chair and the standing panel, so any two share people and would wait for each other
    anyway.
    """
    choice, crowded = _find(app, uow, mid, plan, plan.window, now, avoid)
    if choice is not None or not crowded:
        return choice, []
    later = window_after(plan.window, BEYOND_WINDOW)
    choice, _ = _find(app, uow, mid, plan, later, now, avoid)
    if choice is None:
        return None, []
    return choice, [f"every time between {plan.window.first_day.isoformat()} and {plan.window.last_day.isoformat()} "
                    f"clashes with the panel's other meetings arranged by the service; the first free time "
                    f"after it is offered"]


def _arrange(app: "App", mid: int, now: datetime) -> bool:
    """Find the time for a meeting waiting for one, and save it with its invitation list (no event yet)."""
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        case = uow.cases.get_by_id(m["case_id"])
    if m["state"] != "to_schedule":
        return False
    kind = kind_for(m["kind"], app.settings.meetings)
    served = case.deadlines.get(kind.before_deadline) if kind.before_deadline else None
    if served is not None and served.status is DeadlineStatus.MET:
        _withdraw(app, m, now, f"no longer needed: '{served.what}' was done on {served.met_on} before a time was "
                               f"found")
        return False
    plan = _plan(app, case, kind, m["within_days"])
    if not any(p.required for p in plan.people):
        raise MeetingError(f"nobody to invite to the {kind.name} meeting of {case.reference}: check [[panel]]")
    try:
        with app.db.unit_of_work() as uow:
            uow.serialise(Lock.MEETING_TIMES)  # until the time is saved: see _choose
            if uow.meetings.get(mid)["state"] != "to_schedule":
                return False  # cancelled (or arranged) meanwhile
            choice, later = _choose(app, uow, mid, plan, now)
            if choice is None:
                raise MeetingError(f"no working time at all between {plan.window.first_day} and "
                                   f"{plan.window.last_day}")
            notes = [*plan.notes, *later]
            uow.meetings.set_attendees(mid, [_person_row(p) for p in plan.people])
            uow.meetings.change(mid, now, new_sequence=False, state="scheduled",
                                start=choice.start.astimezone(timezone.utc), end=choice.end.astimezone(timezone.utc),
                                missing=list(choice.cannot_come),
                                notes=notes, window_end=plan.window.last_day, invited_at=now, last_error=None)
            uow.audit.append(m["case_id"], case.reference, [AuditEvent(now, ACTOR, "meeting arranged", {
                "kind": kind.name, "key": m["key"], "start": choice.start.isoformat(),
                "required_busy": len(choice.cannot_come), "invited": len(plan.people)})])
            m = uow.meetings.get(mid)
            if choice.cannot_come or notes:
                _report(uow, app, case, m, kind, "arranged", f"arranged/{m['sequence']}",
                        cannot_come=names_of(choice.cannot_come, plan.people), notes=notes,
                        command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
            uow.commit()
    except TransportError as exc:
        _calendar_failed(app, mid, exc)
        raise
    log.info("meeting arranged", extra={"case": case.reference, "kind": kind.name,
                                        "required_busy": len(choice.cannot_come)})
    return True


def _withdraw(app: "App", m: dict[str, Any], now: datetime, reason: str) -> None:
    """A meeting request overtaken by events, before any invitation went out."""
    with app.db.unit_of_work() as uow:
        uow.meetings.update(m["id"], now, state="cancelled", cancel_reason=reason)
        uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, ACTOR, "meeting request withdrawn",
                                                                    {"kind": m["kind"], "key": m["key"]}, reason)])
        uow.commit()


def _move(app: "App", m: dict[str, Any], kind: MeetingKind, now: datetime, at: datetime | None, actor: str) -> None:
    """A new time for a meeting: saved with SEQUENCE + 1 and everybody asked again."""
    mid = m["id"]
    with app.db.unit_of_work() as uow:
        case = uow.cases.get_by_id(m["case_id"])
    plan = _plan(app, case, kind, m["within_days"])
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
        uow.serialise(Lock.MEETING_TIMES)  # until the time is saved: see _choose
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
            choice, later = _choose(app, uow, mid, plan, now, avoid)
            notes += [*plan.window.notes, *later]
            if choice is None:
                raise MeetingError(f"no working time between {plan.window.first_day} and {plan.window.last_day}; "
                                   f"give one with --at")
        uow.meetings.set_attendees(mid, [_person_row(p) for p in plan.people])
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
            _report(uow, app, case, fresh, kind, "arranged", f"arranged/{fresh['sequence']}",
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


def _refresh_invitations(app: "App", mid: int, now: datetime) -> bool:
    """Invite people who should now come (an agency added to the case, a panel change); True if changed."""
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if m["start"] is None or m["start"] <= now:
            return False
        case = uow.cases.get_by_id(m["case_id"])
        kind = kind_for(m["kind"], app.settings.meetings)
        people = invitees(app.settings, case, kind)
        have = {a["email"]: (bool(a["required"]), tuple(a["roles"])) for a in uow.meetings.attendees(mid)}
        want = {p.email: (p.required, p.roles) for p in people}
        if have == want:
            return False
        added = uow.meetings.set_attendees(mid, [_person_row(p) for p in people])
        uow.meetings.change(mid, now, new_sequence=False)  # same time: the same SEQUENCE (RFC 5546 3.2.2)
        uow.audit.append(m["case_id"], case.reference, [AuditEvent(now, ACTOR, "meeting invitations updated", {
            "kind": kind.name, "key": m["key"], "added": added,
            "removed": sorted(set(have) - set(want))})])
        uow.commit()
    return True


def _person_row(p: Invitee) -> dict[str, Any]:
    return {"email": p.email, "name": p.name, "roles": list(p.roles), "agency": p.agency, "required": p.required}


def _invitees_of(rows: list[dict[str, Any]]) -> dict[str, Invitee]:
    return {a["email"]: Invitee(a["email"], a["name"], tuple(a["roles"]), a["agency"], False, bool(a["required"]))
            for a in rows}


# The calendar -----------------------------------------------------------------------
def _needs_push(app: "App", mid: int) -> bool:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
    return m["state"] in ("scheduled", "cancelled") and m["start"] is not None \
        and m["synced_revision"] != m["revision"]


def _push(app: "App", mid: int, now: datetime) -> bool:
    """Bring the calendar in step with the row. True when it is (or already was)."""
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        atts = uow.meetings.attendees(mid)
    if m["synced_revision"] == m["revision"] or m["state"] not in ("scheduled", "cancelled"):
        return True
    if m["start"] is None:  # cancelled before it had a time: nothing was ever sent
        with app.db.unit_of_work() as uow:
            uow.meetings.synced(mid, m["revision"], now)
            uow.commit()
        return True
    kind = kind_for(m["kind"], app.settings.meetings)
    spec = event_spec(app.settings, m["reference"], kind, m, atts)
    try:
        if m["state"] == "cancelled":
            app.calendar.cancel_event(spec, m["provider_id"], m["cancel_reason"] or "cancelled")
            ref = None
        else:
            ref = app.calendar.upsert_event(spec, m["provider_id"])
    except TransportError as exc:
        _calendar_failed(app, mid, exc)
        return False
    record_pushed(app, mid, m["revision"], ref, now)
    return True


def record_pushed(app: "App", mid: int, revision: int, ref, now: datetime) -> None:
    """After the calendar has the event: store its provider id, then send what goes with the invitation."""
    with app.db.unit_of_work() as uow:
        values: dict[str, Any] = {}
        if ref is not None:
            values = {"provider_id": ref.provider_id, "online_url": ref.online_meeting_url}
        uow.meetings.synced(mid, revision, now, **values)
        m = uow.meetings.get(mid)
        kind = kind_for(m["kind"], app.settings.meetings)
        if m["state"] == "scheduled" and kind.asks_for_agency_reports:
            _request_agency_reports(uow, app, m, kind)
        uow.commit()
    log.info("meeting in the calendar", extra={"case": m["reference"], "kind": m["kind"], "state": m["state"],
                                               "sequence": m["sequence"]})


def _calendar_failed(app: "App", mid: int, exc: TransportError) -> None:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        uow.meetings.update(mid, app.clock.now(), last_error=str(exc)[:500])
        if exc.permanent:
            case = uow.cases.get_by_id(m["case_id"])
            kind = kind_for(m["kind"], app.settings.meetings)
            _report(uow, app, case, m, kind, "failed", f"failed/{m['revision']}", error=str(exc)[:300],
                    command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
        uow.commit()
    log.warning("calendar refused a meeting change", extra={"meeting_id": mid, "permanent": exc.permanent,
                                                            "error": str(exc)[:200]})


def _request_agency_reports(uow: "UnitOfWork", app: "App", m: dict[str, Any], kind: MeetingKind) -> int:
    """Local process 2: each agency involved sends a short report or chronology before the meeting."""
    case = uow.cases.get_by_id(m["case_id"])
    tz = app.settings.tz
    meeting_day = m["start"].astimezone(tz).date()
    # A day to write it at least, however close the meeting.
    due = max(wd.add_working_days(meeting_day, -REPORT_DAYS_BEFORE), wd.add_working_days(app.today(), 1))
    sent = 0
    for key in case.agencies:
        agency = app.settings.agency(key)
        if agency is None or agency.panel_member is None:
            continue
        person = agency.panel_member
        ctx = base_context(app, person.name, person.email, case=case, meeting=meeting_context(app.settings, m, kind),
                           agency={"key": agency.key, "name": agency.name}, report_due=due)
        sent += queue(uow, app, key=f"{m['key']}/agency_report_request/{agency.key}",
                      template="agency_report_request", to=[person.email], context=ctx, case_id=m["case_id"])
    return sent


# Replies -----------------------------------------------------------------------------
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
    kind = kind_for(m["kind"], app.settings.meetings)
    case = uow.cases.get_by_id(m["case_id"])
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


def _poll_responses(app: "App", mid: int, now: datetime) -> tuple[int, int]:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        atts = uow.meetings.attendees(mid)
    if m["synced_revision"] != m["revision"]:
        return 0, 0  # the calendar does not have this version yet
    kind = kind_for(m["kind"], app.settings.meetings)
    spec = event_spec(app.settings, m["reference"], kind, m, atts)
    found = app.calendar.responses(spec, m["provider_id"])
    changed = declines = 0
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if m["synced_revision"] != m["revision"]:
            return 0, 0
        case = uow.cases.get_by_id(m["case_id"])
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
        _report(uow, app, case, m, kind, "declined", f"declined/{m['sequence']}/{attendee['email']}", person=person,
                command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
    return True


# Quorum and reminders ---------------------------------------------------------------------
def _watch_quorum(app: "App", mid: int, now: datetime) -> bool:
    """When every invitee holding a quorum role has declined, propose the next good time (once per time)."""
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        atts = uow.meetings.attendees(mid)
        case = uow.cases.get_by_id(m["case_id"])
    q = quorum(app.settings.meetings.quorum_roles, [(a["roles"], ResponseStatus(a["response"])) for a in atts])
    if not q.lost:
        if m["proposed_start"] is not None:  # somebody changed their mind: the proposal is moot
            with app.db.unit_of_work() as uow:
                uow.meetings.update(mid, now, proposed_start=None, proposed_end=None)
                uow.commit()
        return False
    key = f"{m['key']}/report/quorum_lost/{m['sequence']}"
    with app.db.unit_of_work() as uow:
        if uow.outbox.exists(key):
            return False
    kind = kind_for(m["kind"], app.settings.meetings)
    plan = _plan(app, case, kind, m["within_days"])
    tz = app.settings.tz
    with app.db.unit_of_work() as uow:
        uow.serialise(Lock.MEETING_TIMES)  # a proposed time is held like a booked one: see _choose
        m = uow.meetings.get(mid)
        choice, later = _choose(app, uow, mid, plan, now, avoid=[(m["start"], m["end"])])
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
        _report(uow, app, case, m, kind, "quorum_lost", f"quorum_lost/{m['sequence']}", lost_roles=list(q.lost_roles),
                proposal=proposal, notes=[*plan.window.notes, *later],
                command=f"review-clerk meeting reschedule {case.reference} {kind.name}"
                        + ("" if proposal else " --at YYYY-MM-DDTHH:MM"))
        uow.commit()
    return True


def _remind(app: "App", mid: int, now: datetime) -> int:
    """Remind attendees who have not replied, from N working days before the meeting, in working hours."""
    days = app.settings.meetings.reminder_working_days
    if days <= 0 or not _in_working_hours(app, now):
        return 0
    tz = app.settings.tz
    today = now.astimezone(tz).date()
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        meeting_day = m["start"].astimezone(tz).date()
        if today < wd.add_working_days(meeting_day, -days) or today >= meeting_day:
            return 0
        if m["invited_at"] is not None and m["invited_at"].astimezone(tz).date() >= today:
            return 0  # invited today: give people a day to answer
        case = uow.cases.get_by_id(m["case_id"])
        kind = kind_for(m["kind"], app.settings.meetings)
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


def _mark_held(app: "App", m: dict[str, Any], now: datetime) -> None:
    with app.db.unit_of_work() as uow:
        uow.meetings.update(m["id"], now, state="held")
        uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, ACTOR, "meeting time passed",
                                                                    {"kind": m["kind"], "key": m["key"]})])
        uow.commit()


# Helpers ---------------------------------------------------------------------------------
def _report(uow: "UnitOfWork", app: "App", case: Case, m: dict[str, Any], kind: MeetingKind, what: str,
            key_suffix: str, *, person: str | None = None, lost_roles: list[str] | None = None,
            proposal: str | None = None, cannot_come: list[str] | None = None, notes: list[str] | None = None,
            error: str | None = None, command: str | None = None) -> bool:
    """A message to the Business Manager about a meeting (template ``meeting_report``)."""
    bm = app.settings.people.business_manager
    report = {"what": what, "person": person, "lost_roles": lost_roles or [], "proposal": proposal,
              "cannot_come": cannot_come or [], "notes": notes or [], "error": error, "command": command}
    ctx = base_context(app, bm.name, bm.email, case=case, meeting=meeting_context(app.settings, m, kind), report=report)
    return queue(uow, app, key=f"{m['key']}/report/{key_suffix}", template="meeting_report", to=[bm.email],
                 context=ctx, case_id=m["case_id"])


def _is_pending(m: dict[str, Any], now: datetime) -> bool:
    return m["state"] == "to_schedule" or (m["state"] == "scheduled" and (m["end"] is None or m["end"] > now))


def _is_upcoming(app: "App", mid: int, now: datetime) -> bool:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
    return m["state"] == "scheduled" and m["start"] is not None and m["start"] > now


def _state_text(app: "App", m: dict[str, Any]) -> str:
    if m["state"] == "scheduled" and m["start"]:
        return f"scheduled for {when_text(m['start'], m['end'], app.settings.tz)}"
    return m["state"].replace("_", " ")


def _current_id(app: "App", reference: str, kind: MeetingKind) -> int:
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        m = uow.meetings.current(uow.cases.id_of(case.reference), kind.name)
    if m is None:
        raise MeetingError(f"{case.reference} has no {kind.name} meeting; use `meeting schedule`")
    return m["id"]

