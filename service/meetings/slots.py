"""Finding a time for a panel meeting. Pure: no clock, no calendar, no database.

A *window* is the working days a meeting may fall on: it opens after the
notice the panel needs and closes when the meeting kind says (within N
working days of the referral or of the request, and always before the
deadline the meeting serves, such as the Chair's decision). A *slot* is a
start time in working hours, on a working day of the window (never a weekend
or an England and Wales bank holiday), where the whole meeting fits before
the end of the working day.

:func:`find_slot` takes the first slot in which every required attendee is
free. When no slot has everyone, it takes the slot with the most required
attendees free (the earliest of those) and says who cannot come.

The service's own meetings (``booked``) are not like other commitments: a
person can be asked to move a dentist's appointment for the panel, but not
to sit in two of the panel's meetings at once. A slot where anybody invited
is already in one of them is never chosen; when the window has no other, the
caller looks in the working days after it (:func:`window_after`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

from service.domain import calendar as wd
from service.domain.model import Case, DeadlineStatus
from service.mailbox.ports import BusyInterval

from .kinds import MeetingKind

STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlotChoice:
    start: datetime
    end: datetime
    cannot_come: tuple[str, ...] = ()  # required attendees who are busy then
    optional_busy: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return not self.cannot_come


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time
    tz: ZoneInfo


def window_for(kind: MeetingKind, case: Case, today: date, *, notice_working_days: int,
               within: int | None = None) -> Window:
    """The working days a meeting of ``kind`` may fall on, asked for on ``today``."""
    first = wd.add_working_days(today, notice_working_days) if notice_working_days > 0 \
        else wd.next_working_day(today, include_today=True)
    days = within or kind.within_working_days
    counted = case.events.get(kind.counts_from) if kind.counts_from else None
    if counted is not None:
        what = ("the referral" if kind.counts_from == case.procedure.opens_with
                else case.procedure.event_label(kind.counts_from))
        basis, basis_label = counted, f"{what} on {counted.isoformat()}"
    else:
        basis, basis_label = today, f"today ({today.isoformat()})"
    last = wd.add_working_days(basis, days)
    notes: list[str] = []
    deadline = case.deadlines.get(kind.before_deadline) if kind.before_deadline else None
    if deadline is not None and deadline.status is DeadlineStatus.OPEN:
        last = min(last, wd.add_working_days(deadline.due, -1))
    else:
        deadline = None
    if last < first:
        if deadline is not None and wd.add_working_days(deadline.due, -1) < first:
            notes.append(f"no working day with {notice_working_days} working days' notice is left before the "
                         f"deadline '{deadline.what}' ({deadline.due.isoformat()}); the first possible time "
                         f"after it is offered")
        else:
            notes.append(f"the window (within {days} working days of {basis_label}) has passed; the first "
                         f"possible time is offered")
        last = wd.add_working_days(first, days)
    return Window(first, last, tuple(notes))


def candidate_starts(window: Window, hours: WorkingHours, duration: timedelta,
                     not_before: datetime | None = None, step: timedelta = STEP) -> Iterator[datetime]:
    """Start times (aware, in the board's zone) on working days, with the meeting inside working hours."""
    day = window.first_day
    while day <= window.last_day:
        if wd.is_working_day(day):
            at = datetime.combine(day, hours.start, hours.tz)
            close = datetime.combine(day, hours.end, hours.tz)
            while at + duration <= close:
                if not_before is None or at >= not_before:
                    yield at
                at += step
        day += timedelta(days=1)


def _busy_at(intervals: Sequence[BusyInterval], start: datetime, end: datetime) -> bool:
    return any(iv.start < end and start < iv.end for iv in intervals)


def window_after(window: Window, working_days: int) -> Window:
    """The ``working_days`` working days after ``window``: where to look when the window is full."""
    return Window(wd.next_working_day(window.last_day), wd.add_working_days(window.last_day, working_days))


def find_slot(required: Sequence[str], busy: Mapping[str, Sequence[BusyInterval]], window: Window,
              hours: WorkingHours, duration: timedelta, *, optional: Sequence[str] = (),
              not_before: datetime | None = None, avoid: Iterable[tuple[datetime, datetime]] = (),
              booked: Mapping[str, Sequence[BusyInterval]] | None = None,
              step: timedelta = STEP) -> SlotChoice | None:
    """The first slot with every required attendee free, else the one with the most (earliest wins).

    ``avoid``: intervals the meeting must not overlap (its current time, when a new one is sought).
    ``booked``: each attendee's times in the service's own other meetings, never overlapped for
    anybody invited, required or not. Returns None when the window has no slot left at all.
    """
    req = [e.lower() for e in dict.fromkeys(required)]
    opt = [e.lower() for e in dict.fromkeys(optional) if e.lower() not in req]
    avoided = [BusyInterval(s.astimezone(timezone.utc), e.astimezone(timezone.utc)) for s, e in avoid]
    taken = booked or {}
    best: SlotChoice | None = None
    best_free = -1
    for start in candidate_starts(window, hours, duration, not_before, step):
        end = start + duration
        if _busy_at(avoided, start, end) or any(_busy_at(taken.get(e, ()), start, end) for e in (*req, *opt)):
            continue
        missing = tuple(e for e in req if _busy_at(busy.get(e, ()), start, end))
        free = len(req) - len(missing)
        if free > best_free:
            best_free = free
            best = SlotChoice(start, end, missing,
                              tuple(e for e in opt if _busy_at(busy.get(e, ()), start, end)))
            if not missing:
                break
    return best
