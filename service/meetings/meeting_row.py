"""A meeting row as every part of the meetings sees it: its key, its claim, what it reads as, and the
report about it to the Business Manager.

A meeting is claimed (a conditional UPDATE with a lease, :class:`claimed`) before any calendar
work, so two service processes never work on one meeting at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from service.domain.model import Case
from service.letters.queueing import base_context, queue

from .invite import meeting_context, when_text
from .invitees import Invitee
from .kinds import MeetingKind, kind_for

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork


LEASE = timedelta(minutes=5)
ACTOR = "meetings"


class MeetingError(Exception):
    """A meeting command that cannot be done. ``str()`` is one line for a person."""


def kind_of(uow: "UnitOfWork", app: "App", m: dict[str, Any]) -> MeetingKind:
    """The kind of meeting ``m`` as its case's procedure declares it, with the settings' overrides."""
    return kind_for(m["kind"], uow.cases.get_by_id(m["case_id"]).procedure, app.settings.meetings)


def meeting_key(reference: str, kind: str, number: int) -> str:
    """Stable for the meeting's life: the iCalendar UID and the Graph transactionId."""
    return f"{reference}/meeting/{kind}/{number}"


class Busy(MeetingError):
    pass


class claimed:
    """``with claimed(app, mid) as meeting_row:`` holds the meeting's lease for calendar work."""

    def __init__(self, app: "App", mid: int):
        self.app, self.mid = app, mid

    def __enter__(self) -> dict[str, Any]:
        now = self.app.clock.now()
        with self.app.db.unit_of_work() as uow:
            won = uow.meetings.claim(self.mid, now, self.app.worker, LEASE)
            m = uow.meetings.get(self.mid)
            uow.commit()
        if not won:
            raise Busy(f"the {m['kind']} meeting of {m['reference']} is being worked on by the service; "
                        f"try again in a few minutes")
        return m

    def __exit__(self, *exc: Any) -> None:
        with self.app.db.unit_of_work() as uow:
            uow.meetings.release(self.mid, self.app.worker)
            uow.commit()


class claimed_all:
    """``with claimed_all(app, ids) as rows:`` claims each meeting as :class:`claimed` does (the same
    condition, each row on its own: taken only when its lease is free), in one statement; ``rows``: the rows of those won, by id
    (a meeting another process holds is left out). Releases them all, together, on the way out. Keep
    the work under one such claim well inside the lease."""

    def __init__(self, app: "App", ids: list[int]):
        self.app, self.ids, self.won = app, ids, []

    def __enter__(self) -> dict[int, dict[str, Any]]:
        now = self.app.clock.now()
        with self.app.db.unit_of_work() as uow:
            won = set(uow.meetings.claim_all(self.ids, now, self.app.worker, LEASE))
            self.won = [mid for mid in self.ids if mid in won]
            rows = uow.meetings.rows(self.won) if self.won else {}
            uow.commit()
        return {mid: rows[mid] for mid in self.won if mid in rows}

    def __exit__(self, *exc: Any) -> None:
        if not self.won:
            return
        with self.app.db.unit_of_work() as uow:
            uow.meetings.release_all(self.won, self.app.worker)
            uow.commit()


def report_meeting(uow: "UnitOfWork", app: "App", case: Case, m: dict[str, Any], kind: MeetingKind, what: str,
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


def person_row(p: Invitee) -> dict[str, Any]:
    return {"email": p.email, "name": p.name, "roles": list(p.roles), "agency": p.agency, "required": p.required}


def invitees_of(rows: list[dict[str, Any]]) -> dict[str, Invitee]:
    return {a["email"]: Invitee(a["email"], a["name"], tuple(a["roles"]), a["agency"], False, bool(a["required"]))
            for a in rows}


def is_pending(m: dict[str, Any], now: datetime) -> bool:
    return m["state"] == "to_schedule" or (m["state"] == "scheduled" and (m["end"] is None or m["end"] > now))


def is_upcoming(app: "App", mid: int, now: datetime) -> bool:
    with app.db.unit_of_work() as uow:
        m = uow.meetings.get(mid)
    return m["state"] == "scheduled" and m["start"] is not None and m["start"] > now


def state_text(app: "App", m: dict[str, Any]) -> str:
    if m["state"] == "scheduled" and m["start"]:
        return f"scheduled for {when_text(m['start'], m['end'], app.settings.tz)}"
    return m["state"].replace("_", " ")


def current_id(app: "App", reference: str, kind: MeetingKind) -> int:
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        m = uow.meetings.current(uow.cases.id_of(case.reference), kind.name)
    if m is None:
        raise MeetingError(f"{case.reference} has no {kind.name} meeting; use `meeting schedule`")
    return m["id"]
