"""Who is invited to a panel meeting, who must come, and whether the meeting still has its quorum.

Invited: the chair of the panel, the standing panel members (``[[panel]]``
with ``standing = true``) and the panel member of each agency involved in the
case (``[[agencies]] panel_member``). A ``[[panel]]`` member with ``procedures``
sits only on the panel of those packs' cases (a board running children's and
adults' reviews side by side has two panels); one without sits on every pack's.
One person is invited once, with every role they hold. The Business Manager organises and is not an attendee.
Which invitees are *required* is the meeting kind's rule; the rest are
optional. Pure: settings and a case in, plain values out.

A person's roles are the same for every case: their ``[[panel]]`` role, and
the role of the agency they sit on the panel for (``[meetings] agency_roles``),
whether they are invited as a standing member or for an agency involved in
the case. :func:`quorum_warnings` says when the configuration leaves a quorum
role to chance (held by nobody, or only by the member of some agencies).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from service.domain.model import Case
from service.mailbox.ports import ResponseStatus

from .kinds import MeetingKind, kind_for, shipped_procedure

if TYPE_CHECKING:
    from service.config import PanelMember, Settings


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    roles: tuple[str, ...]
    agency: str | None = None
    agency_member: bool = False  # represents an agency involved in the case
    required: bool = True


def panel(settings: "Settings", procedure: str | None = None) -> "list[PanelMember]":
    """The ``[[panel]]`` members who sit on the panel of pack ``procedure``'s cases (None: every member)."""
    return [p for p in settings.panel if p.sits_for(procedure)]


def panel_chair(settings: "Settings", procedure: str | None = None) -> tuple[str, str]:
    """(email, name) of whoever chairs the panel meetings of pack ``procedure``'s cases: ``[meetings] chair``,
    else the panel member of that pack with the role "chair", else the board's Chair."""
    m = settings.meetings
    if m.chair:
        for p in settings.panel:
            if p.email == m.chair:
                return p.email, p.name
        for person in (settings.people.chair, settings.people.head_of_sqas):
            if person is not None and person.email == m.chair:
                return person.email, person.name
        return m.chair, "Panel Chair"
    chairs = [p for p in panel(settings, procedure) if (p.role or "").lower() == "chair"]
    # For a pack, a chair of its own panel before one who chairs every pack's; for no pack, the reverse.
    chair = min(chairs, key=lambda p: not p.procedures if procedure else bool(p.procedures), default=None)
    if chair is not None:
        return chair.email, chair.name
    return settings.people.chair.email, settings.people.chair.name


def panel_chairs(settings: "Settings") -> set[str]:
    """The addresses of every pack's panel chair (lower case)."""
    return {panel_chair(settings, pid)[0].lower() for pid in (None, *settings.panel_packs())}


def _agency_role(settings: "Settings", agency_key: str | None) -> list[str]:
    role = settings.meetings.agency_roles.get(agency_key) if agency_key else None
    return [role.lower()] if role else []


def invitees(settings: "Settings", case: Case, kind: MeetingKind) -> list[Invitee]:
    """Everyone to invite, chair first, then the standing panel, then the agencies in the case's order."""
    return _invitees(settings, case.agencies, kind)


def invitees_for(settings: "Settings", agencies: Iterable[str], kind: MeetingKind) -> list[Invitee]:
    """:func:`invitees` for a case involving ``agencies`` (in the case's order), without the case."""
    return _invitees(settings, agencies, kind)


def _invitees(settings: "Settings", agencies: Iterable[str], kind: MeetingKind) -> list[Invitee]:
    found: dict[str, Invitee] = {}
    panel_roles: dict[str, list[str]] = {}
    members = panel(settings, kind.procedure)
    for p in members:
        roles = panel_roles.setdefault(p.email.lower(), [])
        roles += [p.role.lower()] if p.role else []
        roles += _agency_role(settings, p.agency)

    def add(email: str, name: str, roles: Iterable[str], agency: str | None, agency_member: bool) -> None:
        email = email.lower()
        roles = [*panel_roles.get(email, []), *(r.lower() for r in roles)]
        have = found.get(email)
        if have is None:
            found[email] = Invitee(email, name, tuple(dict.fromkeys(roles)), agency, agency_member)
        else:
            found[email] = replace(have, roles=tuple(dict.fromkeys((*have.roles, *roles))),
                                   agency=have.agency or agency, agency_member=have.agency_member or agency_member)

    chair_email, chair_name = panel_chair(settings, kind.procedure)
    add(chair_email, chair_name, ["chair"], None, False)
    for p in members:
        if p.standing:
            add(p.email, p.name, [], p.agency, False)
    for key in agencies:
        for p in members:  # a panel member who is not standing comes when their agency is involved
            if not p.standing and p.agency == key:
                add(p.email, p.name, _agency_role(settings, key), key, True)
        agency = settings.agency(key)
        if agency is None or agency.panel_member is None:
            continue
        add(agency.panel_member.email, agency.panel_member.name, _agency_role(settings, agency.key), agency.key, True)
    organiser = settings.people.business_manager.email.lower()
    people = [i for i in found.values() if i.email != organiser]
    return [replace(i, required=kind.is_required(i.roles, i.agency_member)) for i in people]


