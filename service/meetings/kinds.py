"""The kinds of panel meeting a review needs, each with its purpose, agenda, window and required roles.

PROCESS.md stage 3 (the extraordinary panel meeting, before the Chair's
decision), stage 6 (the case panel agrees the terms of reference) and stage
7/8 (progress, the draft overview report, sign-off). Defaults live here;
``[meetings.kinds.<kind>]`` in the settings overrides any of them. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.config import Meetings

EVERYBODY = "*"


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
    counts_from_referral: bool = False  # the window starts at the referral, not at the request
    asks_for_agency_reports: bool = False
    duration_minutes: int | None = None

    def is_required(self, roles: tuple[str, ...] | frozenset[str], agency_member: bool) -> bool:
        if EVERYBODY in self.required_roles or "chair" in roles:
            return True
        return bool(set(roles) & set(self.required_roles)) or (self.agencies_required and agency_member)


DEFAULT_KINDS: dict[str, MeetingKind] = {k.name: k for k in (
    MeetingKind(
        name="extraordinary",
        title="Extraordinary panel meeting: referral for a serious case review",
        purpose="to consider the referral with every agency involved, so that the Chair can decide "
                "within one month whether a serious case review is required (procedure 4.2)",
        agenda=("Introductions and confidentiality",
                "The referral and the criteria for a serious case review (Working Together 2013)",
                "Each agency's short report or chronology",
                "Immediate safeguarding actions",
                "Recommendation to the Chair: serious case review, management review, alternative review "
                "or no review",
                "Next steps and dates"),
        within_working_days=10, required_roles=(EVERYBODY,), agencies_required=True,
        before_deadline="decision", counts_from_referral=True, asks_for_agency_reports=True),
    MeetingKind(
        name="terms_of_reference",
        title="Case panel: terms of reference and scope",
        purpose="to agree the terms of reference, the scope and the lead reviewer (procedure 3.6)",
        agenda=("Introductions and confidentiality",
                "Terms of reference and the period under review",
                "Agencies to provide IMRs and chronologies, and their due dates",
                "Lead reviewer and overview author: quotes and commissioning",
                "Involving the family",
                "Parallel processes (police, coroner, courts)",
                "Next meeting"),
        within_working_days=15, required_roles=(EVERYBODY,), agencies_required=True),
    MeetingKind(
        name="progress",
        title="Case panel: progress of the review",
        purpose="to review progress on IMRs and chronologies and the timetable",
        agenda=("Progress on each agency's IMR and chronology",
                "Emerging themes",
                "Timetable to completion",
                "Next meeting"),
        within_working_days=20, required_roles=("chair", "police", "health", "social-care"),
        agencies_required=True),
    MeetingKind(
        name="draft_report",
        title="Case panel: draft overview report",
        purpose="to discuss the draft overview report with the lead reviewer",
        agenda=("The draft overview report",
                "Findings and recommendations",
                "Agencies' comments and factual accuracy",
                "The action plan",
                "Timetable to sign-off"),
        within_working_days=20, required_roles=(EVERYBODY,), agencies_required=True,
        before_deadline="completion"),
    MeetingKind(
        name="sign_off",
        title="Case panel: sign-off of the review",
        purpose="to sign off the overview report and the SMART action plan (procedure 5.3)",
        agenda=("The final overview report and executive summary",
                "The SMART action plan (procedure 5.3.2)",
                "Publication plan",
                "Learning and dissemination"),
        within_working_days=20, required_roles=("chair", "police", "health", "social-care"),
        agencies_required=True, before_deadline="completion"),
)}

KIND_NAMES: tuple[str, ...] = tuple(DEFAULT_KINDS)


class UnknownKind(ValueError):
    pass


def kind_for(name: str, meetings: "Meetings | None" = None) -> MeetingKind:
    """The kind with the settings' overrides applied. Raises UnknownKind."""
    key = name.strip().lower().replace("-", "_")
    if key not in DEFAULT_KINDS:
        raise UnknownKind(f"no meeting kind {name!r}; kinds are: {', '.join(KIND_NAMES)}")
    kind = DEFAULT_KINDS[key]
    over = meetings.kinds.get(key) if meetings is not None else None
    if over is None:
        return kind
    changes = {f: getattr(over, f) for f in ("within_working_days", "required_roles", "agencies_required",
                                             "duration_minutes", "agenda") if getattr(over, f) is not None}
    return replace(kind, **changes)
