"""Retention and legal hold, the use cases: `retention apply` and `case hold` / `release-hold`.

What is past its retention period is decided by :mod:`service.retention_plan` (pure, the policy
described there). :func:`apply` gathers the facts, makes the plan and, unless it is a dry run,
carries it out (each case in its own transaction with its audit event; the database side is
:mod:`service.store.retention_repository`). Running it again finds nothing to do. A case under
legal hold is never anonymised, and neither its emails nor its letters are touched.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from service.config import Retention
from service.domain.model import AuditEvent, DomainError
from service.retention_plan import CaseDue, CaseFacts, MailFacts, Plan, SentFacts, mail_cutoff, plan, sent_cutoff
from service.store.repositories.common import NotFound

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.retention")


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
