"""The outbox: every outgoing message is a row first, then a delivery.

``queue`` renders a template and inserts the row inside the caller's unit of
work, so the message exists if and only if the event that caused it was
committed. The key is deterministic (``ESCB-2014-007/acknowledgement``), so
queueing twice queues once.

``deliver_due`` (the sender job) claims rows with a conditional UPDATE and
hands each to the mailbox port:

* ``mode = "auto"``: sent (``Mailbox.send`` is idempotent on the key, so a
  crash between the send and recording it ends with one message sent);
* ``mode = "review"``: left as a draft for the named reviewer
  (``Mailbox.create_draft``) and marked ``awaiting_review``; each run asks
  the mailbox whether the person has sent it yet (``draft_state``).

People-facing mail is handed over only in working hours on working days
(:func:`sendable_templates`): outside them rows wait in the queue, except the
templates named in ``[mail] send_outside_working_hours``.

A transient failure is retried with backoff; a permanent one (or too many
attempts, or a draft deleted unsent) marks the row ``failed`` and tells the
Business Manager. Marking a row sent runs the after-send hook
(:func:`service.letters.after_send.after_sent`) in the same transaction,
which records the case event the letter meets (IMR letters sent, Board
members told...) once every letter of its kind for the case has gone.

Row states: queued -> sending -> sent | failed | awaiting_review -> sent | failed; a held row
(:func:`hold`) waits in queued until its time and can be withdrawn (:func:`withdraw`) -> withdrawn.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from service.domain import calendar as wd
from service.domain.model import Case
from service.mailbox.ports import (
    Attachment,
    DraftState,
    OutgoingMessage,
    TransportError,
)

from .render import Rendered

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.outbox")

LOOP_HEADER = "X-Review-Clerk-Loop"  # recognised on inbound mail; outbound mail carries X-Review-Clerk-Key
RECORD_TRIES = 5
RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure (PostgreSQL)
REVIEW_POLL = timedelta(minutes=10)  # how often a draft left for review is checked
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
# Messages about undelivered messages: never escalated themselves (no loops).
NOTICES = frozenset({"not_sent", "intake_report"})


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
    if uow.outbox.exists(key):
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


def to_message(row: dict[str, Any]) -> OutgoingMessage:
    return OutgoingMessage(
        key=row["key"], sender=row["sender"], to=tuple(row["to"]), cc=tuple(row["cc"] or ()), subject=row["subject"],
        text=row["text"], html=row["html"], message_id=row["message_id"], in_reply_to=row["in_reply_to"],
        references=tuple(row["references"] or ()), headers=dict(row["headers"] or {}),
        attachments=tuple(Attachment(a["filename"], a["content_type"], base64.b64decode(a["data_b64"]))
                          for a in row["attachments"] or []),
        # attempts counts claims: 1 means this is the first time any process has tried it
        first_attempt=row["attempts"] <= 1 and not row["last_error"] and not row["provider_id"])


_to_message = to_message  # the name older callers used


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    seconds = min(3600, 30 * 2 ** max(0, attempts - 1))
    if retry_after:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


def deliver_due(app: "App", worker: str, limit: int = 20) -> dict[str, int]:
    """The sender job: send (or draft) what is due, then collect drafts people have sent.

    Returns counts: ``sent`` (including reviewed drafts now sent), ``retry``, ``failed``.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        claimed = uow.outbox.claim_due(now, worker, LEASE, limit, templates=sendable_templates(app, now))
        uow.commit()
    for oid in claimed:
        outcome = deliver_claimed(app, worker, oid)
        if outcome in counts:  # "drafted" is not counted: jobs.send_outbox drains while messages are sent
            counts[outcome] += 1
    counts["sent"] += collect_reviewed(app)
    return counts


def is_working_time(app: "App", now: datetime) -> bool:
    """People-facing mail goes now: a working day, within [working_hours]."""
    wh = app.settings.working_hours
    return wd.is_working_time(now.astimezone(app.settings.tz), wh.start, wh.end)


def sendable_templates(app: "App", now: datetime) -> list[str] | None:
    """Which templates the sender may hand over now: all (None) in working time; outside it only
    ``[mail] send_outside_working_hours``. The rest wait in the queue, untouched (no attempt is
    counted and nothing is rescheduled), and go at the next run in working hours."""
    if is_working_time(app, now):
        return None
    return list(app.settings.mail.send_outside_working_hours)


