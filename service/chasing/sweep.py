"""The deadline sweep: reminders before a deadline, escalation after it.

Reads only deadlines whose ``next_action_at`` has come (an indexed column),
so its cost follows what is due, not how many cases exist. Each step is
claimed with a conditional UPDATE in the same transaction that queues its
messages, and every message has a key (case, deadline, step, recipient), so
restarts, repeated ``run --once`` and two processes never send one twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from service.domain.chasing import Step, due_step
from service.domain.model import AuditEvent, Case, Deadline
from service.letters.queueing import base_context, queue

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.chasing")


def sweep(app: "App", limit: int = 500) -> dict[str, int]:
    counts = {"reminders": 0, "escalations": 0, "skipped": 0}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        rows = uow.cases.due_deadline_rows(now, limit)
    for row in rows:
        with app.db.unit_of_work() as uow:
            case = uow.cases.get_by_id(row["case_id"])
            d = case.deadlines.get(row["key"])
            if d is None:
                continue
            take, after = due_step(d, row["chase_step"], now, app.settings.tz, app.settings.working_hours.start,
                                   case.procedure.chase_policy(d.kind))
            new_done = take.name if take else row["chase_step"]
            if not uow.cases.advance_deadline(row["id"], row["next_action_at"], new_done,
                                              after.at if after else None):
                counts["skipped"] += 1  # another process took this step
                continue
            if take is not None:
                _chase(uow, app, case, row["case_id"], d, take)
                counts["escalations" if take.escalation else "reminders"] += 1
            uow.commit()
    return counts


def _chase(uow: "UnitOfWork", app: "App", case: Case, case_id: int, d: Deadline, step: Step) -> None:
    recipients = chase_recipients(app, case, d, step)
    view = {"key": d.key, "what": d.what, "due": d.due, "rule": d.rule,
            "days_left": step.days if not step.escalation else 0,
            "days_overdue": step.days if step.escalation else 0,
            "owner_name": _owner_name(app, d)}
    template = "escalation" if step.escalation else "reminder"
    for name, address in recipients:
        ctx = base_context(app, name, address, case=case, deadline=view)
        queue(uow, app, key=f"{case.reference}/{d.key}/{step.name}/{address}", template=template, to=[address],
              context=ctx, case_id=case_id)
    action = "deadline missed" if step.label == "overdue-1" else ("escalation sent" if step.escalation
                                                                  else "reminder sent")
    uow.audit.append(case_id, case.reference, [AuditEvent(
        at=app.clock.now(), actor="sweep", action=action,
        detail={"deadline": d.key, "step": step.label, "due": d.due.isoformat(),
                "to": [a for _, a in recipients]})])
    uow.on_commit(log.info, action, extra={"case": case.reference, "deadline": d.key, "step": step.label})


def _person(app: "App", role: str, agency: str | None, escalation: bool) -> tuple[str, str] | None:
    p = app.settings.people
    if role == "agency":
        a = app.settings.agency(agency or "")
        who = (a.chief_executive if escalation else a.panel_member) if a else None
        if who is None and a is not None:
            who = a.panel_member or a.chief_executive
    else:
        who = getattr(p, role, None)
    return (who.name, who.email) if who else None


def _owners(app: "App", d: Deadline, escalation: bool = False) -> list[tuple[str, str]]:
    """The people a deadline falls to, by its owner roles (one or more: the Chair and the Head of SQAS discuss)."""
    found = [_person(app, role, d.agency, escalation) for role in d.owner]
    return [p for p in found if p]


def owner_contacts(app: "App", d: Deadline) -> list[tuple[str, str]]:
    """Who answers for a deadline: its owners by role, or for an agency's report its panel member and chief
    executive."""
    return list(dict.fromkeys(_owners(app, d) + _owners(app, d, True)))


def _owner_name(app: "App", d: Deadline) -> str:
    names = [name for name, _ in _owners(app, d)]
    return " and ".join(names) if names else " and ".join(case_role.replace("_", " ") for case_role in d.owner)


def _chair(app: "App", case: Case) -> tuple[str, str]:
    """The Chair told of a deadline long overdue: the person who takes the case's decision in its pack (the
    LSCB Chair in the SCR pack, the SAR sub-group's Chair, the CSP's), else the board's Chair."""
    decision = next(iter(case.procedure.decisions), None)
    person = getattr(app.settings.people, decision.by, None) if decision else None
    person = person or app.settings.people.chair
    return person.name, person.email


def chase_recipients(app: "App", case: Case, d: Deadline, step: Step) -> list[tuple[str, str]]:
    """Who a step of the chase goes to: the owners; after the due date the Business Manager (and an agency's
    chief executive), and the Chair from the policy's ``tell_chair_from_working_days_overdue``."""
    bm = app.settings.people.business_manager
    people: list[tuple[str, str] | None] = list(_owners(app, d))
    if not people:  # nobody on file for the owner: the Business Manager must know
        people.append((bm.name, bm.email))
    if step.escalation:
        if "agency" in d.owner:
            people += _owners(app, d, True)
        people.append((bm.name, bm.email))
        if step.tell_chair:
            people.append(_chair(app, case))
    seen: set[str] = set()
    out = []
    for p in people:
        if p and p[1] not in seen:
            seen.add(p[1])
            out.append(p)
    return out

