"""The deadline sweep: reminders before a deadline, escalation after it.

Reads only deadlines whose ``next_action_at`` has come (an indexed column),
so its cost follows what is due, not how many cases exist. Each step is
claimed with a conditional UPDATE in the same transaction that queues its
messages, and every message has a key (case, deadline, step, recipient), so
restarts, repeated ``run --once`` and two processes never send one twice.

With ``[chasing] combine`` (the default) a sweep takes what is due in one
transaction and each person with two or more items, reminders and escalations,
the deadline's owner's included, gets one message listing them (template
``chase_summary``); one item alone goes as the ``reminder`` or ``escalation`` it
always was. Each item keeps its own row under its own key, status ``combined``,
naming the message it went in (``headers.combined_into``): a step claimed is
queued with it or not at all, and an item already queued is never listed again.
A message whose items are all of one case is about that case (its ``case_id``
and reference tag), as a reminder is.

What the reasons for sending them one by one protected still holds:

* the owner answers by email: the message lists each case's reference and
  deadline and says, beside each, how to answer it (a reply with the reference,
  and the deadline where the case has several in the message, in its subject;
  the command; the deadline's page). A reply to it is matched to its item by
  :mod:`service.chasing.replies` (``service.intake.case_replies`` asks it);
* a reminder whose due date is corrected before the message goes is withdrawn
  from it (:mod:`service.chasing.withdrawal`): its row ``withdrawn``, the
  message rendered again without it, or withdrawn when nothing is left in it.

The sweep's cost follows what is due: each case is loaded once however many of
its deadlines are due (one query per table for all of them), the claims reuse
one statement, each case's audit events are written in one INSERT, and which
items are queued already is one ``IN`` query (``bench/sweep_due.py``).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.domain.chasing import Step, due_step
from service.domain.model import AuditEvent, Case, Deadline
from service.letters.queueing import base_context, queue, reference_tag

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
    take, after = _due(app, case, d, row, now)
    new_done = take.name if take else row["chase_step"]
    if not uow.cases.advance_deadline(row["id"], row["next_action_at"], new_done, after.at if after else None):
        return None
    return case, d, take


def _due(app: "App", case: Case, d: Deadline, row: dict[str, Any], now) -> tuple[Step | None, Step | None]:
    return due_step(d, row["chase_step"], now, app.settings.tz, app.settings.working_hours.start,
                    case.procedure.chase_policy(d.kind))


def _claim_all(uow: "UnitOfWork", app: "App", rows: list[dict[str, Any]], now
               ) -> tuple[dict[int, Case], list[tuple[dict[str, Any], Deadline, Step | None] | None]]:
    """:func:`_claim` for every due deadline at once: each case loaded once (one query per table), each
    step claimed with its own conditional UPDATE. Returns the cases by id and, for each row, what was
    claimed (None: another process has it, or the deadline is gone)."""
    cases = uow.cases.get_many(r["case_id"] for r in rows)
    wanted: list[tuple[dict[str, Any], Deadline, Step | None]] = []
    claims = []
    for row in rows:
        case = cases.get(row["case_id"])
        d = case.deadlines.get(row["key"]) if case is not None else None
        if d is None:
            continue
        take, after = _due(app, case, d, row, now)
        wanted.append((row, d, take))
        claims.append((row["id"], row["next_action_at"], take.name if take else row["chase_step"],
                       after.at if after else None))
    won = uow.cases.advance_deadlines(claims)
    out: list[tuple[dict[str, Any], Deadline, Step | None] | None] = [
        w if ok else None for w, ok in zip(wanted, won)]
    return cases, out + [None] * (len(rows) - len(wanted))  # None too for each deadline gone


@dataclass
class _Item:
    """One reminder or escalation for one person: what the single message would have been."""
    key: str
    template: str
    case: Case
    case_id: int
    deadline: dict[str, Any]
    escalation: bool


@dataclass
class _Person:
    name: str
    email: str
    items: list[_Item] = field(default_factory=list)


def _sweep_combined(app: "App", limit: int) -> dict[str, int]:
    """Every due step claimed and queued in one transaction; one message per person for what is theirs.

    Its cost follows what is due: each case is loaded once however many of its deadlines are due, its
    audit events written in one statement, and which items are on the outbox already is asked in one
    query for all of them."""
    counts = {"reminders": 0, "escalations": 0, "skipped": 0}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        rows = uow.cases.due_deadline_rows(now, limit)
        if not rows:
            return counts
        cases, claimed = _claim_all(uow, app, rows, now)
        events: dict[int, list[AuditEvent]] = {}
        people: dict[str, _Person] = {}
        for found in claimed:
            if found is None:
                counts["skipped"] += 1
                continue
            row, d, take = found
            if take is None:
                continue
            case = cases[row["case_id"]]
            recipients = chase_recipients(app, case, d, take)
            events.setdefault(row["case_id"], []).append(_chase_event(uow, app, case, d, take, recipients))
            view = _deadline_view(app, d, take)
            for name, address in recipients:
                key = f"{case.reference}/{d.key}/{take.name}/{address}"
                person = people.setdefault(address, _Person(name, address))
                person.items.append(_Item(key, "escalation" if take.escalation else "reminder", case,
                                          row["case_id"], view, take.escalation))
            counts["escalations" if take.escalation else "reminders"] += 1
        for case_id, evs in events.items():  # one INSERT a case
            uow.audit.append(case_id, cases[case_id].reference, evs)
        queued = uow.outbox.existing(i.key for p in people.values() for i in p.items)
        for person in people.values():
            person.items = [i for i in person.items if i.key not in queued]  # never listed twice
            _queue_for(uow, app, person, now)
        uow.commit()
    return counts


def _queue_for(uow: "UnitOfWork", app: "App", person: _Person, now) -> None:
    """A person's items of this sweep: one alone goes as the reminder or escalation it always was; two or
    more, reminders and escalations alike, as one ``chase_summary`` listing each case and deadline."""
    if len(person.items) == 1:
        i = person.items[0]
        ctx = base_context(app, person.name, person.email, case=i.case, deadline=i.deadline)
        queue(uow, app, key=i.key, template=i.template, to=[person.email], context=ctx, case_id=i.case_id)
    elif person.items:
        _queue_combined(uow, app, person, person.items, now)


def summary_context(app: "App", name: str, email: str, items: list[_Item]) -> dict[str, Any]:
    """What ``chase_summary`` is rendered with: each item's case and deadline (``several``: the message lists
    more than one deadline of its case), overdue first, then by due date; the web workspace's address, for
    each deadline's page."""
    from service.letters.queueing import case_context

    seen: dict[int, dict[str, Any]] = {}
    per_case = Counter(i.case_id for i in items)
    listed = [{"case": seen.setdefault(i.case_id, case_context(i.case)), "deadline": i.deadline,
               "escalation": i.escalation, "several": per_case[i.case_id] > 1}
              for i in sorted(items, key=lambda i: (not i.escalation, i.deadline["due"], i.case.reference,
                                                    i.deadline["key"]))]
    return base_context(app, name, email, items=listed, overdue=sum(1 for i in items if i.escalation),
                        due_soon=sum(1 for i in items if not i.escalation),
                        web_url=app.settings.web.public_url.rstrip("/"))


