"""Use cases on a case: each a plain function taking the app and a command's values.

Each loads the case in a unit of work, calls the domain, saves (which
re-schedules its chasing and appends the audit events) and commits.
Errors are :class:`service.domain.model.DomainError` or
:class:`service.store.repositories.common.NotFound`, each one line for a person.
"""

from __future__ import annotations

import copy
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from service.domain.model import Case, DomainError

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork


def _change(app: "App", reference: str, fn: Callable[[Case], Any]) -> Case:
    """Load, change, save (which reacts to what happened: the letters it calls for are queued), commit."""
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        apply(uow, app, case, fn)
        uow.commit()
    return case


def apply(uow: "UnitOfWork", app: "App", case: Case, fn: Callable[[Case], Any], before: Case | None = None
          ) -> list[str]:
    """Change a case loaded in ``uow`` and save it: the one path of every use case, whether a person runs it
    from the command line, the web workspace or a reply by email. Returns the keys of the messages queued."""
    # Here, not at the top: the views (`cases list`, `case show`) need none of the chasing and letters.
    from service.case_store import save_case

    fn(case)
    return save_case(uow, app, case, before=before)


def deciding(app: "App", outcome: str, on: date, reason: str, actor: str, criterion: str | None = None
             ) -> Callable[[Case], Any]:
    """The decision, as a change to a case (for :func:`decide` and a decision given by email)."""
    return lambda c: c.decide(str(outcome), on, app.clock.now(), actor, reason, today=app.today(),
                              criterion=criterion)


def marking_done(app: "App", key: str, on: date, actor: str, how: str) -> Callable[[Case], Any]:
    """A deadline marked done, as a change to a case (for :func:`mark_done` and 'done' by email)."""
    return lambda c: c.mark_met(key, on, app.clock.now(), actor, how, today=app.today())


def decide(app: "App", reference: str, outcome: str, on: date, reason: str, actor: str,
           criterion: str | None = None) -> Case:
    return _change(app, reference, deciding(app, outcome, on, reason, actor, criterion))


def record(app: "App", reference: str, kind: str, on: date, actor: str, reason: str | None = None) -> Case:
    kind = str(kind)
    return _change(app, reference, lambda c: c.record(kind, on, app.clock.now(), actor, reason, today=app.today()))


def correct_date(app: "App", reference: str, kind: str, on: date, actor: str, reason: str) -> Case:
    """Correct a recorded date; the letters it calls for are queued, and those already queued or sent
    that stated the old facts are brought up to date (re-rendered, or followed by a correction)."""
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        before = copy.deepcopy(case, {id(case.procedure): case.procedure})  # the procedure is shared, not copied
        apply(uow, app, case, lambda c: c.correct_date(str(kind), on, app.clock.now(), actor, reason,
                                                       today=app.today()), before=before)
        uow.commit()
    return case


def add_agency(app: "App", reference: str, agency: str, actor: str) -> Case:
    found = app.settings.agency(agency)
    if found is None:
        known = ", ".join(a.key for a in app.settings.agencies) or "none configured"
        raise DomainError(f"no agency '{agency}' in the directory (known: {known})")
    return _change(app, reference, lambda c: c.add_agency(found.key, app.clock.now(), actor))


def set_due(app: "App", reference: str, kind: str, agency: str | None, due: date, actor: str) -> Case:
    key = None
    if agency:
        found = app.settings.agency(agency)
        if found is None:
            raise DomainError(f"no agency '{agency}' in the directory")
        key = found.key
    return _change(app, reference, lambda c: c.set_due(kind, key, due, app.clock.now(), actor))


def pause(app: "App", reference: str, key: str, reason: str, actor: str) -> Case:
    return _change(app, reference, lambda c: c.pause(key, app.clock.now(), actor, reason))


def resume(app: "App", reference: str, key: str, reason: str, actor: str, new_due: date | None = None) -> Case:
    return _change(app, reference, lambda c: c.resume(key, app.clock.now(), actor, reason, new_due))


def extend(app: "App", reference: str, key: str, new_due: date, reason: str, actor: str) -> Case:
    return _change(app, reference, lambda c: c.extend(key, new_due, app.clock.now(), actor, reason))


def mark_done(app: "App", reference: str, key: str, on: date, actor: str, how: str = "by command") -> Case:
    return _change(app, reference, marking_done(app, key, on, actor, how))


