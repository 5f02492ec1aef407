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
* Finding the time is :mod:`.arranging`; the calendar work :mod:`.calendar_sync`.
* Replies come back two ways (:mod:`.responses`): polled from the calendar
  (Graph) and filed from ``METHOD:REPLY`` emails (:func:`file_meeting_reply`,
  called by intake).
* A required attendee declining is reported to the Business Manager; when
  every invitee holding a quorum role has declined, the job proposes the next
  good time (``meeting reschedule`` accepts it). Attendees who have not
  replied are reminded a set number of working days before the meeting.

Nothing here puts a child's or family member's name in an invite, an email
or a log line: meetings are identified by the case reference.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from service.domain.model import AuditEvent, Case
from service.letters.corrections import meeting_moved
from service.mailbox.ports import ResponseStatus, TransportError, responses_all

from .arranging import arrange, move, refresh_invitations
from .calendar_sync import needs_push, push
from .invite import event_spec, when_text, where_text
from .invitees import names_of, quorum
from .kinds import MeetingKind, kind_for
from .meeting_row import (
    ACTOR,
    Busy,
    MeetingError,
    claimed,
    current_id,
    invitees_of,
    is_pending,
    is_upcoming,
    kind_of,
    meeting_key,
    state_text,
)
from .responses import poll_responses, remind, watch_quorum

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.meetings")


OPENED = "case_opened"


def on_case_opened(uow: "UnitOfWork", app: "App", case: Case, case_id: int) -> int | None:
    """Stage 1 -> 3: ask for the meetings the case's procedure arranges when a case opens (``arrange_on =
    "case_opened"``: the SCR pack's extraordinary panel meeting), when scheduling is automatic.

    Runs inside the intake's unit of work and does no calendar I/O: it only
    inserts the meeting in state ``to_schedule``; :func:`meetings_job` finds
    the time and sends the invitations. Returns the (first) meeting's id, or None.
    """
    if not app.settings.meetings.auto_schedule:
        return None
    first = None
    for kind in (m.id for m in case.procedure.meetings if m.arrange_on == OPENED):
        existing = uow.meetings.current(case_id, kind)
        mid = existing["id"] if existing is not None else _add(uow, app, case.reference, case_id, kind, None,
                                                               "intake")
        first = mid if first is None else first
    return first


def _add(uow: "UnitOfWork", app: "App", reference: str, case_id: int, kind: str, within: int | None,
         actor: str) -> int:
    now = app.clock.now()
    number = uow.meetings.next_number(case_id, kind)
    key = meeting_key(reference, kind, number)
    mid = uow.meetings.add(case_id=case_id, kind=kind, number=number, key=key, now=now, within_days=within)
    uow.audit.append(case_id, reference, [AuditEvent(now, actor, "meeting requested",
                                                     {"kind": kind, "key": key, "within": within})])
    return mid


def schedule(app: "App", reference: str, kind_name: str, within: int | None = None,
             actor: str = "command line") -> dict[str, Any]:
    """``meeting schedule``: ask for a meeting and arrange it now. Returns its view."""
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        kind = kind_for(kind_name, case.procedure, app.settings.meetings)
        case_id = uow.cases.id_of(case.reference)
        existing = uow.meetings.current(case_id, kind.name)
        if existing is not None and is_pending(existing, now):
            raise MeetingError(f"{case.reference} already has an open {kind.name} meeting "
                               f"({state_text(app, existing)}); use `meeting reschedule` or `meeting cancel`")
        mid = _add(uow, app, case.reference, case_id, kind.name, within, actor)
        uow.commit()
    _tend(app, mid, now, polling=False)
    return view(app, mid)


def _kind(app: "App", reference: str, kind_name: str) -> MeetingKind:
    """The kind named, as the case's procedure declares it (with the settings' overrides)."""
    with app.db.unit_of_work() as uow:
        procedure = uow.cases.get(reference).procedure
    return kind_for(kind_name, procedure, app.settings.meetings)


def reschedule(app: "App", reference: str, kind_name: str, at: datetime | None = None,
               actor: str = "command line") -> dict[str, Any]:
    """``meeting reschedule``: move the meeting (same event, SEQUENCE + 1).

    To ``at`` when given; else to the time proposed after the quorum was
    lost; else to the next good time in the kind's window.
    """
    kind = _kind(app, reference, kind_name)
    now = app.clock.now()
    mid = current_id(app, reference, kind)
    with claimed(app, mid) as m:
        if m["state"] == "to_schedule" and at is None:
            arrange(app, mid, now)
        elif m["state"] in ("to_schedule", "scheduled"):
            move(app, m, kind, now, at, actor)
        else:
            raise MeetingError(f"the {kind.name} meeting of {m['reference']} is {m['state']}; "
                               f"use `meeting schedule` for a new one")
        push(app, mid, now)
        meeting_moved(app, mid, before=m)  # its letters, queued or sent, say the new time
    return view(app, mid)


