"""A case and everything that happens to it.

:class:`Case` is the aggregate: its stage, the dated events that have
happened, the deadlines those events start, and the agencies involved.
Every change goes through one of its methods, which checks that the change
is allowed, applies it, re-derives the statutory deadlines and appends an
audit event (what, who, when, why) to ``case.new_audit``. Nothing here reads
a clock, a database or a mailbox: callers pass the time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .events import AgencyAdded, CaseOpened, DateCorrected, DecisionTaken, DomainEvent, EventRecorded
from .procedure import DeadlineRule, Procedure
from .timeline import due_date_problem, event_date_problem, met_date_problem, requirement_problem


class DomainError(Exception):
    """A change the process does not allow. ``str()`` is one line for a person."""


class IllegalTransition(DomainError):
    pass


class UnknownDeadline(DomainError):
    pass


class ImpossibleDate(DomainError):
    """A date that cannot be right: in the future, or out of the procedure's order (see domain/timeline.py)."""


class DeadlineStatus(str, enum.Enum):
    OPEN = "open"
    MET = "met"
    PAUSED = "paused"


@dataclass
class Subject:
    name: str
    role: str = "unknown"  # child | adult | unknown
    relationship: str | None = None
    date_of_birth: date | None = None
    address: str | None = None

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() for part in self.name.replace("-", " ").split() if part[:1].isalpha())


@dataclass
class Referrer:
    name: str | None = None
    agency: str | None = None
    telephone: str | None = None
    email: str | None = None


@dataclass
class Deadline:
    """One clock. ``due`` is what counts; ``computed_due`` is what the rule gives.
    ``what`` is its label in the case's procedure; ``owner`` the role ids it falls to (one or more)."""

    kind: str
    due: date
    computed_due: date
    owner: tuple[str, ...]
    rule: str
    agency: str | None = None
    basis: str | None = None  # the event that started it
    basis_date: date | None = None
    status: DeadlineStatus = DeadlineStatus.OPEN
    met_on: date | None = None
    extended: bool = False
    reason: str | None = None  # why paused or extended
    what: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.owner, str):
            self.owner = tuple(o for o in self.owner.split(",") if o)
        if not self.what:
            self.what = self.kind.replace("_", " ")

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.agency}" if self.agency else self.kind

    def state(self, as_of: date) -> str:
        """open, met, missed, paused or extended, as of a date."""
        if self.status is DeadlineStatus.MET:
            return "met"
        if self.status is DeadlineStatus.PAUSED:
            return "paused"
        if as_of > self.due:
            return "missed"
        return "extended" if self.extended else "open"


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str  # a fixed phrase, at most ACTION_MAX characters; what varies goes in detail or reason
    detail: dict[str, Any]
    reason: str | None = None

    ACTION_MAX = 64  # the audit trail's column (PostgreSQL enforces it; SQLite would not)
    ACTOR_MAX = 255

    def __post_init__(self) -> None:
        if len(self.action) > self.ACTION_MAX:
            raise ValueError(f"audit action longer than {self.ACTION_MAX} characters: {self.action[:40]!r}...")
        if len(self.actor) > self.ACTOR_MAX:
            object.__setattr__(self, "actor", self.actor[:self.ACTOR_MAX])


