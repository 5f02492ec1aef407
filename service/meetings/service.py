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
* :func:`meetings_job` reads every open meeting once and leaves alone those
  with nothing due; it arranges waiting meetings in batches (one claim
  statement, one transaction for their times, one for what follows the
  calendar), and the board's times are read once a run
  (:mod:`.board_times`). Issue 18: ``bench/meetings_job.py``.
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
from service.store.db import Lock

from . import calendar_sync
from .arranging import arrange, arrange_in, invitations_changed, move, refresh_invitations
from .board_times import BoardTimes
from .calendar_sync import needs_push, push, to_calendar
from .invite import event_spec, when_text, where_text
from .invitees import names_of, quorum
from .kinds import MeetingKind, kind_for
from .meeting_row import (
    ACTOR,
    Busy,
    MeetingError,
    claimed,
    claimed_all,
    current_id,
    invitees_of,
    is_pending,
    kind_of,
    meeting_key,
    state_text,
)
from .responses import news_in, poll_responses, reminder_due, remind, watch_quorum

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
    """Arrange meetings waiting for a time, keep calendars in step, read replies, remind, watch quorum.

    The open meetings, their attendees and their cases' agencies are read together (three queries), and a
    meeting with nothing due (:func:`_due`: in the calendar as it stands, invitations as they should be,
    no new reply, no reminder or quorum work) is left at that. The others are each worked on under their
    claim (:func:`_tend`), with the run's :class:`~.board_times.BoardTimes` for finding times.
    """
    counts = {k: 0 for k in ("scheduled", "updated", "responses", "declines", "proposals", "reminders", "held",
                             "errors", "skipped")}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        rows = uow.meetings.open_meetings()
        attendees = uow.meetings.open_attendees()
        agencies = uow.meetings.open_case_agencies()
        kinds: dict[int, MeetingKind | Exception] = {}
        for m in rows:
            try:
                procedure = uow.cases.procedure(m["case_procedure_id"], m["case_procedure_version"])
                kinds[m["id"]] = kind_for(m["kind"], procedure, app.settings.meetings)
            except Exception as exc:  # noqa: BLE001 - that meeting fails below, on its own
                kinds[m["id"]] = exc
    polled = read_responses(app, [m["id"] for m in rows], now, known=(rows, attendees, kinds))
    times = BoardTimes(app, now)
    waiting: list[int] = []  # meetings to arrange, taken together (in the order of the others)

    def arrange_waiting() -> None:
        if waiting:
            _count(counts, _arrange_together(app, list(waiting), now, polled, times))
            waiting.clear()

    for m in rows:
        mid = m["id"]
        kind = kinds[mid]
        if m["state"] == "to_schedule" and isinstance(kind, MeetingKind):
            waiting.append(mid)
            if len(waiting) >= TOGETHER:
                arrange_waiting()
            continue
        arrange_waiting()
        try:
            if isinstance(kind, MeetingKind) and not _due(app, m, attendees.get(mid, []), kind,
                                                          agencies.get(m["case_id"], []), now, polled):
                # Nothing to do, so no claim to take; one another process holds is counted as left alone.
                done = {"skipped": 1} if m["claimed_until"] is not None and m["claimed_until"] >= now else {}
            else:
                done = _tend(app, mid, now, polled=polled, times=times)
        except Exception as exc:  # noqa: BLE001 - one meeting's failure must not stop the others
            done = _failed(mid, exc)
        _count(counts, done)
    arrange_waiting()
    return counts


TOGETHER = 20  # meetings arranged under one claim (well inside its lease) and one transaction


def _count(counts: dict[str, int], done: dict[str, int]) -> None:
    for k, v in done.items():
        counts[k] = counts.get(k, 0) + v


def _failed(mid: int, exc: Exception) -> dict[str, int]:
    """One meeting's work failed: logged (no names: the meeting's id and the error), counted, and the job goes on."""
    if isinstance(exc, TransportError):
        log.warning("calendar unavailable for a meeting", extra={"meeting_id": mid, "error": str(exc)[:200]})
    elif isinstance(exc, MeetingError):
        log.warning("meeting needs a person", extra={"meeting_id": mid, "error": str(exc)[:200]})
    else:
        log.error("meeting work failed", extra={"meeting_id": mid, "error": exc.__class__.__name__})
    return {"errors": 1}


class _OneFailed(Exception):
    """A meeting failed inside a transaction taken for several: that transaction is rolled back."""


