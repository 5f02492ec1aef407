"""Whether the pre-publication notice must wait for the publication check (see
:mod:`service.chronology.publication`). Asked by the letters before they queue the notice."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.domain.model import Case
    from service.store.db import UnitOfWork

NOTICE = "prepublication_notice"


def why_held(uow: "UnitOfWork", case: Case, case_id: int) -> tuple[str, str] | None:
    """(why, fix) when the pre-publication notice must wait, else None."""
    last = uow.returns.last_check(case_id)
    if last is None or not last["found"] or last["accepted_at"] is not None:
        return None
    kinds = ", ".join(f"{n} {k}" for k, n in sorted((last["by_kind"] or {}).items()))
    when = last["checked_at"].strftime("%d/%m/%Y %H:%M")
    return (f"the last publication check of the report ({when}) found {last['found']} identifier(s) "
            f"({kinds})",
            f"remove them and check again: review-clerk report check {case.reference} FILE; or record why they "
            f"may stand: review-clerk report accept {case.reference} --reason '...'")
