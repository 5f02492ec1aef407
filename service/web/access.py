"""Who may sign in, with what role, and what each role may do. Pure: settings in, answers out.

Roles come from the configuration: the Business Manager (``[people] business_manager``), the Chair
(``[people] chair``), the panel members (``[[panel]]`` and each agency's ``panel_member``) and the
viewers (``[web] viewers``); or from Entra app roles in the id token (``[web] app_roles``). A person
with several gets the widest. Anyone else is not authorised.

What each may do (checked on the server for every request, whatever the page shows):

==================  =====  ==========  ============  ================  =========  ========
role                read   names       act on case   decide, approve   mail       forecast
==================  =====  ==========  ============  ================  =========  ========
business_manager    all    yes         yes           yes               yes        yes
chair               all    yes         no            yes               read       yes
panel               own    yes         no            no                no         no
viewer              all    initials    no            no                no         yes
==================  =====  ==========  ============  ================  =========  ========

A panel member's own cases are those whose panel they sit on, by the rule the meetings use
(:mod:`service.meetings.invitees`): the panel's chair and the standing members sit on every panel;
a member who is not standing, and an agency's panel member, on the panels of cases involving their
agency.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from service.config import Settings


class Role(str, enum.Enum):
    BUSINESS_MANAGER = "business_manager"
    CHAIR = "chair"
    PANEL = "panel"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return {"business_manager": "Business Manager", "chair": "Chair", "panel": "Panel member",
                "viewer": "Viewer"}[self.value]


_WIDTH = [Role.BUSINESS_MANAGER, Role.CHAIR, Role.PANEL, Role.VIEWER]  # widest first


class Permission(str, enum.Enum):
    READ_ALL = "read every case"
    SEE_NAMES = "see the names of the child and family"
    ACT = "record events and manage deadlines and agencies"
    DECIDE = "give the decision"
    APPROVE = "approve a letter"
    READ_MAIL = "read the mail needing attention"
    HANDLE_MAIL = "release held mail or open a case from a message"
    FORECAST = "see the forecast"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.BUSINESS_MANAGER: frozenset(Permission),
    Role.CHAIR: frozenset({Permission.READ_ALL, Permission.SEE_NAMES, Permission.DECIDE, Permission.APPROVE,
                           Permission.READ_MAIL, Permission.FORECAST}),
    Role.PANEL: frozenset({Permission.SEE_NAMES}),
    Role.VIEWER: frozenset({Permission.READ_ALL, Permission.FORECAST}),
}


@dataclass(frozen=True)
class Person:
    """The person signed in: their address, their name on file and their role."""

    email: str
    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


def _panel_addresses(settings: "Settings") -> set[str]:
    found = {p.email.lower() for p in settings.panel}
    from service.meetings.invitees import panel_chairs

    found |= {a.panel_member.email.lower() for a in settings.agencies if a.panel_member}
    found |= panel_chairs(settings)
    return found


def roles_of(settings: "Settings", email: str, token_roles: Iterable[str] = ()) -> list[Role]:
    """Every role ``email`` holds, widest first (empty: not authorised)."""
    email = email.strip().lower()
    held = set()
    if email == settings.people.business_manager.email.lower():
        held.add(Role.BUSINESS_MANAGER)
    if email == settings.people.chair.email.lower():
        held.add(Role.CHAIR)
    if email in _panel_addresses(settings):
        held.add(Role.PANEL)
    if email in {v.lower() for v in settings.web.viewers}:
        held.add(Role.VIEWER)
    for name in token_roles:
        mapped = settings.web.app_roles.get(name)
        if mapped:
            held.add(Role(mapped))
    return [r for r in _WIDTH if r in held]


def person_of(settings: "Settings", email: str, token_roles: Iterable[str] = ()) -> Person | None:
    """The signed-in person with their widest role, or None if they may not sign in."""
    roles = roles_of(settings, email, token_roles)
    if not roles:
        return None
    return Person(email.strip().lower(), name_of(settings, email), roles[0])


def name_of(settings: "Settings", email: str) -> str:
    email = email.strip().lower()
    people = [*settings.staff(), *settings.panel, *(a.panel_member for a in settings.agencies if a.panel_member)]
    for p in people:
        if p.email.lower() == email:
            return p.name
    return email


def sits_on_panel(settings: "Settings", email: str, agencies: Iterable[str], procedure: str | None = None) -> bool:
    """Whether ``email`` sits on the panel of a case involving ``agencies`` (the meetings' rule), of pack
    ``procedure`` (None: any pack's)."""
    email = email.strip().lower()
    from service.meetings.invitees import panel, panel_chair, panel_chairs

    if email in (panel_chairs(settings) if procedure is None else {panel_chair(settings, procedure)[0].lower()}):
        return True
    involved = set(agencies)
    for p in panel(settings, procedure):
        if p.email.lower() == email and (p.standing or p.agency in involved):
            return True
    for a in settings.agencies:
        if a.key in involved and a.panel_member and a.panel_member.email.lower() == email:
            return True
    return False


def pack_of(case: dict) -> str | None:
    """The id of the pack a case (as :func:`service.cases.show` gives it: ``procedure`` is ``id@version``)
    runs under."""
    return (case.get("procedure") or "").partition("@")[0] or None


def may_read_case(settings: "Settings", person: Person, agencies: Iterable[str], procedure: str | None = None) -> bool:
    """Whether ``person`` may read a case involving ``agencies`` of pack ``procedure`` (its id)."""
    if person.may(Permission.READ_ALL):
        return True
    return person.role is Role.PANEL and sits_on_panel(settings, person.email, agencies, procedure)
