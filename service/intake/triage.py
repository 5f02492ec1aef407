"""Triage of one stored message: what it is, and what that calls for.

A meeting response goes to its meeting; a reply about a case to the case
(:mod:`service.intake.case_replies`); what a person must look at is quarantined;
what is not a referral is filed as such. A referral already received (the same
Message-ID, the same bytes, the same form re-sent or forwarded) is linked to
its case; one from a domain that is not a partner agency's is held for the
Business Manager; any other opens a case and is acknowledged.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from service.chasing.schedule import next_actions
from service.domain.model import Case, Referrer, Subject
from service.letters.queueing import base_context, queue
from service.reactions import react
from service.store.db import Lock

from .loops import may_auto_reply
from .pack_choice import choose, places_in
from .outcome import Outcome, iso_date, limits_for, note, received_on
from .parsing import parse_message
from .agency_returns import unplaced_without_case
from .case_replies import case_for_reply, file_reply, reference_pattern

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.domain.procedure import Procedure
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")


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


def handle_message(uow: "UnitOfWork", app: "App", row: dict[str, Any]) -> Outcome:
    """Decide what one stored message is and do what that calls for, inside ``uow``."""
    raw: bytes = row["raw"]
    msg = email.message_from_bytes(raw[:1024 * 1024], policy=email.policy.compat32)
    parsed = parse_message(raw, limits_for(app))
    subject = str(msg.get("Subject", ""))

    # A meeting response carries [REF] in its subject too: it goes to the meeting, not the case file.
    if parsed.get("kind") == "meeting_response":
        from service.meetings.responses import file_meeting_reply

        return Outcome("reply", file_meeting_reply(uow, app, row), "meeting_response")

    # A reply about an existing case: matched by the reference tag or In-Reply-To/References (or the case a
    # person gave when releasing a held agency return that named none).
    reference = row.get("case_reference") or case_for_reply(uow, app, msg, subject)
    if reference is not None and parsed.get("kind") not in ("auto_reply", "delivery_failure", "own_message"):
        return file_reply(uow, app, row, reference, parsed)
    if not parsed.get("is_referral") and parsed.get("kind") not in ("auto_reply", "delivery_failure", "own_message") \
            and (held := unplaced_without_case(
            uow, app, row, reference_pattern(app).search(subject) is not None)) is not None:
        return held  # an agency's return for no case we can find: to the Business Manager

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
              fingerprint: str | None, actor: str = "intake", acknowledge: bool = True,
              procedure: "Procedure | None" = None) -> Outcome:
    """Open the case a referral calls for, under ``procedure`` or else the pack its wording names
    (:mod:`service.intake.pack_choice`), and acknowledge it."""
    received = received_on(app, row, msg)
    if procedure is None:
        procedure = choose(app.procedures.values(), app.procedure,
                           places_in(str(msg.get("Subject", "")) if msg is not None else "", msg, parsed))
    year = received.year
    fmt = app.reference_format(procedure)
    # Each reference series counts on its own (CSPR-2026-001, SAR-2026-001); ``seq`` orders all the year's cases.
    number = uow.cases.next_sequence(year, series=None if fmt == app.settings.board.reference_format else fmt,
                                     fmt=fmt)
    seq = uow.cases.next_row_number(year)
    reference = fmt.format(year=year, seq=number)
    subjects = [Subject(name=s["name"], role=s.get("role") or "unknown", relationship=s.get("relationship"),
                        date_of_birth=iso_date(s.get("date_of_birth")), address=s.get("address"))
                for s in parsed.get("subjects") or []]
    r = parsed.get("referrer") or {}
    referrer = Referrer(name=r.get("name"), agency=r.get("agency"), telephone=r.get("telephone"), email=r.get("email"))
    case = Case.open(reference, received, app.clock.now(), actor, procedure=procedure, subjects=subjects,
                     referrer=referrer,
                     source=f"inbound message {row['id']}" if row.get("id") is not None else "opened by hand")
    agency = app.settings.agency_for_address(referrer.email or row["sender"] or "")
    if agency:
        case.add_agency(agency.key, app.clock.now(), actor)
    missing = list(parsed.get("missing") or [])
    to_confirm = list(parsed.get("confirm") or [])  # fixed phrases, subjects by number: no personal data
    case_id = uow.cases.add(case, year, seq, referral=parsed, missing=missing, fingerprint=fingerprint,
                            to_confirm=to_confirm,
                            next_actions=next_actions(app, case, {}))
    # What opening a case calls for: the panel meeting asked for (no calendar I/O here) and the procedure's
    # letters (the Ofsted notification, a draft for the Chair).
    react(uow, app, case, case_id)
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
        uow.audit.append(case_id, case.reference, [note(app, "no acknowledgement sent", why or "no address")])
        return
    since = app.clock.now() - timedelta(days=1)
    most = app.settings.intake.auto_replies_per_address_per_day
    if uow.outbox.sent_since(to, since, enough=most) >= most:
        uow.audit.append(case_id, case.reference,
                         [note(app, "no acknowledgement sent", "automatic replies to this address are rate-limited")])
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
    uow.audit.append(case_id, case.reference, [note(app, "duplicate referral received", why)])
    return Outcome("duplicate", f"{why}; linked to {case.reference}", "referral", case_id, case.reference)


def referral_fingerprint(parsed: dict[str, Any]) -> str | None:
    """Identifies a referral form whatever the envelope: re-sent, forwarded or resubmitted as another format."""
    people = sorted(f"{' '.join(s['name'].lower().split())}|{s.get('date_of_birth') or ''}"
                    for s in parsed.get("subjects") or [])
    summary = " ".join((parsed.get("summary") or "").lower().split())[:300]
    if not people and not summary:
        return None
    body = json.dumps({"people": people, "summary": summary, "date": parsed.get("referral_date")}, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
