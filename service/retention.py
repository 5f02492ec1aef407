"""Retention and legal hold: personal data goes when its period is over; a case under legal hold keeps everything.

The periods are settings (``[retention]``, :class:`service.config.Retention`):

* a closed case's personal data (its subjects' names, dates of birth and
  addresses, the referrer's name and contact details, the referral form, the
  emails received about it, the bodies of its letters) is removed
  ``closed_cases_years`` after it closed. Its reference, stage, outcome,
  dates, deadlines, agencies, the metadata of its messages and its audit
  trail stay. The clock starts at the ``closed`` event; for a case decided
  without an SCR (stage ``decided``) and never formally closed, at the
  decision, after which the board has nothing more to do on it. A case at any
  other stage is live work and is never touched;
* an email linked to no case (not a referral, quarantined, held and never
  released, failed, a meeting reply) is deleted ``unlinked_mail_days`` after
  it was stored, once handled and filed in the mailbox;
* a sent message's text, HTML and attachment data are removed
  ``sent_bodies_days`` after it was sent; its key, template, recipients,
  subject, status, dates and attachment names stay.

A case under legal hold (``case hold``) is never anonymised, and neither its
emails nor its letters are touched, whatever their age. The audit trail is
never deleted or changed: each case anonymised gets an audit event, and the
deletions not tied to a case one summary event with their counts.

:func:`plan` decides what is past its period: a pure function of the facts,
the policy and the time, with no database. :func:`apply` gathers the facts,
makes the plan and, unless it is a dry run, carries it out (each case in its
own transaction with its audit event). Running it again finds nothing to do.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from service.config import Retention
from service.domain.model import AuditEvent, DomainError
from service.domain.model_types import Stage
from service.store.repository import NotFound

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.retention")

# The decisions (pure) ------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFacts:
    id: int
    reference: str
    stage: str
    closed_on: date | None = None  # the `closed` event
    decided_on: date | None = None  # the Chair's decision
    legal_hold: bool = False
    anonymised: bool = False
    letters_pending: int = 0  # outbox rows still queued, sending or awaiting review


@dataclass(frozen=True)
class MailFacts:
    """An inbound message."""

    id: int
    status: str
    case_id: int | None
    stored_at: datetime
    filed: bool = True
    has_raw: bool = True


@dataclass(frozen=True)
class SentFacts:
    """An outbox row."""

    id: int
    case_id: int | None
    status: str
    sent_at: datetime | None
    has_body: bool = True


@dataclass(frozen=True)
class CaseDue:
    """A case whose retention period is over: since ``due_on``, counted from ``basis`` on ``start``."""

    id: int
    reference: str
    basis: str  # "closed" | "decided"
    start: date
    due_on: date


@dataclass
class Plan:
    as_of: date
    anonymise: list[CaseDue] = field(default_factory=list)
    kept_on_hold: list[CaseDue] = field(default_factory=list)
    waiting_for_letters: list[CaseDue] = field(default_factory=list)
    delete_mail: list[int] = field(default_factory=list)
    delete_mail_by_status: dict[str, int] = field(default_factory=dict)
    clear_late_mail: list[int] = field(default_factory=list)  # emails filed against a case after it was anonymised
    strip_sent: list[int] = field(default_factory=list)
    sent_kept_on_hold: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return not (self.anonymise or self.delete_mail or self.clear_late_mail or self.strip_sent)


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    year = d.year + years
    return d.replace(year=year, day=min(d.day, calendar.monthrange(year, d.month)[1]))


def retention_start(case: CaseFacts) -> tuple[str, date] | None:
    """When a case's retention clock started, and why; None while the case is live work."""
    if case.stage == Stage.CLOSED.value and case.closed_on is not None:
        return "closed", case.closed_on
    if case.stage == Stage.DECIDED.value and case.decided_on is not None:
        return "decided", case.decided_on
    return None


def mail_cutoff(policy: Retention, now: datetime) -> datetime:
    return now - timedelta(days=policy.unlinked_mail_days)


def sent_cutoff(policy: Retention, now: datetime) -> datetime:
    return now - timedelta(days=policy.sent_bodies_days)


