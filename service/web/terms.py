"""The procedure's vocabulary as the forms offer it: stages, events and decision outcomes, from a pack.

The one place in the web workspace that reads a procedure's parts. The lists come from the
procedure (the case's own for its page's forms, the board's for the cases list); what a form sends
back is an id, checked here for its shape and by the domain against the case's own procedure.
"""

from __future__ import annotations

import re

from service.domain.model import DomainError
from service.domain.procedure import Procedure

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def stages(procedure: Procedure) -> list[tuple[str, str]]:
    return [(s.id, s.label) for s in procedure.stages]


def events(procedure: Procedure) -> list[tuple[str, str]]:
    """Events a person records (not the referral a case opens on, nor a decision, which has its own form)."""
    own = {procedure.opens_with, *procedure.decision_events}
    return [(e.id, e.label[:1].upper() + e.label[1:]) for e in procedure.events if e.id not in own]


def outcomes(procedure: Procedure, stage: str | None = None) -> list[tuple[str, str]]:
    """The outcomes of the decision open at ``stage`` (the procedure's first decision when none is given)."""
    decision = procedure.decision_for(stage) if stage else (procedure.decisions[0] if procedure.decisions else None)
    return [(o.id, o.label) for o in decision.outcomes] if decision else []


def _id(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not _ID.match(value):
        raise DomainError(f"no {what} {value!r}")
    return value


def stage(procedure: Procedure, value: str | None) -> str | None:
    if not value:
        return None
    if value not in {s.id for s in procedure.stages}:
        raise DomainError(f"no stage {value!r}")
    return value


def event(value: str) -> str:
    return _id(value, "event")


def outcome(value: str) -> str:
    return _id(value, "decision")
