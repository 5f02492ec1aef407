"""The procedure's vocabulary as the forms send it back: stages, events and decision outcomes.

The cases list offers the board's stages; a case's page offers its own procedure's events and open
decision (``service.cases.show`` gives them). What a form sends back is an id, checked here for its
shape and by the domain against the case's own procedure.
"""

from __future__ import annotations

import re

from service.domain.model import DomainError
from service.domain.procedure import Procedure

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def stages(*procedures: Procedure) -> list[tuple[str, str]]:
    """(id, label) of each stage of the procedures, each id once (the first pack's label)."""
    seen: dict[str, str] = {}
    for p in procedures:
        for s in p.stages:
            seen.setdefault(s.id, s.label)
    return list(seen.items())


def _id(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not _ID.match(value):
        raise DomainError(f"no {what} {value!r}")
    return value


def stage(procedure: Procedure | tuple[Procedure, ...], value: str | None) -> str | None:
    if not value:
        return None
    packs = procedure if isinstance(procedure, tuple) else (procedure,)
    if value not in {s.id for p in packs for s in p.stages}:
        raise DomainError(f"no stage {value!r}")
    return value


def event(value: str) -> str:
    return _id(value, "event")


def outcome(value: str) -> str:
    return _id(value, "decision")