def plan(policy: Retention, now: datetime, today: date, cases: Iterable[CaseFacts],
         mail: Iterable[MailFacts] = (), sent: Iterable[SentFacts] = ()) -> Plan:
    """What is past its retention period as of ``now`` (``today`` is its date where the board is).

    A case is due on the anniversary, ``closed_cases_years`` after its retention
    clock started. Mail and message bodies are due once older than their number
    of days. Nothing belonging to a case under legal hold is ever in the plan.
    """
    cases = list(cases)
    result = Plan(as_of=today)
    held = {c.id for c in cases if c.legal_hold}
    anonymised = {c.id for c in cases if c.anonymised}
    for c in cases:
        if c.anonymised:
            continue
        start = retention_start(c)
        if start is None:
            continue
        due_on = add_years(start[1], policy.closed_cases_years)
        if today < due_on:
            continue
        due = CaseDue(c.id, c.reference, start[0], start[1], due_on)
        if c.legal_hold:
            result.kept_on_hold.append(due)
        elif c.letters_pending:
            result.waiting_for_letters.append(due)
        else:
            result.anonymise.append(due)
    anonymising = {d.id for d in result.anonymise}

    received_before = mail_cutoff(policy, now)
    for m in mail:
        if m.case_id is None:
            if m.status != "new" and m.filed and m.stored_at < received_before:
                result.delete_mail.append(m.id)
                result.delete_mail_by_status[m.status] = result.delete_mail_by_status.get(m.status, 0) + 1
        elif m.case_id in anonymised and m.case_id not in held and m.has_raw:
            result.clear_late_mail.append(m.id)

    sent_before = sent_cutoff(policy, now)
    for s in sent:
        if s.status != "sent" or s.sent_at is None or s.sent_at >= sent_before or not s.has_body:
            continue
        if s.case_id in held:
            result.sent_kept_on_hold += 1
        elif s.case_id not in anonymising:  # anonymising the case clears its letters anyway
            result.strip_sent.append(s.id)
    return result


# The use cases ---------------------------------------------------------------------------
def _facts(uow, policy: Retention, now: datetime) -> tuple[list[CaseFacts], list[MailFacts], list[SentFacts]]:
    cases = [CaseFacts(id=r["id"], reference=r["reference"], stage=r["stage"], closed_on=r["closed_on"],
                       decided_on=r["decided_on"], legal_hold=bool(r["legal_hold"]),
                       anonymised=r["anonymised_at"] is not None, letters_pending=r["letters_pending"] or 0)
             for r in uow.retention.cases()]
    mail = [MailFacts(id=r["id"], status=r["status"], case_id=r["case_id"], stored_at=r["stored_at"],
                      filed=bool(r["filed"]), has_raw=r["has_raw"])
            for r in uow.retention.unlinked_mail(mail_cutoff(policy, now)) + uow.retention.late_mail()]
    sent = [SentFacts(id=r["id"], case_id=r["case_id"], status=r["status"], sent_at=r["sent_at"],
                      has_body=r["has_body"])
            for r in uow.retention.sent_messages(sent_cutoff(policy, now))]
    return cases, mail, sent


def make_plan(app: "App") -> Plan:
    """What `retention apply` would do now (reads only)."""
    policy, now = app.settings.retention, app.clock.now()
    with app.db.unit_of_work() as uow:
        cases, mail, sent = _facts(uow, policy, now)
    return plan(policy, now, app.today(), cases, mail, sent)


def _case_row(d: CaseDue, done: dict[str, int] | None = None) -> dict[str, Any]:
    row = {"reference": d.reference, "basis": d.basis, "since": d.start.isoformat(), "due_on": d.due_on.isoformat()}
    return {**row, **(done or {})}