def agencies_without_panel_member(settings: "Settings", case: Case) -> list[str]:
    out = []
    for key in case.agencies:
        agency = settings.agency(key)
        if agency is None or agency.panel_member is None:
            out.append(key)
    return out


@dataclass(frozen=True)
class Quorum:
    lost_roles: tuple[str, ...]  # every invitee holding the role has declined
    unfilled_roles: tuple[str, ...]  # nobody invited holds the role

    @property
    def lost(self) -> bool:
        return bool(self.lost_roles)


def quorum(roles_needed: Sequence[str], attendees: Iterable[tuple[Sequence[str], ResponseStatus]]) -> Quorum:
    """Each quorum role needs somebody holding it who has not declined.

    A role nobody invited holds cannot be lost: it is reported as unfilled
    when the meeting is arranged, not as a lost quorum every time the job runs.
    """
    holders: dict[str, list[ResponseStatus]] = {r.lower(): [] for r in roles_needed}
    for roles, response in attendees:
        for r in roles:
            if r.lower() in holders:
                holders[r.lower()].append(response)
    lost = tuple(r for r, rs in holders.items() if rs and all(x is ResponseStatus.DECLINED for x in rs))
    unfilled = tuple(r for r, rs in holders.items() if not rs)
    return Quorum(lost, unfilled)


def names_of(emails: Iterable[str], people: Mapping[str, Invitee] | Sequence[Invitee]) -> list[str]:
    """'Name <email>' for each address, for messages to the Business Manager."""
    index = people if isinstance(people, Mapping) else {p.email: p for p in people}
    return [f"{index[e].name} <{e}>" if e in index else e for e in emails]


def quorum_warnings(settings: "Settings", packs: Iterable[str] = ()) -> list[str]:
    """One line for each quorum role the configuration cannot be sure to fill (empty: none).

    A role that no standing panel member holds is filled only for cases involving an agency
    whose panel member holds it, and is missing (reported with every meeting) for the others;
    a role nobody configured holds is never filled. Where ``[[panel]]`` members sit for some packs
    only, each pack's panel is checked on its own: ``packs`` (the ids in use) and every pack a member
    names. For start-up and ``review-clerk doctor``.
    """
    named = settings.panel_packs()
    panels = sorted({*named, *packs}) if named else [None]
    # Who is invited, with which roles, is the same for every kind: the shipped pack's first kind will do.
    base = kind_for(shipped_procedure().meetings[0].id, shipped_procedure(), settings.meetings)
    out = []
    for pack in panels:
        kind = replace(base, procedure=pack)
        standing = {r for p in _invitees(settings, (), kind) for r in p.roles}
        by_agency = {a.key: {r for p in _invitees(settings, (a.key,), kind) for r in p.roles}
                     for a in settings.agencies}
        whose = f"{pack}: " if pack else ""
        for role in dict.fromkeys(r.lower() for r in settings.meetings.quorum_roles):
            if role in standing:
                continue
            agencies = [key for key, roles in by_agency.items() if role in roles]
            if agencies:
                out.append(f"{whose}quorum role '{role}' is held by no standing panel member, only by the panel "
                           f"member of {', '.join(agencies)}: meetings of other cases are arranged without it "
                           f"(give a standing [[panel]] member that role, or take it out of [meetings] "
                           f"quorum_roles)")
            else:
                out.append(f"{whose}quorum role '{role}' is held by nobody configured, so no meeting can have it "
                           f"(set it as a [[panel]] role or in [meetings] agency_roles, or take it out of "
                           f"[meetings] quorum_roles)")
    return out
