"""Keeping the calendar in step with the meeting rows.

Every change is saved *before* the calendar is touched: ``revision`` counts changes the calendar
must see, ``synced_revision`` the last one it saw. A crash between the two is repaired by pushing
again, and the calendar port is idempotent on the meeting's ``key`` (iCalendar UID, Graph
transactionId), so a retry never makes a second event. Once the calendar has the invitation, the
agencies are asked for their reports.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from service.domain import calendar as wd
from service.letters.queueing import base_context, queue
from service.mailbox.ports import TransportError

from .invite import REPORT_DAYS_BEFORE, event_spec, meeting_context
from .kinds import MeetingKind, kind_for
from .meeting_row import kind_of, report_meeting

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.domain.model import Case
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.meetings")


def needs_push(app: "App", mid: int) -> bool:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
    return m["state"] in ("scheduled", "cancelled") and m["start"] is not None \
        and m["synced_revision"] != m["revision"]


def push(app: "App", mid: int, now: datetime, *, kind: MeetingKind | None = None,
         case: "Case | None" = None) -> bool:
    """Bring the calendar in step with the row. True when it is (or already was).
    ``kind``, ``case``: the meeting's, when the caller has them (not read again)."""
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        if m["synced_revision"] == m["revision"] or m["state"] not in ("scheduled", "cancelled"):
            return True
        atts = uow.meetings.attendees(mid)
        kind = kind if kind is not None else kind_of(uow, app, m)
    if m["start"] is None:  # cancelled before it had a time: nothing was ever sent
        with app.db.unit_of_work() as uow:
            uow.meetings.synced(mid, m["revision"], now)
            uow.commit()
        return True
    sent, ref = to_calendar(app, m, atts, kind)
    if not sent:
        return False
    record_pushed(app, mid, m["revision"], ref, now, kind=kind, case=case)
    return True


def to_calendar(app: "App", m: dict[str, Any], atts: list[dict[str, Any]], kind: MeetingKind) -> tuple[bool, Any]:
    """Send meeting ``m`` (with a time) as it stands to the calendar: (True, the event's reference, None for
    a cancellation), or (False, None) when the calendar refused it (recorded on the row). The row is
    not marked in step: :func:`record_pushed` does that."""
    spec = event_spec(app.settings, m["reference"], kind, m, atts)
    try:
        if m["state"] == "cancelled":
            app.calendar.cancel_event(spec, m["provider_id"], m["cancel_reason"] or "cancelled")
            return True, None
        return True, app.calendar.upsert_event(spec, m["provider_id"])
    except TransportError as exc:
        calendar_failed(app, m["id"], exc)
        return False, None


def record_pushed(app: "App", mid: int, revision: int, ref, now: datetime, *, kind: MeetingKind | None = None,
                  case: "Case | None" = None, uow: "UnitOfWork | None" = None,
                  sent: dict[str, Any] | None = None) -> None:
    """After the calendar has the event: store its provider id, then send what goes with the invitation.
    In ``uow`` when given (the caller commits it), else in a unit of work of its own. ``sent``: the row
    as it was sent, when the caller holds the meeting's claim (so the row is not read back)."""
    if uow is None:
        with app.db.unit_of_work() as own:
            record_pushed(app, mid, revision, ref, now, kind=kind, case=case, uow=own, sent=sent)
            own.commit()
        return
    values: dict[str, Any] = {}
    if ref is not None:
        values = {"provider_id": ref.provider_id, "online_url": ref.online_meeting_url}
    uow.meetings.synced(mid, revision, now, **values)
    if sent is not None and sent["revision"] == revision:
        m = {**sent, **values, "synced_revision": revision, "last_error": None, "updated_at": now}
    else:
        m = uow.meetings.get(mid)
    if case is None:
        case = uow.cases.get_by_id(m["case_id"])
    kind = kind if kind is not None else kind_for(m["kind"], case.procedure, app.settings.meetings)
    if m["state"] == "scheduled" and kind.asks_for_agency_reports:
        _request_agency_reports(uow, app, m, kind, case)
    uow.on_commit(log.info, "meeting in the calendar", extra={"case": m["reference"], "kind": m["kind"],
                                                              "state": m["state"], "sequence": m["sequence"]})


def calendar_failed(app: "App", mid: int, exc: TransportError) -> None:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
        uow.meetings.update(mid, app.clock.now(), last_error=str(exc)[:500])
        if exc.permanent:
            case = uow.cases.get_by_id(m["case_id"])
            kind = kind_for(m["kind"], case.procedure, app.settings.meetings)
            report_meeting(uow, app, case, m, kind, "failed", f"failed/{m['revision']}", error=str(exc)[:300],
                    command=f"review-clerk meeting reschedule {case.reference} {kind.name}")
        uow.commit()
    log.warning("calendar refused a meeting change", extra={"meeting_id": mid, "permanent": exc.permanent,
                                                            "error": str(exc)[:200]})


def _request_agency_reports(uow: "UnitOfWork", app: "App", m: dict[str, Any], kind: MeetingKind,
                            case: "Case") -> int:
    """Local process 2: each agency involved sends a short report or chronology before the meeting."""
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
