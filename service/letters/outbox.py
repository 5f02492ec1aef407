"""The outbox: every outgoing message is a row first, then a delivery.

``queue`` renders a template and inserts the row inside the caller's unit of
work, so the message exists if and only if the event that caused it was
committed. The key is deterministic (``ESCB-2014-007/acknowledgement``), so
queueing twice queues once. ``deliver_due`` (the sender job) claims rows with
a conditional UPDATE, sends them through the mailbox port (idempotent on the
key), and records the outcome: sent; retried later with backoff on a
transient failure; failed and escalated to the Business Manager on a
permanent one.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any

from service.domain.model import Case
from service.mailbox.ports import Attachment, OutgoingMessage, TransportError

from .render import Rendered

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.outbox")

LOOP_HEADER = "X-Review-Clerk-Loop"
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


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
    titles = {p.chair.email: "Independent Chair", p.business_manager.email: "Business Manager",
              p.head_of_sqas.email: "Head of Safeguarding and Quality Assurance"}
    return titles.get(person.email, "")


def case_context(case: Case) -> dict[str, Any]:
    """What templates may know of a case. Initials only: names stay out of email bodies."""
    from service.domain.model_types import EventKind

    decision = case.deadlines.get("decision")
    return {
        "reference": case.reference,
        "stage": case.stage.label,
        "received_on": case.events.get(EventKind.REFERRAL_RECEIVED),
        "decision_due": decision.due if decision else None,
        "outcome": case.outcome.label if case.outcome else None,
        "subject_initials": [s.initials for s in case.subjects],
        "child_initials": [s.initials for s in case.subjects if s.role == "child"],
        "agencies": list(case.agencies),
    }


def queue(uow: "UnitOfWork", app: "App", *, key: str, template: str, to: list[str], context: dict[str, Any],
          case_id: int | None = None, cc: list[str] | None = None, in_reply_to: str | None = None,
          references: list[str] | None = None, auto_reply: bool = False,
          attachments: list[Attachment] | None = None, rendered: Rendered | None = None) -> bool:
    """Render and queue one message. Returns False when a message with this key already exists."""
    if uow.outbox.exists(key):
        return False
    r = rendered or app.templates.render(template, context)
    now = app.clock.now()
    s = app.settings
    headers = {
        # RFC 3834: automatic mail says so, so that other systems do not answer it.
        "Auto-Submitted": "auto-replied" if auto_reply else "auto-generated",
        "X-Auto-Response-Suppress": "All",
        LOOP_HEADER: s.board.mailbox,
    }
    return uow.outbox.queue({
        "key": key, "case_id": case_id, "template": template, "sender": s.board.mailbox,
        "to": [a.lower() for a in to], "cc": [a.lower() for a in (cc or [])], "subject": r.subject, "text": r.text,
        "html": r.html, "headers": headers,
        "attachments": [{"filename": a.filename, "content_type": a.content_type,
                         "data_b64": base64.b64encode(a.data).decode("ascii")} for a in attachments or []],
        "message_id": make_msgid(domain=s.board.mailbox.rsplit("@", 1)[-1]),
        "in_reply_to": in_reply_to, "references": references or [], "mode": "auto",
        "status": "queued", "attempts": 0, "created_at": now, "next_attempt_at": None,
    })


def _to_message(row: dict[str, Any]) -> OutgoingMessage:
    return OutgoingMessage(
        key=row["key"], sender=row["sender"], to=tuple(row["to"]), cc=tuple(row["cc"] or ()), subject=row["subject"],
        text=row["text"], html=row["html"], message_id=row["message_id"], in_reply_to=row["in_reply_to"],
        references=tuple(row["references"] or ()), headers=dict(row["headers"] or {}),
        attachments=tuple(Attachment(a["filename"], a["content_type"], base64.b64decode(a["data_b64"]))
                          for a in row["attachments"] or []))


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    seconds = min(3600, 30 * 2 ** max(0, attempts - 1))
    if retry_after:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


def deliver_due(app: "App", worker: str, limit: int = 20) -> dict[str, int]:
    """The sender job. Returns counts of what it did."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        claimed = uow.outbox.claim_due(now, worker, LEASE, limit)
        uow.commit()
    for oid in claimed:
        with app.db.unit_of_work() as uow:
            row = uow.outbox.get(oid)
        message = _to_message(row)
        try:
            receipt = app.mailbox.send(message)
        except TransportError as exc:
            permanent = exc.permanent or row["attempts"] >= MAX_ATTEMPTS
            with app.db.unit_of_work() as uow:
                if permanent:
                    uow.outbox.mark(oid, status="failed", last_error=str(exc)[:500], claimed_until=None)
                    _escalate_failure(uow, app, row, str(exc))
                    counts["failed"] += 1
                    log.error("send failed permanently", extra={"outbox_key": row["key"], "error": str(exc)[:200]})
                else:
                    uow.outbox.mark(oid, status="queued", last_error=str(exc)[:500], claimed_until=None,
                                    next_attempt_at=now + backoff(row["attempts"], exc.retry_after))
                    counts["retry"] += 1
                    log.warning("send will be retried", extra={"outbox_key": row["key"], "error": str(exc)[:200]})
                uow.commit()
            continue
        with app.db.unit_of_work() as uow:
            uow.outbox.mark(oid, status="sent", sent_at=now, provider_id=receipt.provider_id, claimed_until=None,
                            last_error=None)
            uow.commit()
        counts["sent"] += 1
        log.info("sent", extra={"outbox_key": row["key"], "template": row["template"]})
    return counts


def _escalate_failure(uow: "UnitOfWork", app: "App", row: dict[str, Any], error: str) -> None:
    """Tell the Business Manager a message could not be delivered (never about a failure notice itself)."""
    if row["template"] == "intake_report":
        return
    bm = app.settings.people.business_manager
    item = {"id": row["id"], "stored_at": row["created_at"], "sender": ", ".join(row["to"]),
            "status": "undeliverable", "outcome": f"outgoing '{row['template']}' ({row['key']}) failed: {error[:200]}",
            "message_id": row["message_id"]}
    ctx = base_context(app, bm.name, bm.email, items=[item], quarantine_folder=app.quarantine_folder_name)
    queue(uow, app, key=f"delivery-failure/{row['key']}", template="intake_report", to=[bm.email], context=ctx,
          case_id=row["case_id"])

