"""Which dates a person may give for a case: none in the future, none out of the procedure's order. Pure.

Every date a person gives (a decision, a recorded event, a corrected date, a deadline met,
a new due date) is checked here before anything changes, against the day it is now in the
board's time zone and against the case's own timeline:

* an event cannot have happened after today (a *planned* publication date is a plan, not an
  event, and may lie ahead);
* nothing happens before the referral that opened the case;
* an event cannot come before the event it follows in the procedure (:data:`FOLLOWS`): a
  decision before the case reached the Chair, letters about a decision before the decision,
  publication before sign-off. Correcting a date is checked both ways: it may not move an
  event before what it follows, nor after what follows it.

Each check returns one line naming the date and the rule, or None when the date is possible.
"""

from __future__ import annotations

from datetime import date

from .model_types import EventKind

E = EventKind

# event -> the events that, when recorded, it cannot precede (PROCESS.md's order of stages).
FOLLOWS: dict[EventKind, tuple[EventKind, ...]] = {
    E.CHAIR_AWARE: (E.REFERRAL_RECEIVED,),
    E.CHAIR_SQAS_DISCUSSED: (E.REFERRAL_RECEIVED,),
    E.OFSTED_NOTIFIED: (E.REFERRAL_RECEIVED,),
    E.PANEL_CONSIDERED: (E.REFERRAL_RECEIVED,),
    E.DECIDED: (E.REFERRAL_RECEIVED, E.CHAIR_AWARE),
    E.DECISION_NOTIFIED: (E.DECIDED,),
    E.SQAS_TASKS_DONE: (E.DECIDED,),
    E.IMR_LETTERS_SENT: (E.DECIDED,),
    E.BOARD_MEMBERS_TOLD: (E.DECIDED,),
    E.TERMS_OF_REFERENCE_AGREED: (E.DECIDED,),
    E.LEAD_REVIEWER_APPOINTED: (E.DECIDED,),
    E.REVIEWER_NOTIFIED: (E.LEAD_REVIEWER_APPOINTED,),
    E.REPORT_SIGNED_OFF: (E.DECIDED,),
    E.PUBLICATION_PLANNED: (E.DECIDED,),
    E.PUBLICATION_NOTICE_SENT: (E.DECIDED,),
    E.PUBLISHED: (E.REPORT_SIGNED_OFF,),
    E.LEARNING_EVENT_HELD: (E.PUBLISHED,),
    E.CLOSED: (E.DECIDED,),
}

# Dates that name a plan rather than something that has happened.
PLANNED = frozenset({E.PUBLICATION_PLANNED})


def _label(kind: EventKind) -> str:
    return kind.value.replace("_", " ")


def event_date_problem(events: dict[EventKind, date], kind: EventKind, on: date, today: date | None,
                       correcting: bool = False) -> str | None:
    """Why ``kind`` cannot be dated ``on`` in a case whose recorded events are ``events``, or None.
    ``today`` is the board's day (the use cases always give it); without it only the order is checked."""
    if today is not None and kind not in PLANNED and on > today:
        return (f"{_label(kind)} on {on.isoformat()} is in the future (today is {today.isoformat()}); "
                f"record what has happened, on the day it happened")
    referral = events.get(E.REFERRAL_RECEIVED)
    if kind is E.REFERRAL_RECEIVED:
        earlier = [k for k, d in events.items() if k is not E.REFERRAL_RECEIVED and k not in PLANNED and d < on]
        if correcting and earlier:
            first = min(earlier, key=lambda k: events[k])
            return (f"the referral cannot be dated {on.isoformat()}: {_label(first)} is recorded on "
                    f"{events[first].isoformat()}, and nothing in a case comes before its referral")
        return None
    if referral is not None and on < referral:
        return (f"{_label(kind)} on {on.isoformat()} is before the referral was received "
                f"({referral.isoformat()}); nothing in a case comes before its referral")
    for earlier in FOLLOWS.get(kind, ()):
        if earlier in events and on < events[earlier]:
            return (f"{_label(kind)} on {on.isoformat()} is before {_label(earlier)} "
                    f"({events[earlier].isoformat()}), which it follows in the procedure")
    if correcting:
        for later, befores in FOLLOWS.items():
            if kind in befores and later in events and later not in PLANNED and events[later] < on:
                return (f"{_label(kind)} cannot be dated {on.isoformat()}: {_label(later)} is recorded on "
                        f"{events[later].isoformat()} and follows it in the procedure")
    return None


def due_date_problem(events: dict[EventKind, date], what: str, due: date) -> str | None:
    """Why a due date a person gives for ``what`` cannot be right, or None: it cannot fall before the referral."""
    referral = events.get(E.REFERRAL_RECEIVED)
    if referral is not None and due < referral:
        return (f"{what} cannot be due on {due.isoformat()}, before the referral was received "
                f"({referral.isoformat()})")
    return None


def met_date_problem(events: dict[EventKind, date], key: str, on: date, today: date | None,
                     started: date | None) -> str | None:
    """Why deadline ``key`` cannot have been met on ``on``, or None: not in the future, not before its
    clock started (``started``) nor before the referral."""
    if today is not None and on > today:
        return f"'{key}' cannot be met on {on.isoformat()}: that is in the future (today is {today.isoformat()})"
    referral = events.get(E.REFERRAL_RECEIVED)
    if referral is not None and on < referral:
        return (f"'{key}' cannot be met on {on.isoformat()}, before the referral was received "
                f"({referral.isoformat()})")
    if started is not None and on < started:
        return f"'{key}' cannot be met on {on.isoformat()}, before its clock started ({started.isoformat()})"
    return None
