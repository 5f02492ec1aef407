"""Stage 1, "Referral received", in the running service: the intake pipeline.

Two separate, repeatable steps:

1. :func:`store_new` copies every new message from the mailbox into the
   database (raw bytes and their hash) before anything else happens, then
   saves the mailbox cursor.
2. :func:`process_stored` claims stored messages and gives each exactly one
   recorded outcome (:func:`service.intake.triage.handle_message`), in one
   transaction with everything it causes (a case opened, an acknowledgement
   queued). A crash anywhere repeats the step; the claim, the unique outbox
   keys and the duplicate checks make the repetition open no second case and
   send no second reply.

A third step, :func:`file_handled`, moves handled messages to their folder
in the mailbox; it trails the outcome and is safe to repeat.

Logs carry message ids, hashes and case references, never a name, a date of
birth or an address.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
import time
from datetime import datetime, timedelta
from email.utils import getaddresses
from typing import TYPE_CHECKING, Callable

from sqlalchemy.exc import DataError, IntegrityError

from service.mailbox.ports import Disposition, file_all

from .outcome import Outcome
from .triage import handle_message

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")


LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
CURSOR = "mailbox_cursor"
DISPOSITION = {
    "processed": Disposition.PROCESSED, "duplicate": Disposition.PROCESSED, "reply": Disposition.PROCESSED,
    "not_referral": Disposition.NOT_REFERRAL, "quarantined": Disposition.QUARANTINE,
    "held": Disposition.QUARANTINE, "failed": Disposition.QUARANTINE, "refused": Disposition.QUARANTINE,
}


# Outcomes the folder a message is filed in already names (Processed, Not a referral, Quarantine).
FOLDER_SAYS_IT = frozenset({"processed", "not_referral", "quarantined"})


def store_new(app: "App", max_batches: int = 20) -> int:
    """Copy new mail into the database. Returns how many messages were stored.

    Each batch the mailbox gives is stored in one transaction together with the cursor past it, so a
    crash re-reads rather than loses (the cursor never moves past a message not stored); the backend
    id (and the Message-ID, at processing) make the re-read harmless. A message the database refuses
    (or that another process stored a moment ago) is skipped inside its own savepoint: the others of
    its batch are stored.
    """
    stored = 0
    for _ in range(max_batches):
        with app.db.unit_of_work() as uow:
            cursor = uow.state.get(CURSOR)
        batch = app.mailbox.read_new(cursor)
        with app.db.unit_of_work() as uow:
            for msg in batch.messages:
                if _store_one(uow, app, msg):
                    stored += 1
            if batch.cursor is not None and batch.cursor != cursor:
                uow.state.set(CURSOR, batch.cursor, app.clock.now())
            uow.commit()
        if not batch.more:
            break
    return stored


def _store_one(uow: "UnitOfWork", app: "App", msg) -> bool:
    message_id = _message_id(msg.internet_message_id)
    if uow.inbox.known(msg.id, None):
        return False
    try:
        with uow.conn.begin_nested():
            mid = uow.inbox.store(msg.id, msg.raw, message_id, msg.received_at, app.clock.now(), _sender(msg.raw))
    except IntegrityError:
        return False  # another process stored it a moment ago
    except DataError as exc:  # a value the database refuses: this message waits, the others go on
        log.error("message could not be stored", extra={"backend_id": msg.id[:200],
                                                        "error": exc.__class__.__name__})
        return False
    uow.on_commit(log.info, "message stored", extra={"inbound_id": mid, "message_id": message_id,
                                                      "bytes": len(msg.raw)})
    return True


def process_stored(app: "App", limit: int | None = None, seconds: float | None = None) -> list[Outcome]:
    """Claim stored messages one at a time and give each its outcome, for up to ``seconds`` of real time
    (``[intake] seconds_per_run``) or ``limit`` messages; what is left waits for the next run.

    One at a time, so that a message's ``attempts`` counts the times a process
    actually started on it: a process that dies holds (for the lease) only the
    message it was handling, and a message that kills the process handling it
    (out of memory, a crash inside a document library) is set aside after
    MAX_ATTEMPTS rather than stopping the service on every restart. The claim of
    the next message is committed with the outcome of the one before (one commit
    a message, not two): it is still claimed, and its attempt counted, before
    anything is done with it.
    """
    budget = app.settings.intake.seconds_per_run if seconds is None else seconds
    started = time.monotonic()  # real time: the service's clock may be a simulated one
    outcomes: list[Outcome] = []
    lost = handled = 0

    def more() -> bool:
        return (limit is None or handled < limit) and (not handled or time.monotonic() - started < budget)

    nxt = _Next()
    while nxt.ids or more():
        if not nxt.ids:
            now = app.clock.now()
            with app.db.unit_of_work() as uow:
                claimed = uow.inbox.claim_new(now, app.worker, LEASE, 1)
                uow.commit()
            if not claimed:
                # Nothing left, or another process took the message this one went for: look again.
                if lost < 3 and _claimable(app, now):
                    lost += 1
                    continue
                return outcomes
            nxt.ids = claimed
        mid, nxt.ids = nxt.ids[0], []
        handled += 1
        nxt.wanted = more
        outcome = _process_one(app, mid, nxt)
        if outcome is not None:
            outcomes.append(outcome)
    if handled and (limit is None or handled < limit):
        log.info("inbox run ended by its time budget; the rest waits for the next run",
                 extra={"handled": handled, "seconds": budget})
    return outcomes


class _Next:
    """The next message, claimed in the transaction that records the outcome of the one before it."""

    def __init__(self) -> None:
        self.wanted: Callable[[], bool] = lambda: False  # asked when the outcome is recorded
        self.ids: list[int] = []


def _claimable(app: "App", now: datetime) -> bool:
    with app.db.unit_of_work() as uow:
        return uow.inbox.any_claimable(now)


def _process_one(app: "App", mid: int, nxt: _Next | None = None) -> Outcome | None:
    """Handle one message this process claimed. None when the claim turned out to be lost. With ``nxt``
    (and ``nxt.wanted``), the next message is claimed in the same commit as this one's outcome."""
    nxt = nxt or _Next()
    try:
        with app.db.unit_of_work() as uow:
            row = uow.inbox.get(mid)
            if row["attempts"] > MAX_ATTEMPTS:  # every earlier attempt ended with no outcome recorded
                outcome = Outcome("failed", f"set aside unread: the service stopped while handling it on "
                                            f"{row['attempts'] - 1} attempts; kept for a person to handle")
                if not _record(uow, app, mid, outcome, nxt):
                    return None
                log.error("message set aside: handling it stopped the service", extra={
                    "inbound_id": mid, "attempts": row["attempts"]})
                return outcome
            outcome = handle_message(uow, app, row)
            if not _record(uow, app, mid, outcome, nxt):
                return None  # rolled back: the process that took it over records its outcome
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop the loop
        nxt.ids = []  # not committed: claimed on its own next
        # The class name only: exception text from parsers can quote the document.
        with app.db.unit_of_work() as uow:
            row = uow.inbox.get(mid)
            if row["attempts"] >= MAX_ATTEMPTS:
                outcome = Outcome("failed", f"could not be processed after {row['attempts']} attempts "
                                            f"({exc.__class__.__name__}); kept for a person to handle")
                if not _record(uow, app, mid, outcome):
                    return None
            else:
                outcome = Outcome("new", f"processing failed ({exc.__class__.__name__}); will retry")
        log.error("message processing failed", extra={"inbound_id": mid, "error": exc.__class__.__name__})
        return outcome
    log.info("message handled", extra={"inbound_id": mid, "status": outcome.status, "kind": outcome.kind,
                                       "case": outcome.reference})
    return outcome


