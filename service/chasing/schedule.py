"""When the sweep next looks at each open deadline of a case, under its procedure's chase policy.

Kept apart from the sweep (which queues the reminders) so that saving a case can
reschedule its chasing without reaching into the sweep or the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from service.domain.chasing import next_step
from service.domain.model import Case

if TYPE_CHECKING:
    from service.bootstrap import App

def next_actions(app: "App", case: Case, done_steps: dict[str, str | None]) -> dict[str, datetime | None]:
    """When the sweep must next look at each open deadline of a case."""
    out: dict[str, datetime | None] = {}
    for d in case.open_deadlines():
        s = next_step(d, done_steps.get(d.key), app.settings.tz, app.settings.working_hours.start,
                      case.procedure.chase_policy(d.kind))
        out[d.key] = s.at if s else None
    return out