def migrate_procedure(app: "App", reference: str, version: str, reason: str, actor: str) -> list[str]:
    """Move a case, on purpose, to another version of its procedure: the board's current pack (when it is
    the same procedure) or a version kept in the database. Audited; returns what changed in its deadlines."""
    from service.case_store import save_case
    from service.store.repositories.common import NotFound

    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        current = app.procedure
        if current.id == case.procedure.id and current.version == version:
            target = current
        else:
            try:
                target = uow.cases.procedure(case.procedure.id, version)
            except NotFound:
                raise DomainError(f"no version {version} of {case.procedure.id} is known (the board's pack is "
                                  f"{current.key}; `review-clerk procedure versions` lists those kept)") from None
        if target.version == case.procedure.version:
            raise DomainError(f"{case.reference} already runs under {target.key}")
        changes = case.migrate_procedure(target, app.clock.now(), actor, reason)
        save_case(uow, app, case)
        uow.commit()
    return changes


# Views -------------------------------------------------------------------------
def deadline_view(d, as_of: date) -> dict[str, Any]:
    return {"key": d.key, "what": d.what, "due": d.due.isoformat(), "rule": d.rule, "owner": ", ".join(d.owner),
            "agency": d.agency, "state": d.state(as_of), "met_on": d.met_on.isoformat() if d.met_on else None,
            "reason": d.reason}


def show(app: "App", reference: str) -> dict[str, Any]:
    """Everything about one case, for `case show` (names only through this explicit command)."""
    as_of = app.today()
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        extra = uow.cases.extra(case.reference)
        audit = uow.audit.for_case(extra["id"])
        outbox = uow.outbox.for_case(extra["id"])
        hold = uow.retention.hold_state(case.reference) or {}
    decision = case.procedure.decision_for(case.stage)
    return {
        "reference": case.reference, "procedure": case.procedure.key, "procedure_label": case.procedure.label,
        "stage": case.stage, "stage_label": case.stage_label,
        "outcome": case.outcome, "outcome_label": case.outcome_label, "criterion": case.criterion,
        "decision_reason": case.decision_reason,
        "opened_at": case.opened_at.isoformat(),
        "legal_hold": bool(hold.get("legal_hold")), "legal_hold_reason": hold.get("legal_hold_reason"),
        "anonymised_at": hold["anonymised_at"].isoformat() if hold.get("anonymised_at") else None,
        "events": {str(k): v.isoformat() for k, v in case.events.items()},
        "event_labels": {str(k): case.event_label(k) for k in case.events},
        # What the case's procedure lets a person record next, for forms (the web workspace).
        "recordable_events": [(e.id, e.label[:1].upper() + e.label[1:]) for e in case.procedure.recordable_events()],
        "open_outcomes": [(o.id, o.label) for o in (decision.outcomes if decision else ())],
        "subjects": [{**asdict(s), "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None}
                     for s in case.subjects],
        "referrer": asdict(case.referrer), "agencies": case.agencies, "missing": extra["missing"], "to_confirm": extra["to_confirm"],
        "deadlines": [deadline_view(d, as_of) for d in sorted(case.deadlines.values(), key=lambda d: d.due)],
        "messages": [{"key": m["key"], "template": m["template"], "to": m["to"], "status": m["status"],
                      "created_at": m["created_at"].isoformat() if m["created_at"] else None,
                      "sent_at": m["sent_at"].isoformat() if m["sent_at"] else None,
                      "last_error": m["last_error"]} for m in outbox],
        "history": [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail,
                     "reason": e.reason} for e in audit],
    }


