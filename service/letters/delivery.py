"""Delivery: taking rows from the outbox and handing them to the mailbox.

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
attempts, or a draft deleted unsent) marks the row ``failed``.

Delivery knows no procedure: what a sent message meets, and who is told of one
that could not be delivered, are the service's :class:`DeliveryHooks`
(``app.on_delivery``, wired in bootstrap): ``sent`` runs in the same transaction
that marks a row sent, once.

Row states: queued -> sending -> sent | failed | awaiting_review -> sent | failed; a held row
waits in queued until its time and can be withdrawn -> withdrawn (:mod:`service.letters.queueing`).
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.exc import OperationalError

from service.domain import calendar as wd
from service.mailbox.ports import (
    Attachment,
    DraftState,
    OutgoingMessage,
    SendReceipt,
    TransportError,
    send_all,
)

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


class DeliveryHooks(Protocol):
    """What the rest of the service does when delivery has handed a row over or given up on it."""

    def sent(self, uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> None:
        """Runs in the transaction that marks ``row`` sent, once."""

    def failed(self, uow: "UnitOfWork", app: "App", row: dict[str, Any], error: str) -> None:
        """``row`` could not be delivered (marked failed in this transaction): tell someone."""

    def done_otherwise(self, uow: "UnitOfWork", row: dict[str, Any]) -> str | None:
        """What makes ``row`` unneeded when it was not sent (e.g. the event it meets, recorded by a person)."""


def to_message(row: dict[str, Any]) -> OutgoingMessage:
    return OutgoingMessage(
        key=row["key"], sender=row["sender"], to=tuple(row["to"]), cc=tuple(row["cc"] or ()), subject=row["subject"],
        text=row["text"], html=row["html"], message_id=row["message_id"], in_reply_to=row["in_reply_to"],
        references=tuple(row["references"] or ()), headers=dict(row["headers"] or {}),
        attachments=tuple(Attachment(a["filename"], a["content_type"], base64.b64decode(a["data_b64"]))
                          for a in row["attachments"] or []),
        # attempts counts claims: 1 means this is the first time any process has tried it
        first_attempt=row["attempts"] <= 1 and not row["last_error"] and not row["provider_id"])


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
    if getattr(app.mailbox, "send_many", None) is not None:  # a backend that sends many in one round trip
        outcomes: list[str | None] = list(_deliver_rows(app, worker, claimed))
    else:
        outcomes = _deliver_one_by_one(app, worker, claimed)
    for outcome in outcomes:
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


def _deliver_rows(app: "App", worker: str, claimed: list[int]) -> list[str]:
    """Hand over the rows of one claim; the direct sends all together (``send_all``: with Graph, the
    drafts of up to 20 are made in one HTTP round trip and sent in the next), each draft for review alone.

    Each row's claim is renewed, and a row another process has taken (or finished) meanwhile left
    alone, just before the hand-over starts, as :func:`deliver_claimed` does for one row: all the rows
    of the claim in one transaction, since they are all handed over at once, straight after.
    """
    rows = _renewed_all(app, worker, claimed)
    outcomes = [_hand_over(app, row) for row in rows if row["mode"] == "review" and row["reviewer"]]
    direct = [row for row in rows if not (row["mode"] == "review" and row["reviewer"])]
    if not direct:
        return outcomes
    try:
        results = send_all(app.mailbox, [to_message(row) for row in direct])
    except Exception as exc:  # noqa: BLE001 - a bug or a backend surprise: retried (the keys make it safe)
        log.exception("send raised", extra={"error": exc.__class__.__name__})
        return outcomes + [_failed_attempt(app, row, f"unexpected error: {exc.__class__.__name__}", False, None)
                           for row in direct]
    for row, result in zip(direct, results):
        if isinstance(result, TransportError):
            outcomes.append(_failed_attempt(app, row, str(result), result.permanent, result.retry_after))
        else:
            outcomes.append(_record_handed_over(app, row, None, result))
    return outcomes


def _renewed_all(app: "App", worker: str, claimed: list[int]) -> list[dict[str, Any]]:
    """The rows of ``claimed`` whose claims ``worker`` still holds, renewed for a lease (one transaction)."""
    rows = []
    with app.db.unit_of_work() as uow:
        until = app.clock.now() + LEASE
        for oid in claimed:
            if uow.outbox.renew_claim(oid, worker, until):
                rows.append(uow.outbox.get(oid))
            else:
                log.info("message taken over by another process; left to it", extra={"outbox_id": oid})
        uow.commit()
    return rows


def _deliver_one_by_one(app: "App", worker: str, claimed: list[int]) -> list[str | None]:
    """Hand over a claim's rows one at a time. Their claims are renewed together (one transaction), and a row
    reached only after half a lease behind slow sends is renewed again on its own first, as
    :func:`deliver_claimed` does: a row another process has taken over by then is left alone."""
    renewed_at = app.clock.now()
    outcomes: list[str | None] = []
    for row in _renewed_all(app, worker, claimed):
        if app.clock.now() >= renewed_at + LEASE / 2:
            outcomes.append(deliver_claimed(app, worker, row["id"]))
        else:
            outcomes.append(_hand_over(app, row))
    return outcomes


def deliver_claimed(app: "App", worker: str, oid: int) -> str | None:
    """Hand over one row ``worker`` claimed: sent | drafted | retry | failed, or None if it is no longer ours.

    A batch is claimed at once, and the rows at its end can wait minutes behind slow sends (throttling,
    large attachments) until their lease has run out and another process has taken them over and sent
    them. So the claim is renewed as the work on each row starts, and a row another process has taken
    (or finished) meanwhile is left alone rather than handed to the mailbox a second time.
    """
    rows = _renewed_all(app, worker, [oid])
    return _hand_over(app, rows[0]) if rows else None


def _hand_over(app: "App", row: dict[str, Any]) -> str:
    """Send one claimed row (or leave it as a draft). Returns sent | drafted | retry | failed."""
    message = to_message(row)
    draft_id: str | None = None
    receipt: SendReceipt | None = None
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
    return _record_handed_over(app, row, draft_id, receipt)


def _record_handed_over(app: "App", row: dict[str, Any], draft_id: str | None, receipt: SendReceipt | None) -> str:
    """Record a row the mailbox has taken (sent, or left as ``draft_id`` for review). Returns sent | drafted."""
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
                assert receipt is not None
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
                app.on_delivery.failed(uow, app, row, error)
            log.error("send failed permanently", extra={"outbox_key": row["key"], "error": error[:200]})
        else:
            uow.outbox.transition(row["id"], "sending", status="queued", last_error=error[:500], claimed_until=None,
                                  next_attempt_at=now + backoff(row["attempts"], retry_after))
            log.warning("send will be retried", extra={"outbox_key": row["key"], "error": error[:200]})
        uow.commit()
    return "failed" if permanent else "retry"


def collect_reviewed(app: "App") -> int:
    """Rows left for review: sent by their reviewer -> sent; deleted unsent -> failed (and the hooks told)."""
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
                done_otherwise = app.on_delivery.done_otherwise(uow, row)
                if done_otherwise:
                    why += f"; not needed: {done_otherwise} is already recorded"
                if uow.outbox.transition(row["id"], "awaiting_review", status="failed", last_error=why):
                    if not done_otherwise:
                        app.on_delivery.failed(uow, app, row, why)
                    uow.on_commit(log.warning, "draft deleted unsent",
                                  extra={"outbox_key": row["key"], "needed": not done_otherwise})
            uow.commit()
    return done


def mark_sent(uow: "UnitOfWork", app: "App", row: dict[str, Any], expected: str, provider_id: str | None) -> bool:
    """Record a row as sent and run the ``sent`` hook, once: only the process that moves it wins."""
    if not uow.outbox.transition(row["id"], expected, status="sent", sent_at=app.clock.now(),
                                 provider_id=provider_id, claimed_until=None, last_error=None):
        return False
    app.on_delivery.sent(uow, app, row)
    return True


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
