"""When to chase a deadline: reminders before, escalation after (pure).

A deadline's chase is a sequence of steps, each with a time:

* ``remind-5``, ``remind-1``: 5 and 1 working days before the due date, at
  the start of working hours;
* ``remind-0``: on the due date at 09:00 (or the start of working hours);
* ``overdue-1``, ``overdue-2``, ...: the next working morning after the due
  date, then every ``repeat_every`` working days until the deadline is met,
  paused or extended. From ``chair_after`` working days overdue the Chair is
  told as well.

Steps are named relative to the due date they were computed for
(``2014-03-04|remind-1``), so extending a deadline starts its chase afresh.
A service that was down for a while sends only the latest step that is due,
not every one it missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterator
from zoneinfo import ZoneInfo

from . import calendar as wd
from .model import Deadline


@dataclass(frozen=True)
class ChasePolicy:
    remind_before: tuple[int, ...] = (5, 1)
    remind_on_day: bool = True
    on_day_at: time = time(9, 0)
    repeat_every: int = 5
    chair_after: int = 3
    max_escalations: int = 52  # about a year of weekly chasing


@dataclass(frozen=True)
class Step:
    name: str  # e.g. "2014-03-04|overdue-1"
    at: datetime
    escalation: bool
    days: int  # working days left (reminder) or overdue (escalation)
    tell_chair: bool = False

    @property
    def label(self) -> str:
        return self.name.split("|", 1)[1]


def steps(d: Deadline, tz: ZoneInfo, day_starts: time, policy: ChasePolicy = ChasePolicy()) -> Iterator[Step]:
    """Every step of the chase for the deadline's current due date, in time order."""
    prefix = d.due.isoformat()

    def at(day: date, t: time) -> datetime:
        return datetime.combine(day, t, tz)

    for n in sorted(policy.remind_before, reverse=True):
        day = wd.add_working_days(d.due, -n)
        yield Step(f"{prefix}|remind-{n}", at(day, day_starts), False, n)
    if policy.remind_on_day:
        yield Step(f"{prefix}|remind-0", at(d.due, max(day_starts, policy.on_day_at)), False, 0)
    day = d.due
    for k in range(1, policy.max_escalations + 1):
        overdue = 1 + (k - 1) * policy.repeat_every
        day = wd.add_working_days(day, 1 if k == 1 else policy.repeat_every)  # = overdue working days after due
        yield Step(f"{prefix}|overdue-{k}", at(day, day_starts), True, overdue,
                   tell_chair=overdue >= policy.chair_after)


def _after(d: Deadline, done: str | None, tz: ZoneInfo, day_starts: time, policy: ChasePolicy) -> Iterator[Step]:
    """The steps after ``done`` (the last step taken), in time order; all of them when ``done`` was for
    another due date or nothing was taken yet."""
    it = steps(d, tz, day_starts, policy)
    if done is None or not done.startswith(d.due.isoformat() + "|"):
        return it
    for s in it:
        if s.name == done:
            return it
    return iter(())


def next_step(d: Deadline, done: str | None, tz: ZoneInfo, day_starts: time,
              policy: ChasePolicy = ChasePolicy()) -> Step | None:
    """The first step after ``done`` (the last step taken), or None when there is none."""
    return next(_after(d, done, tz, day_starts, policy), None)


def due_step(d: Deadline, done: str | None, now: datetime, tz: ZoneInfo, day_starts: time,
             policy: ChasePolicy = ChasePolicy()) -> tuple[Step | None, Step | None]:
    """(the step to take now, the step after it). Stale steps are skipped: only the latest due one is taken."""
    take: Step | None = None
    for s in _after(d, done, tz, day_starts, policy):
        if s.at > now:
            return take, s
        take = s
    return take, None
