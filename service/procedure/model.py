"""A review procedure as data: who, what happens, in which order, by when, and what is sent. Pure.

A procedure pack (a folder: ``procedure.toml`` and its templates, read by
:mod:`service.procedure.pack`) becomes one :class:`Procedure`. Everything in it
has a stable id, a label a person reads, and the source it comes from (the
paragraph of the procedure or guidance, or "local practice", or "service rule").
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNITS = ("working_days", "calendar_days", "calendar_months", "days_before")
# Moments that are not recorded events but still trigger communications or meetings.
SERVICE_TRIGGERS = ("case_opened", "agency_added", "on_command", "chase", "weekly", "daily", "instruction",
                    "not_sent", "meeting")
# Recipients that are not a role or a body of the pack.
RECIPIENTS = ("referrer", "agency_chief_executives", "agency_panel_members", "board_members", "given_address",
              "deadline_owner", "sender", "meeting_attendees")
EVERYBODY = "*"


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    source: str


@dataclass(frozen=True)
class Event(Item):
    follows: tuple[str, ...] = ()
    planned: bool = False  # a date that names a plan (may lie ahead), not something that has happened


@dataclass(frozen=True)
class Stage(Item):
    initial: bool = False
    final: bool = False


@dataclass(frozen=True)
class Transition:
    event: str
    from_stages: tuple[str, ...]
    to: str | None
    source: str


@dataclass(frozen=True)
class Outcome:
    id: str
    label: str
    to: str
    phrasings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision(Item):
    event: str = ""
    by: str = ""
    from_stages: tuple[str, ...] = ()
    reasons_required: bool = True
    outcomes: tuple[Outcome, ...] = ()


@dataclass(frozen=True)
class ChasePolicy:
    id: str
    remind_before_working_days: tuple[int, ...] = (5, 1)
    remind_on_the_day: bool = True
    escalate_every_working_days: int = 5
    tell_chair_from_working_days_overdue: int = 3
    source: str = "service rule"


@dataclass(frozen=True)
class DeadlineRule(Item):
    starts: str = ""
    amount: int = 0
    unit: str = "working_days"
    owner: tuple[str, ...] = ()
    met_by: str | None = None
    when_outcome: tuple[str, ...] = ()
    when_event: str | None = None
    chase: str = "default"


@dataclass(frozen=True)
class EnteredDeadline(Item):
    owner: str = ""
    per_agency: bool = False


@dataclass(frozen=True)
class Communication(Item):
    template: str = ""
    trigger: str = ""
    also_on: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    when_outcome: tuple[str, ...] = ()
    letter: bool = False
    attachments: tuple[str, ...] = ()
    full_details: bool = False
    records: str | None = None
    review_by: str | None = None
    signatory: str = "chair"
    on_command: bool = False
    variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingKind(Item):
    purpose: str = ""
    agenda: tuple[str, ...] = ()
    within_working_days: int = 10
    required: tuple[str, ...] = (EVERYBODY,)
    agencies_required: bool = True
    before_deadline: str | None = None
    counts_from: str | None = None
    arrange_on: str | None = None
    asks_for_agency_reports: bool = False
    duration_minutes: int | None = None


@dataclass(frozen=True)
class Procedure:
    id: str
    version: str
    label: str
    source: str
    templates: str  # the templates folder, as the pack gives it (relative to the pack)
    roles: tuple[Item, ...] = ()
    bodies: tuple[Item, ...] = ()
    events: tuple[Event, ...] = ()
    stages: tuple[Stage, ...] = ()
    transitions: tuple[Transition, ...] = ()
    decisions: tuple[Decision, ...] = ()
    chase: dict[str, ChasePolicy] = field(default_factory=dict)
    deadlines: tuple[DeadlineRule, ...] = ()
    entered_deadlines: tuple[EnteredDeadline, ...] = ()
    communications: tuple[Communication, ...] = ()
    meetings: tuple[MeetingKind, ...] = ()

    def stage(self, stage_id: str) -> Stage:
        return next(s for s in self.stages if s.id == stage_id)

    @property
    def initial_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.initial), None)

    def moves(self) -> list[tuple[str, str, str]]:
        """Every (from stage, to stage, what moves it): the transitions and the decisions' outcomes."""
        out = [(f, t.to, t.event) for t in self.transitions if t.to for f in t.from_stages if f != t.to]
        out += [(f, o.to, f"{d.id}: {o.id}") for d in self.decisions for o in d.outcomes for f in d.from_stages]
        return out