def case_rows(app: "App", stage: str | None = None, overdue: bool = False,
               limit: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(how many cases match, the first ``limit`` of them, newest first) as summary rows: one query,
    no case loaded, nothing decrypted."""
    as_of = app.today()
    with app.db.unit_of_work() as uow:
        total, found = uow.reports.case_summaries(as_of, stage, overdue, limit)
        procedure = uow.cases.procedure  # each version read once
        rows = []
        for r in found:
            p = procedure(r["procedure_id"], r["procedure_version"])
            rows.append({"reference": r["reference"], "stage": r["stage"], "stage_label": p.stage_label(r["stage"]),
                         "procedure": p.key, "outcome": r["outcome"] or None,
                         "outcome_label": p.outcome_label(r["outcome"]) if r["outcome"] else None,
                         "opened": _utc_day(r["opened_at"]), "agencies": r["agencies"],
                         "next_deadline": p.deadline_label(r["next_kind"]) if r["next_kind"] else None,
                         "next_due": r["next_due"].isoformat() if r["next_due"] else None,
                         "overdue": int(r["missed"] or 0)})
    return total, rows


def yearly_figures(app: "App", start: date, end: date, procedure: str | None = None) -> list[dict[str, Any]]:
    """Per pack, the counts a yearly report gives for the period (:mod:`service.domain.yearly`). Raises
    LookupError for a pack no case runs under and the board does not run."""
    from service.domain.yearly import figures

    with app.db.unit_of_work() as uow:
        cases = uow.cases.list()
    rows = [f.as_dict() for f in figures(cases, start, end)]
    if procedure is not None:
        rows = [r for r in rows if r["procedure"] == procedure]
        if not rows:
            app.procedure_named(procedure)  # raises for a pack not in use
    return rows


def _utc_day(opened_at: Any) -> str:
    from datetime import timezone

    if opened_at.tzinfo is not None:
        opened_at = opened_at.astimezone(timezone.utc)
    return opened_at.date().isoformat()


def list_cases(app: "App", stage: str | None = None, overdue: bool = False,
               limit: int | None = None) -> list[dict[str, Any]]:
    """Cases with their stage and next deadline, newest first (the first ``limit``; all without)."""
    return case_rows(app, stage, overdue, limit)[1]


def deadline_rows(app: "App", as_of: date, limit: int | None = None,
                  with_reason: bool = True) -> tuple[int, list[dict[str, Any]]]:
    """(how many deadlines are not met, the first ``limit`` of them, soonest first) with their case's
    reference: one query, no case loaded; the reason (which may name people) only ``with_reason``."""
    with app.db.unit_of_work() as uow:
        total, found = uow.reports.deadlines_not_met(limit, with_reason)
        procedure = uow.cases.procedure
        rows = []
        for r in found:
            p = procedure(r["procedure_id"], r["procedure_version"])
            key, due, status = r["key"], r["due"], r["status"]
            state = ("met" if status == "met" else "paused" if status == "paused" else "missed" if as_of > due
                     else "extended" if r["extended"] else "open")
            rows.append({"reference": r["reference"], "key": key, "what": p.deadline_label(r["kind"]),
                         "due": due.isoformat(), "rule": r["rule"], "owner": ", ".join(r["owner"].split(",")),
                         "agency": r["agency"], "state": state,
                         "met_on": r["met_on"].isoformat() if r["met_on"] else None,
                         "reason": r.get("reason")})
    return total, rows


def deadlines_across(app: "App", as_of: date, limit: int | None = None) -> list[dict[str, Any]]:
    """Every deadline not yet met, across cases, soonest first (the first ``limit``; all without)."""
    return deadline_rows(app, as_of, limit)[1]


# Confirming how a referral was read ---------------------------------------------------------
def reading(app: "App", reference: str) -> dict[str, Any]:
    """What the service read from the case's referral, with how sure it was of each value and what a
    person is asked to confirm (for `case confirm`; names only through this explicit command)."""
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        extra = uow.cases.extra(case.reference)
        opened = next((e for e in uow.audit.for_case(extra["id"]) if e.action == "case opened"), None)
    referral = extra["referral"] or {}
    source = (opened.detail.get("source") or "") if opened else ""
    message = int(source.rsplit(" ", 1)[1]) if source.startswith("inbound message ") else None
    return {"reference": case.reference, "to_confirm": extra["to_confirm"],
            "confidence": referral.get("confidence") or {},
            "subjects": [{**asdict(s), "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None}
                         for s in case.subjects],
            "referrer": asdict(case.referrer), "layout": referral.get("layout"), "message": message,
            "source_command": f"review-clerk inbox show {message}" if message else None}


def confirm_reading(app: "App", reference: str, actor: str, details: dict[str, Any] | None = None) -> list[str]:
    """Confirm how a referral was read, with ``details`` (subjects and referrer, as `case confirm --json`
    prints them, corrected) laid over it; nothing more to confirm afterwards. Returns the fields corrected.
    Raises DetailsProblem naming a field (never its value) for details that cannot be used."""
    from service.case_store import save_case
    from service.domain.model import Referrer, Subject
    from service.intake.details import DetailsProblem, apply_details

    given = details or {}
    unknown = sorted(set(given) - {"subjects", "referrer", "reference", "to_confirm", "confidence", "layout",
                                   "message", "source_command"})
    if unknown:
        raise DetailsProblem(f"unknown field(s) {', '.join(unknown)}; a person corrects subjects and referrer")
    checked = apply_details({}, {k: given[k] for k in ("subjects", "referrer") if k in given}, today=app.today())
    subjects = None
    if "subjects" in given:
        subjects = [Subject(name=s["name"], role=s.get("role") or "unknown", relationship=s.get("relationship"),
                            date_of_birth=date.fromisoformat(s["date_of_birth"]) if s.get("date_of_birth") else None,
                            address=s.get("address")) for s in checked["subjects"]]
    referrer = None
    if "referrer" in given:
        r = checked["referrer"]
        referrer = Referrer(name=r.get("name"), agency=r.get("agency"), telephone=r.get("telephone"),
                            email=r.get("email"))
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        corrected = case.confirm_reading(app.clock.now(), actor, subjects, referrer)
        save_case(uow, app, case)
        uow.cases.confirmed(case.reference)
        uow.commit()
    return corrected
