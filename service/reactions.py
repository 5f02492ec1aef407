"""What the service does about what happened to a case: the one dispatcher of the domain's events.

Every use case that changes a case saves it through :func:`service.case_store.save_case` (or, for a new
case, :func:`react` after adding it), which hands the case's new domain events
(:mod:`service.domain.events`) here, in the same unit of work:

* a case opened: the panel meeting is asked for (when scheduling is automatic), and the letters the
  procedure sends when a case opens are queued;
* an event recorded, a decision taken, an agency added: the letters the case's procedure calls for;
* a date corrected: the letters that date triggers, and every message already queued or sent that
  stated the old date brought up to date (re-rendered, or followed by a correction).

What a sent letter records comes back as an event recorded (``service.letters.after_delivery``), so it
is dispatched here too. Nothing is queued unless the change that caused it is committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.domain.events import AgencyAdded, CaseOpened, DateCorrected, DecisionTaken, EventRecorded
from service.domain.model import Case

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork


def react(uow: "UnitOfWork", app: "App", case: Case, case_id: int, before: Case | None = None) -> list[str]:
    """Act on ``case.new_events`` (taken from it) in ``uow``. ``before``: the case as it was loaded, for a
    date's correction. Returns the keys of the messages queued."""
    from service.letters.catalogue import AGENCY_ADDED, CASE_OPENED, DATE_CORRECTED
    from service.letters.corrections import date_corrected
    from service.letters.triggers import queue_for_event

    events, case.new_events = list(case.new_events), []
    queued: list[str] = []
    for e in events:
        if isinstance(e, CaseOpened):
            from service.meetings.service import on_case_opened

            on_case_opened(uow, app, case, case_id)  # no calendar I/O: the meetings job books it
            queued += queue_for_event(uow, app, case, case_id, CASE_OPENED)
        elif isinstance(e, EventRecorded):
            queued += queue_for_event(uow, app, case, case_id, e.kind, {"reason": e.reason})
        elif isinstance(e, DecisionTaken):
            queued += queue_for_event(uow, app, case, case_id, e.event)
        elif isinstance(e, AgencyAdded):
            queued += queue_for_event(uow, app, case, case_id, AGENCY_ADDED, {"agency": e.agency})
        elif isinstance(e, DateCorrected):
            queued += queue_for_event(uow, app, case, case_id, DATE_CORRECTED, {"event": e.kind})
            if before is not None:
                date_corrected(uow, app, before, case, case_id, case.event_label(e.kind), e.old, e.new)
    return queued
