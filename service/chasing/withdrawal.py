"""Reminders and escalations no longer called for before they went: their deadline's due date moved (a date
corrected, the deadline extended or resumed with a new date), or it is no longer open (met, paused, gone).

One queued on its own and never tried is withdrawn, as a correction withdraws any letter
(``service.letters.corrections``). One combined into a person's message (``chase_summary``): the item's own
row (status ``combined``) becomes ``withdrawn``, its key set aside so that the chase of the new due date may
queue it again; the message it went in, still queued and never tried, is rendered again without it, or
withdrawn when nothing is left in it. A message already handed to the mailbox is left as it went.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from service.domain.chasing import steps
from service.domain.model import AuditEvent, Case, DeadlineStatus

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.chasing")
CHASES = ("reminder", "escalation")


def _stale(case: Case, key: str) -> bool:
    """The item (``REF/deadline/DUE|step/address``) is for a due date the deadline no longer has."""
    parts = key.split("/")
    if len(parts) != 4:
        return False
    d = case.deadlines.get(parts[1])
    return d is None or d.status is not DeadlineStatus.OPEN or not parts[2].startswith(d.due.isoformat() + "|")


def withdraw_stale(uow: "UnitOfWork", app: "App", case: Case, case_id: int, why: str) -> int:
    """Withdraw the case's reminders and escalations no longer called for (see the module), each audited.
    Every save of a case calls this (:func:`service.case_store.save_case`). Returns how many."""
    from service.letters.queueing import withdraw

    rows = [r for r in uow.outbox.for_case(case_id, templates=list(CHASES)) if _stale(case, r["key"])]
    n = 0
    alone = [r for r in rows if r["status"] == "queued" and not r["attempts"]]  # never tried: it has not gone
    kept = set(withdraw(uow, [r["key"] for r in alone], why))
    for r in alone:
        if r["key"] not in kept:
            n += 1
            _audit(uow, app, case, case_id, r["key"], "reminder withdrawn", why)
    stale = [r for r in rows if r["status"] == "combined"]
    by_message: dict[str, list[dict]] = {}
    for r in stale:
        into = uow.outbox.combined_into(r["key"])
        if into:
            by_message.setdefault(into, []).append(r)
    for into, items in by_message.items():
        oid = uow.outbox.id_of(into)
        message = uow.outbox.get(oid) if oid is not None else None
        if message is None or message["status"] != "queued" or message["attempts"]:
            continue  # gone, or tried: it may have reached the mailbox
        for r in items:
            if uow.outbox.transition(r["id"], "combined", status="withdrawn", key=f"{r['key']}~withdrawn-{r['id']}"[:200],
                                     last_error=why[:500]):
                n += 1
                _audit(uow, app, case, case_id, r["key"], "combined reminder withdrawn", why)
        left = uow.outbox.combined_in(into)
        if not left:
            withdraw(uow, [into], why)
        else:
            _render_again(uow, app, message, left, case, case_id)
    return n


def _audit(uow: "UnitOfWork", app: "App", case: Case, case_id: int, key: str, action: str, why: str) -> None:
    parts = key.split("/")
    uow.audit.append(case_id, case.reference, [AuditEvent(
        at=app.clock.now(), actor="chasing", action=action,
        detail={"deadline": parts[1], "step": parts[2].split("|", 1)[-1], "why": why[:300]})])
    log.info(action, extra={"outbox_key": key, "case": case.reference})


def _render_again(uow: "UnitOfWork", app: "App", message: dict, left: list[dict], case: Case, case_id: int) -> None:
    """The queued message says only what is left in it (as of the day it was queued)."""
    from service.letters.queueing import reference_tag

    from .sweep import _deadline_view, _Item, chase_recipients, summary_context

    cases: dict[str, tuple[Case, int]] = {case.reference: (case, case_id)}
    items: list[_Item] = []
    name = None
    for r in left:
        ref, dkey, step_name, address = r["key"].split("/")
        if ref not in cases:
            cases[ref] = (uow.cases.get(ref), r["case_id"])
        c, cid = cases[ref]
        d = c.deadlines.get(dkey)
        step = next((s for s in steps(d, app.settings.tz, app.settings.working_hours.start,
                                      c.procedure.chase_policy(d.kind)) if s.name == step_name), None) if d else None
        if step is None:
            continue
        name = name or next((n for n, a in chase_recipients(app, c, d, step) if a == address), None)
        items.append(_Item(r["key"], r["template"], c, cid, _deadline_view(app, d, step), step.escalation))
    if not items:
        return
    to = message["to"][0]
    ctx = summary_context(app, name or to, to, items)
    one = len({i.case_id for i in items}) == 1
    if one:
        ctx["reference_tag"] = reference_tag(items[0].case.reference)
    ctx["today"] = message["created_at"].astimezone(app.settings.tz).date()
    r = app.templates.render("chase_summary", ctx)
    uow.outbox.transition(message["id"], "queued", subject=r.subject, text=r.text, html=r.html,
                          case_id=items[0].case_id if one else None)