def _record(uow: "UnitOfWork", app: "App", mid: int, outcome: Outcome, nxt: _Next | None = None) -> bool:
    """Record ``outcome`` for a message this process claimed and commit; False (nothing recorded,
    and the unit of work left to roll back) when another process has taken the message over.

    A process can stall past its lease (a long pause, a suspended machine); another one then takes the
    message over and records its outcome. The stalled one must not record a second outcome over it
    (the referral it sees as already opened would become a "duplicate" of its own case). So the outcome
    is written by one conditional UPDATE, only while the message is still unhandled and claimed by this
    process; it also locks the row until this transaction ends, so a takeover waits for it and then
    finds the message handled.
    """
    if not uow.inbox.finish_claimed(mid, app.worker, outcome.status, outcome.reason, outcome.kind,
                                    outcome.case_id):
        _log_lost(mid)
        return False
    if nxt is not None and nxt.wanted():
        nxt.ids = uow.inbox.claim_new(app.clock.now(), app.worker, LEASE, 1)
    uow.commit()
    return True


def _log_lost(mid: int) -> None:
    log.warning("message taken over by another process after this one's lease ran out; its work here is "
                "discarded", extra={"inbound_id": mid})


def file_handled(app: "App") -> int:
    """File each handled message in the mailbox (all together: with Graph, 10 to an HTTP round trip)."""
    with app.db.unit_of_work() as uow:
        rows = uow.inbox.unfiled()
    if not rows:
        return 0
    # A category only where it says more than the folder does ("duplicate", "reply", "held"…): one request
    # per message fewer for the usual case (Graph: the move alone; the category is a second request).
    errors = file_all(app.mailbox, [(r["backend_id"], DISPOSITION.get(r["status"], Disposition.QUARANTINE),
                                     None if r["status"] in FOLDER_SAYS_IT else f"Review Clerk: {r['status']}")
                                    for r in rows])
    done = []
    for r, error in zip(rows, errors):
        if error is not None:
            log.warning("could not file message", extra={"inbound_id": r["id"], "error": str(error)[:200]})
            continue
        done.append(r["id"])
    if done:  # a crash before this commit files them again: a move to the folder a message is in is harmless
        with app.db.unit_of_work() as uow:
            uow.inbox.mark_filed(*done)
            uow.commit()
    return len(done)


def _sender(raw: bytes) -> str | None:
    try:
        msg = email.message_from_bytes(raw[:256 * 1024], policy=email.policy.compat32)
        addrs = getaddresses([str(msg.get("From", ""))])
    except Exception:  # noqa: BLE001 - malformed headers: no sender, still stored
        return None
    for _, addr in addrs:
        if "@" in addr:
            return addr.strip().lower()[:320]
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _message_id(value: str | None) -> str | None:
    """The Message-ID as stored, or None when the header cannot be one: longer than a header line may
    be (RFC 5322: 998 characters, the column's width) or holding control characters (PostgreSQL
    refuses NUL). Such a header must not stop the message being stored; it is then matched as a
    duplicate by its bytes or its form instead."""
    if not value or len(value) > 998 or _CONTROL.search(value):
        return None
    return value
