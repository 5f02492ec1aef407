"""The deadline sweep: reminders before a deadline, escalation after it.

Reads only deadlines whose ``next_action_at`` has come (an indexed column),
so its cost follows what is due, not how many cases exist. Each step is
claimed with a conditional UPDATE in the same transaction that queues its
messages, and every message has a key (case, deadline, step, recipient), so
restarts, repeated ``run --once`` and two processes never send one twice.

With ``[chasing] combine`` (the default) a sweep takes what is due in one
transaction and each person with more than one escalation gets one message
listing them (template ``chase_summary``), unless they own the deadline. Each item keeps its own row under its
own key, status ``combined``, naming the message it went in
(``headers.combined_into``): a step claimed is queued with it or not at all, and
an item already queued is never listed again. Reminders, and escalations to a
deadline's owner, still go one by one: the owner answers them by email ("done",
the Chair's decision), and a reminder whose due date is corrected is withdrawn
before it goes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.domain.chasing import Step, due_step
from service.domain.model import AuditEvent, Case, Deadline
from service.letters.queueing import base_context, queue

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.chasing")


def sweep(app: "App", limit: int = 500) -> dict[str, int]:
    if app.settings.chasing.combine:
        return _sweep_combined(app, limit)
    counts = {"reminders": 0, "escalations": 0, "skipped": 0}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        rows = uow.cases.due_deadline_rows(now, limit)
    for row in rows:
        with app.db.unit_of_work() as uow:
            claimed = _claim(uow, app, row, now)
            if claimed is None:
                counts["skipped"] += 1  # another process took this step
                continue
            case, d, take = claimed
            if take is not None:
                _chase(uow, app, case, row["case_id"], d, take)
                counts["escalations" if take.escalation else "reminders"] += 1
            uow.commit()
    return counts


def _claim(uow: "UnitOfWork", app: "App", row: dict[str, Any], now) -> tuple[Case, Deadline, Step | None] | None:
    """Claim a due deadline's step (None: another process has, or the deadline is gone)."""
    case = uow.cases.get_by_id(row["case_id"])
    d = case.deadlines.get(row["key"])
    if d is None:
        return None
    take, after = due_step(d, row["chase_step"], now, app.settings.tz, app.settings.working_hours.start,
                           case.procedure.chase_policy(d.kind))
    new_done = take.name if take else row["chase_step"]
    if not uow.cases.advance_deadline(row["id"], row["next_action_at"], new_done, after.at if after else None):
        return None
    return case, d, take


@dataclass
class _Item:
    """One reminder or escalation for one person: what the single message would have been."""
    key: str
    template: str
    case: Case
    case_id: int
    deadline: dict[str, Any]
    escalation: bool
    owner: bool  # the person answers for the deadline (and may answer this message by email)


@dataclass
class _Person:
    name: str
    email: str
    items: list[_Item] = field(default_factory=list)


def _sweep_combined(app: "App", limit: int) -> dict[str, int]:
    """Every due step claimed and queued in one transaction; one message per person for what is theirs."""
    counts = {"reminders": 0, "escalations": 0, "skipped": 0}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        rows = uow.cases.due_deadline_rows(now, limit)
        if not rows:
            return counts
        people: dict[str, _Person] = {}
        for row in rows:
            claimed = _claim(uow, app, row, now)
            if claimed is None:
                counts["skipped"] += 1
                continue
            case, d, take = claimed
            if take is None:
                continue
            recipients = _record_chase(uow, app, case, row["case_id"], d, take)
            view = _deadline_view(app, d, take)
            owners = {a for _, a in _owners(app, d)}
            for name, address in recipients:
                key = f"{case.reference}/{d.key}/{take.name}/{address}"
                person = people.setdefault(address, _Person(name, address))
                person.items.append(_Item(key, "escalation" if take.escalation else "reminder", case,
                                          row["case_id"], view, take.escalation, address in owners))
            counts["escalations" if take.escalation else "reminders"] += 1
        for person in people.values():
            _queue_for(uow, app, person, now)
        uow.commit()
    return counts


def _queue_for(uow: "UnitOfWork", app: "App", person: _Person, now) -> None:
    items = [i for i in person.items if not uow.outbox.exists(i.key)]  # never listed twice
    # What goes to a deadline's owner goes on its own: they answer it by email ("done", the Chair's
    # decision), and a reminder is withdrawn if its due date is corrected before it goes. Escalations to
    # everyone else (the Business Manager, chief executives, the Chair told of others' deadlines), the
    # flood, are combined.
    alone = [i for i in items if not i.escalation or i.owner]
    combined = [i for i in items if i.escalation and not i.owner]
    if len(combined) == 1:  # one item: the message it always was
        alone, combined = alone + combined, []
    for i in alone:
        ctx = base_context(app, person.name, person.email, case=i.case, deadline=i.deadline)
        queue(uow, app, key=i.key, template=i.template, to=[person.email], context=ctx, case_id=i.case_id)
    if combined:
        _queue_combined(uow, app, person, combined, now)


def _queue_combined(uow: "UnitOfWork", app: "App", person: _Person, items: list[_Item], now) -> None:
    digest = hashlib.sha256("\n".join(sorted(i.key for i in items)).encode()).hexdigest()[:16]
    summary_key = f"chase/{app.today().isoformat()}/{person.email}/{digest}"
    from service.letters.queueing import case_context

    listed = [{"case": case_context(i.case), "deadline": i.deadline, "escalation": i.escalation}
              for i in sorted(items, key=lambda i: (not i.escalation, i.deadline["due"], i.case.reference))]
    ctx = base_context(app, person.name, person.email, items=listed,
                       overdue=sum(1 for i in items if i.escalation),
                       due_soon=sum(1 for i in items if not i.escalation))
    if not queue(uow, app, key=summary_key, template="chase_summary", to=[person.email], context=ctx):
        return  # the same items were combined already
    for i in items:  # each item recorded under its own key, as the message it went in
        uow.outbox.record_combined(i.key, i.template, i.case_id, person.email, summary_key, now)


def _deadline_view(app: "App", d: Deadline, step: Step) -> dict[str, Any]:
    return {"key": d.key, "what": d.what, "due": d.due, "rule": d.rule,
            "days_left": step.days if not step.escalation else 0,
            "days_overdue": step.days if step.escalation else 0,
            "owner_name": _owner_name(app, d)}


def _chase(uow: "UnitOfWork", app: "App", case: Case, case_id: int, d: Deadline, step: Step) -> None:
    view = _deadline_view(app, d, step)
    template = "escalation" if step.escalation else "reminder"
    for name, address in _record_chase(uow, app, case, case_id, d, step):
        ctx = base_context(app, name, address, case=case, deadline=view)
        queue(uow, app, key=f"{case.reference}/{d.key}/{step.name}/{address}", template=template, to=[address],
              context=ctx, case_id=case_id)


def _record_chase(uow: "UnitOfWork", app: "App", case: Case, case_id: int, d: Deadline,
                  step: Step) -> list[tuple[str, str]]:
    """The step's audit event and log line; returns who it goes to."""
    recipients = chase_recipients(app, case, d, step)
    action = "deadline missed" if step.label == "overdue-1" else ("escalation sent" if step.escalation
                                                                  else "reminder sent")
    uow.audit.append(case_id, case.reference, [AuditEvent(
        at=app.clock.now(), actor="sweep", action=action,
        detail={"deadline": d.key, "step": step.label, "due": d.due.isoformat(),
                "to": [a for _, a in recipients]})])
    uow.on_commit(log.info, action, extra={"case": case.reference, "deadline": d.key, "step": step.label})
    return recipients


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

