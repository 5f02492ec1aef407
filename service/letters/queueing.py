"""Queueing: putting a message on the outbox, with the context its template gets.

``queue`` renders a template and inserts the row inside the caller's unit of
work, so the message exists if and only if the event that caused it was
committed. The key is deterministic (``ESCB-2014-007/acknowledgement``), so
queueing twice queues once. A queued row can be held until a time (:func:`hold`)
and withdrawn before it goes (:func:`withdraw`).

Handing the rows to the mailbox is :mod:`service.letters.delivery`.
"""

from __future__ import annotations

import base64
from datetime import datetime
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any

from service.domain.model import Case
from service.mailbox.ports import Attachment

from .render import Rendered

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork


def reference_tag(reference: str) -> str:
    return f"[{reference}]"


def base_context(app: "App", recipient_name: str | None, recipient_email: str | None,
                 signatory: Any | None = None, case: Case | None = None, **extra: Any) -> dict[str, Any]:
    s = app.settings
    sign = signatory or s.people.business_manager
    ctx: dict[str, Any] = {
        "board": {"name": s.board.name, "short_name": s.board.short_name, "mailbox": s.board.mailbox,
                  "address": s.board.address, "website": s.board.website},
        "recipient": {"name": recipient_name or "colleague", "email": recipient_email},
        "signatory": {"name": sign.name, "title": sign.title or _default_title(app, sign)},
        "today": app.today(),
        "reference_tag": reference_tag(case.reference) if case else f"[{s.board.short_name}]",
    }
    if case is not None:
        ctx["case"] = case_context(case)
    ctx.update(extra)
    return ctx


def _default_title(app: "App", person: Any) -> str:
    p = app.settings.people
    titles = {p.chair.email: "Independent Chair", p.business_manager.email: "Business Manager"}
    if p.head_of_sqas is not None:
        titles[p.head_of_sqas.email] = "Head of Safeguarding and Quality Assurance"
    return titles.get(person.email, "")


def case_context(case: Case) -> dict[str, Any]:
    """What templates may know of a case. Initials only: names stay out of email bodies."""
    from service.domain.model_types import EventKind, Outcome

    def due(key: str):
        d = case.deadlines.get(key)
        return d.due if d else None

    return {
        "reference": case.reference,
        "stage": case.stage_label,
        "received_on": case.events.get(EventKind.REFERRAL_RECEIVED),
        "decision_due": due("decision"),
        "outcome": case.outcome_label,
        "outcome_code": case.outcome,
        "is_scr": case.outcome == Outcome.SCR,
        "decided_on": case.events.get(EventKind.DECIDED),
        "decision_reason": case.decision_reason,
        "ofsted_notified_on": case.events.get(EventKind.OFSTED_NOTIFIED),
        "completion_due": due("completion"),
        "referrer_agency": case.referrer.agency,
        "subject_initials": [s.initials for s in case.subjects],
        "child_initials": [s.initials for s in case.subjects if s.role == "child"],
        "agencies": list(case.agencies),
        # Any pack's dates by id: case.due.<deadline rule> (the first, for per-agency rules use the agency's),
        # case.on.<event>.
        "procedure": case.procedure.label,
        "due": {key: d.due for key, d in case.deadlines.items()},
        "on": dict(case.events),
    }


def queue(uow: "UnitOfWork", app: "App", *, key: str, template: str, to: list[str], context: dict[str, Any],
          case_id: int | None = None, cc: list[str] | None = None, in_reply_to: str | None = None,
          references: list[str] | None = None, auto_reply: bool = False,
          attachments: list[Attachment] | None = None, rendered: Rendered | None = None,
          mode: str = "auto", reviewer: str | None = None) -> bool:
    """Render and queue one message. Returns False when a message with this key already exists.

    ``mode="review"`` leaves it as a draft for ``reviewer`` to check and send.
    """
    if mode not in ("auto", "review") or (mode == "review" and not reviewer):
        raise ValueError("mode is 'auto', or 'review' with the reviewer's address")
    if rendered is None and uow.outbox.exists(key):  # not rendered for nothing (the insert checks again)
        return False
    r = rendered or app.templates.render(template, context)
    now = app.clock.now()
    s = app.settings
    headers = {
        # RFC 3834: automatic mail says so, so that other systems do not answer it.
        "Auto-Submitted": "auto-replied" if auto_reply else "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    return uow.outbox.queue({
        "key": key, "case_id": case_id, "template": template, "sender": s.board.mailbox,
        "to": [a.lower() for a in to], "cc": [a.lower() for a in (cc or [])], "subject": r.subject, "text": r.text,
        "html": r.html, "headers": headers,
        "attachments": [{"filename": a.filename, "content_type": a.content_type,
                         "data_b64": base64.b64encode(a.data).decode("ascii")} for a in attachments or []],
        "message_id": make_msgid(domain=s.board.mailbox.rsplit("@", 1)[-1]),
        "in_reply_to": in_reply_to, "references": references or [], "mode": mode,
        "reviewer": reviewer.lower() if reviewer else None,
        "status": "queued", "attempts": 0, "created_at": now, "next_attempt_at": None,
    })


def hold(uow: "UnitOfWork", keys: list[str], until: datetime) -> int:
    """Queued messages ``keys`` wait until ``until``: the sender job takes none of them before."""
    return uow.outbox.hold(keys, until)


def withdraw(uow: "UnitOfWork", keys: list[str], why: str) -> list[str]:
    """Withdraw queued messages that have not gone: status ``withdrawn``, never sent. Their key is set
    aside (``KEY~withdrawn-ID``) so that the same letter can be queued again later. Returns the keys
    that could not be withdrawn (already being sent, or sent)."""
    left = []
    for key in keys:
        oid = uow.outbox.id_of(key)
        aside = f"{key}~withdrawn-{oid}"[:200]
        if oid is None or not uow.outbox.transition(oid, "queued", status="withdrawn", key=aside,
                                                    next_attempt_at=None, last_error=why[:500]):
            left.append(key)
    return left