@dataclass
class Case:
    """A case runs under one procedure (``procedure``: its stages, events, decisions and deadline rules),
    the version it was opened under unless migrated to another on purpose (:meth:`migrate_procedure`)."""

    reference: str
    opened_at: datetime
    procedure: Procedure = field(repr=False, compare=False)
    stage: str = ""
    subjects: list[Subject] = field(default_factory=list)
    referrer: Referrer = field(default_factory=Referrer)
    agencies: list[str] = field(default_factory=list)
    outcome: str | None = None
    decision_reason: str | None = None
    criterion: str | None = None  # the criterion the decision found met (procedure 1.1, 3.2)
    events: dict[str, date] = field(default_factory=dict)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    new_audit: list[AuditEvent] = field(default_factory=list)
    # What happened since the case was loaded, for the dispatcher (service.reactions): taken when it reacts.
    new_events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.stage:
            initial = self.procedure.initial_stage
            if initial is None:
                raise DomainError(f"procedure {self.procedure.key} has no initial stage")
            self.stage = initial.id

    # What a person reads ---------------------------------------------------
    @property
    def stage_label(self) -> str:
        return self.procedure.stage_label(self.stage)

    @property
    def stage_number(self) -> int:
        return self.procedure.stage_number(self.stage)

    @property
    def outcome_label(self) -> str | None:
        return self.procedure.outcome_label(self.outcome) if self.outcome else None

    def event_label(self, kind: str) -> str:
        return self.procedure.event_label(kind)

    @property
    def is_closed(self) -> bool:
        return self.procedure.is_final(self.stage)

    @property
    def decision_event(self) -> str | None:
        """The event the case's decision was recorded as (what its letters follow), None before it."""
        return next((d.event for d in self.procedure.decisions if d.event in self.events), None)

    @property
    def deciding(self) -> bool:
        """Whether the case waits for its decision (a decision may be taken at its stage)."""
        return self.procedure.decision_for(self.stage) is not None

    # Opening ---------------------------------------------------------------
    @classmethod
    def open(cls, reference: str, received_on: date, at: datetime, actor: str, *, procedure: Procedure,
             subjects: list[Subject] | None = None, referrer: Referrer | None = None,
             chair_aware_on: date | None = None, source: str | None = None) -> "Case":
        """The initial stage: a referral received. Events the procedure assumes happen with it (the Chair's
        awareness: the board mailbox is the Chair's route) are taken to be on the same day unless told
        otherwise (``chair_aware_on``)."""
        case = cls(reference=reference, opened_at=at, procedure=procedure, subjects=list(subjects or []),
                   referrer=referrer or Referrer())
        case.events[procedure.opens_with] = received_on
        for e in procedure.events:
            if e.assumed_on == procedure.opens_with:
                case.events[e.id] = received_on
        if chair_aware_on is not None and procedure.has_event("chair_aware"):
            case.events["chair_aware"] = chair_aware_on
        case._audit(at, actor, "case opened",
                    {"received_on": received_on.isoformat(), "source": source, "subjects": len(case.subjects),
                     "procedure": procedure.key})
        case._derive_deadlines(at, actor)
        case.new_events.append(CaseOpened(reference))
        return case

    # Events ----------------------------------------------------------------
    def record(self, kind: str, on: date, at: datetime, actor: str, reason: str | None = None, *,
               today: date | None = None) -> None:
        """Record that something happened on ``on``; moves the stage where the procedure says so.
        Raises :class:`ImpossibleDate` for a date in the future or out of the procedure's order."""
        p = self.procedure
        if not p.has_event(kind):
            raise DomainError(f"no event '{kind}' in {p.label}; events are: {', '.join(e.id for e in p.events)}")
        if kind in p.decision_events:
            raise DomainError("record a decision with decide(), which needs the outcome and reasons")
        if kind == p.opens_with:
            raise DomainError("a case's referral is recorded when it opens; correct its date instead")
        allowed, moves = p.where_recordable(kind)
        if allowed is None:
            if self.is_closed:
                raise IllegalTransition(f"{self.reference} is closed; nothing more can be recorded")
        elif self.stage not in allowed:
            raise IllegalTransition(
                f"cannot record '{kind}' while {self.reference} is at stage "
                f"'{self.stage}' (allowed at: {', '.join(sorted(allowed))})")
        if kind in self.events and not p.is_planned(kind):
            raise DomainError(f"'{kind}' is already recorded for {self.reference} "
                              f"on {self.events[kind].isoformat()}; correct its date instead")
        self._check_event_date(kind, on, today)
        problem = requirement_problem(p, self.events, kind, on)
        if problem:
            raise DomainError(f"{self.reference}: {problem}; nothing changed")
        previous = self.stage
        self.events[kind] = on
        target = moves.get(self.stage)
        if target is not None:
            self.stage = target
        detail: dict[str, Any] = {"event": kind, "on": on.isoformat()}
        if self.stage != previous:
            detail["stage"] = [previous, self.stage]
        self._audit(at, actor, "event recorded", detail, reason)
        self._meet_deadlines_for(kind, on, at, actor)
        self._derive_deadlines(at, actor)
        self.new_events.append(EventRecorded(kind, on, reason))

    def decide(self, outcome: str, on: date, at: datetime, actor: str, reason: str, *,
               today: date | None = None, criterion: str | None = None) -> None:
        """The decision open at the case's stage (the Chair's, whether to hold a review): its outcome moves
        the case where the procedure says; the criterion met is recorded with it where the outcome asks."""
        p = self.procedure
        decision = p.decision_for(self.stage)
        if decision is None:
            raise IllegalTransition(
                f"{self.reference} already has a decision ({self.outcome or '?'}); "
                f"it is at stage '{self.stage}'")
        chosen = decision.outcome(str(outcome))
        if chosen is None:
            raise DomainError(f"outcome '{outcome}' is not one of: {', '.join(o.id for o in decision.outcomes)} "
                              f"({decision.label.lower()}, {p.label})")
        if decision.reasons_required and (not reason or not reason.strip()):
            raise DomainError("a decision needs its reasons (they go to the National Panel when it is not an SCR)")
        if criterion is not None and criterion not in chosen.criteria:
            allowed = ", ".join(chosen.criteria) or "none for this outcome"
            raise DomainError(f"'{criterion}' is not a criterion of the outcome '{chosen.id}' (criteria: {allowed})")
        self._check_event_date(decision.event, on, today)
        previous = self.stage
        self.outcome = chosen.id
        self.decision_reason = (reason or "").strip() or None
        self.criterion = criterion
        self.events[decision.event] = on
        self.stage = chosen.to
        detail: dict[str, Any] = {"outcome": chosen.id, "on": on.isoformat(), "stage": [previous, self.stage]}
        if criterion:
            detail["criterion"] = criterion
        self._audit(at, actor, "decision recorded", detail, reason)
        self._meet_deadlines_for(decision.event, on, at, actor)
        self._derive_deadlines(at, actor)
        self.new_events.append(DecisionTaken(decision.event, chosen.id, on))

    def undo_decision(self, back_to: str, at: datetime, actor: str, reason: str) -> str:
        """Withdraw a decision nothing has followed yet (a decision taken by email, undone within its hold):
        the case returns to ``back_to``, the stage it had before; the deadlines the decision started go, and
        the one it met (deciding) is open again. Returns the outcome withdrawn."""
        p = self.procedure
        decision = p.decision_for(str(back_to))
        if self.outcome is None or decision is None or decision.event not in self.events:
            if self.outcome is None or not any(d.event in self.events for d in p.decisions):
                raise DomainError(f"{self.reference} has no decision to undo")
            raise DomainError(f"a decision is undone back to a stage before it, not '{back_to}'")
        chosen = decision.outcome(self.outcome)
        if chosen is None or self.stage != chosen.to:
            raise IllegalTransition(f"{self.reference} has moved on since the decision (it is at stage "
                                    f"'{self.stage}'): record a correction instead")
        _need_reason(reason, "undoing a decision")
        withdrawn, decided_on, previous = self.outcome, self.events.pop(decision.event), self.stage
        self.outcome, self.decision_reason, self.criterion, self.stage = None, None, None, str(back_to)
        removed = []
        for key, d in list(self.deadlines.items()):
            rule = p.rule(d.kind)
            if rule is None:
                continue
            if d.basis == decision.event or (rule.per_agency and decision.event in rule.starts):
                del self.deadlines[key]
                removed.append(key)
            elif rule.met_by == decision.event and d.status is DeadlineStatus.MET:
                d.status, d.met_on = DeadlineStatus.OPEN, None
        self._audit(at, actor, "decision withdrawn",
                    {"outcome": withdrawn, "on": decided_on.isoformat(),
                     "stage": [previous, self.stage], "deadlines_removed": removed}, reason)
        return withdrawn

    def correct_date(self, kind: str, on: date, at: datetime, actor: str, reason: str, *,
                     today: date | None = None) -> None:
        """Correct when an event happened; the deadlines it started are recomputed. Events the procedure
        assumes happen with another (the Chair's awareness with the referral) move with it when they had
        not been given a date of their own."""
        p = self.procedure
        if kind not in self.events:
            raise DomainError(f"'{kind}' has not been recorded for {self.reference}")
        old = self.events[kind]
        if old == on:
            return
        moving = [e.id for e in p.events if e.assumed_on == kind and self.events.get(e.id) == old]
        others = {k: v for k, v in self.events.items() if k not in moving}
        problem = event_date_problem(p, others, kind, on, today, correcting=True)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")
        self.events[kind] = on
        self._audit(at, actor, "date corrected", {"event": kind, "from": old.isoformat(),
                                                   "to": on.isoformat()}, reason)
        for other in moving:
            self.events[other] = on
            self._audit(at, actor, "date corrected", {"event": other, "from": old.isoformat(),
                                                       "to": on.isoformat()}, f"moves with {p.event_label(kind)}")
        for d in self.deadlines.values():
            rule = p.rule(d.kind)
            if d.status is DeadlineStatus.MET and rule and rule.met_by == kind:
                d.met_on = on
        self._derive_deadlines(at, actor)
        self.new_events.append(DateCorrected(kind, old, on))

    def migrate_procedure(self, to: Procedure, at: datetime, actor: str, reason: str) -> list[str]:
        """Run this case under another version of its procedure from now on, on purpose: its stage and events
        must exist in the new version; its deadlines are derived anew by the new rules (those the old rules
        set and the new ones do not know are kept as they are). Returns one line per change to a deadline."""
        _need_reason(reason, "moving a case to another procedure version")
        if to.id != self.procedure.id:
            raise DomainError(f"{self.reference} runs under {self.procedure.id}; it can move to another version "
                              f"of it, not to {to.id}")
        missing = [e for e in self.events if not to.has_event(e)]
        if self.stage not in {s.id for s in to.stages}:
            missing.append(f"stage {self.stage}")
        if missing:
            raise DomainError(f"{to.key} does not know {', '.join(missing)}, which {self.reference} has; "
                              f"nothing changed")
        before = {k: (d.due, d.status) for k, d in self.deadlines.items()}
        old = self.procedure
        self.procedure = to
        for d in self.deadlines.values():
            d.what = to.deadline_label(d.kind)
        self._audit(at, actor, "procedure migrated", {"from": old.key, "to": to.key}, reason)
        self._derive_deadlines(at, actor, rules_changed=True)
        changes = []
        for k, d in self.deadlines.items():
            if k not in before:
                changes.append(f"new deadline {k}, due {d.due.isoformat()}")
            elif before[k][0] != d.due:
                changes.append(f"{k} now due {d.due.isoformat()} (was {before[k][0].isoformat()})")
        return changes

    def add_agency(self, agency_key: str, at: datetime, actor: str, on: date | None = None) -> bool:
        """An agency found to be involved (on ``on``, default the day of ``at``). One added after a per-agency
        rule's clock started (the IMR letter to an agency identified after the SCR decision) gets its own
        deadline under that rule, from the day it was added."""
        if agency_key in self.agencies:
            return False
        self.agencies.append(agency_key)
        self._audit(at, actor, "agency added", {"agency": agency_key})
        added = on or at.date()
        p = self.procedure
        for rule in p.deadlines:
            if not rule.per_agency or rule.start(self.events) is None or not self._applies(rule):
                continue
            due = rule.due(added)
            d = Deadline(kind=rule.id, agency=agency_key, due=due, computed_due=due, owner=rule.owner,
                         rule=rule.explain(added, "the agency being added"), basis="agency_added", basis_date=added,
                         what=rule.label)
            self.deadlines[d.key] = d
            self._audit(at, actor, "deadline set", {"deadline": d.key, "due": due.isoformat(), "rule": d.rule})
        self.new_events.append(AgencyAdded(agency_key))
        return True

    def met_for_agency(self, event: str, agency: str, on: date, at: datetime, actor: str) -> list[str]:
        """What ``event`` does for one agency (its letter sent): the per-agency deadlines it meets for that
        agency are met. Returns their keys."""
        met = []
        for d in self.deadlines.values():
            rule = self.procedure.rule(d.kind)
            if (rule and rule.per_agency and rule.met_by == event and d.agency == agency
                    and d.status is not DeadlineStatus.MET):
                d.status, d.met_on = DeadlineStatus.MET, on
                self._audit(at, actor, "deadline met", {"deadline": d.key, "on": on.isoformat(),
                                                        "how": f"event {event} for {agency}"})
                met.append(d.key)
        return met

    def confirm_reading(self, at: datetime, actor: str, subjects: list[Subject] | None = None,
                        referrer: Referrer | None = None) -> list[str]:
        """A person has checked how the referral was read, correcting the subjects or the referrer where
        given. Returns what was corrected (field names only: the audit never holds the values)."""
        corrected = []
        if subjects is not None and subjects != self.subjects:
            self.subjects = list(subjects)
            corrected.append("subjects")
        if referrer is not None and referrer != self.referrer:
            self.referrer = referrer
            corrected.append("referrer")
        self._audit(at, actor, "referral reading confirmed", {"corrected": corrected, "subjects": len(self.subjects)})
        return corrected

    # Deadlines -------------------------------------------------------------
    def deadline(self, key: str) -> Deadline:
        try:
            return self.deadlines[key]
        except KeyError:
            known = ", ".join(sorted(self.deadlines)) or "none"
            raise UnknownDeadline(f"{self.reference} has no deadline '{key}' (it has: {known})") from None

    def set_due(self, kind: str, agency: str | None, due: date, at: datetime, actor: str) -> Deadline:
        """A deadline the panel sets (agency reports), entered not computed."""
        entered = self.procedure.entered(kind)
        if entered is None:
            raise DomainError(f"'{kind}' is not a deadline the panel sets (those are: "
                              f"{', '.join(e.id for e in self.procedure.entered_deadlines)})")
        self._check_due(entered.label, due)
        if agency is not None and agency not in self.agencies:
            raise DomainError(f"agency '{agency}' is not involved in {self.reference}; add it first")
        key = f"{kind}:{agency}" if agency else kind
        existing = self.deadlines.get(key)
        if existing:
            old = existing.due
            existing.due = existing.computed_due = due
            self._audit(at, actor, "due date changed", {"deadline": key, "from": old.isoformat(),
                                                         "to": due.isoformat()})
            return existing
        d = Deadline(kind=kind, agency=agency, due=due, computed_due=due, owner=(entered.owner,),
                     rule=f"set by the panel on {at.date().isoformat()} [{entered.source}]", what=entered.label)
        self.deadlines[key] = d
        self._audit(at, actor, "deadline set", {"deadline": key, "due": due.isoformat()})
        return d

    def mark_met(self, key: str, on: date, at: datetime, actor: str, how: str, *,
                 today: date | None = None) -> Deadline:
        """Mark a deadline met on ``on``: only a day that has come, after its clock started, and never one
        that is met only by recording its event (the decision, the sign-off)."""
        d = self.deadline(key)
        if d.status is DeadlineStatus.MET:
            return d
        rule = self.procedure.rule(d.kind)
        if rule and rule.met_by and rule.met_by not in self.events and self._met_only_by_recording(rule.met_by):
            raise ImpossibleDate(f"{self.reference}: '{key}' is met when {self.procedure.event_label(rule.met_by)} "
                                 f"is recorded, and it has not been; {self._how_to_record(rule.met_by)}")
        problem = met_date_problem(self.procedure, self.events, key, on, today, d.basis_date)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")
        d.status = DeadlineStatus.MET
        d.met_on = on
        self._audit(at, actor, "deadline met", {"deadline": key, "on": on.isoformat(), "how": how})
        return d

    def pause(self, key: str, at: datetime, actor: str, reason: str) -> Deadline:
        d = self.deadline(key)
        _need_reason(reason, "pausing a deadline")
        if d.status is not DeadlineStatus.OPEN:
            raise DomainError(f"deadline '{key}' of {self.reference} is {d.status.value}; only an open one can pause")
        d.status = DeadlineStatus.PAUSED
        d.reason = reason.strip()
        self._audit(at, actor, "deadline paused", {"deadline": key}, reason)
        return d

    def resume(self, key: str, at: datetime, actor: str, reason: str, new_due: date | None = None) -> Deadline:
        d = self.deadline(key)
        if d.status is not DeadlineStatus.PAUSED:
            raise DomainError(f"deadline '{key}' of {self.reference} is not paused")
        if new_due is not None:
            self._check_due(d.what, new_due)
        d.status = DeadlineStatus.OPEN
        detail: dict[str, Any] = {"deadline": key}
        if new_due is not None and new_due != d.due:
            detail.update({"from": d.due.isoformat(), "to": new_due.isoformat()})
            d.due = new_due
            d.extended = True
        d.reason = reason.strip() if reason else None
        self._audit(at, actor, "deadline resumed", detail, reason)
        return d

    def extend(self, key: str, new_due: date, at: datetime, actor: str, reason: str) -> Deadline:
        d = self.deadline(key)
        _need_reason(reason, "extending a deadline")
        if d.status is DeadlineStatus.MET:
            raise DomainError(f"deadline '{key}' of {self.reference} is already met")
        if new_due <= d.due:
            raise DomainError(f"an extension must move '{key}' later than {d.due.isoformat()}")
        self._check_due(d.what, new_due)
        old = d.due
        d.due = new_due
        d.extended = True
        d.reason = reason.strip()
        self._audit(at, actor, "deadline extended", {"deadline": key, "from": old.isoformat(),
                                                      "to": new_due.isoformat()}, reason)
        return d

    def open_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines.values() if d.status is DeadlineStatus.OPEN]

    # Internals -------------------------------------------------------------
    def _met_only_by_recording(self, event: str) -> bool:
        p = self.procedure
        return event in p.decision_events or (p.has_event(event) and p.event(event).must_be_recorded)

    def _how_to_record(self, event: str) -> str:
        if event in self.procedure.decision_events:
            return (f"record the decision: review-clerk case decide {self.reference} --outcome ... --date ... "
                    f"--reason ...")
        return f"record it: review-clerk case record {self.reference} {event} --date ..."

    def _check_event_date(self, kind: str, on: date, today: date | None) -> None:
        problem = event_date_problem(self.procedure, self.events, kind, on, today)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")

    def _check_due(self, what: str, due: date) -> None:
        problem = due_date_problem(self.procedure, self.events, what, due)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")

    def _applies(self, rule: DeadlineRule) -> bool:
        if rule.when_outcome and self.outcome not in rule.when_outcome:
            return False
        return rule.when_event is None or rule.when_event in self.events

    def _derive_deadlines(self, at: datetime, actor: str, *, rules_changed: bool = False) -> None:
        """Set the deadlines the procedure's rules call for; recompute those whose starting event moved (and,
        after a move to another procedure version, ``rules_changed``, those whose rule now says otherwise)."""
        p = self.procedure
        for rule in p.deadlines:
            begun = rule.start(self.events)
            if begun is None or rule.per_agency or not self._applies(rule):
                continue
            basis, start = begun
            due = rule.due(start)
            explained = rule.explain(start, p.event_label(basis))
            d = self.deadlines.get(rule.id)
            if d is None:
                d = Deadline(kind=rule.id, due=due, computed_due=due, owner=rule.owner, rule=explained,
                             basis=basis, basis_date=start, what=rule.label)
                self.deadlines[rule.id] = d
                if rule.met_by and rule.met_by in self.events:
                    d.status, d.met_on = DeadlineStatus.MET, self.events[rule.met_by]
                self._audit(at, actor, "deadline set", {"deadline": rule.id, "due": due.isoformat(),
                                                        "rule": d.rule})
            elif d.basis_date != start or d.basis != basis or (rules_changed and d.rule != explained):
                old = d.due
                d.basis, d.basis_date, d.computed_due, d.rule = basis, start, due, explained
                d.owner, d.what = rule.owner, rule.label
                if not d.extended:
                    d.due = due
                self._audit(at, actor, "deadline recomputed", {"deadline": rule.id, "from": old.isoformat(),
                                                               "to": d.due.isoformat(), "rule": d.rule})

    def _meet_deadlines_for(self, kind: str, on: date, at: datetime, actor: str) -> None:
        for d in self.deadlines.values():
            rule = self.procedure.rule(d.kind)
            if rule and rule.met_by == kind and not rule.per_agency and d.status is not DeadlineStatus.MET:
                d.status, d.met_on = DeadlineStatus.MET, on
                self._audit(at, actor, "deadline met", {"deadline": d.key, "on": on.isoformat(),
                                                        "how": f"event {kind}"})

    def _audit(self, at: datetime, actor: str, action: str, detail: dict[str, Any], reason: str | None = None) -> None:
        self.new_audit.append(AuditEvent(at=at, actor=actor, action=action, detail=detail, reason=reason))


def _need_reason(reason: str | None, doing: str) -> None:
    if not reason or not reason.strip():
        raise DomainError(f"{doing} needs a reason")