def cancel(app: "App", reference: str, kind_name: str, reason: str, actor: str = "command line") -> dict[str, Any]:
    """``meeting cancel``: cancel the meeting and tell its attendees (SEQUENCE + 1, METHOD:CANCEL)."""
    if not reason or not reason.strip():
        raise MeetingError("cancelling a meeting needs a reason (it goes to the attendees)")
    kind = _kind(app, reference, kind_name)
    now = app.clock.now()
    mid = current_id(app, reference, kind)
    with claimed(app, mid) as m:
        if m["state"] == "held":
            raise MeetingError(f"the {kind.name} meeting of {m['reference']} has taken place; it cannot be cancelled")
        with app.db.unit_of_work() as uow:
            uow.meetings.change(mid, now, new_sequence=m["start"] is not None, state="cancelled",
                                cancel_reason=reason.strip(), proposed_start=None, proposed_end=None)
            uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, actor, "meeting cancelled",
                                                                        {"kind": kind.name, "key": m["key"]},
                                                                        reason.strip())])
            uow.commit()
        push(app, mid, now)
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
        kind = kind_of(uow, app, m)
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
        "cannot_come": names_of(m["missing"] or [], invitees_of(atts)), "notes": list(m["notes"] or []),
        "proposed": when_text(m["proposed_start"], m["proposed_end"], tz) if m["proposed_start"] else None,
        "cancel_reason": m["cancel_reason"], "last_error": m["last_error"],
        "attendees": [{"name": a["name"], "email": a["email"], "roles": list(a["roles"]),
                       "required": a["required"], "response": a["response"]} for a in atts],
    }


def meetings_job(app: "App") -> dict[str, int]:
    """Arrange meetings waiting for a time, keep calendars in step, read replies, remind, watch quorum."""
    counts = {k: 0 for k in ("scheduled", "updated", "responses", "declines", "proposals", "reminders", "held",
                             "errors", "skipped")}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        ids = uow.meetings.open_ids()
    polled = read_responses(app, ids, now)
    for mid in ids:
        try:
            done = _tend(app, mid, now, polled=polled)
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


def _tend(app: "App", mid: int, now: datetime, polling: bool = True,
          polled: dict[int, Any] | None = None) -> dict[str, int]:
    """Everything due for one meeting, under its claim. ``polled``: the responses read for every
    meeting at the start of the run (a meeting missing from it had none to read yet)."""
    try:
        with claimed(app, mid) as m:
            out: dict[str, int] = {}
            if m["state"] == "to_schedule":
                out["scheduled"] = int(arrange(app, mid, now))
            elif m["state"] == "scheduled" and m["end"] is not None and m["end"] <= now:
                _mark_held(app, m, now)
                return {"held": 1}
            elif m["state"] == "scheduled":
                out["updated"] = int(refresh_invitations(app, mid, now))
            if not push(app, mid, now) and needs_push(app, mid):
                out["errors"] = 1
            if polling and is_upcoming(app, mid, now):
                out.update(_follow_up(app, mid, now, polled))
            return {k: v for k, v in out.items() if v}
    except Busy:
        return {"skipped": 1}


def read_responses(app: "App", ids: list[int], now: datetime) -> dict[int, Any] | None:
    """The calendar's attendee responses for each upcoming meeting already in the calendar, read together
    (with Graph, 20 meetings to an HTTP round trip). A meeting put in the calendar later in this run is
    not read: nobody has answered an invitation sent a moment ago. Keyed by meeting id: (the revision
    read, the responses or the TransportError). None when they could not be read together: each
    meeting is then read on its own as before."""
    wanted: list[tuple[int, int]] = []
    specs = []
    try:
        return _read_responses(app, ids, now, wanted, specs)
    except Exception as exc:  # noqa: BLE001 - one bad meeting must not stop the others: read one by one
        log.warning("meeting responses not read together", extra={"error": exc.__class__.__name__})
        return None


def _read_responses(app: "App", ids: list[int], now: datetime, wanted: list[tuple[int, int]],
                    specs: list[Any]) -> dict[int, Any]:
    for mid in ids:
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
            if not (m["state"] == "scheduled" and m["start"] is not None and m["start"] > now
                    and m["provider_id"] and m["synced_revision"] == m["revision"]):
                continue
            atts = uow.meetings.attendees(mid)
            kind = kind_of(uow, app, m)
        wanted.append((mid, m["revision"]))
        specs.append((event_spec(app.settings, m["reference"], kind, m, atts), m["provider_id"]))
    if not wanted:
        return {}
    return {mid: (revision, found) for (mid, revision), found in zip(wanted, responses_all(app.calendar, specs))}


def _follow_up(app: "App", mid: int, now: datetime, polled: dict[int, Any] | None = None) -> dict[str, int]:
    out = {"responses": 0, "declines": 0, "proposals": 0, "reminders": 0}
    with app.db.unit_of_work() as uow:
        revision = uow.meetings.get(mid)["revision"]
    if polled is not None and mid not in polled:
        r, d = 0, 0  # put in the calendar in this run: nobody has answered yet
    elif polled is not None and polled[mid][0] == revision:
        r, d = poll_responses(app, mid, now, found=polled[mid][1])
    else:  # changed since the responses were read (or they were not read together): read them now
        r, d = poll_responses(app, mid, now)
    out["responses"], out["declines"] = r, d
    out["proposals"] = int(watch_quorum(app, mid, now))
    out["reminders"] = remind(app, mid, now)
    return out


def _mark_held(app: "App", m: dict[str, Any], now: datetime) -> None:
    with app.db.unit_of_work() as uow:
        uow.meetings.update(m["id"], now, state="held")
        uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, ACTOR, "meeting time passed",
                                                                    {"kind": m["kind"], "key": m["key"]})])
        uow.commit()
