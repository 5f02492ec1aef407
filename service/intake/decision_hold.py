"""The hold on a decision taken by email, and its undoing.

A decision given by email is recorded at once, but the letters it calls for
(to Ofsted, the National Panel, the referrer, the chief executives...) wait
``[instructions] hold_working_hours`` working hours, and the Chair and the
Business Manager are told at once what will go and when. Until then "Undo"
(a reply to that confirmation, or ``review-clerk case undo-decision``)
withdraws the letters, never sent, and returns the case to the stage it had
before the decision. After the hold the letters have gone: undoing is refused
and a correction is recorded instead.

The hold is kept in the service state (``decision-hold/REF``): who gave the
decision, from which message, until when, the stage before it and the keys of
the letters held. The letters themselves are ordinary queued outbox rows whose
next attempt is the end of the hold.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from service.case_store import save_case
from service.domain.model import AuditEvent, Case, DomainError
from service.letters.catalogue import title
from service.letters.queueing import base_context, hold, queue, withdraw

from .working_hours import add_working_hours

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")

TEMPLATE = "decision_by_email"


def _state_key(reference: str) -> str:
    return f"decision-hold/{reference}"


def current(uow: "UnitOfWork", reference: str) -> dict[str, Any] | None:
    """The hold on ``reference``'s decision, or None."""
    value = uow.state.get(_state_key(reference))
    return json.loads(value) if value else None


def hold_letters(uow: "UnitOfWork", app: "App", case: Case, case_id: int, keys: list[str], *, by: str,
                 inbound_id: int, previous_stage: str) -> datetime:
    """Hold the letters ``keys`` a decision by email queued, record the hold and confirm it at once to the
    Chair and the Business Manager. Returns when the hold ends."""
    now = app.clock.now()
    wh = app.settings.working_hours
    until = add_working_hours(now, app.settings.instructions.hold_working_hours, app.settings.tz, wh.start, wh.end)
    hold(uow, keys, until)
    # The deadlines the decision started are met by these letters: not chased while they wait.
    decided = case.procedure.decision_events
    started = [d.key for d in case.deadlines.values() if d.basis in decided]
    uow.cases.defer_chasing(case_id, started, until)
    uow.state.set(_state_key(case.reference), json.dumps({
        "by": by, "inbound_id": inbound_id, "until": until.isoformat(), "previous_stage": str(previous_stage),
        "outcome": case.outcome, "keys": keys}), now)
    uow.audit.append(case_id, case.reference, [AuditEvent(
        at=now, actor="intake", action="decision by email: letters held",
        detail={"until": until.isoformat(), "held": keys, "inbound_id": inbound_id})])
    _confirm(uow, app, case, case_id, key=f"{case.reference}/{TEMPLATE}/{inbound_id}", by=by, until=until,
             keys=keys, undone=False)
    return until


def undo(uow: "UnitOfWork", app: "App", reference: str, actor: str, reason: str, how: str) -> Case:
    """Withdraw the decision taken by email on ``reference`` and its held letters, inside ``uow``.

    Raises :class:`DomainError` (one line for a person) when there is no such decision or its hold has
    ended (the letters have gone: a correction is recorded instead)."""
    if not reason or not reason.strip():
        raise DomainError("undoing a decision needs a reason")
    found = current(uow, reference)
    if found is None:
        raise DomainError(f"{reference} has no decision taken by email waiting to go; a decision recorded "
                          f"otherwise, or one whose letters have gone, is corrected, not undone")
    now = app.clock.now()
    until = datetime.fromisoformat(found["until"])
    ended = f"the hold on {reference} ended at {_when(app, until)}: its letters have gone; record a correction instead"
    if now >= until:
        raise DomainError(ended)
    case = uow.cases.get(reference)
    case_id = uow.cases.id_of(reference)
    case.undo_decision(found["previous_stage"], now, actor, reason)  # in memory: refuses before any write
    with uow.conn.begin_nested():  # all the letters withdrawn, or none
        if withdraw(uow, list(found["keys"]), f"withdrawn: the decision was undone by {actor}"):
            raise DomainError(ended)  # one is being sent after all: rolls the savepoint back
    case.new_audit.append(AuditEvent(at=now, actor=actor, action="decision by email: letters withdrawn",
                                     detail={"withdrawn": found["keys"], "how": how}))
    save_case(uow, app, case)
    uow.state.set(_state_key(reference), None, now)
    _confirm(uow, app, case, case_id, key=f"{reference}/{TEMPLATE}/{found['inbound_id']}/undone", by=actor,
             until=until, keys=list(found["keys"]), undone=True, outcome=found.get("outcome"))
    log.info("decision by email undone", extra={"case": reference, "withdrawn": len(found["keys"])})
    return case


def undo_by_command(app: "App", reference: str, actor: str, reason: str) -> Case:
    """``review-clerk case undo-decision REF --reason TEXT``."""
    with app.db.unit_of_work() as uow:
        case = undo(uow, app, uow.cases.get(reference).reference, actor, reason, "command line")
        uow.commit()
    return case


def _confirm(uow: "UnitOfWork", app: "App", case: Case, case_id: int, *, key: str, by: str, until: datetime,
             keys: list[str], undone: bool, outcome: str | None = None) -> None:
    people = app.settings.people
    to = list(dict.fromkeys(p.email.lower() for p in (people.chair, people.business_manager)))
    rows = {r["key"]: r for r in uow.outbox.for_case(case_id)}
    letters = []
    for k in keys:
        template = k.split("/")[1] if k.count("/") >= 2 else k
        recipients = ", ".join(rows[k]["to"]) if k in rows else k.rsplit("/", 1)[-1]
        letters.append({"what": title(case.procedure, template), "to": recipients})
    label = case.procedure.outcome_label(outcome) if outcome else (case.outcome_label or "")
    names = " and ".join(dict.fromkeys((people.chair.name, people.business_manager.name)))
    ctx = base_context(app, names, to[0], case=case, hold={
        "outcome": label, "by": by, "undone": undone, "until": _when(app, until), "letters": letters,
        "undo_command": f"review-clerk case undo-decision {case.reference} --reason TEXT"})
    queue(uow, app, key=key, template=TEMPLATE, to=to, context=ctx, case_id=case_id)


def _when(app: "App", at: datetime) -> str:
    return at.astimezone(app.settings.tz).strftime("%A %d/%m/%Y at %H:%M")
