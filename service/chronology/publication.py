"""The publication check as a gate: the pre-publication notice waits while the last check of the
case's report found anything, unless a person has recorded why that is acceptable.

``review-clerk report check REF FILE`` checks the draft against the case record's identifiers (and any
given) and records the check on the case: the file's name and hash, counts by kind, never a value
found. ``review-clerk report accept REF --reason ...`` records, audited, why the last check's findings
may stand. :func:`service.chronology.publication_gate.why_held` is what the letters ask before queueing the notice; a notice held is a
``not_sent`` notice to the Business Manager naming the fix. A clean check or an acceptance queues the
notice at once when publication is already planned.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.domain.model import AuditEvent, Case, DomainError

from .publication_gate import NOTICE
from .report_check import Identifiers

if TYPE_CHECKING:
    from service.bootstrap import App
    from service.store.db import UnitOfWork



def case_identifiers(case: Case, given: dict[str, Any] | None = None) -> Identifiers:
    """The case record's people (names, dates of birth, addresses) with any identifiers given."""
    data: dict[str, list[str]] = {k: list(v) if isinstance(v, (list, tuple)) else [v]
                                  for k, v in (given or {}).items() if v}
    for s in case.subjects:
        if s.name and s.name.strip():
            data.setdefault("names", []).append(s.name)
        if s.date_of_birth:
            data.setdefault("dobs", []).append(s.date_of_birth.strftime("%d/%m/%Y"))
        if s.address and s.address.strip():
            data.setdefault("addresses", []).append(s.address)
    for key in list(data):
        data[key] = list(dict.fromkeys(data[key]))
    return Identifiers.from_data(data)


@dataclass
class Recorded:
    check_id: int
    found: int
    by_kind: dict[str, int]
    notice_queued: list[str]


def record_check(app: "App", reference: str, filename: str, data: bytes, findings: list, actor: str) -> Recorded:
    """Record a check of the case's report (counts only) and, when it is clean, queue the pre-publication
    notice it was holding."""
    by_kind = dict(Counter(f.kind for f in findings))
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        case_id = uow.cases.id_of(case.reference)
        cid = uow.returns.record_check(case_id, filename, hashlib.sha256(data).hexdigest(), app.clock.now(), actor,
                                       by_kind)
        uow.audit.append(case_id, case.reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="report checked for identifiers",
            detail={"check": cid, "found": sum(by_kind.values()), "by_kind": by_kind}, reason=None)])
        queued = _release(uow, app, case, case_id, actor) if not findings else []
        uow.commit()
    return Recorded(cid, sum(by_kind.values()), by_kind, queued)


def accept(app: "App", reference: str, reason: str, actor: str) -> Recorded:
    """A person records why the last check's findings are acceptable; the notice may then go."""
    if not reason or not reason.strip():
        raise DomainError("accepting a check's findings needs the reason (--reason)")
    with app.db.unit_of_work() as uow:
        case = uow.cases.get(reference)
        case_id = uow.cases.id_of(case.reference)
        last = uow.returns.last_check(case_id)
        if last is None:
            raise DomainError(f"{case.reference}: no report check is recorded; run "
                              f"review-clerk report check {case.reference} FILE first")
        if not last["found"]:
            raise DomainError(f"{case.reference}: the last report check found nothing; there is nothing to accept")
        if last["accepted_at"] is not None:
            raise DomainError(f"{case.reference}: the last report check was accepted already by "
                              f"{last['accepted_by']}")
        uow.returns.accept_check(last["id"], app.clock.now(), actor, reason.strip())
        uow.audit.append(case_id, case.reference, [AuditEvent(
            at=app.clock.now(), actor=actor, action="report check findings accepted",
            detail={"check": last["id"], "found": last["found"], "by_kind": last["by_kind"]}, reason=reason.strip())])
        queued = _release(uow, app, case, case_id, actor)
        uow.commit()
    return Recorded(last["id"], last["found"], dict(last["by_kind"] or {}), queued)


def _release(uow: "UnitOfWork", app: "App", case: Case, case_id: int, actor: str) -> list[str]:
    """Queue the pre-publication notice, when publication is planned and the case's procedure sends it."""
    from service.letters.catalogue import communication
    from service.letters.triggers import queue_plan, recipients_for, why_not

    if communication(case.procedure, NOTICE) is None or why_not(NOTICE, case) is not None:
        return []
    return queue_plan(uow, app, case, case_id, recipients_for(NOTICE, case, app.settings), {}, actor,
                      "publication check passed")
