"""Stage 1, "Referral received", in the running service.

Two separate, repeatable steps:

1. :func:`store_new` copies every new message from the mailbox into the
   database (raw bytes and their hash) before anything else happens, then
   saves the mailbox cursor.
2. :func:`process_stored` claims stored messages and gives each exactly one
   recorded outcome, in one transaction with everything it causes (a case
   opened, an acknowledgement queued). A crash anywhere repeats the step;
   the claim, the unique outbox keys and the duplicate checks make the
   repetition open no second case and send no second reply.

A third step, :func:`file_handled`, moves handled messages to their folder
in the mailbox; it trails the outcome and is safe to repeat.

Logs carry message ids, hashes and case references, never a name, a date of
birth or an address.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DataError, IntegrityError

from service.case_store import save_case
from service.chasing.schedule import next_actions
from service.domain.model import AuditEvent, Case, DomainError, Referrer, Subject
from service.letters.catalogue import CASE_OPENED, DECIDED
from service.letters.queueing import base_context, queue
from service.letters.triggers import queue_for_event
from service.mailbox.ports import Disposition, TransportError
from service.meetings.service import on_case_opened
from service.store.db import Lock

from . import decision_hold, instructions, sender_trust
from .loops import may_auto_reply
from .parsing import Limits, extract_fields, parse_message

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
CURSOR = "mailbox_cursor"

MISSING_LABELS = {
    "referral_date": "Date of the referral",
    "subjects": "Names, dates of birth and address of the child and adults",
    "summary": "Summary of the case",
    "request": "Request or recommendations to the LSCB",
    "criteria_statement": "How the case meets the criteria for a serious case review",
    "referrer.name": "Name of the SCR Panel member of the referring agency",
    "referrer.telephone": "Telephone",
    "referrer.email": "Email address",
}

DISPOSITION = {
    "processed": Disposition.PROCESSED, "duplicate": Disposition.PROCESSED, "reply": Disposition.PROCESSED,
    "not_referral": Disposition.NOT_REFERRAL, "quarantined": Disposition.QUARANTINE,
    "held": Disposition.QUARANTINE, "failed": Disposition.QUARANTINE, "refused": Disposition.QUARANTINE,
}


def limits_for(app: "App") -> Limits:
    i = app.settings.intake
    mb = 1024 * 1024
    return Limits(max_message_bytes=int(i.max_message_mb * mb), max_expanded_bytes=int(i.max_expanded_mb * mb),
                  max_attachments=i.max_attachments)


# Step 1 ----------------------------------------------------------------------
def store_new(app: "App", max_batches: int = 20) -> int:
    """Copy new mail into the database. Returns how many messages were stored.

    Each message is committed before the cursor moves past it, so a crash
    re-reads rather than loses; the backend id (and the Message-ID, at
    processing) make the re-read harmless.
    """
    stored = 0
    for _ in range(max_batches):
        with app.db.unit_of_work() as uow:
            cursor = uow.state.get(CURSOR)
        batch = app.mailbox.read_new(cursor)
        for msg in batch.messages:
            message_id = _message_id(msg.internet_message_id)
            try:
                with app.db.unit_of_work() as uow:
                    if uow.inbox.known(msg.id, None):
                        continue
                    sender = _sender(msg.raw)
                    mid = uow.inbox.store(msg.id, msg.raw, message_id, msg.received_at, app.clock.now(), sender)
                    uow.commit()
            except IntegrityError:
                continue  # another process stored it a moment ago
            except DataError as exc:  # a value the database refuses: this message waits, the others go on
                log.error("message could not be stored", extra={"backend_id": msg.id[:200],
                                                                "error": exc.__class__.__name__})
                continue
            stored += 1
            log.info("message stored", extra={"inbound_id": mid, "message_id": message_id, "bytes": len(msg.raw)})
        if batch.cursor is not None and batch.cursor != cursor:
            with app.db.unit_of_work() as uow:
                uow.state.set(CURSOR, batch.cursor, app.clock.now())
                uow.commit()
        if not batch.more:
            break
    return stored


# Step 2 ----------------------------------------------------------------------
@dataclass
class Outcome:
    status: str
    reason: str
    kind: str | None = None
    case_id: int | None = None
    reference: str | None = None


def process_stored(app: "App", limit: int | None = None, seconds: float | None = None) -> list[Outcome]:
    """Claim stored messages one at a time and give each its outcome, for up to ``seconds`` of real time
    (``[intake] seconds_per_run``) or ``limit`` messages; what is left waits for the next run.

    One at a time, so that a message's ``attempts`` counts the times a process
    actually started on it: a process that dies holds (for the lease) only the
    message it was handling, and a message that kills the process handling it
    (out of memory, a crash inside a document library) is set aside after
    MAX_ATTEMPTS rather than stopping the service on every restart.
    """
    budget = app.settings.intake.seconds_per_run if seconds is None else seconds
    started = time.monotonic()  # real time: the service's clock may be a simulated one
    outcomes: list[Outcome] = []
    lost = handled = 0
    while limit is None or handled < limit:
        if handled and time.monotonic() - started >= budget:
            log.info("inbox run ended by its time budget; the rest waits for the next run",
                     extra={"handled": handled, "seconds": budget})
            break
        now = app.clock.now()
        with app.db.unit_of_work() as uow:
            claimed = uow.inbox.claim_new(now, app.worker, LEASE, 1)
            uow.commit()
        if not claimed:
            # Nothing left, or another process took the message this one went for: look again.
            if lost < 3 and _claimable(app, now):
                lost += 1
                continue
            break
        handled += 1
        outcome = _process_one(app, claimed[0])
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _claimable(app: "App", now: datetime) -> bool:
    with app.db.unit_of_work() as uow:
        return uow.inbox.any_claimable(now)


def _process_one(app: "App", mid: int) -> Outcome | None:
    """Handle one message this process claimed. None when the claim turned out to be lost."""
    try:
        with app.db.unit_of_work() as uow:
            row = uow.inbox.get(mid)
            if row["attempts"] > MAX_ATTEMPTS:  # every earlier attempt ended with no outcome recorded
                outcome = Outcome("failed", f"set aside unread: the service stopped while handling it on "
                                            f"{row['attempts'] - 1} attempts; kept for a person to handle")
                if not _record(uow, app, mid, outcome):
                    return None
                log.error("message set aside: handling it stopped the service", extra={
                    "inbound_id": mid, "attempts": row["attempts"]})
                return outcome
            outcome = handle_message(uow, app, row)
            if not _record(uow, app, mid, outcome):
                return None  # rolled back: the process that took it over records its outcome
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop the loop
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


def _record(uow: "UnitOfWork", app: "App", mid: int, outcome: Outcome) -> bool:
    """Record ``outcome`` for a message this process claimed and commit; False (nothing recorded,
    and the unit of work left to roll back) when another process has taken the message over."""
    if not _still_ours(uow, app, mid):
        _log_lost(mid)
        return False
    uow.inbox.finish(mid, outcome.status, outcome.reason, outcome.kind, outcome.case_id)
    uow.commit()
    return True


def _still_ours(uow: "UnitOfWork", app: "App", mid: int) -> bool:
    """Is the message still claimed by this process and unhandled? Checked in the transaction that records
    the outcome, just before recording it.

    A process can stall past its lease (a long pause, a suspended machine); another one then takes the
    message over and records its outcome. The stalled one must not record a second outcome over it
    (the referral it sees as already opened would become a "duplicate" of its own case). The conditional
    UPDATE also locks the row until this transaction ends, so a takeover waits for it and then finds
    the message handled.
    """
    return uow.inbox.renew_claim(mid, app.worker, app.clock.now() + LEASE)


def _log_lost(mid: int) -> None:
    log.warning("message taken over by another process after this one's lease ran out; its work here is "
                "discarded", extra={"inbound_id": mid})


def handle_message(uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> Outcome:
    """Decide what one stored message is and do what that calls for, inside ``uow``."""
    raw: bytes = row["raw"]
    msg = email.message_from_bytes(raw[:1024 * 1024], policy=email.policy.compat32)
    parsed = parse_message(raw, limits_for(app))
    subject = str(msg.get("Subject", ""))

    # A meeting response carries [REF] in its subject too: it goes to the meeting, not the case file.
    if parsed.get("kind") == "meeting_response":
        from service.meetings.service import file_meeting_reply

        return Outcome("reply", file_meeting_reply(uow, app, row), "meeting_response")

    # A reply about an existing case: matched by the reference tag or In-Reply-To/References.
    reference = _case_for_reply(uow, app, msg, subject)
    if reference is not None and parsed.get("kind") not in ("auto_reply", "delivery_failure", "own_message"):
        return _file_reply(uow, app, row, reference, parsed)

    if parsed.get("needs_person"):
        return Outcome("quarantined", parsed["needs_person"], parsed.get("kind"))
    if not parsed.get("is_referral"):
        return Outcome("not_referral", parsed.get("not_referral_reason") or "not a referral", parsed.get("kind"))

    # Duplicates: the same Message-ID, the same bytes, or the same form re-sent or forwarded.
    _one_referral_at_a_time(uow)
    if row["internet_message_id"]:
        first = uow.inbox.with_message_id([row["internet_message_id"]])
        if first and first["id"] != row["id"]:
            return _duplicate(uow, app, first["case_id"], "same Message-ID as an earlier message")
    for other in uow.inbox.with_sha(row["sha256"], row["id"]):
        if other["case_id"]:
            return _duplicate(uow, app, other["case_id"], "identical to an earlier message")
    fingerprint = referral_fingerprint(parsed)
    if fingerprint:
        existing = uow.cases.find_by_fingerprint(fingerprint)
        if existing:
            return _duplicate(uow, app, uow.cases.id_of(existing), "the same referral form as an earlier message")

    sender = row["sender"] or ""
    if app.settings.intake.hold_unknown_senders and not row.get("released") and sender \
            and not app.settings.is_partner_address(sender):
        return Outcome("held", f"referral from {sender.rsplit('@', 1)[-1]}, which is not a partner agency's domain; "
                               "held for the Business Manager to confirm", "referral")
    return open_case(uow, app, row, msg, parsed, fingerprint)


def open_case(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, parsed: dict[str, Any],
              fingerprint: str | None, actor: str = "intake", acknowledge: bool = True) -> Outcome:
    received_on = _received_on(app, row, msg)
    year = received_on.year
    seq = uow.cases.next_sequence(year)
    reference = app.settings.board.reference_format.format(year=year, seq=seq)
    subjects = [Subject(name=s["name"], role=s.get("role") or "unknown", relationship=s.get("relationship"),
                        date_of_birth=_iso(s.get("date_of_birth")), address=s.get("address"))
                for s in parsed.get("subjects") or []]
    r = parsed.get("referrer") or {}
    referrer = Referrer(name=r.get("name"), agency=r.get("agency"), telephone=r.get("telephone"), email=r.get("email"))
    case = Case.open(reference, received_on, app.clock.now(), actor, subjects=subjects, referrer=referrer,
                     source=f"inbound message {row['id']}")
    agency = app.settings.agency_for_address(referrer.email or row["sender"] or "")
    if agency:
        case.add_agency(agency.key, app.clock.now(), actor)
    missing = list(parsed.get("missing") or [])
    to_confirm = list(parsed.get("confirm") or [])  # fixed phrases, subjects by number: no personal data
    case_id = uow.cases.add(case, year, seq, referral=parsed, missing=missing, fingerprint=fingerprint,
                            to_confirm=to_confirm,
                            next_actions=next_actions(app, case, {}))
    on_case_opened(uow, app, case, case_id)  # stage 3: ask for the extraordinary panel meeting (no calendar I/O)
    queue_for_event(uow, app, case, case_id, CASE_OPENED)  # stage 2: the Ofsted notification, a draft for the Chair
    if acknowledge:
        _acknowledge(uow, app, case, case_id, row, msg, missing)
    confirm = f"; to confirm: {'; '.join(to_confirm)}" if to_confirm else ""
    return Outcome("processed", f"case {reference} opened{confirm}", "referral", case_id, reference)


def _one_referral_at_a_time(uow: "UnitOfWork") -> None:
    """Checking for duplicates and opening the case, one referral at a time across processes.

    Two processes handling the same form at once (the original and a forwarded copy, claimed by
    each) would otherwise both find no earlier case and open one each. On PostgreSQL a transaction
    lock, held until this unit of work ends, makes the second wait and then see the first's case;
    it is the first lock these transactions take, so it cannot be part of a deadlock. (SQLite has
    one writer at a time: the second's write fails, and the message is handled again later.)
    """
    uow.serialise(Lock.REFERRALS)


def _acknowledge(uow: "UnitOfWork", app: "App", case: Case, case_id: int, row: dict[str, Any], msg,
                 missing: list[str]) -> None:
    allowed, why = may_auto_reply(msg, own_addresses={app.settings.board.mailbox})
    to = case.referrer.email or row["sender"]
    if not allowed or not to:
        uow.audit.append(case_id, case.reference, [_note(app, "no acknowledgement sent", why or "no address")])
        return
    since = app.clock.now() - timedelta(days=1)
    if uow.outbox.sent_since(to, since) >= app.settings.intake.auto_replies_per_address_per_day:
        uow.audit.append(case_id, case.reference,
                         [_note(app, "no acknowledgement sent", "automatic replies to this address are rate-limited")])
        return
    template = "missing_information" if missing else "acknowledgement"
    ctx = base_context(app, case.referrer.name, to, case=case, missing=[MISSING_LABELS[m] for m in missing])
    refs = [x for x in [row["internet_message_id"]] if x]
    queue(uow, app, key=f"{case.reference}/{template}", template=template, to=[to], context=ctx, case_id=case_id,
          in_reply_to=row["internet_message_id"], references=refs, auto_reply=True)


def _duplicate(uow: "UnitOfWork", app: "App", case_id: int | None, why: str) -> Outcome:
    if case_id is None:
        return Outcome("duplicate", why, "referral")
    case = uow.cases.get_by_id(case_id)
    uow.audit.append(case_id, case.reference, [_note(app, "duplicate referral received", why)])
    return Outcome("duplicate", f"{why}; linked to {case.reference}", "referral", case_id, case.reference)


def _file_reply(uow: "UnitOfWork", app: "App", row: dict[str, Any], reference: str,
                parsed: dict[str, Any]) -> Outcome:
    """A message about an existing case is attached to it, and acted on where it says so:

    * "done" on the first line of a reply to a reminder or escalation, from the
      deadline's owner or a member of staff, marks that deadline met;
    * "Decision: <outcome>" and its reasons, from the Chair or the Business
      Manager, records the Chair's decision; the letters it calls for are held
      (see :mod:`service.intake.decision_hold`) and "Undo" in a reply to the
      confirmation withdraws it while they wait;
    * an instruction is carried out only from an authenticated sender, in reply to
      a message the service sent that person about the case, and not older than it
      (:func:`_may_act`);
    * a document from an involved agency's domain is its report (IMR or
      chronology) and marks that report received;
    * a referrer's reply fills the gaps we asked about.
    """
    case = uow.cases.get(reference)
    extra = uow.cases.extra(reference)
    case_id = extra["id"]
    sender = (row["sender"] or "").lower()
    msg = email.message_from_bytes(row["raw"][:4 * 1024 * 1024], policy=email.policy.default)

    new_text = _new_text(msg)
    if instructions.is_undo(new_text):
        return _undo_by_reply(uow, app, row, msg, case, reference, case_id, sender)
    deadline_key = _replied_deadline(uow, msg)
    if deadline_key and instructions.is_done(new_text):
        return _done_by_reply(uow, app, row, msg, case, reference, case_id, deadline_key, sender)
    wanted = instructions.decision(new_text)
    if wanted is not None:
        return _decision_by_reply(uow, app, row, msg, case, reference, case_id, sender, wanted)

    agency = app.settings.agency_for_address(sender)
    documents = _document_names(msg)
    if agency and agency.key in case.agencies and documents:
        return _agency_report(uow, app, case, reference, case_id, agency.key, documents)

    missing = list(extra["missing"] or [])
    filled: list[str] = []
    referrer_addresses = {a.lower() for a in (case.referrer.email, _first_sender(extra)) if a}
    if missing and sender in referrer_addresses:
        fields = extract_fields(row["raw"], limits_for(app))
        filled = _fill_gaps(case, fields, missing)
        referral = dict(extra["referral"] or {})
        referral.update({k: v for k, v in fields.items() if k in ("referral_date", "summary", "request",
                                                                  "criteria_statement") and v})
        missing = [m for m in missing if m not in filled]
        case.new_audit.append(_note(app, "reply from referrer filed",
                                    f"filled: {', '.join(filled) or 'nothing new'}"))
        save_case(uow, app, case, missing=missing, referral=referral)
    else:
        uow.audit.append(case_id, reference, [_note(app, "reply filed", f"from {sender.rsplit('@', 1)[-1]}")])
    return Outcome("reply", f"reply filed against {reference}" + (f"; filled {', '.join(filled)}" if filled else ""),
                   "reply", case_id, reference)


def _done_by_reply(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, case: Case, reference: str,
                   case_id: int, key: str, sender: str) -> Outcome:
    d = case.deadlines.get(key)
    what = f"'done' for {key}"
    allowed = app.settings.staff_addresses() | _owner_addresses(app, d)
    refusal = _may_act(uow, app, msg, case_id, reference, sender, allowed,
                       "neither the deadline's owner nor board staff", templates=("reminder", "escalation"))
    if refusal:
        return _refused(uow, app, row, msg, case, case_id, sender, what, refusal, tell=False)
    if d is None:
        return _refused(uow, app, row, msg, case, case_id, sender, what, "no such deadline on the case")
    if key == "decision":
        return _refused(uow, app, row, msg, case, case_id, sender, what,
                        "the decision is recorded with the decision itself, not 'done'",
                        fix=f"reply again and {instructions.HOW}")
    try:
        case.mark_met(key, app.today(), app.clock.now(), sender, "reply 'done' to a reminder")
    except DomainError as exc:
        return _refused(uow, app, row, msg, case, case_id, sender, what, str(exc))
    save_case(uow, app, case)
    return Outcome("reply", f"{key} of {reference} marked done by reply", "reply", case_id, reference)


def _decision_by_reply(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, case: Case, reference: str,
                       case_id: int, sender: str, wanted: "instructions.Decision | instructions.Unreadable"
                       ) -> Outcome:
    """The Chair's decision, given by email. Only the Chair, or the Business Manager recording it for
    the Chair, may give it (authenticated, in reply to the service's mail to them about the case).

    Recorded at once; its letters are held (``[instructions] hold_working_hours``) and the Chair and the
    Business Manager are told at once what will go when, and how to undo it. A refusal is recorded and
    reported, never answered, unless the sender passed every check and only the words were wrong."""
    people = app.settings.people
    allowed = {p.email.lower() for p in (people.chair, people.business_manager) if p is not None}
    what = "a decision"
    refusal = _may_act(uow, app, msg, case_id, reference, sender, allowed, "neither the Chair nor the Business Manager")
    if refusal:
        return _refused(uow, app, row, msg, case, case_id, sender, what, refusal, tell=False)
    if isinstance(wanted, instructions.Unreadable):
        return _refused(uow, app, row, msg, case, case_id, sender, what, wanted.why)
    what = f"the decision '{wanted.outcome.label}'"
    on = _received_on(app, row, msg)
    before = case.stage
    try:
        case.decide(wanted.outcome, on, app.clock.now(), sender, wanted.reason)
    except DomainError as exc:
        return _refused(uow, app, row, msg, case, case_id, sender, what, str(exc),
                        fix="check the case with: review-clerk case show " + reference)
    save_case(uow, app, case)
    held = queue_for_event(uow, app, case, case_id, DECIDED)
    until = decision_hold.hold_letters(uow, app, case, case_id, held, by=sender, inbound_id=row["id"],
                                       previous_stage=before)
    return Outcome("reply", f"decision '{wanted.outcome.label}' on {reference} recorded from a reply by "
                            f"{sender}; {len(held)} letter(s) held until {until.isoformat()}", "decision",
                   case_id, reference)


def _undo_by_reply(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, case: Case, reference: str,
                   case_id: int, sender: str) -> Outcome:
    """"Undo" in a reply to the confirmation of a decision taken by email, while its letters are held: from
    the person who gave the decision, or the Chair (whose decision it is)."""
    what = "'undo' of the decision"
    found = decision_hold.current(uow, reference)
    allowed = {app.settings.people.chair.email.lower()} | ({found["by"].lower()} if found else set())
    refusal = _may_act(uow, app, msg, case_id, reference, sender, allowed,
                       "neither the Chair nor the person who gave the decision", templates=(decision_hold.TEMPLATE,))
    if refusal:
        return _refused(uow, app, row, msg, case, case_id, sender, what, refusal, tell=False)
    try:
        with uow.conn.begin_nested():
            decision_hold.undo(uow, app, reference, sender, f"'Undo' replied by email (message {row['id']})",
                               "reply by email")
    except DomainError as exc:
        case = uow.cases.get(reference)
        return _refused(uow, app, row, msg, case, case_id, sender, what, str(exc),
                        fix=f"check the case with: review-clerk case show {reference}")
    return Outcome("reply", f"decision on {reference} undone by a reply from {sender}; its letters withdrawn",
                   "decision", case_id, reference)


REPLY_SKEW = timedelta(minutes=5)  # clocks differ: a reply dated this much before the request still answers it


def _may_act(uow: "UnitOfWork", app: "App", msg, case_id: int, reference: str, sender: str, allowed: set[str],
             who: str, templates: tuple[str, ...] | None = None) -> str | None:
    """Why ``sender`` may not act by email on this message, or None when it may. All must hold:

    * the sender is one of ``allowed``;
    * the mail system authenticated the sender (:func:`service.intake.sender_trust.judge`);
    * the message replies (In-Reply-To/References) to a message the service sent to that person
      about this case (of ``templates``, when given);
    * it is not older (its Date) than the message it answers.
    """
    if sender not in {a.lower() for a in allowed}:
        return f"{sender or 'the sender'} is {who}"
    verdict = sender_trust.judge(msg.items(), sender.rsplit("@", 1)[-1], backend=app.settings.mail.backend,
                                 trust_local_mail=app.settings.mail.trust_local_mail,
                                 tenant_id=app.settings.graph.tenant_id)
    if not verdict.trusted:
        return f"the sender is not authenticated: {verdict.why}"
    ids = re.findall(r"<[^<>\s]+>", f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}")
    requests = [r for r in uow.outbox.with_message_ids(ids)
                if r["case_id"] == case_id and r["status"] == "sent" and r["sent_at"] is not None
                and sender in {a.lower() for a in (r["to"] or []) + (r["cc"] or [])}
                and (templates is None or r["template"] in templates)]
    if not requests:
        return f"it does not reply to a message the service sent to {sender} about {reference}"
    written = _date_of(msg)
    if written is None:
        return "it carries no date, so it cannot be shown to be newer than the message it answers"
    if not any(written + REPLY_SKEW >= r["sent_at"] for r in requests):
        return "it is dated before the message it answers was sent"
    return None


def _date_of(msg) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        written = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    if written is None:
        return None
    return written if written.tzinfo else written.replace(tzinfo=timezone.utc)


def _refused(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, case: Case, case_id: int, sender: str,
             what: str, why: str, tell: bool = True, fix: str | None = None) -> Outcome:
    """An instruction by email that is not carried out: noted on the case and listed in the daily report
    of mail needing attention. Answered (``tell``) only to a sender who passed every check of
    :func:`_may_act` and got the words or the moment wrong; a refusal on who the sender is, or what the
    message answers, is never answered by email."""
    uow.audit.append(case_id, case.reference, [_note(app, "instruction by email not carried out",
                                                     f"{what} from {sender or 'unknown sender'}: {why}")])
    if tell:
        _tell(uow, app, row, msg, case, case_id, sender, what, done=False, result="not recorded", why=why,
              fix=fix or "reply again, or use the command line (review-clerk case --help)")
    log.warning("instruction by email not carried out", extra={"reference": case.reference, "inbound_id": row["id"],
                                                               "what": what})
    return Outcome("refused", f"{what} by email not carried out: {why}", "reply", case_id, case.reference)


def _tell(uow: "UnitOfWork", app: "App", row: dict[str, Any], msg, case: Case, case_id: int, to: str, what: str,
          done: bool, result: str, why: str | None = None, fix: str | None = None) -> None:
    """Answer a member of staff's instruction: what was done with it."""
    allowed, loop = may_auto_reply(msg, own_addresses={app.settings.board.mailbox})
    if not allowed or not to:
        log.info("no answer to an instruction", extra={"inbound_id": row["id"], "reason": loop})
        return
    person = next((p for p in app.settings.staff() if p.email.lower() == to), None)
    ctx = base_context(app, person.name if person else to, to, case=case, instruction={
        "what": what, "done": done, "result": result, "why": why, "fix": fix})
    queue(uow, app, key=f"{case.reference}/instruction/{row['id']}", template="instruction_result", to=[to],
          context=ctx, case_id=case_id, in_reply_to=row["internet_message_id"])
def _agency_report(uow: "UnitOfWork", app: "App", case: Case, reference: str, case_id: int, agency: str,
                   documents: list[str]) -> Outcome:
    open_keys = [d.key for d in case.open_deadlines() if d.agency == agency]
    names = " ".join(documents).lower()
    wanted = [k for k in open_keys if k.startswith("chronology:")] if "chronolog" in names else []
    wanted = wanted or [k for k in open_keys if k.startswith("imr:")] or \
        [k for k in open_keys if k.startswith("agency_report:")] or open_keys[:1]
    for key in wanted[:1]:
        case.mark_met(key, app.today(), app.clock.now(), f"agency {agency}", f"report received ({len(documents)} "
                                                                                f"document(s))")
    case.new_audit.append(_note(app, "agency report filed", f"{agency}: {len(documents)} document(s)"))
    save_case(uow, app, case)
    met = f"; {wanted[0]} received" if wanted else ""
    return Outcome("reply", f"report from {agency} filed against {reference}{met}", "agency_report", case_id,
                   reference)


def _owner_addresses(app: "App", d) -> set[str]:
    if d is None:
        return set()
    from service.chasing.sweep import owner_contacts

    return {addr for _, addr in owner_contacts(app, d)}


def _replied_deadline(uow: "UnitOfWork", msg) -> str | None:
    """The deadline a reply is about: the reminder or escalation it answers (In-Reply-To/References)."""
    ids = re.findall(r"<[^<>\s]+>", f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}")
    if not ids:
        return None
    for sent in uow.outbox.with_message_ids(ids):
        if sent["template"] in ("reminder", "escalation"):
            return sent["key"].split("/")[1]  # REF/deadline-key/step/recipient
    return None


def _new_text(msg) -> list[str]:
    """The lines the sender wrote in this message, without the quoted history below them."""
    from .parsing.quoting import new_text
    from .parsing.text import clean, lines_from_text

    try:
        body = msg.get_body(("plain", "html"))
        text = body.get_content() if body is not None else ""
        if body is not None and body.get_content_subtype() == "html":
            from bs4 import BeautifulSoup

            text = BeautifulSoup(text, "html.parser").get_text("\n")
    except (KeyError, LookupError, ValueError, AttributeError, UnicodeError):
        return []
    return [line.text for line in new_text(lines_from_text(clean(text[:200_000])))]


def _document_names(msg) -> list[str]:
    names = []
    try:
        for part in msg.iter_attachments():
            name = part.get_filename()
            if name and name.lower().rsplit(".", 1)[-1] in ("docx", "doc", "pdf", "xlsx", "xls", "rtf", "odt", "zip"):
                names.append(name)
    except (KeyError, LookupError, ValueError, AttributeError):
        return names
    return names


def _fill_gaps(case: Case, fields: dict[str, Any], missing: list[str]) -> list[str]:
    filled = []
    r = fields.get("referrer") or {}
    for m in missing:
        if m.startswith("referrer."):
            attr = m.split(".", 1)[1]
            if r.get(attr):
                setattr(case.referrer, attr, r[attr])
                filled.append(m)
        elif m == "subjects" and fields.get("subjects"):
            case.subjects = [Subject(name=s["name"], role=s.get("role") or "unknown",
                                     relationship=s.get("relationship"), date_of_birth=_iso(s.get("date_of_birth")),
                                     address=s.get("address")) for s in fields["subjects"]]
            filled.append(m)
        elif fields.get(m):
            filled.append(m)
    return filled


def _first_sender(extra: dict[str, Any]) -> str | None:
    src = (extra.get("referral") or {}).get("source") or {}
    return src.get("from")


def _case_for_reply(uow: "UnitOfWork", app: "App", msg, subject: str) -> str | None:
    for ref in reference_pattern(app).findall(subject):
        try:
            # the reference as stored, whatever case the sender typed it in
            return uow.cases.get(ref).reference
        except LookupError:
            continue
    ids = re.findall(r"<[^<>\s]+>", f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}")
    return next((sent["reference"] for sent in uow.outbox.with_message_ids(ids) if sent["reference"]), None)


def reference_pattern(app: "App") -> re.Pattern[str]:
    fmt = app.settings.board.reference_format
    pattern = re.escape(fmt)
    pattern = re.sub(r"\\\{year\\\}", r"\\d{4}", pattern)
    pattern = re.sub(r"\\\{seq[^}]*\\\}", r"\\d+", pattern)
    # With or without the square brackets our own subjects use: agencies retype references.
    return re.compile(r"(?<![A-Za-z0-9-])(" + pattern + r")(?![0-9])", re.IGNORECASE)


def referral_fingerprint(parsed: dict[str, Any]) -> str | None:
    """Identifies a referral form whatever the envelope: re-sent, forwarded or resubmitted as another format."""
    people = sorted(f"{' '.join(s['name'].lower().split())}|{s.get('date_of_birth') or ''}"
                    for s in parsed.get("subjects") or [])
    summary = " ".join((parsed.get("summary") or "").lower().split())[:300]
    if not people and not summary:
        return None
    body = json.dumps({"people": people, "summary": summary, "date": parsed.get("referral_date")}, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _received_on(app: "App", row: dict[str, Any], msg) -> date:
    """The day the board received the referral: the mailbox's arrival time, else when we stored it.

    Not the Date header: that is the sender's clock, and a forwarded or re-sent
    message can carry a date long past.
    """
    when = row.get("received_at") or row.get("stored_at") or app.clock.now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(app.settings.tz).date()


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


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _note(app: "App", action: str, reason: str | None):
    from service.domain.model import AuditEvent

    return AuditEvent(at=app.clock.now(), actor="intake", action=action, detail={}, reason=reason)


# Step 3 ----------------------------------------------------------------------
def file_handled(app: "App") -> int:
    with app.db.unit_of_work() as uow:
        rows = uow.inbox.unfiled()
    filed = 0
    for r in rows:
        try:
            app.mailbox.mark_handled(r["backend_id"], DISPOSITION.get(r["status"], Disposition.QUARANTINE),
                                     category=f"Review Clerk: {r['status']}")
        except TransportError as exc:
            log.warning("could not file message", extra={"inbound_id": r["id"], "error": str(exc)[:200]})
            continue
        with app.db.unit_of_work() as uow:
            uow.inbox.mark_filed(r["id"])
            uow.commit()
        filed += 1
    return filed


def release_held(app: "App", inbound_id: int, actor: str) -> Outcome:
    """The Business Manager confirms a held referral from an unknown sender: open its case now."""
    with app.db.unit_of_work() as uow:
        row = uow.inbox.get(inbound_id)
        if row["status"] != "held":
            raise ValueError(f"message {inbound_id} is {row['status']}, not held")
        row["released"] = True
        outcome = handle_message(uow, app, row)
        uow.inbox.finish(inbound_id, outcome.status, outcome.reason + f" (released by {actor})", outcome.kind,
                         outcome.case_id)
        uow.inbox.mark_unfiled(inbound_id)  # out of the quarantine folder
        uow.commit()
    return outcome


# By hand ----------------------------------------------------------------------
OPENABLE = ("quarantined", "not_referral", "failed", "held")


def read_stored(app: "App", inbound_id: int) -> dict[str, Any]:
    """What the service reads from a stored message now (the fields of ``review-clerk parse``), with the
    message's recorded outcome. For ``inbox show``: a person checks it, corrects it, opens the case."""
    with app.db.unit_of_work() as uow:
        row = _stored(uow, inbound_id)
    parsed = parse_message(row["raw"], limits_for(app)) if row["raw"] else {}
    return {"id": row["id"], "status": row["status"], "outcome": row["outcome"], "kind": row["kind"],
            "sender": row["sender"], "case_id": row["case_id"], "referral": parsed}


def open_by_hand(app: "App", inbound_id: int, actor: str, details: dict[str, Any] | None = None,
                 acknowledge: bool = True) -> Outcome:
    """Open the case for a message a person has read and judged a referral, though the service did not
    take it as one (quarantined, filed as not a referral, failed, or held). What the service can read
    from it is used, with ``details`` (corrections, the fields it could not read) laid over it."""
    from .details import apply_details

    with app.db.unit_of_work() as uow:
        row = _stored(uow, inbound_id)
        if row["status"] not in OPENABLE:
            hint = f"; see it with: review-clerk case show {row['case_id']}" if row["case_id"] else ""
            raise ValueError(f"message {inbound_id} is {row['status']}: only a message that is "
                             f"{', '.join(OPENABLE)} can be opened as a case{hint}")
        if not row["raw"]:
            raise ValueError(f"message {inbound_id} was emptied under the retention policy")
        parsed = parse_message(row["raw"], limits_for(app))
        parsed = apply_details(parsed, details or {}, today=app.today())
        uow.serialise(Lock.REFERRALS)
        fingerprint = referral_fingerprint(parsed)
        existing = uow.cases.find_by_fingerprint(fingerprint) if fingerprint else None
        if existing:
            raise ValueError(f"message {inbound_id} holds the same referral as case {existing}; nothing opened")
        msg = email.message_from_bytes(row["raw"][:1024 * 1024], policy=email.policy.compat32)
        outcome = open_case(uow, app, row, msg, parsed, fingerprint, actor=actor, acknowledge=acknowledge)
        uow.audit.append(outcome.case_id, outcome.reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="case opened by hand from a message",
            detail={"inbound_id": inbound_id, "was": row["status"], "details_given": sorted(details or {})},
            reason=None)])
        uow.inbox.finish(inbound_id, "processed", f"{outcome.reason} by hand by {actor} (was {row['status']})",
                         "referral", outcome.case_id)
        uow.inbox.mark_unfiled(inbound_id)  # to the processed folder
        uow.commit()
    log.info("case opened by hand", extra={"inbound_id": inbound_id, "case": outcome.reference})
    return outcome