def deliver_claimed(app: "App", worker: str, oid: int) -> str | None:
    """Hand over one row ``worker`` claimed: sent | drafted | retry | failed, or None if it is no longer ours.

    A batch is claimed at once, and the rows at its end can wait minutes behind slow sends (throttling,
    large attachments) until their lease has run out and another process has taken them over and sent
    them. So the claim is renewed as the work on each row starts, and a row another process has taken
    (or finished) meanwhile is left alone rather than handed to the mailbox a second time.
    """
    with app.db.unit_of_work() as uow:
        if not uow.outbox.renew_claim(oid, worker, app.clock.now() + LEASE):
            log.info("message taken over by another process; left to it", extra={"outbox_id": oid})
            return None
        row = uow.outbox.get(oid)
        uow.commit()
    return _hand_over(app, row)


def _hand_over(app: "App", row: dict[str, Any]) -> str:
    """Send one claimed row (or leave it as a draft). Returns sent | drafted | retry | failed."""
    message = to_message(row)
    try:
        if row["mode"] == "review" and row["reviewer"]:
            draft_id = app.mailbox.create_draft(message, row["reviewer"])
        else:
            receipt = app.mailbox.send(message)
    except TransportError as exc:
        return _failed_attempt(app, row, str(exc), exc.permanent, exc.retry_after)
    except Exception as exc:  # noqa: BLE001 - a bug or a backend surprise: retried, never a crash loop
        log.exception("send raised", extra={"outbox_key": row["key"], "error": exc.__class__.__name__})
        return _failed_attempt(app, row, f"unexpected error: {exc.__class__.__name__}", False, None)
    # The message has gone: record it now. Losing a database race here (PostgreSQL picks a
    # deadlock victim) would leave the row claimed until its lease ran out and the send be
    # repeated (harmlessly, the key finds it sent); trying the bookkeeping again is better.
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            with app.db.unit_of_work() as uow:
                if row["mode"] == "review" and row["reviewer"]:
                    uow.outbox.transition(row["id"], "sending", status="awaiting_review", provider_id=draft_id,
                                          claimed_until=None, last_error=None,
                                          next_attempt_at=app.clock.now() + REVIEW_POLL)
                    uow.commit()
                    uow.on_commit(log.info, "left for review", extra={
                        "outbox_key": row["key"], "template": row["template"], "reviewer": row["reviewer"]})
                    return "drafted"
                if mark_sent(uow, app, row, "sending", receipt.provider_id):
                    uow.commit()
                    uow.on_commit(log.info, "sent", extra={"outbox_key": row["key"], "template": row["template"],
                                                           "already_sent": receipt.already_sent})
            return "sent"
        except OperationalError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate not in RETRYABLE_SQLSTATES or attempt == RECORD_TRIES:
                raise
            log.info("recording a send lost a database race; trying again",
                     extra={"outbox_key": row["key"], "sqlstate": sqlstate})
    return "sent"


def _failed_attempt(app: "App", row: dict[str, Any], error: str, permanent: bool,
                    retry_after: float | None) -> str:
    now = app.clock.now()
    permanent = permanent or row["attempts"] >= MAX_ATTEMPTS
    with app.db.unit_of_work() as uow:
        # Only from "sending": a process that took the row over after our lease ran out may have sent it.
        if permanent:
            if uow.outbox.transition(row["id"], "sending", status="failed", last_error=error[:500],
                                     claimed_until=None):
                escalate_failure(uow, app, row, error)
            log.error("send failed permanently", extra={"outbox_key": row["key"], "error": error[:200]})
        else:
            uow.outbox.transition(row["id"], "sending", status="queued", last_error=error[:500], claimed_until=None,
                                  next_attempt_at=now + backoff(row["attempts"], retry_after))
            log.warning("send will be retried", extra={"outbox_key": row["key"], "error": error[:200]})
        uow.commit()
    return "failed" if permanent else "retry"


