"""Sending a letter meets the deadline that needs it.

Called by the outbox in the transaction that marks a message sent. When
every message of that communication the case calls for has now been sent
(every involved agency's chief executive has the Chair's letter, every
Board member theirs, Ofsted and the National Panel the decision...), the
case event the communication meets is recorded (catalogue ``meets``), which
marks its deadline met and stops its chasing. A recipient not on file means
not every letter went: the event waits, the deadline stays open and is
chased, and the Business Manager has been told (triggers).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any


from service.chasing.sweep import save_case
from service.domain.model import DomainError

from .catalogue import CATALOGUE
from .triggers import recipients_for

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.letters")


def after_sent(uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> str | None:
    """Record the event ``row``'s communication meets, if this was the last one outstanding.

    Returns the event recorded, or None.
    """
    comm = CATALOGUE.get(row["template"])
    if comm is None or comm.meets is None or row["case_id"] is None:
        return None
    # One sender at a time per case, so two letters sent at once cannot each
    # miss the other (PostgreSQL; SQLite has a single writer anyway).
    uow.cases.lock(row["case_id"])
    case = uow.cases.get_by_id(row["case_id"])
    if comm.meets in case.events:
        return None
    plan = recipients_for(comm.name, case, app.settings)
    if plan.problems or not plan.messages:
        return None
    sent = uow.outbox.sent_keys(row["case_id"], comm.name)
    if any(m.key not in sent for m in plan.messages):
        return None
    try:
        case.record(comm.meets, app.today(), app.clock.now(), "outbox",
                    reason=f"{comm.title}: {len(plan.messages)} sent")
    except DomainError as exc:  # e.g. the case was closed meanwhile: the letter went, nothing to record
        log.warning("sent, but the event cannot be recorded",
                    extra={"case": case.reference, "event": comm.meets.value, "error": str(exc)[:200]})
        return None
    save_case(uow, app, case)
    uow.on_commit(log.info, "event recorded on sending", extra={"case": case.reference, "event": comm.meets.value})
    return comm.meets.value
