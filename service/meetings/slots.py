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

from bisect import bisect_left
from dataclasses import dataclass
import math
from datetime import date, datetime, time, timedelta
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
                     not_before: datetime | None = None, step: timedelta = STEP,
                     blocked: Sequence["Timeline"] = ()) -> Iterator[datetime]:
    """Start times (aware, in the board's zone) on working days, with the meeting inside working hours.

    ``blocked``: times no slot may overlap; the starts that would are skipped, a block at a time."""
    step_s = step.total_seconds()
    day = window.first_day
    while day <= window.last_day:
        if wd.is_working_day(day):
            at = datetime.combine(day, hours.start, hours.tz)
            close = datetime.combine(day, hours.end, hours.tz)
            while at + duration <= close:
                if not_before is None or at >= not_before:
                    s = at.timestamp()
                    until = max((u for u in (b.blocked_until(s, s + duration.total_seconds()) for b in blocked)
                                 if u is not None), default=None)
                    if until is None:
                        yield at
                    else:  # every start before the block ends overlaps it too
                        at += step * max(1, math.ceil((until - s) / step_s))
                        continue
                at += step
        day += timedelta(days=1)


class Timeline:
    """Busy times as sorted, disjoint blocks (overlapping or touching intervals merged), in POSIX seconds.
    A slot [s, e) overlaps the busy times exactly when it overlaps one of the blocks, whose ends are
    then in order too: the last block starting before ``e`` is the only one to look at.

    Whether a slot overlaps any of them is one bisection, however many there are; a time booked is added
    in place (:meth:`add`), so a run of the meetings job keeps one up to date as it books meetings.
    """

    __slots__ = ("starts", "ends")

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]] = ()):
        self.starts: list[float] = []
        self.ends: list[float] = []
        for s, e in sorted((s.timestamp(), e.timestamp()) for s, e in intervals):
            if self.ends and s <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], e)
            else:
                self.starts.append(s)
                self.ends.append(e)

    def __bool__(self) -> bool:
        return bool(self.starts)

    def add(self, start: datetime, end: datetime) -> None:
        s, e = start.timestamp(), end.timestamp()
        i = bisect_left(self.starts, s)
        if i > 0 and self.ends[i - 1] >= s:
            i -= 1
            s, e = self.starts[i], max(e, self.ends[i])
        j = i
        while j < len(self.starts) and self.starts[j] <= e:
            e = max(e, self.ends[j])
            j += 1
        self.starts[i:j] = [s]
        self.ends[i:j] = [e]

    def blocked_until(self, start: float, end: float) -> float | None:
        """The end of the block overlapping [start, end) (seconds), or None when that time is free."""
        i = bisect_left(self.starts, end)
        if i and self.ends[i - 1] > start:
            return self.ends[i - 1]
        return None

    def busy(self, start: datetime, end: datetime) -> bool:
        return self.blocked_until(start.timestamp(), end.timestamp()) is not None


def as_timeline(intervals: "Timeline | Iterable[BusyInterval] | None") -> Timeline:
    if isinstance(intervals, Timeline):
        return intervals
    return Timeline((iv.start, iv.end) for iv in intervals or ())


def window_after(window: Window, working_days: int) -> Window:
    """The ``working_days`` working days after ``window``: where to look when the window is full."""
    return Window(wd.next_working_day(window.last_day), wd.add_working_days(window.last_day, working_days))


def find_slot(required: Sequence[str], busy: Mapping[str, "Sequence[BusyInterval] | Timeline"], window: Window,
              hours: WorkingHours, duration: timedelta, *, optional: Sequence[str] = (),
              not_before: datetime | None = None, avoid: Iterable[tuple[datetime, datetime]] = (),
              booked: Mapping[str, "Sequence[BusyInterval] | Timeline"] | None = None,
              step: timedelta = STEP) -> SlotChoice | None:
    """The first slot with every required attendee free, else the one with the most (earliest wins).

    ``avoid``: intervals the meeting must not overlap (its current time, when a new one is sought).
    ``booked``: each attendee's times in the service's own other meetings, never overlapped for
    anybody invited, required or not. Returns None when the window has no slot left at all.
    Busy and booked times may be given as :class:`Timeline`: each slot then costs a bisection per
    person, and the slots inside a booked block are stepped over at once.
    """
    req = [e.lower() for e in dict.fromkeys(required)]
    opt = [e.lower() for e in dict.fromkeys(optional) if e.lower() not in req]
    taken = booked or {}
    blocks = [Timeline(avoid)] + [as_timeline(taken[e]) for e in (*req, *opt) if taken.get(e)]
    busy_req = [(e, as_timeline(busy.get(e))) for e in req]
    busy_opt = [(e, as_timeline(busy.get(e))) for e in opt]
    best: SlotChoice | None = None
    best_free = -1
    for start in candidate_starts(window, hours, duration, not_before, step, blocks):
        end = start + duration
        s, e = start.timestamp(), end.timestamp()
        missing = tuple(who for who, tl in busy_req if tl.blocked_until(s, e) is not None)
        free = len(req) - len(missing)
        if free > best_free:
            best_free = free
            best = SlotChoice(start, end, missing,
                              tuple(who for who, tl in busy_opt if tl.blocked_until(s, e) is not None))
            if not missing:
                break
    return best
