"""What the letters do when delivery has sent a message, or given up on one.

Delivery (:mod:`service.letters.delivery`) knows no procedure; ``LetterDelivery``
is the hooks it calls (``app.on_delivery``, wired in bootstrap).

Sending a letter meets the deadline that needs it. Called in the transaction
that marks a message sent: when
every message of that communication the case calls for has now been sent
(every involved agency's chief executive has the Chair's letter, every
Board member theirs, Ofsted and the National Panel the decision...), the
case event the communication records is recorded (its ``records`` in the pack), which
marks its deadline met and stops its chasing. A recipient not on file means
not every letter went: the event waits, the deadline stays open and is
chased, and the Business Manager has been told (triggers).

A message that cannot be delivered is reported to the Business Manager
(``not_sent``), unless the event it meets was recorded some other way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any


from service.case_store import save_case
from service.domain.model import DomainError

from .catalogue import communication, title
from .queueing import base_context, queue
from .triggers import recipients_for

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.letters")
outbox_log = logging.getLogger("review_clerk.outbox")

# Messages about undelivered messages: never escalated themselves (no loops).
NOTICES = frozenset({"not_sent", "intake_report"})


class LetterDelivery:
    """The delivery hooks (:class:`service.letters.delivery.DeliveryHooks`) of the letters."""

    def sent(self, uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> None:
        after_sent(uow, app, row)

    def failed(self, uow: "UnitOfWork", app: "App", row: dict[str, Any], error: str) -> None:
        escalate_failure(uow, app, row, error)

    def done_otherwise(self, uow: "UnitOfWork", row: dict[str, Any]) -> str | None:
        return already_met(uow, row)


def after_sent(uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> str | None:
    """Record the event ``row``'s communication meets, if this was the last one outstanding.

    Returns the event recorded, or None.
    """
    if row["case_id"] is None:
        return None
    # One sender at a time per case, so two letters sent at once cannot each
    # miss the other (PostgreSQL; SQLite has a single writer anyway).
    uow.cases.lock(row["case_id"])
    case = uow.cases.get_by_id(row["case_id"])
    comm = communication(case.procedure, row["template"])
    if comm is None or comm.records is None:
        return None
    # A letter to one agency (its IMR letter, when it was found to be involved after the decision) meets
    # that agency's own deadline at once.
    who = row["key"].rsplit("/", 1)[-1]
    met = case.met_for_agency(comm.records, who, app.today(), app.clock.now(), "outbox") \
        if who in case.agencies else []
    recorded = _record_when_all_sent(uow, app, case, row, comm)
    if met or recorded:
        save_case(uow, app, case)
    if recorded:
        uow.on_commit(log.info, "event recorded on sending", extra={"case": case.reference, "event": recorded})
    return recorded


def _record_when_all_sent(uow: "UnitOfWork", app: "App", case, row: dict[str, Any], comm) -> str | None:
    """Record the event the communication records once every message of it the case calls for has gone."""
    if comm.records in case.events:
        return None
    # A letter to an address given on command (the family's) is planned again with that address.
    given = {"to": row["to"][0]} if "given_address" in comm.to and row["to"] else None
    plan = recipients_for(comm.id, case, app.settings, given)
    if plan.problems or not plan.messages:
        return None
    sent = uow.outbox.sent_keys(row["case_id"], comm.id)
    if any(m.key not in sent for m in plan.messages):
        return None
    try:
        case.record(comm.records, app.today(), app.clock.now(), "outbox",
                    reason=f"{comm.label}: {len(plan.messages)} sent")
    except DomainError as exc:  # e.g. the case was closed meanwhile: the letter went, nothing to record
        log.warning("sent, but the event cannot be recorded",
                    extra={"case": case.reference, "event": comm.records, "error": str(exc)[:200]})
        return None
    return comm.records


def already_met(uow: "UnitOfWork", row: dict[str, Any]) -> str | None:
    """The event this communication meets, when a person has recorded it some other way."""
    if row["case_id"] is None:
        return None
    try:
        case = uow.cases.get_by_id(row["case_id"])
    except LookupError:
        return None
    comm = communication(case.procedure, row["template"])
    if comm is None or comm.records is None:
        return None
    return comm.records if comm.records in case.events else None


def escalate_failure(uow: "UnitOfWork", app: "App", row: dict[str, Any], error: str) -> None:
    """Tell the Business Manager a message could not be delivered (never about such a notice itself)."""
    if row["template"] in NOTICES:
        outbox_log.error("a notice to the Business Manager could not be delivered", extra={"outbox_key": row["key"]})
        return
    bm = app.settings.people.business_manager
    try:
        case = uow.cases.get_by_id(row["case_id"]) if row["case_id"] else None
    except LookupError:
        case = None
    ctx = base_context(app, bm.name, bm.email, case=case, problem={
        "what": title(case.procedure if case else app.procedure, row["template"]), "template": row["template"],
        "for_whom": ", ".join(row["to"]), "why": error[:300],
        "fix": (f"check the address; the message is kept in the outbox ({row['key']}). "
                f"Send it again with: review-clerk letters retry {row['key']}")})
    queue(uow, app, key=f"not_sent/{row['key']}", template="not_sent", to=[bm.email], context=ctx,
          case_id=row["case_id"])
