"""The times a run of the meetings job arranges meetings around, read once and kept up to date.

Finding a time for a meeting needs each invitee's free/busy from the calendar and their times in the
service's own meetings (:func:`service.meetings.arranging.choose`). Read afresh for every meeting, both
grow with the number of meetings, and a run arranging N meetings costs N x N. :class:`BoardTimes` reads
them once per run:

* free/busy: once per window and address (a meeting booked in this run is in the service's own times,
  which always rule out a slot, so the calendar need not be read again to see it);
* the service's own times: every meeting not cancelled, in one query, as a :class:`~.slots.Timeline` per
  address; a meeting this run books is added (:meth:`BoardTimes.note`). Under the lock that
  serialises arranging, :meth:`BoardTimes.booked` asks the database only which meetings in the window
  changed since (their revision, and whether they have a proposed time): those booked meanwhile by
  another process are read again, so two processes still never give one person two meetings at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from service.mailbox.ports import BusyInterval

from .slots import Timeline

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

Mark = tuple[int, bool]  # a meeting's revision and whether it has a proposed time


class _Held:
    __slots__ = ("mark", "times", "emails")

    def __init__(self, mark: Mark, times: tuple[tuple[datetime, datetime], ...], emails: frozenset[str]):
        self.mark, self.times, self.emails = mark, times, emails


class BoardTimes:
    def __init__(self, app: "App", now: datetime):
        self.app = app
        self.since = now - timedelta(days=1)  # no window starts before today
        self._free_busy: dict[tuple[datetime, datetime], dict[str, list[BusyInterval]]] = {}
        self._held: dict[int, _Held] | None = None
        self._of: dict[str, set[int]] = {}  # address -> meetings holding it
        self._timelines: dict[str, Timeline] = {}
        self._uow: "UnitOfWork | None" = None  # the unit of work (holding the lock) last caught up in
        self._seen: set[tuple[datetime, datetime]] = set()  # ... and the windows looked at in it

    # The calendar ----------------------------------------------------------------------------
    def free_busy(self, emails: Iterable[str], start: datetime, end: datetime) -> dict[str, list[BusyInterval]]:
        """The calendar's free/busy, asked once per window for each address."""
        known = self._free_busy.setdefault((start, end), {})
        wanted = [e.lower() for e in emails]
        missing = [e for e in dict.fromkeys(wanted) if e not in known]
        if missing:
            found = self.app.calendar.free_busy(missing, start, end)
            for e in missing:
                known[e] = list(found.get(e, ()))
        return {e: known[e] for e in wanted}

    # The service's own meetings ----------------------------------------------------------------
    def booked(self, uow: "UnitOfWork", emails: Iterable[str], start: datetime, end: datetime,
               exclude: int | None = None) -> tuple[dict[str, Timeline], bool]:
        """Each address's times in the service's meetings other than ``exclude``, and whether any of them
        falls between ``start`` and ``end``. Call it in the unit of work that holds ``Lock.MEETING_TIMES``."""
        self._catch_up(uow, start, end)
        out: dict[str, Timeline] = {}
        for e in (x.lower() for x in emails):
            if exclude is not None and exclude in self._of.get(e, ()):
                out[e] = Timeline(t for mid in self._of[e] if mid != exclude for t in self._held[mid].times)
            else:
                out[e] = self._timelines.get(e) or Timeline()
        s, f = start.timestamp(), end.timestamp()
        return out, any(tl.blocked_until(s, f) is not None for tl in out.values())

    def note(self, uow: "UnitOfWork", mid: int) -> None:
        """Meeting ``mid`` was just given a time, a proposed time or people (in ``uow``): read it again."""
        if self._held is not None:
            self._reload(uow, [mid])

    def hold(self, mid: int, revision: int, start: datetime, end: datetime, emails: Iterable[str]) -> None:
        """Meeting ``mid`` was just given the time ``start``-``end`` for ``emails``, and ``revision`` (no proposed
        time), in the unit of work that holds the lock. Known without reading it back; had the revision been
        another, the next look (:meth:`booked`) reads the meeting again."""
        if self._held is not None:
            self._merge({mid: ((revision, False), ((start, end),), {e.lower() for e in emails})}, {mid})

    def forget(self) -> None:
        """What was noted may have been rolled back: read everything again when next needed."""
        self._held = None
        self._of, self._timelines = {}, {}
        self._uow, self._seen = None, set()

    def _catch_up(self, uow: "UnitOfWork", start: datetime, end: datetime) -> None:
        """Read what changed in the window since it was last read (everything, the first time). Once per
        window and unit of work: while that holds the lock, only this process books times (and notes them)."""
        if uow is not self._uow:
            self._uow, self._seen = uow, set()
        if (start, end) in self._seen and self._held is not None:
            return
        self._seen.add((start, end))
        if self._held is None:
            self._held = {}
            self._apply(uow.meetings.bookings(self.since), set())
            return
        marks = uow.meetings.booking_marks(start, end)
        stale = [mid for mid, mark in marks.items() if mid not in self._held or self._held[mid].mark != mark]
        if stale:
            self._reload(uow, stale)

    def _reload(self, uow: "UnitOfWork", ids: list[int]) -> None:
        self._apply(uow.meetings.bookings(self.since, ids), set(ids))

    def _apply(self, rows: list[dict[str, Any]], ids: set[int]) -> None:
        found: dict[int, tuple[Mark, tuple, set[str]]] = {}
        for r in rows:
            held = found.get(r["id"])
            if held is None:
                times = tuple((s, e) for s, e in ((r["start"], r["end"]), (r["proposed_start"], r["proposed_end"]))
                              if s is not None and e is not None)
                held = found[r["id"]] = ((r["revision"], r["proposed_start"] is not None), times, set())
            if r["email"]:
                held[2].add(r["email"].lower())
        self._merge(found, ids)

    def _merge(self, found: dict[int, tuple[Mark, tuple, set[str]]], ids: set[int]) -> None:
        """Put the meetings ``found`` in place of those of ``ids`` (and of their own ids)."""
        rebuild: set[str] = set()
        for mid in ids | set(found):
            old = self._held.pop(mid, None)
            new = found.get(mid)
            new_held = _Held(new[0], new[1], frozenset(new[2])) if new else None
            if old is not None:
                for e in old.emails:
                    self._of[e].discard(mid)
                    # Times unchanged and the address still held: nothing to take out of its timeline.
                    if new_held is None or new_held.times != old.times or e not in new_held.emails:
                        rebuild.add(e)
            if new_held is None:
                continue
            self._held[mid] = new_held
            for e in new_held.emails:
                self._of.setdefault(e, set()).add(mid)
                if e in rebuild or (old is not None and e in old.emails and new_held.times == old.times):
                    continue
                tl = self._timelines.setdefault(e, Timeline())
                for s, f in new_held.times:
                    tl.add(s, f)
        for e in rebuild:
            self._timelines[e] = Timeline(t for mid in self._of.get(e, ()) for t in self._held[mid].times)
