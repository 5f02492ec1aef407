"""Replies by email about an existing case: filed on the case, and acted on where they say so.

"done" for a deadline, the Chair's decision and "Undo" of it are carried out
only from a sender allowed to give them, authenticated by the mail system, in
reply to the service's own mail to that person about that case
(:func:`_may_act`; SECURITY.md, "Access by email"). An agency's documents are
its report; a referrer's reply fills the gaps the service asked about.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from service import cases
from service.case_store import save_case
from service.chasing import replies as combined
from service.domain.model import Case, DomainError, Subject
from service.letters.queueing import base_context, queue

from . import agency_returns, decision_hold, instructions, sender_trust
from .loops import may_auto_reply
from .outcome import Outcome, iso_date, limits_for, note, received_on
from .parsing import extract_fields

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork

log = logging.getLogger("review_clerk.intake")


def case_for_reply(uow: "UnitOfWork", app: "App", msg, subject: str) -> str | None:
    for ref in reference_pattern(app).findall(subject):
        try:
            # the reference as stored, whatever case the sender typed it in
            return uow.cases.get(ref).reference
        except LookupError:
            continue
    ids = replied_to(msg)
    return next((sent["reference"] for sent in uow.outbox.with_message_ids(ids) if sent["reference"]), None)


def reference_pattern(app: "App") -> re.Pattern[str]:
    """A case reference of any series in use (the board's, each pack's), with or without the square
    brackets our own subjects use: agencies retype references."""
    patterns = []
    for fmt in app.reference_formats():
        pattern = re.escape(fmt)
        pattern = re.sub(r"\\\{year\\\}", r"\\d{4}", pattern)
        patterns.append(re.sub(r"\\\{seq[^}]*\\\}", r"\\d+", pattern))
    return re.compile(r"(?<![A-Za-z0-9-])(" + "|".join(patterns) + r")(?![0-9])", re.IGNORECASE)


def file_reply(uow: "UnitOfWork", app: "App", row: dict[str, Any], reference: str,
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
    * a document from an involved agency is its return (IMR, chronology, summary or action
      plan): filed in versions, its deadline met, the sender thanked
      (:mod:`service.intake.agency_returns`);
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
    deadline_key = _replied_deadline(uow, msg, case_id)
    if deadline_key and instructions.is_done(new_text):
        return _done_by_reply(uow, app, row, msg, case, reference, case_id, deadline_key, sender)
    wanted = instructions.decision(new_text, instructions.outcomes_for(case.procedure, case.stage))
    if wanted is not None:
        return _decision_by_reply(uow, app, row, msg, case, reference, case_id, sender, wanted)

    missing = list(extra["missing"] or [])
    filled: list[str] = []
    referrer_addresses = {a.lower() for a in (case.referrer.email, _first_sender(extra)) if a}
    returned = agency_returns.file_return(uow, app, row, case, reference, case_id, sender,
                                          referrer_reply=bool(missing) and sender in referrer_addresses)
    if returned is not None:  # an agency's IMR, chronology, summary or action plan
        return returned
    if missing and sender in referrer_addresses:
        fields = extract_fields(row["raw"], limits_for(app))
        filled = _fill_gaps(case, fields, missing)
        referral = dict(extra["referral"] or {})
        referral.update({k: v for k, v in fields.items() if k in ("referral_date", "summary", "request",
                                                                  "criteria_statement") and v})
        missing = [m for m in missing if m not in filled]
        case.new_audit.append(note(app, "reply from referrer filed",
                                    f"filled: {', '.join(filled) or 'nothing new'}"))
        save_case(uow, app, case, missing=missing, referral=referral)
    else:
        uow.audit.append(case_id, reference, [note(app, "reply filed", f"from {sender.rsplit('@', 1)[-1]}")])
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
                        fix=f"reply again and "
                            f"{instructions.how(instructions.outcomes_for(case.procedure, case.stage))}")
    try:  # the same use case as `review-clerk case done`
        cases.apply(uow, app, case, cases.marking_done(app, key, app.today(), sender, "reply 'done' to a reminder"))
    except DomainError as exc:
        return _refused(uow, app, row, msg, case, case_id, sender, what, str(exc))
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
    what = f"the decision '{case.procedure.outcome_label(wanted.outcome)}'"
    on = received_on(app, row, msg)
    before = case.stage
    try:  # the same use case as `review-clerk case decide`; the letters it queues are then held
        held = cases.apply(uow, app, case, cases.deciding(app, wanted.outcome, on, wanted.reason, sender))
    except DomainError as exc:
        return _refused(uow, app, row, msg, case, case_id, sender, what, str(exc),
                        fix="check the case with: review-clerk case show " + reference)
    until = decision_hold.hold_letters(uow, app, case, case_id, held, by=sender, inbound_id=row["id"],
                                       previous_stage=before)
    return Outcome("reply", f"decision '{case.procedure.outcome_label(wanted.outcome)}' on {reference} recorded "
                            f"from a reply by {sender}; {len(held)} letter(s) held until {until.isoformat()}",
                   "decision",
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
    ids = replied_to(msg)
    requests = [r for r in combined.answered(uow, uow.outbox.with_message_ids(ids), case_id)
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
    uow.audit.append(case_id, case.reference, [note(app, "instruction by email not carried out",
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


def _owner_addresses(app: "App", d) -> set[str]:
    if d is None:
        return set()
    from service.chasing.sweep import owner_contacts

    return {addr for _, addr in owner_contacts(app, d)}


def replied_to(msg) -> list[str]:
    """The Message-IDs a message answers (its In-Reply-To and References)."""
    return re.findall(r"<[^<>\s]+>", f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}")


def _replied_deadline(uow: "UnitOfWork", msg, case_id: int) -> str | None:
    """The deadline a reply is about: the reminder or escalation it answers, else the deadline of the case it
    answers in a person's combined chase message (the one it listed, or the one the subject names;
    :mod:`service.chasing.replies`)."""
    ids = replied_to(msg)
    if not ids:
        return None
    sent = uow.outbox.with_message_ids(ids)
    for r in sent:
        if r["template"] in ("reminder", "escalation"):
            return r["key"].split("/")[1]  # REF/deadline-key/step/recipient
    return combined.deadline_answered(uow, sent, case_id, str(msg.get("Subject", "")))


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
                                     relationship=s.get("relationship"), date_of_birth=iso_date(s.get("date_of_birth")),
                                     address=s.get("address")) for s in fields["subjects"]]
            filled.append(m)
        elif fields.get(m):
            filled.append(m)
    return filled


def _first_sender(extra: dict[str, Any]) -> str | None:
    src = (extra.get("referral") or {}).get("source") or {}
    return src.get("from")