def _stored(uow: "UnitOfWork", inbound_id: int) -> dict[str, Any]:
    row = uow.inbox.find(inbound_id)
    if row is None:
        raise LookupError(f"no message {inbound_id} in the inbox record (see: review-clerk inbox list)")
    return row


def daily_report(app: "App") -> bool:
    """One message a day to the Business Manager listing what was quarantined, held or unreadable."""
    today = app.today()
    key = f"intake-report/{today.isoformat()}"
    with app.db.unit_of_work() as uow:
        if uow.outbox.exists(key):
            return False
        last = uow.state.get("intake_report_until")
        since = datetime.fromisoformat(last) if last else None
        items = uow.inbox.by_status(["quarantined", "held", "failed", "refused"], since=since)
        # Enquiries need an answer from a person, and one may be a referral written as a letter.
        items += [r for r in uow.inbox.by_status(["not_referral"], since=since) if r["kind"] == "enquiry"]
        items.sort(key=lambda r: r["id"])
        # Cases opened from a referral whose reading a person must confirm: listed each day until confirmed.
        to_confirm = [{**c, "command": f"review-clerk case confirm {c['reference']}"} for c in uow.cases.to_confirm()]
        if not items and not to_confirm:
            return False
        bm = app.settings.people.business_manager
        from service.display import board_time

        # Each with its id: the Business Manager acts on one with `review-clerk inbox release ID` (or show/open).
        view = [{"id": i["id"], "stored_at": board_time(i["stored_at"], app.settings.tz, "%d/%m/%Y %H:%M"),
                 "sender": i["sender"], "status": "enquiry" if i["status"] == "not_referral" else i["status"],
                 "outcome": i["outcome"],
                 "message_id": i["internet_message_id"]} for i in items]
        ctx = base_context(app, bm.name, bm.email, items=view, quarantine_folder=app.quarantine_folder_name,
                           to_confirm=to_confirm)
        queue(uow, app, key=key, template="intake_report", to=[bm.email], context=ctx)
        uow.state.set("intake_report_until", app.clock.now().isoformat(), app.clock.now())
        uow.commit()
    return True
