"""The statutory clocks: which event starts each deadline, its rule and its owner.

Every deadline the service computes is listed in :data:`RULES`, one row per
clock in PROCESS.md. A computed deadline carries the rule and the event that
set it (``explain``), so a person can see why it falls where it does, and is
recomputed when that event's date is corrected. Deadlines the panel sets
(agency reports, meeting dates) are entered, not computed: see
:data:`ENTERED_KINDS`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from . import calendar as wd
from .model_types import EventKind, Outcome, Role


class Unit(str, enum.Enum):
    WORKING_DAYS = "working days"
    CALENDAR_MONTHS = "calendar months"
    DAYS_BEFORE = "calendar days before"


@dataclass(frozen=True)
class Rule:
    kind: str
    what: str
    starts_on: EventKind
    amount: int
    unit: Unit
    owner: Role
    met_by: EventKind | None
    source: str  # where the rule comes from: procedure section or "service rule"
    only_if_outcome: frozenset[Outcome] | None = None  # applies only after this decision
    also_needs: EventKind | None = None  # a second event that must have happened

    def due(self, start: date) -> date:
        if self.unit is Unit.WORKING_DAYS:
            return wd.add_working_days(start, self.amount)
        if self.unit is Unit.CALENDAR_MONTHS:
            return wd.add_months(start, self.amount)
        return start - timedelta(days=self.amount)

    def explain(self, start: date) -> str:
        event = self.starts_on.label
        if self.unit is Unit.DAYS_BEFORE:
            return f"{self.amount} calendar days before {event} ({start.isoformat()}) [{self.source}]"
        unit = self.unit.value if self.amount != 1 else self.unit.value[:-1]  # "1 working day"
        return f"within {self.amount} {unit} of {event} ({start.isoformat()}) [{self.source}]"


SCR = frozenset({Outcome.SCR})

RULES: tuple[Rule, ...] = (
    Rule("chair_sqas_discussion", "Discussion between the LSCB Chair and the Head of SQAS",
         EventKind.REFERRAL_RECEIVED, 1, Unit.WORKING_DAYS, Role.HEAD_OF_SQAS,
         EventKind.CHAIR_SQAS_DISCUSSED, "procedure 6"),
    Rule("ofsted_incident_notification", "Notify Ofsted of the serious incident",
         EventKind.REFERRAL_RECEIVED, 5, Unit.WORKING_DAYS, Role.CHAIR,
         EventKind.OFSTED_NOTIFIED, "procedure 4.1; Working Together: 5 working days"),
    Rule("decision", "Decide whether a serious case review is required",
         EventKind.CHAIR_AWARE, 1, Unit.CALENDAR_MONTHS, Role.CHAIR,
         EventKind.DECIDED, "procedure 4.2"),
    Rule("decision_notification", "Tell Ofsted and the National Panel the decision",
         EventKind.DECIDED, 1, Unit.WORKING_DAYS, Role.CHAIR,
         EventKind.DECISION_NOTIFIED, "local process 2; procedure 4.3"),
    Rule("sqas_initial_tasks", "Head of SQAS tasks: safety of other children, client index, police and "
         "designated doctor and nurse, secure files, inform the Director of Children's Services",
         EventKind.DECIDED, 1, Unit.WORKING_DAYS, Role.HEAD_OF_SQAS,
         EventKind.SQAS_TASKS_DONE, "procedure 4.3", only_if_outcome=SCR),
    Rule("imr_letters", "Chair's letters to each involved agency's chief executive about the IMR duty",
         EventKind.DECIDED, 1, Unit.WORKING_DAYS, Role.CHAIR,
         EventKind.IMR_LETTERS_SENT, "procedure 4.3", only_if_outcome=SCR),
    Rule("board_members_letter", "Chair's letter to all Board members that an SCR will take place",
         EventKind.DECIDED, 1, Unit.WORKING_DAYS, Role.CHAIR,
         EventKind.BOARD_MEMBERS_TOLD, "local process 3; service rule: 1 working day", only_if_outcome=SCR),
    Rule("reviewer_to_national_panel", "Give the National Panel the lead reviewer's name",
         EventKind.LEAD_REVIEWER_APPOINTED, 5, Unit.WORKING_DAYS, Role.BUSINESS_MANAGER,
         EventKind.REVIEWER_NOTIFIED, "Working Together appendix 2; service rule: 5 working days",
         only_if_outcome=SCR),
    Rule("completion", "Complete the serious case review",
         EventKind.OFSTED_NOTIFIED, 6, Unit.CALENDAR_MONTHS, Role.CHAIR,
         EventKind.REPORT_SIGNED_OFF, "procedure 4.4", only_if_outcome=SCR),
    Rule("prepublication_notice", "Advise the National Panel of publication",
         EventKind.PUBLICATION_PLANNED, 7, Unit.DAYS_BEFORE, Role.BUSINESS_MANAGER,
         EventKind.PUBLICATION_NOTICE_SENT, "procedure 5.3.3", only_if_outcome=SCR),
)

RULES_BY_KIND: dict[str, Rule] = {r.kind: r for r in RULES}

# Deadlines set by the panel, entered by a person (per agency where it applies).
ENTERED_KINDS: dict[str, tuple[str, Role]] = {
    "imr": ("Individual Management Review from the agency", Role.AGENCY),
    "chronology": ("Chronology from the agency", Role.AGENCY),
    "agency_report": ("Short report or chronology for the extraordinary panel meeting", Role.AGENCY),
}


def kind_label(kind: str) -> str:
    if kind in RULES_BY_KIND:
        return RULES_BY_KIND[kind].what
    if kind in ENTERED_KINDS:
        return ENTERED_KINDS[kind][0]
    return kind.replace("_", " ")


def rules_met_by(event: EventKind) -> list[Rule]:
    return [r for r in RULES if r.met_by is event]


def rules_started_by(event: EventKind) -> list[Rule]:
    return [r for r in RULES if r.starts_on is event]