def collect_reviewed(app: "App") -> int:
    """Rows left for review: sent by their reviewer -> sent; deleted unsent -> failed, Business Manager told."""
    done = 0
    now = app.clock.now()
    with app.db.unit_of_work() as uow:
        rows = uow.outbox.awaiting_review(due_by=now)
    for row in rows:
        try:
            state = app.mailbox.draft_state(row["key"], row["provider_id"] or "")
        except Exception as exc:  # noqa: BLE001 - asked again on the next run; one draft never stops the rest
            log.warning("cannot check a draft", extra={"outbox_key": row["key"], "error": exc.__class__.__name__,
                                                       "detail": str(exc)[:200] if isinstance(exc, TransportError)
                                                       else None})
            continue
        if state is DraftState.DRAFT:  # still with its reviewer: look again later, not on every run
            with app.db.unit_of_work() as uow:
                uow.outbox.transition(row["id"], "awaiting_review", next_attempt_at=now + REVIEW_POLL)
                uow.commit()
            continue
        with app.db.unit_of_work() as uow:
            if state is DraftState.SENT:
                if mark_sent(uow, app, row, "awaiting_review", row["provider_id"]):
                    done += 1
                    uow.on_commit(log.info, "sent by its reviewer",
                                  extra={"outbox_key": row["key"], "reviewer": row["reviewer"]})
            else:
                why = f"the draft left for {row['reviewer']} to check was deleted without being sent"
                done_otherwise = _already_done(uow, row)
                if done_otherwise:
                    why += f"; not needed: {done_otherwise} is already recorded"
                if uow.outbox.transition(row["id"], "awaiting_review", status="failed", last_error=why):
                    if not done_otherwise:
                        escalate_failure(uow, app, row, why)
                    uow.on_commit(log.warning, "draft deleted unsent",
                                  extra={"outbox_key": row["key"], "needed": not done_otherwise})
            uow.commit()
    return done


def _already_done(uow: "UnitOfWork", row: dict[str, Any]) -> str | None:
    """The event this communication meets, when a person has recorded it some other way."""
    from .catalogue import CATALOGUE

    comm = CATALOGUE.get(row["template"])
    if comm is None or comm.meets is None or row["case_id"] is None:
        return None
    try:
        case = uow.cases.get_by_id(row["case_id"])
    except LookupError:
        return None
    return comm.meets.value if comm.meets in case.events else None


def mark_sent(uow: "UnitOfWork", app: "App", row: dict[str, Any], expected: str, provider_id: str | None) -> bool:
    """Record a row as sent and run the after-send hook, once: only the process that moves it wins."""
    from .after_send import after_sent

    if not uow.outbox.transition(row["id"], expected, status="sent", sent_at=app.clock.now(),
                                 provider_id=provider_id, claimed_until=None, last_error=None):
        return False
    after_sent(uow, app, row)
    return True


def escalate_failure(uow: "UnitOfWork", app: "App", row: dict[str, Any], error: str) -> None:
    """Tell the Business Manager a message could not be delivered (never about such a notice itself)."""
    if row["template"] in NOTICES:
        log.error("a notice to the Business Manager could not be delivered", extra={"outbox_key": row["key"]})
        return
    from .catalogue import CATALOGUE

    bm = app.settings.people.business_manager
    try:
        case = uow.cases.get_by_id(row["case_id"]) if row["case_id"] else None
    except LookupError:
        case = None
    comm = CATALOGUE.get(row["template"])
    ctx = base_context(app, bm.name, bm.email, case=case, problem={
        "what": comm.title if comm else row["template"], "template": row["template"],
        "for_whom": ", ".join(row["to"]), "why": error[:300],
        "fix": (f"check the address; the message is kept in the outbox ({row['key']}). "
                f"Send it again with: review-clerk letters retry {row['key']}")})
    queue(uow, app, key=f"not_sent/{row['key']}", template="not_sent", to=[bm.email], context=ctx,
          case_id=row["case_id"])


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


def retry(app: "App", key: str) -> dict[str, Any]:
    """Put a failed message back in the queue (after its address or the mailbox was fixed)."""
    with app.db.unit_of_work() as uow:
        oid = uow.outbox.id_of(key)
        if oid is None:
            raise LookupError(f"no message {key} in the outbox")
        row = uow.outbox.get(oid)
        if row["status"] != "failed":
            raise ValueError(f"message {key} is {row['status']}; only a failed one can be sent again")
        if not row["text"]:
            raise ValueError(f"message {key} was emptied under the retention policy; queue the letter afresh "
                             f"(review-clerk letters send) rather than sending an empty one")
        uow.outbox.transition(oid, "failed", status="queued", attempts=0, next_attempt_at=None, last_error=None)
        uow.commit()
    return {"key": key, "status": "queued"}