def _arrange_together(app: "App", ids: list[int], now: datetime, polled: dict[int, Any] | None,
                      times: BoardTimes) -> dict[str, int]:
    """Arrange the meetings ``ids`` waiting for a time as :func:`_tend` does one by one, with fewer commits.

    The meetings are claimed together (each on its own condition), and arranged in one transaction holding
    ``Lock.MEETING_TIMES``, committed before the calendar is touched. Then each invitation goes to the
    calendar, and what follows it (the row in step with the calendar, the agencies asked for their
    reports) is saved for all in one more transaction: a crash before it commits is repaired by pushing
    again (the calendar is idempotent on the meeting's key). Should any meeting fail inside one of the two
    transactions, it is rolled back and its work done again one meeting at a time (:func:`_work`), so
    one meeting's failure is counted and logged and the others go on, as in :func:`_tend`.
    """
    out: dict[str, int] = {}
    try:
        with claimed_all(app, ids) as rows:
            out["skipped"] = len(ids) - len(rows)
            mine = [mid for mid in ids if mid in rows]
            cases: dict[int, Case] = {}
            kinds: dict[int, MeetingKind] = {}
            with app.db.unit_of_work() as uow:
                for mid in mine:
                    try:
                        cases[mid] = uow.cases.get_by_id(rows[mid]["case_id"])
                        kinds[mid] = kind_for(rows[mid]["kind"], cases[mid].procedure, app.settings.meetings)
                    except Exception:  # noqa: BLE001 - fails again, on its own, below
                        pass
            waiting = [mid for mid in mine if mid in kinds and rows[mid]["state"] == "to_schedule"]
            alone = [mid for mid in mine if mid not in waiting]  # changed since the run began, or failing
            try:
                done = _arrange_all(app, waiting, rows, cases, now, times)
            except _OneFailed:
                done, alone = {}, mine
            for mid in alone:
                try:
                    _count(out, _work(app, rows[mid], now, True, polled, times))
                except Exception as exc:  # noqa: BLE001 - one meeting's failure must not stop the others
                    _count(out, _failed(mid, exc))
            if done:
                out["scheduled"] = out.get("scheduled", 0) + sum(done.values())
                _count(out, _send_all(app, list(done), kinds, cases, now, polled, times))
    except Exception as exc:  # noqa: BLE001 - the claims themselves failed
        log.error("meetings not arranged together", extra={"error": exc.__class__.__name__})
        return {"errors": len(ids)}
    return {k: v for k, v in out.items() if v}


def _arrange_all(app: "App", ids: list[int], rows: dict[int, dict[str, Any]], cases: dict[int, Case],
                 now: datetime, times: BoardTimes) -> dict[int, bool]:
    """Arrange each of ``ids`` (claimed, waiting for a time) in one transaction. Returns, for each, whether it
    was given a time (False: withdrawn, its row put in step by :func:`_send_all`). Raises _OneFailed, having
    rolled everything back, when any of them fails."""
    if not ids:
        return {}
    done: dict[int, bool] = {}
    try:
        with app.db.unit_of_work() as uow:
            uow.serialise(Lock.MEETING_TIMES)  # until the times are saved: see arranging.choose
            for mid in ids:
                try:
                    done[mid] = arrange_in(uow, app, rows[mid], cases[mid], now, times)
                except Exception as exc:  # noqa: BLE001 - all is rolled back and done one by one
                    raise _OneFailed() from exc
            uow.commit()
    except BaseException:
        times.forget()  # what was noted was not saved
        raise
    return done


