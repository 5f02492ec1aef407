"""Which dates a person may give for a case: none in the future, none out of the procedure's order. Pure.

Every date a person gives (a decision, a recorded event, a corrected date, a deadline met,
a new due date) is checked here before anything changes, against the day it is now in the
board's time zone and against the case's own timeline:

* an event cannot have happened after today (a *planned* publication date is a plan, not an
  event, and may lie ahead);
* nothing happens before the referral that opened the case (but for an event the pack marks
  ``before_opening``, such as the local authority becoming aware of the incident);
* an event cannot come before the event it follows in the procedure (the pack's ``follows``): a
  decision before the case reached the Chair, letters about a decision before the decision,
  publication before sign-off. Correcting a date is checked both ways: it may not move an
  event before what it follows, nor after what follows it.

Each check returns one line naming the date and the rule, or None when the date is possible.
"""

from __future__ import annotations

from datetime import date

from .calendar import add_working_days
from .procedure import Procedure


def event_date_problem(p: Procedure, events: dict[str, date], kind: str, on: date, today: date | None,
                       correcting: bool = False) -> str | None:
    """Why ``kind`` cannot be dated ``on`` in a case whose recorded events are ``events``, or None.
    ``today`` is the board's day (the use cases always give it); without it only the order is checked."""
    label = p.event_label
    if today is not None and not p.is_planned(kind) and on > today:
        return (f"{label(kind)} on {on.isoformat()} is in the future (today is {today.isoformat()}); "
                f"record what has happened, on the day it happened")
    opening = p.opens_with
    referral = events.get(opening)
    if kind == opening:
        earlier = [k for k, d in events.items() if k != opening and not p.is_planned(k) and d < on
                   and not _before_opening(p, k)]
        if correcting and earlier:
            first = min(earlier, key=lambda k: events[k])
            return (f"the referral cannot be dated {on.isoformat()}: {label(first)} is recorded on "
                    f"{events[first].isoformat()}, and nothing in a case comes before its referral")
        return None
    if referral is not None and on < referral and not _before_opening(p, kind):
        return (f"{label(kind)} on {on.isoformat()} is before the referral was received "
                f"({referral.isoformat()}); nothing in a case comes before its referral")
    for earlier in p.follows(kind):
        if earlier in events and on < events[earlier]:
            return (f"{label(kind)} on {on.isoformat()} is before {label(earlier)} "
                    f"({events[earlier].isoformat()}), which it follows in the procedure")
    if correcting:
        for later in events:
            if kind in p.follows(later) and not p.is_planned(later) and events[later] < on:
                return (f"{label(kind)} cannot be dated {on.isoformat()}: {label(later)} is recorded on "
                        f"{events[later].isoformat()} and follows it in the procedure")
    return None


def requirement_problem(p: Procedure, events: dict[str, date], kind: str, on: date) -> str | None:
    """Why ``kind`` cannot be recorded yet: an event it requires (at least N days before) is missing."""
    if not p.has_event(kind):
        return None
    for q in p.event(kind).requires:
        done = events.get(q.event)
        if done is None:
            return f"{p.event_label(kind)} cannot be recorded before {p.event_label(q.event)}"
        if (on - done).days < q.days_before:
            return (f"{p.event_label(kind)} on {on.isoformat()} is less than {q.days_before} days after "
                    f"{p.event_label(q.event)} ({done.isoformat()}); it must come at least {q.days_before} "
                    f"days before")
        if q.working_days_before and on < add_working_days(done, q.working_days_before):
            return (f"{p.event_label(kind)} on {on.isoformat()} is less than {q.working_days_before} working days "
                    f"after {p.event_label(q.event)} ({done.isoformat()}); it must come at least "
                    f"{q.working_days_before} working days before (the first day it may be recorded is "
                    f"{add_working_days(done, q.working_days_before).isoformat()})")
    return None


def _before_opening(p: Procedure, kind: str) -> bool:
    return p.has_event(kind) and p.event(kind).before_opening


def due_date_problem(p: Procedure, events: dict[str, date], what: str, due: date) -> str | None:
    """Why a due date a person gives for ``what`` cannot be right, or None: it cannot fall before the referral."""
    referral = events.get(p.opens_with)
    if referral is not None and due < referral:
        return (f"{what} cannot be due on {due.isoformat()}, before the referral was received "
                f"({referral.isoformat()})")
    return None


def met_date_problem(p: Procedure, events: dict[str, date], key: str, on: date, today: date | None,
                     started: date | None) -> str | None:
    """Why deadline ``key`` cannot have been met on ``on``, or None: not in the future, not before its
    clock started (``started``) nor before the referral."""
    if today is not None and on > today:
        return f"'{key}' cannot be met on {on.isoformat()}: that is in the future (today is {today.isoformat()})"
    referral = events.get(p.opens_with)
    if referral is not None and on < referral:
        return (f"'{key}' cannot be met on {on.isoformat()}, before the referral was received "
                f"({referral.isoformat()})")
    if started is not None and on < started:
        return f"'{key}' cannot be met on {on.isoformat()}, before its clock started ({started.isoformat()})"
    return None