def _queue_combined(uow: "UnitOfWork", app: "App", person: _Person, items: list[_Item], now) -> None:
    digest = hashlib.sha256("\n".join(sorted(i.key for i in items)).encode()).hexdigest()[:16]
    summary_key = f"chase/{app.today().isoformat()}/{person.email}/{digest}"
    ctx = summary_context(app, person.name, person.email, items)
    case_ids = {i.case_id for i in items}
    one = items[0] if len(case_ids) == 1 else None  # all of one case: the message is about that case
    if one is not None:
        ctx["reference_tag"] = reference_tag(one.case.reference)
    if not queue(uow, app, key=summary_key, template="chase_summary", to=[person.email], context=ctx,
                 case_id=one.case_id if one else None):
        return  # the same items were combined already
    # each item recorded under its own key, as the message it went in
    uow.outbox.record_combined_many([(i.key, i.template, i.case_id) for i in items], person.email, summary_key, now)


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
    uow.audit.append(case_id, case.reference, [_chase_event(uow, app, case, d, step, recipients)])
    return recipients


def _chase_event(uow: "UnitOfWork", app: "App", case: Case, d: Deadline, step: Step,
                 recipients: list[tuple[str, str]]) -> AuditEvent:
    """The audit event of a step of the chase (its log line written when the transaction commits)."""
    action = "deadline missed" if step.label == "overdue-1" else ("escalation sent" if step.escalation
                                                                  else "reminder sent")
    uow.on_commit(log.info, action, extra={"case": case.reference, "deadline": d.key, "step": step.label})
    return AuditEvent(at=app.clock.now(), actor="sweep", action=action,
                      detail={"deadline": d.key, "step": step.label, "due": d.due.isoformat(),
                              "to": [a for _, a in recipients]})


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