def _send_all(app: "App", ids: list[int], kinds: dict[int, MeetingKind], cases: dict[int, Case], now: datetime,
              polled: dict[int, Any] | None, times: BoardTimes) -> dict[str, int]:
    """What follows arranging the meetings ``ids`` (saved, claimed), as :func:`_work` does it: each to the
    calendar, then all recorded in one transaction (one by one should any fail), then their follow-up."""
    out: dict[str, int] = {}
    with app.db.unit_of_work() as uow:
        rows = uow.meetings.rows(ids)
        atts = uow.meetings.attendees_of(ids)
    sent: list[tuple[int, int, Any]] = []  # (meeting, revision sent, the calendar's reference)
    for mid in ids:
        m = rows[mid]
        try:
            if m["synced_revision"] == m["revision"] or m["state"] not in ("scheduled", "cancelled"):
                continue
            if m["start"] is None:  # withdrawn before it had a time: nothing to send, the row is put in step
                if not push(app, mid, now, kind=kinds[mid], case=cases[mid]) and needs_push(app, mid):
                    _count(out, {"errors": 1})
                continue
            ok, ref = to_calendar(app, m, atts[mid], kinds[mid])
            if ok:
                sent.append((mid, m["revision"], ref))
            elif needs_push(app, mid):
                _count(out, {"errors": 1})
        except Exception as exc:  # noqa: BLE001 - that meeting only
            _count(out, _failed(mid, exc))
    recorded = [mid for mid, _, _ in sent]
    try:
        with app.db.unit_of_work() as uow:
            for mid, revision, ref in sent:
                try:
                    calendar_sync.record_pushed(app, mid, revision, ref, now, kind=kinds[mid], case=cases[mid],
                                                uow=uow, sent=rows[mid])
                except Exception as exc:  # noqa: BLE001 - all is rolled back and recorded one by one
                    raise _OneFailed() from exc
            uow.commit()
    except _OneFailed:
        recorded = []
        for mid, revision, ref in sent:
            try:
                calendar_sync.record_pushed(app, mid, revision, ref, now, kind=kinds[mid], case=cases[mid])
                recorded.append(mid)
            except Exception as exc:  # noqa: BLE001 - that meeting only: pushed again next time
                _count(out, _failed(mid, exc))
    if recorded:
        with app.db.unit_of_work() as uow:
            fresh = uow.meetings.rows(recorded)
            atts = uow.meetings.attendees_of(recorded)
        for mid in recorded:
            m = fresh[mid]
            if m["state"] == "scheduled" and m["start"] is not None and m["start"] > now:
                try:
                    _count(out, {k: v for k, v in _follow_up(app, mid, now, polled, m=m, atts=atts[mid],
                                                             case=cases[mid], kind=kinds[mid],
                                                             times=times).items() if v})
                except Exception as exc:  # noqa: BLE001 - that meeting only
                    _count(out, _failed(mid, exc))
    return out


def _due(app: "App", m: dict[str, Any], atts: list[dict[str, Any]], kind: MeetingKind, agencies: list[str],
         now: datetime, polled: dict[int, Any] | None) -> bool:
    """Whether :func:`_tend` may have anything to do for meeting ``m`` (as read at the start of the run,
    with its attendees ``atts`` and its case's ``agencies``). False only when it would do nothing: a
    scheduled meeting in step with the calendar, inviting whom it should, with no reply to record, its
    quorum and proposal as they should be and nobody to remind."""
    if m["state"] != "scheduled" or m["start"] is None or m["end"] is None:
        return True  # to arrange, or a cancellation to send
    if m["end"] <= now or m["synced_revision"] != m["revision"]:
        return True  # held, or the calendar must be told
    if m["start"] <= now:
        return False  # under way: nothing to invite, read or remind
    if invitations_changed(app, agencies, kind, atts):
        return True
    if polled is None:
        return True  # the replies could not be read together: read this meeting's now
    if m["id"] in polled:
        revision, found = polled[m["id"]]
        if revision != m["revision"] or isinstance(found, TransportError) or news_in(found, atts):
            return True
    q = quorum(app.settings.meetings.quorum_roles, [(a["roles"], ResponseStatus(a["response"])) for a in atts])
    if q.lost or m["proposed_start"] is not None:
        return True
    return reminder_due(app, m, atts, now)


def _tend(app: "App", mid: int, now: datetime, polling: bool = True,
          polled: dict[int, Any] | None = None, times: BoardTimes | None = None) -> dict[str, int]:
    """Everything due for one meeting, under its claim. ``polled``: the responses read for every
    meeting at the start of the run (a meeting missing from it had none to read yet); ``times``: the
    run's times (:class:`~.board_times.BoardTimes`). The meeting's row, attendees and case are read once,
    under the claim, and passed on; read again only after they were changed."""
    try:
        with claimed(app, mid) as m:
            return _work(app, m, now, polling, polled, times)
    except Busy:
        return {"skipped": 1}


def _work(app: "App", m: dict[str, Any], now: datetime, polling: bool = True,
          polled: dict[int, Any] | None = None, times: BoardTimes | None = None) -> dict[str, int]:
    """:func:`_tend` for meeting ``m``, whose claim the caller holds (``m``: its row as claimed)."""
    mid = m["id"]
    with app.db.unit_of_work() as uow:
        case = uow.cases.get_by_id(m["case_id"])
        atts = uow.meetings.attendees(mid)
    kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
    out: dict[str, int] = {}
    changed = False
    if m["state"] == "to_schedule":
        changed = arrange(app, mid, now, m=m, case=case, times=times)
        out["scheduled"] = int(changed)
    elif m["state"] == "scheduled" and m["end"] is not None and m["end"] <= now:
        _mark_held(app, m, now)
        return {"held": 1}
    elif m["state"] == "scheduled":
        changed = refresh_invitations(app, mid, now, m=m, case=case, atts=atts, times=times)
        out["updated"] = int(changed)
    if changed or m["synced_revision"] != m["revision"]:
        if not push(app, mid, now, kind=kind, case=case) and needs_push(app, mid):
            out["errors"] = 1
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
            atts = uow.meetings.attendees(mid)
    if polling and m["state"] == "scheduled" and m["start"] is not None and m["start"] > now:
        out.update(_follow_up(app, mid, now, polled, m=m, atts=atts, case=case, kind=kind, times=times))
    return {k: v for k, v in out.items() if v}


