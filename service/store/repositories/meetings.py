"""Panel meetings and their attendees' replies.

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update


from .. import tables as t

from .common import NotFound, columns, utc


class MeetingRepository:
    """Panel meetings and their attendees (rows as dicts; times aware UTC)."""

    _TIMES = ("start", "end", "invited_at", "proposed_start", "proposed_end", "claimed_until", "created_at",
              "updated_at")

    def __init__(self, conn: Connection):
        self.conn = conn

    def _row(self, r) -> dict[str, Any]:
        row = dict(r)
        for c in self._TIMES:
            if c in row:
                row[c] = utc(row[c])
        return row

    def next_number(self, case_id: int, kind: str) -> int:
        top = self.conn.execute(_HIGHEST_NUMBER, {"_case": case_id, "_kind": kind}).scalar()
        return (top or 0) + 1

    def add(self, *, case_id: int, kind: str, number: int, key: str, now: datetime,
            within_days: int | None = None) -> int:
        return self.conn.execute(_INSERT, dict(
            case_id=case_id, kind=kind, number=number, key=key, state="to_schedule", within_days=within_days,
            sequence=0, revision=0, missing=[], notes=[], created_at=now, updated_at=now)).inserted_primary_key[0]

    def get(self, meeting_id: int) -> dict[str, Any]:
        row = self.conn.execute(_GET, {"_mid": meeting_id}).mappings().first()
        if row is None:
            raise NotFound(f"no meeting with id {meeting_id}")
        return self._row(row)

    def rows(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """:meth:`get` for each of ``ids`` (those that exist), in one query."""
        q = (select(t.meetings, t.cases.c.reference).join(t.cases, t.cases.c.id == t.meetings.c.case_id)
             .where(t.meetings.c.id.in_(list(ids))))
        return {r["id"]: self._row(r) for r in self.conn.execute(q).mappings()}

    def attendees_of(self, ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """:meth:`attendees` for each of ``ids`` (an empty list for a meeting with none), in one query."""
        wanted = list(ids)
        out: dict[int, list[dict[str, Any]]] = {mid: [] for mid in wanted}
        a = t.meeting_attendees.c
        for r in self.conn.execute(select(t.meeting_attendees).where(a.meeting_id.in_(wanted))
                                   .order_by(a.id)).mappings():
            out[r["meeting_id"]].append({**r, "responded_at": utc(r["responded_at"])})
        return out

    def by_key(self, key: str) -> dict[str, Any] | None:
        mid = self.conn.execute(select(t.meetings.c.id).where(t.meetings.c.key == key)).scalar()
        return self.get(mid) if mid is not None else None

    def current(self, case_id: int, kind: str) -> dict[str, Any] | None:
        """The latest meeting of this kind for the case that is not cancelled."""
        mid = self.conn.execute(_CURRENT, {"_case": case_id, "_kind": kind}).scalar()
        return self.get(mid) if mid is not None else None

    def listing(self, case_id: int | None = None) -> list[dict[str, Any]]:
        q = (select(t.meetings, t.cases.c.reference).join(t.cases, t.cases.c.id == t.meetings.c.case_id)
             .order_by(t.meetings.c.start.is_(None), t.meetings.c.start, t.meetings.c.id))
        if case_id is not None:
            q = q.where(t.meetings.c.case_id == case_id)
        return [self._row(r) for r in self.conn.execute(q).mappings()]

    @staticmethod
    def _open():
        """Meetings the job may have work on: to schedule, scheduled, or cancelled but not yet told."""
        m = t.meetings.c
        return or_(m.state.in_(["to_schedule", "scheduled"]),
                   and_(m.state == "cancelled", or_(m.synced_revision.is_(None), m.synced_revision != m.revision)))

    def open_ids(self) -> list[int]:
        """Meetings the job may have work on: to schedule, scheduled, or cancelled but not yet told."""
        m = t.meetings.c
        return list(self.conn.execute(select(m.id).where(self._open()).order_by(m.id)).scalars())

    def open_meetings(self) -> list[dict[str, Any]]:
        """The rows of :meth:`open_ids` (as :meth:`get` gives them, with the case's procedure), in one query."""
        c = t.cases.c
        q = (select(t.meetings, c.reference, c.procedure_id.label("case_procedure_id"),
                    c.procedure_version.label("case_procedure_version"))
             .join(t.cases, c.id == t.meetings.c.case_id).where(self._open()).order_by(t.meetings.c.id))
        return [self._row(r) for r in self.conn.execute(q).mappings()]

    def open_attendees(self) -> dict[int, list[dict[str, Any]]]:
        """The attendees of every open meeting (as :meth:`attendees` gives them), by meeting id, in one query."""
        a = t.meeting_attendees.c
        q = (select(t.meeting_attendees).join(t.meetings, t.meetings.c.id == a.meeting_id).where(self._open())
             .order_by(a.id))
        out: dict[int, list[dict[str, Any]]] = {}
        for r in self.conn.execute(q).mappings():
            out.setdefault(r["meeting_id"], []).append({**r, "responded_at": utc(r["responded_at"])})
        return out

    def open_case_agencies(self) -> dict[int, list[str]]:
        """The agencies involved in the case of each open meeting (in the case's order), by case id."""
        ca = t.case_agencies.c
        cases = select(t.meetings.c.case_id).where(self._open()).scalar_subquery()
        q = select(ca.case_id, ca.agency).where(ca.case_id.in_(cases)).order_by(ca.case_id, ca.position)
        out: dict[int, list[str]] = {}
        for case_id, agency in self.conn.execute(q):
            out.setdefault(case_id, []).append(agency)
        return out

    def bookings(self, since: datetime, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """Who each meeting not cancelled holds, and when: one row per attendee (``email`` None for a meeting
        with none yet), for the meetings whose time or proposed time ends after ``since`` (or those of ``ids``)."""
        m, a = t.meetings.c, t.meeting_attendees.c
        q = (select(m.id, m.revision, m.start, m.end, m.proposed_start, m.proposed_end, a.email)
             .outerjoin(t.meeting_attendees, a.meeting_id == m.id).where(m.state != "cancelled"))
        if ids is not None:
            q = q.where(m.id.in_(list(ids)))
        else:
            q = q.where(or_(m.end > since, m.proposed_end > since))
        return [self._row(r) for r in self.conn.execute(q).mappings()]

    def booking_marks(self, start: datetime, end: datetime) -> dict[int, tuple[int, bool]]:
        """For each meeting not cancelled with a time or a proposed time between ``start`` and ``end``: its
        revision and whether it has a proposed time. Every change to who a meeting holds when bumps the
        revision, except a time proposed or withdrawn (at most once each per revision), so these two say
        whether the times :meth:`bookings` gave are still the database's."""
        m = t.meetings.c
        q = (select(m.id, m.revision, m.proposed_start.is_not(None))
             .where(m.state != "cancelled", or_(and_(m.start < end, m.end > start),
                                                and_(m.proposed_start < end, m.proposed_end > start))))
        return {mid: (revision, bool(proposed)) for mid, revision, proposed in self.conn.execute(q)}

    def booked_times(self, emails: Iterable[str], start: datetime, end: datetime,
                     exclude: int | None = None) -> dict[str, list[tuple[datetime, datetime]]]:
        """Each address's times in this service's own meetings between ``start`` and ``end``.

        Every meeting not cancelled counts with its time and with a new time proposed for it, whether
        or not the calendar has it yet (free/busy lags behind the service's own writes). ``exclude``:
        a meeting's own id, when a time is sought for it.
        """
        m, a = t.meetings.c, t.meeting_attendees.c
        wanted = sorted({e.lower() for e in emails})
        out: dict[str, list[tuple[datetime, datetime]]] = {e: [] for e in wanted}
        if not wanted:
            return out
        q = (select(a.email, m.start, m.end, m.proposed_start, m.proposed_end)
             .join(t.meetings, m.id == a.meeting_id)
             .where(m.state != "cancelled", a.email.in_(wanted),
                    or_(and_(m.start < end, m.end > start),
                        and_(m.proposed_start < end, m.proposed_end > start))))
        if exclude is not None:
            q = q.where(m.id != exclude)
        for r in self.conn.execute(q).mappings():
            for s, e in ((r["start"], r["end"]), (r["proposed_start"], r["proposed_end"])):
                if s is not None and e is not None and utc(s) < end and utc(e) > start:
                    out[r["email"]].append((utc(s), utc(e)))
        return out

    def claim(self, meeting_id: int, now: datetime, worker: str, lease: timedelta) -> bool:
        """Take the meeting for calendar work; only one process wins (row count 1)."""
        m = t.meetings.c
        res = self.conn.execute(update(t.meetings)
                                .where(m.id == meeting_id, or_(m.claimed_until.is_(None), m.claimed_until < now))
                                .values(claimed_until=now + lease, claimed_by=worker))
        return res.rowcount == 1

    def claim_all(self, meeting_ids: Iterable[int], now: datetime, worker: str, lease: timedelta) -> list[int]:
        """:meth:`claim` for each of ``meeting_ids``, in one statement: the ids won (each row is taken only
        when free, as by :meth:`claim`)."""
        m = t.meetings.c
        wanted = list(meeting_ids)
        if not wanted:
            return []
        res = self.conn.execute(update(t.meetings)
                                .where(m.id.in_(wanted), or_(m.claimed_until.is_(None), m.claimed_until < now))
                                .values(claimed_until=now + lease, claimed_by=worker).returning(m.id))
        return sorted(res.scalars())

    def release(self, meeting_id: int, worker: str) -> None:
        """Give up ``worker``'s claim. Only its own: had it stalled past its lease, the meeting may be
        another process's now."""
        m = t.meetings.c
        self.conn.execute(update(t.meetings).where(m.id == meeting_id, m.claimed_by == worker)
                          .values(claimed_until=None, claimed_by=None))

    def release_all(self, meeting_ids: Iterable[int], worker: str) -> None:
        """:meth:`release` for each of ``meeting_ids``, in one statement."""
        m = t.meetings.c
        self.conn.execute(update(t.meetings).where(m.id.in_(list(meeting_ids)), m.claimed_by == worker)
                          .values(claimed_until=None, claimed_by=None))

    def update(self, meeting_id: int, now: datetime, **values: Any) -> None:
        self.conn.execute(_UPDATE, {"_mid": meeting_id, "updated_at": now, **columns(t.meetings, values)})

    def change(self, meeting_id: int, now: datetime, *, new_sequence: bool, **values: Any) -> None:
        """A change the calendar must see: revision + 1 (and SEQUENCE + 1 for a new time or a cancellation)."""
        self.conn.execute(_NEW_SEQUENCE if new_sequence else _NEW_REVISION,
                          {"_mid": meeting_id, "updated_at": now, **columns(t.meetings, values)})

    def synced(self, meeting_id: int, revision: int, now: datetime, **values: Any) -> None:
        self.update(meeting_id, now, synced_revision=revision, last_error=None, **values)

    # Attendees ------------------------------------------------------------------
    def attendees(self, meeting_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(_ATTENDEES, {"_mid": meeting_id}).mappings()
        return [{**r, "responded_at": utc(r["responded_at"])} for r in rows]

    def set_attendees(self, meeting_id: int, people: Iterable[dict[str, Any]]) -> list[str]:
        """Make the invitation list ``people`` (email, name, roles, agency, required); returns added emails.

        Responses of people already invited are kept; people no longer invited are removed.
        """
        a = t.meeting_attendees.c
        existing = {r["email"]: r for r in self.attendees(meeting_id)}
        wanted = {p["email"].lower(): p for p in people}
        added, new = [], []
        for email, p in wanted.items():
            values = {"name": p["name"], "roles": list(p["roles"]), "agency": p.get("agency"),
                      "required": bool(p["required"])}
            if email in existing:
                self.conn.execute(_UPDATE_ATTENDEE, {"_aid": existing[email]["id"], **values})
            else:
                new.append({"meeting_id": meeting_id, "email": email, "response": "none", "reminded": False, **values})
                added.append(email)
        if new:
            self.conn.execute(_INSERT_ATTENDEES, new)
        gone = [r["id"] for e, r in existing.items() if e not in wanted]
        if gone:
            self.conn.execute(delete(t.meeting_attendees).where(a.id.in_(gone)))
        return added

    def set_response(self, attendee_id: int, response: str, at: datetime) -> None:
        self.conn.execute(update(t.meeting_attendees).where(t.meeting_attendees.c.id == attendee_id)
                          .values(response=response, responded_at=at))

    def reset_responses(self, meeting_id: int) -> None:
        """A new time: everybody is asked again."""
        self.conn.execute(update(t.meeting_attendees).where(t.meeting_attendees.c.meeting_id == meeting_id)
                          .values(response="none", responded_at=None, reminded=False))

    def mark_reminded(self, attendee_id: int) -> bool:
        res = self.conn.execute(update(t.meeting_attendees)
                                .where(t.meeting_attendees.c.id == attendee_id,
                                       t.meeting_attendees.c.reminded.is_(False))
                                .values(reminded=True))
        return res.rowcount == 1


# Statements run for every case opened and every meeting arranged, built once (building one is most of what
# running it costs).
_m = t.meetings.c
_HIGHEST_NUMBER = select(func.max(_m.number)).where(_m.case_id == bindparam("_case"), _m.kind == bindparam("_kind"))
_INSERT = insert(t.meetings)
_UPDATE = update(t.meetings).where(_m.id == bindparam("_mid"))
_NEW_REVISION = _UPDATE.values(revision=_m.revision + 1)
_NEW_SEQUENCE = _UPDATE.values(revision=_m.revision + 1, sequence=_m.sequence + 1)
_ATTENDEES = (select(t.meeting_attendees).where(t.meeting_attendees.c.meeting_id == bindparam("_mid"))
              .order_by(t.meeting_attendees.c.id))
_UPDATE_ATTENDEE = update(t.meeting_attendees).where(t.meeting_attendees.c.id == bindparam("_aid"))
_INSERT_ATTENDEES = insert(t.meeting_attendees)
_GET = (select(t.meetings, t.cases.c.reference).join(t.cases, t.cases.c.id == _m.case_id)
        .where(_m.id == bindparam("_mid")))
_CURRENT = (select(_m.id)
            .where(_m.case_id == bindparam("_case"), _m.kind == bindparam("_kind"), _m.state != "cancelled")
            .order_by(_m.number.desc()).limit(1))
