"""The kinds of panel meeting a review needs, each with its purpose, agenda, window and required roles.

They are the ``[[meetings]]`` of the case's procedure pack (for the board's SCR
pack: the extraordinary panel meeting before the Chair's decision, the case
panel that agrees the terms of reference, progress, the draft overview report,
sign-off); ``[meetings.kinds.<kind>]`` in the settings overrides some of their
values on top. Pure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from service.domain.procedure import EVERYBODY, Procedure

if TYPE_CHECKING:
    from service.config import Meetings
    from service.domain import procedure as pack

__all__ = ["EVERYBODY", "MeetingKind", "UnknownKind", "default_kind_names", "from_pack", "kind_for", "kind_names",
           "shipped_procedure"]


@dataclass(frozen=True)
class MeetingKind:
    name: str
    title: str  # goes in the invite's subject after the reference
    purpose: str
    agenda: tuple[str, ...]
    within_working_days: int  # the window: by the end of the Nth working day after its start
    required_roles: tuple[str, ...]  # EVERYBODY: every invitee is required
    agencies_required: bool  # the panel members of the agencies involved in the case are required
    before_deadline: str | None = None  # the meeting must fall before this case deadline, when it is open
    counts_from: str | None = None  # the window starts at this event of the case (when recorded), not the request
    asks_for_agency_reports: bool = False
    duration_minutes: int | None = None
    procedure: str | None = None  # the id of the pack it is a meeting of (whose panel is invited)

    def is_required(self, roles: tuple[str, ...] | frozenset[str], agency_member: bool) -> bool:
        if EVERYBODY in self.required_roles or "chair" in roles:
            return True
        return bool(set(roles) & set(self.required_roles)) or (self.agencies_required and agency_member)


class UnknownKind(ValueError):
    pass


def from_pack(m: "pack.MeetingKind") -> MeetingKind:
    """The meeting code's kind from a pack's ``[[meetings]]`` entry."""
    return MeetingKind(name=m.id, title=m.subject, purpose=m.purpose, agenda=tuple(m.agenda),
                       within_working_days=m.within_working_days, required_roles=tuple(m.required) or (EVERYBODY,),
                       agencies_required=m.agencies_required, before_deadline=m.before_deadline,
                       counts_from=m.counts_from, asks_for_agency_reports=m.asks_for_agency_reports,
                       duration_minutes=m.duration_minutes)


def kind_names(procedure: Procedure) -> tuple[str, ...]:
    return tuple(m.id for m in procedure.meetings)


@functools.cache
def shipped_procedure() -> Procedure:
    """The shipped default pack, as read (not checked again: its tests check it), for what has no case at hand:
    the command line's help and the settings' overrides, read before any pack is loaded."""
    from service.procedure.pack import PackError, read_pack, shipped

    procedure, problems = read_pack(shipped())
    if procedure is None or problems:
        raise PackError(problems)
    return procedure


def default_kind_names() -> tuple[str, ...]:
    """The meeting kinds of the shipped default pack."""
    return kind_names(shipped_procedure())


def kind_for(name: str, procedure: "Procedure | Meetings | None" = None,
             meetings: "Meetings | None" = None) -> MeetingKind:
    """The kind ``name`` as ``procedure`` (the case's, else the one new cases open under) declares it, with the
    settings' overrides applied. Raises UnknownKind, naming the procedure's kinds.

    ``kind_for(name, meetings_settings)`` (the settings as second argument, as before kinds came from the pack)
    and no procedure read the shipped default pack."""
    if procedure is None or not isinstance(procedure, Procedure):
        procedure, meetings = shipped_procedure(), meetings if procedure is None else procedure  # type: ignore
    key = name.strip().lower().replace("-", "_")
    found = next((m for m in procedure.meetings if m.id == key), None)
    if found is None:
        raise UnknownKind(f"no meeting kind {name!r} in {procedure.label} ({procedure.key}); kinds are: "
                          f"{', '.join(kind_names(procedure)) or 'none'}")
    kind = replace(from_pack(found), procedure=procedure.id)
    over = meetings.kinds.get(key) if meetings is not None else None
    if over is None:
        return kind
    changes = {f: getattr(over, f) for f in ("within_working_days", "required_roles", "agencies_required",
                                             "duration_minutes", "agenda") if getattr(over, f) is not None}
    return replace(kind, **changes)