def apply(app: "App", actor: str, dry_run: bool = False) -> dict[str, Any]:
    """Remove what is past its period (or, with ``dry_run``, only say what would go). Returns the report.

    Each case is anonymised in its own transaction with its audit event; then the
    mail and message bodies not tied to a case being anonymised go in one
    transaction with one summary audit event. Every step checks again in the
    database what the plan assumed, so a hold placed meanwhile is respected.
    """
    policy = app.settings.retention
    p = make_plan(app)
    now = app.clock.now()
    # With dry_run, "cases_anonymised" and the counts say what a real run would do now.
    report: dict[str, Any] = {
        "dry_run": dry_run, "as_of": p.as_of.isoformat(), "policy": policy.model_dump(),
        "cases_anonymised": [], "cases_kept_on_legal_hold": [_case_row(d) for d in p.kept_on_hold],
        "cases_waiting_for_letters": [_case_row(d) for d in p.waiting_for_letters],
        "unlinked_mail_deleted": len(p.delete_mail), "unlinked_mail_deleted_by_status": dict(p.delete_mail_by_status),
        "late_mail_cleared": len(p.clear_late_mail), "sent_bodies_removed": len(p.strip_sent),
        "sent_bodies_kept_on_legal_hold": p.sent_kept_on_hold,
    }
    if dry_run:
        report["cases_anonymised"] = [_case_row(d) for d in p.anonymise]
        return report

    for d in p.anonymise:
        with app.db.unit_of_work() as uow:
            done = uow.retention.anonymise_case(d.id, now)
            if done is None:  # put under hold, or anonymised by another run, since the plan was made
                continue
            basis = "the case closed" if d.basis == "closed" else "the decision (no serious case review)"
            uow.audit.append(d.id, d.reference, [AuditEvent(
                at=now, actor=actor, action="personal data removed",
                detail={"basis": d.basis, "since": d.start.isoformat(), "period_years": policy.closed_cases_years,
                        "removed": ["subjects", "referrer", "referral", "fingerprint"], **done},
                reason=f"retention period over: {policy.closed_cases_years} years after {basis}")])
            uow.commit()
        report["cases_anonymised"].append(_case_row(d, done))

    with app.db.unit_of_work() as uow:
        by_status = uow.retention.delete_unlinked_mail(p.delete_mail, mail_cutoff(policy, now))
        late = uow.retention.clear_late_mail(p.clear_late_mail)
        stripped = uow.retention.strip_sent_bodies(p.strip_sent, sent_cutoff(policy, now))
        deleted = sum(by_status.values())
        if deleted or late or stripped:
            uow.audit.append(None, None, [AuditEvent(
                at=now, actor=actor, action="retention applied",
                detail={"unlinked_mail_deleted": deleted, "unlinked_mail_deleted_by_status": by_status,
                        "late_mail_cleared": late, "sent_bodies_removed": stripped,
                        "unlinked_mail_days": policy.unlinked_mail_days, "sent_bodies_days": policy.sent_bodies_days},
                reason="retention periods over")])
        uow.commit()
    report.update(unlinked_mail_deleted=deleted, unlinked_mail_deleted_by_status=by_status, late_mail_cleared=late,
                  sent_bodies_removed=stripped)
    log.info("retention applied", extra={"cases_anonymised": [c["reference"] for c in report["cases_anonymised"]],
                                         "kept_on_hold": len(p.kept_on_hold), "mail_deleted": deleted,
                                         "late_mail_cleared": late, "sent_bodies_removed": stripped})
    return report


def place_hold(app: "App", reference: str, reason: str, actor: str) -> dict[str, Any]:
    """Put a case under legal hold: nothing of it is removed until the hold is released. Audited."""
    return _hold(app, reference, reason, actor, hold=True)


def release_hold(app: "App", reference: str, reason: str, actor: str) -> dict[str, Any]:
    """Lift a case's legal hold: its retention period applies again from the next `retention apply`. Audited."""
    return _hold(app, reference, reason, actor, hold=False)


def _hold(app: "App", reference: str, reason: str, actor: str, hold: bool) -> dict[str, Any]:
    if not reason or not reason.strip():
        raise DomainError("a legal hold needs its reason (e.g. the claim, inquiry or request it is for)")
    with app.db.unit_of_work() as uow:
        state = uow.retention.hold_state(reference)
        if state is None:
            raise NotFound(f"no case {reference.strip()}")
        changed = (uow.retention.set_hold(state["id"], reason.strip()) if hold
                   else uow.retention.release_hold(state["id"]))
        if not changed:
            if hold:
                raise DomainError(f"{state['reference']} is already under legal hold "
                                  f"({state['legal_hold_reason'] or 'no reason recorded'})")
            raise DomainError(f"{state['reference']} is not under legal hold")
        uow.audit.append(state["id"], state["reference"], [AuditEvent(
            at=app.clock.now(), actor=actor, action="legal hold placed" if hold else "legal hold released",
            detail={"legal_hold": hold}, reason=reason.strip())])
        uow.commit()
    return {"reference": state["reference"], "legal_hold": hold,
            "anonymised_at": state["anonymised_at"].isoformat() if state["anonymised_at"] else None}


def holds(app: "App") -> list[dict[str, Any]]:
    """Cases under legal hold, with the reason."""
    with app.db.unit_of_work() as uow:
        rows = uow.retention.holds()
    return [{"reference": r["reference"], "stage": r["stage"], "reason": r["legal_hold_reason"],
             "anonymised_at": r["anonymised_at"].isoformat() if r["anonymised_at"] else None} for r in rows]
