"""When to chase a deadline: reminders before, escalation after (pure).

A deadline's chase is a sequence of steps, each with a time:

* ``remind-5``, ``remind-1``: 5 and 1 working days before the due date, at
  the start of working hours;
* ``remind-0``: on the due date at 09:00 (or the start of working hours);
* ``overdue-1``, ``overdue-2``, ...: the next working morning after the due
  date, then every ``escalate_every_working_days`` working days until the
  deadline is met, paused or extended. From
  ``tell_chair_from_working_days_overdue`` working days overdue the Chair is told
  as well, on that very day (``overdue-chair``) when it falls between two
  escalations, as the letters catalogue promises.

The policy is the procedure's (``[chase.<id>]`` of its pack), named by each
deadline rule.

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
from .procedure import ChasePolicy

ON_THE_DAY_AT = time(9, 0)
MAX_ESCALATIONS = 52  # about a year of weekly chasing


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


def steps(d: Deadline, tz: ZoneInfo, day_starts: time, policy: ChasePolicy = ChasePolicy("default")) -> Iterator[Step]:
    """Every step of the chase for the deadline's current due date, in time order."""
    prefix = d.due.isoformat()

    def at(day: date, t: time) -> datetime:
        return datetime.combine(day, t, tz)

    for n in sorted(policy.remind_before_working_days, reverse=True):
        day = wd.add_working_days(d.due, -n)
        yield Step(f"{prefix}|remind-{n}", at(day, day_starts), False, n)
    if policy.remind_on_the_day:
        yield Step(f"{prefix}|remind-0", at(d.due, max(day_starts, ON_THE_DAY_AT)), False, 0)
    every, chair = policy.escalate_every_working_days, policy.tell_chair_from_working_days_overdue
    previous = 0
    for k in range(1, MAX_ESCALATIONS + 1):
        overdue = 1 + (k - 1) * every
        if previous < chair < overdue:  # the Chair is told on the day promised, not at the next escalation
            yield Step(f"{prefix}|overdue-chair", at(wd.add_working_days(d.due, chair), day_starts), True, chair,
                       tell_chair=True)
        yield Step(f"{prefix}|overdue-{k}", at(wd.add_working_days(d.due, overdue), day_starts), True, overdue,
                   tell_chair=overdue >= chair)
        previous = overdue


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
              policy: ChasePolicy = ChasePolicy("default")) -> Step | None:
    """The first step after ``done`` (the last step taken), or None when there is none."""
    return next(_after(d, done, tz, day_starts, policy), None)


def due_step(d: Deadline, done: str | None, now: datetime, tz: ZoneInfo, day_starts: time,
             policy: ChasePolicy = ChasePolicy("default")) -> tuple[Step | None, Step | None]:
    """(the step to take now, the step after it). Stale steps are skipped: only the latest due one is taken."""
    take: Step | None = None
    for s in _after(d, done, tz, day_starts, policy):
        if s.at > now:
            return take, s
        take = s
    return take, None
