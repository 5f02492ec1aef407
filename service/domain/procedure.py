"""A review procedure as data: who, what happens, in which order, by when, and what is sent. Pure.

A procedure pack (a folder: ``procedure.toml`` and its templates, read by
:mod:`service.procedure.pack`) becomes one :class:`Procedure`. Everything in it
has a stable id, a label a person reads, and the source it comes from (the
paragraph of the procedure or guidance, or "local practice", or "service rule").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from . import calendar as wd

UNITS = ("working_days", "calendar_days", "calendar_months", "days_before", "working_days_before")
UNIT_WORDS = {"working_days": "working day", "calendar_days": "calendar day", "calendar_months": "calendar month",
              "days_before": "calendar day", "working_days_before": "working day"}
BEFORE_UNITS = ("days_before", "working_days_before")  # counted back from the starting event (a planned date)
# Moments that are not recorded events but still trigger communications or meetings.
SERVICE_TRIGGERS = ("case_opened", "referral_reply", "agency_added", "on_command", "chase", "weekly", "daily",
                    "instruction", "not_sent", "meeting")
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
class Requirement:
    """An event that must be recorded, at least ``days_before`` calendar days (and ``working_days_before``
    working days) earlier, before another can be."""

    event: str
    days_before: int = 0
    working_days_before: int = 0


@dataclass(frozen=True)
class Event(Item):
    follows: tuple[str, ...] = ()
    planned: bool = False  # a date that names a plan (may lie ahead), not something that has happened
    assumed_on: str | None = None  # taken to happen on that event's day when the case opens; moves with it
    before_opening: bool = False  # may have happened before the case opened (the local authority's awareness)
    must_be_recorded: bool = False  # a deadline it meets cannot be marked done by hand: the event carries more
    requires: tuple[Requirement, ...] = ()


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
    criteria: tuple[str, ...] = ()  # the criteria one of which is recorded with this outcome (none: not asked)


@dataclass(frozen=True)
class Decision(Item):
    event: str = ""
    by: str = ""
    from_stages: tuple[str, ...] = ()
    reasons_required: bool = True
    outcomes: tuple[Outcome, ...] = ()
    criteria: tuple[Item, ...] = ()

    def outcome(self, outcome_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == outcome_id), None)


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
    starts: tuple[str, ...] = ()  # the first of these events recorded starts the clock (in order of preference)
    amount: int = 0
    unit: str = "working_days"
    owner: tuple[str, ...] = ()
    met_by: str | None = None
    when_outcome: tuple[str, ...] = ()
    when_event: str | None = None
    chase: str = "default"
    per_agency: bool = False  # one deadline per agency added after the clock's starting event, from that day

    def start(self, events: dict[str, date]) -> tuple[str, date] | None:
        """(the event that starts the clock, its date), or None while none of them is recorded."""
        return next(((e, events[e]) for e in self.starts if e in events), None)

    def due(self, start: date) -> date:
        if self.unit == "working_days":
            return wd.add_working_days(start, self.amount)
        if self.unit == "calendar_months":
            return wd.add_months(start, self.amount)
        if self.unit == "calendar_days":
            return start + timedelta(days=self.amount)
        if self.unit == "working_days_before":
            return wd.add_working_days(start, -self.amount)  # the Nth working day before it
        return start - timedelta(days=self.amount)  # days_before

    def explain(self, start: date, start_label: str) -> str:
        word = UNIT_WORDS[self.unit] + ("" if self.amount == 1 else "s")
        if self.unit in BEFORE_UNITS:
            return f"{self.amount} {word} before {start_label} ({start.isoformat()}) [{self.source}]"
        return f"within {self.amount} {word} of {start_label} ({start.isoformat()}) [{self.source}]"


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
    title: str = ""  # the invitation's subject after the case reference (empty: the label)

    @property
    def subject(self) -> str:
        return self.title or self.label


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

    opens_with: str = "referral_received"  # the event a case opens on (its referral)
    # Case references of this pack ({year}, {seq}); None: the board's ([board] reference_format).
    reference_format: str | None = None
    # Phrases (any case) that mark a referral as this pack's when the board runs several.
    referral_wordings: tuple[str, ...] = ()
    text: str = field(default="", repr=False, compare=False)  # the pack's procedure.toml, as read

    @property
    def digest(self) -> str:
        """A fingerprint of the pack's text: the same id and version must always mean the same procedure."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def __repr__(self) -> str:
        return f"Procedure({self.key})"

    @property
    def key(self) -> str:
        """``id@version``: how a case names the procedure it runs under."""
        return f"{self.id}@{self.version}"

    # Lookups (built once; a Procedure never changes) -------------------------
    @cached_property
    def _events(self) -> dict[str, Event]:
        return {e.id: e for e in self.events}

    @cached_property
    def _stages(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    @cached_property
    def _rules(self) -> dict[str, DeadlineRule]:
        return {d.id: d for d in self.deadlines}

    @cached_property
    def _entered(self) -> dict[str, EnteredDeadline]:
        return {d.id: d for d in self.entered_deadlines}

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        return {"role": {r.id: r.label for r in (*self.roles, *self.bodies)},
                "outcome": {o.id: o.label for d in self.decisions for o in d.outcomes}}

    def stage(self, stage_id: str) -> Stage:
        try:
            return self._stages[stage_id]
        except KeyError:
            raise KeyError(f"{self.key} has no stage '{stage_id}'") from None

    def has_event(self, event_id: str) -> bool:
        return event_id in self._events

    def event(self, event_id: str) -> Event:
        try:
            return self._events[event_id]
        except KeyError:
            raise KeyError(f"{self.key} has no event '{event_id}'") from None

    def event_label(self, event_id: str) -> str:
        e = self._events.get(event_id)
        return e.label if e else event_id.replace("_", " ")

    def stage_label(self, stage_id: str) -> str:
        s = self._stages.get(stage_id)
        return s.label if s else stage_id.replace("_", " ")

    def stage_number(self, stage_id: str) -> int:
        return next((n for n, s in enumerate(self.stages, 1) if s.id == stage_id), 0)

    def outcome_label(self, outcome_id: str) -> str:
        return self._labels["outcome"].get(outcome_id, outcome_id)

    def role_label(self, role_id: str) -> str:
        return self._labels["role"].get(role_id, role_id.replace("_", " "))

    @cached_property
    def _communications(self) -> dict[str, Communication]:
        return {c.id: c for c in self.communications}

    def communication(self, comm_id: str) -> Communication | None:
        return self._communications.get(comm_id)

    def roles_used(self) -> frozenset[str]:
        """The roles something falls to or goes to: deadline owners, decision makers, recipients, signatories,
        reviewers (each must be a configured person for the pack to run), but ``agency``: each involved
        agency's panel member, from the agency directory."""
        used = {o for d in self.deadlines for o in d.owner} | {d.owner for d in self.entered_deadlines}
        used |= {d.by for d in self.decisions if d.by}
        for c in self.communications:
            used |= {t.partition(":")[2] for t in c.to if t.startswith("role:")}
            used |= {r for r in (c.signatory, c.review_by) if r}
        return frozenset(used - {"agency"})

    def bodies_used(self) -> frozenset[str]:
        """The external bodies letters go to (each needs an address)."""
        return frozenset(t.partition(":")[2] for c in self.communications for t in c.to if t.startswith("body:"))

    def recordable_events(self) -> tuple[Event, ...]:
        """The events a person records (not the referral a case opens on, nor a decision, which has its own form)."""
        own = {self.opens_with, *self.decision_events}
        return tuple(e for e in self.events if e.id not in own)

    def rule(self, kind: str) -> DeadlineRule | None:
        return self._rules.get(kind)

    def entered(self, kind: str) -> EnteredDeadline | None:
        return self._entered.get(kind)

    def deadline_label(self, kind: str) -> str:
        found = self._rules.get(kind) or self._entered.get(kind)
        return found.label if found else kind.replace("_", " ")

    def chase_policy(self, kind: str) -> ChasePolicy:
        """How a deadline of this kind is chased: its rule's policy, else the pack's default (else the service's)."""
        rule = self._rules.get(kind)
        return self.chase.get(rule.chase if rule else "default") or self.chase.get("default") or ChasePolicy("default")

    def rules_met_by(self, event_id: str) -> list[DeadlineRule]:
        return [r for r in self.deadlines if r.met_by == event_id]

    @cached_property
    def decision_events(self) -> frozenset[str]:
        return frozenset(d.event for d in self.decisions)

    def decision_for(self, stage_id: str) -> Decision | None:
        """The decision that may be taken in this stage (None: no decision is open here)."""
        return next((d for d in self.decisions if stage_id in d.from_stages), None)

    def decision_by_event(self, event_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.event == event_id), None)

    @cached_property
    def pre_decision_stages(self) -> frozenset[str]:
        return frozenset(s for d in self.decisions for s in d.from_stages)

    def moved_by(self, event_id: str) -> list[Transition]:
        return [t for t in self.transitions if t.event == event_id]

    def where_recordable(self, event_id: str) -> tuple[frozenset[str] | None, dict[str, str]]:
        """(the stages the event may be recorded in, None for any stage but a final one; stage -> the stage
        recording it there moves the case to)."""
        ts = self.moved_by(event_id)
        if not ts:
            return None, {}
        return (frozenset(s for t in ts for s in t.from_stages),
                {s: t.to for t in ts if t.to for s in t.from_stages})

    def is_final(self, stage_id: str) -> bool:
        s = self._stages.get(stage_id)
        return bool(s and s.final)

    def follows(self, event_id: str) -> tuple[str, ...]:
        e = self._events.get(event_id)
        return e.follows if e else ()

    def is_planned(self, event_id: str) -> bool:
        e = self._events.get(event_id)
        return bool(e and e.planned)

    @property
    def initial_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.initial), None)

    def meeting(self, meeting_id: str) -> MeetingKind | None:
        """The meeting kind with this id (None: the procedure holds no such meeting)."""
        return next((m for m in self.meetings if m.id == meeting_id), None)

    def moves(self) -> list[tuple[str, str, str]]:
        """Every (from stage, to stage, what moves it): the transitions and the decisions' outcomes."""
        out = [(f, t.to, t.event) for t in self.transitions if t.to for f in t.from_stages if f != t.to]
        out += [(f, o.to, f"{d.id}: {o.id}") for d in self.decisions for o in d.outcomes for f in d.from_stages]
        return out


def reference_format_problem(fmt: str) -> str | None:
    """What is wrong with a case reference format (only {year} and {seq}; {seq} required), or None."""
    try:
        fmt.format(year=2014, seq=7)
    except (KeyError, IndexError, ValueError):
        return "a format using only {year} and {seq}, e.g. CSPR-{year}-{seq:03d}"
    if "{seq" not in fmt:
        return "a format containing {seq}, e.g. CSPR-{year}-{seq:03d}"
    return None
