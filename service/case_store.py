"""Saving a changed case: the one way use cases write a case back.

A case's deadlines carry when the sweep next looks at them, so saving a case
reschedules its chasing in the same unit of work; and what happened to it (its
domain events) is handed to the dispatcher (:mod:`service.reactions`), which
queues the letters it calls for, in the same unit of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.chasing.schedule import next_actions
from service.domain.model import Case

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork


def save_case(uow: "UnitOfWork", app: "App", case: Case, before: Case | None = None, **kwargs: Any) -> list[str]:
    """Save a changed case, reschedule its chasing and react to what happened (the one way commands save a
    case). ``before``: the case as loaded, when a date was corrected. Returns the keys of the messages queued."""
    from service.chasing.withdrawal import withdraw_stale
    from service.domain.events import DateCorrected
    from service.reactions import react

    case_id = uow.cases.id_of(case.reference)
    steps = uow.cases.chase_steps(case_id)
    uow.cases.save(case, next_actions=next_actions(app, case, steps), **kwargs)
    corrected = next((e for e in case.new_events if isinstance(e, DateCorrected)), None)
    queued = react(uow, app, case, case_id, before)  # takes the case's new events
    # Reminders and escalations queued for a due date the case no longer has (a date corrected, a deadline
    # extended, met or paused) do not go.
    why = (f"the date of {case.event_label(corrected.kind)} was corrected" if corrected
           else "the deadline was changed or met before it went")
    withdraw_stale(uow, app, case, case_id, f"no longer called for: {why}")
    return queued