def read_responses(app: "App", ids: list[int], now: datetime,
                   known: tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]], dict[int, Any]] | None = None
                   ) -> dict[int, Any] | None:
    """The calendar's attendee responses for each upcoming meeting already in the calendar, read together
    (with Graph, 20 meetings to an HTTP round trip). A meeting put in the calendar later in this run is
    not read: nobody has answered an invitation sent a moment ago. Keyed by meeting id: (the revision
    read, the responses or the TransportError). None when they could not be read together: each
    meeting is then read on its own as before. ``known``: the meetings' rows, attendees and kinds (or the
    error finding the kind) when the caller has read them; else they are read here."""
    wanted: list[tuple[int, int]] = []
    specs = []
    try:
        return _read_responses(app, ids, now, wanted, specs, known)
    except Exception as exc:  # noqa: BLE001 - one bad meeting must not stop the others: read one by one
        log.warning("meeting responses not read together", extra={"error": exc.__class__.__name__})
        return None


def _read_responses(app: "App", ids: list[int], now: datetime, wanted: list[tuple[int, int]],
                    specs: list[Any], known=None) -> dict[int, Any]:
    def upcoming(m: dict[str, Any]) -> bool:
        return (m["state"] == "scheduled" and m["start"] is not None and m["start"] > now
                and bool(m["provider_id"]) and m["synced_revision"] == m["revision"])

    if known is not None:
        rows, attendees, kinds = known
        asked = set(ids)
        for m in (r for r in rows if r["id"] in asked and upcoming(r)):
            kind = kinds[m["id"]]
            if isinstance(kind, Exception):
                raise kind
            wanted.append((m["id"], m["revision"]))
            specs.append((event_spec(app.settings, m["reference"], kind, m, attendees.get(m["id"], [])),
                          m["provider_id"]))
    else:
        for mid in ids:
            with app.db.unit_of_work() as uow:
                m = uow.meetings.get(mid)
                if not upcoming(m):
                    continue
                atts = uow.meetings.attendees(mid)
                kind = kind_of(uow, app, m)
            wanted.append((mid, m["revision"]))
            specs.append((event_spec(app.settings, m["reference"], kind, m, atts), m["provider_id"]))
    if not wanted:
        return {}
    return {mid: (revision, found) for (mid, revision), found in zip(wanted, responses_all(app.calendar, specs))}


def _follow_up(app: "App", mid: int, now: datetime, polled: dict[int, Any] | None = None, *,
               m: dict[str, Any] | None = None, atts: list[dict[str, Any]] | None = None,
               case: Case | None = None, kind: MeetingKind | None = None,
               times: BoardTimes | None = None) -> dict[str, int]:
    out = {"responses": 0, "declines": 0, "proposals": 0, "reminders": 0}
    if m is None or atts is None or case is None or kind is None:
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
            atts = uow.meetings.attendees(mid)
            case = uow.cases.get_by_id(m["case_id"])
        kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
    revision = m["revision"]
    if polled is not None and mid not in polled:
        r, d = 0, 0  # put in the calendar in this run: nobody has answered yet
    elif polled is not None and polled[mid][0] == revision:
        r, d = poll_responses(app, mid, now, found=polled[mid][1], m=m, atts=atts, case=case, kind=kind)
    else:  # changed since the responses were read (or they were not read together): read them now
        r, d = poll_responses(app, mid, now, m=m, atts=atts, case=case, kind=kind)
    out["responses"], out["declines"] = r, d
    if r:  # replies recorded: the quorum is read from the rows as they are now
        with app.db.unit_of_work() as uow:
            atts = uow.meetings.attendees(mid)
    if watch_quorum(app, mid, now, m=m, atts=atts, case=case, times=times):
        out["proposals"] = 1
        with app.db.unit_of_work() as uow:
            m = uow.meetings.get(mid)
    out["reminders"] = remind(app, mid, now, m=m, case=case, kind=kind)
    return out


def _mark_held(app: "App", m: dict[str, Any], now: datetime) -> None:
    with app.db.unit_of_work() as uow:
        uow.meetings.update(m["id"], now, state="held")
        uow.audit.append(m["case_id"], m["reference"], [AuditEvent(now, ACTOR, "meeting time passed",
                                                                    {"kind": m["kind"], "key": m["key"]})])
        uow.commit()
