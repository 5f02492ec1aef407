"""Saving a changed case: the one way use cases write a case back.

A case's deadlines carry when the sweep next looks at them, so saving a case
reschedules its chasing in the same unit of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.chasing.schedule import next_actions
from service.domain.model import Case

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork


def save_case(uow: "UnitOfWork", app: "App", case: Case, **kwargs: Any) -> None:
    """Save a changed case and reschedule its chasing (the one way commands save a case)."""
    steps = uow.cases.chase_steps(uow.cases.id_of(case.reference))
    uow.cases.save(case, next_actions=next_actions(app, case, steps), **kwargs)
