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

from .deadlines import ENTERED_KINDS, RULES, RULES_BY_KIND, Rule, kind_label
from .model_types import EventKind, Outcome, Role, Stage
from .timeline import due_date_problem, event_date_problem, met_date_problem


class DomainError(Exception):
    """A change the process does not allow. ``str()`` is one line for a person."""


class IllegalTransition(DomainError):
    pass


class UnknownDeadline(DomainError):
    pass


class ImpossibleDate(DomainError):
    """A date that cannot be right: in the future, or out of the procedure's order (see domain/timeline.py)."""


# Deadlines met only by recording the event itself, which carries more than a date.
_MET_ONLY_BY_RECORDING = {
    EventKind.DECIDED: "record the decision: review-clerk case decide {ref} --outcome ... --date ... --reason ...",
    EventKind.REPORT_SIGNED_OFF: "record the sign-off: review-clerk case record {ref} report_signed_off --date ...",
}




PRE_DECISION = frozenset({Stage.REFERRAL_RECEIVED, Stage.INCIDENT_NOTIFIED, Stage.PANEL_CONSIDERING})
SCR_RUNNING = frozenset({Stage.SCR_INITIATED, Stage.CASE_PANEL, Stage.REVIEW, Stage.COMPLETION,
                         Stage.PUBLICATION, Stage.LEARNING})

# event -> (stages it may be recorded in, stage it moves the case to or None)
TRANSITIONS: dict[EventKind, tuple[frozenset[Stage], Stage | None]] = {
    EventKind.OFSTED_NOTIFIED: (PRE_DECISION | {Stage.DECIDED} | SCR_RUNNING, None),  # moves only from stage 1
    EventKind.PANEL_CONSIDERED: (PRE_DECISION, Stage.PANEL_CONSIDERING),
    EventKind.TERMS_OF_REFERENCE_AGREED: (frozenset({Stage.SCR_INITIATED, Stage.CASE_PANEL}), Stage.CASE_PANEL),
    EventKind.LEAD_REVIEWER_APPOINTED: (frozenset({Stage.SCR_INITIATED, Stage.CASE_PANEL, Stage.REVIEW}),
                                        Stage.REVIEW),
    EventKind.REPORT_SIGNED_OFF: (frozenset({Stage.REVIEW}), Stage.COMPLETION),
    EventKind.PUBLICATION_PLANNED: (frozenset({Stage.REVIEW, Stage.COMPLETION, Stage.PUBLICATION}), None),
    EventKind.PUBLISHED: (frozenset({Stage.COMPLETION}), Stage.PUBLICATION),
    EventKind.LEARNING_EVENT_HELD: (frozenset({Stage.PUBLICATION, Stage.LEARNING}), Stage.LEARNING),
    EventKind.CLOSED: (frozenset({Stage.DECIDED, Stage.LEARNING}), Stage.CLOSED),
}
# Events that record a task done; they may be recorded in any stage but the initial one... and closed.
_TASK_EVENTS = frozenset({
    EventKind.CHAIR_AWARE, EventKind.CHAIR_SQAS_DISCUSSED, EventKind.DECISION_NOTIFIED,
    EventKind.SQAS_TASKS_DONE, EventKind.IMR_LETTERS_SENT, EventKind.BOARD_MEMBERS_TOLD,
    EventKind.REVIEWER_NOTIFIED, EventKind.PUBLICATION_NOTICE_SENT,
})


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
    """One clock. ``due`` is what counts; ``computed_due`` is what the rule gives."""

    kind: str
    due: date
    computed_due: date
    owner: Role
    rule: str
    agency: str | None = None
    basis: EventKind | None = None
    basis_date: date | None = None
    status: DeadlineStatus = DeadlineStatus.OPEN
    met_on: date | None = None
    extended: bool = False
    reason: str | None = None  # why paused or extended

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.agency}" if self.agency else self.kind

    @property
    def what(self) -> str:
        return kind_label(self.kind)

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
    reference: str
    opened_at: datetime
    stage: Stage = Stage.REFERRAL_RECEIVED
    subjects: list[Subject] = field(default_factory=list)
    referrer: Referrer = field(default_factory=Referrer)
    agencies: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    decision_reason: str | None = None
    events: dict[EventKind, date] = field(default_factory=dict)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    new_audit: list[AuditEvent] = field(default_factory=list)

    # Opening ---------------------------------------------------------------
    @classmethod
    def open(cls, reference: str, received_on: date, at: datetime, actor: str,
             subjects: list[Subject] | None = None, referrer: Referrer | None = None,
             chair_aware_on: date | None = None, source: str | None = None) -> "Case":
        """Stage 1: a referral received. The Chair is taken to be aware on the
        day it arrives (the board mailbox is the Chair's route) unless told otherwise."""
        case = cls(reference=reference, opened_at=at, subjects=list(subjects or []),
                   referrer=referrer or Referrer())
        case.events[EventKind.REFERRAL_RECEIVED] = received_on
        case.events[EventKind.CHAIR_AWARE] = chair_aware_on or received_on
        case._audit(at, actor, "case opened",
                    {"received_on": received_on.isoformat(), "source": source, "subjects": len(case.subjects)})
        case._derive_deadlines(at, actor)
        return case

    # Events ----------------------------------------------------------------
    def record(self, kind: EventKind, on: date, at: datetime, actor: str, reason: str | None = None, *,
               today: date | None = None) -> None:
        """Record that something happened on ``on``; moves the stage where the process says so.
        Raises :class:`ImpossibleDate` for a date in the future or out of the procedure's order."""
        if kind is EventKind.DECIDED:
            raise DomainError("record a decision with decide(), which needs the outcome and reasons")
        if kind is EventKind.REFERRAL_RECEIVED:
            raise DomainError("a case's referral is recorded when it opens; correct its date instead")
        if kind in _TASK_EVENTS:
            if self.stage is Stage.CLOSED:
                raise IllegalTransition(f"{self.reference} is closed; nothing more can be recorded")
            target = None
        else:
            allowed, target = TRANSITIONS[kind]
            if self.stage not in allowed:
                raise IllegalTransition(
                    f"cannot record '{kind.value}' while {self.reference} is at stage "
                    f"'{self.stage.value}' (allowed at: {', '.join(sorted(s.value for s in allowed))})")
        if kind in self.events and kind is not EventKind.PUBLICATION_PLANNED:
            raise DomainError(f"'{kind.value}' is already recorded for {self.reference} "
                              f"on {self.events[kind].isoformat()}; correct its date instead")
        self._check_event_date(kind, on, today)
        previous = self.stage
        self.events[kind] = on
        if kind is EventKind.OFSTED_NOTIFIED and self.stage is Stage.REFERRAL_RECEIVED:
            target = Stage.INCIDENT_NOTIFIED
        if target is not None:
            self.stage = target
        detail: dict[str, Any] = {"event": kind.value, "on": on.isoformat()}
        if self.stage is not previous:
            detail["stage"] = [previous.value, self.stage.value]
        self._audit(at, actor, "event recorded", detail, reason)
        self._meet_deadlines_for(kind, on, at, actor)
        self._derive_deadlines(at, actor)

    def decide(self, outcome: Outcome, on: date, at: datetime, actor: str, reason: str, *,
               today: date | None = None) -> None:
        """Stage 4: the Chair's decision. An SCR moves to stage 5; any other outcome ends the review here."""
        if self.stage not in PRE_DECISION:
            raise IllegalTransition(
                f"{self.reference} already has a decision ({self.outcome.value if self.outcome else '?'}); "
                f"it is at stage '{self.stage.value}'")
        if not reason or not reason.strip():
            raise DomainError("a decision needs its reasons (they go to the National Panel when it is not an SCR)")
        self._check_event_date(EventKind.DECIDED, on, today)
        previous = self.stage
        self.outcome = outcome
        self.decision_reason = reason.strip()
        self.events[EventKind.DECIDED] = on
        self.stage = Stage.SCR_INITIATED if outcome is Outcome.SCR else Stage.DECIDED
        self._audit(at, actor, "decision recorded",
                    {"outcome": outcome.value, "on": on.isoformat(), "stage": [previous.value, self.stage.value]},
                    reason)
        self._meet_deadlines_for(EventKind.DECIDED, on, at, actor)
        self._derive_deadlines(at, actor)

    def undo_decision(self, back_to: Stage, at: datetime, actor: str, reason: str) -> Outcome:
        """Withdraw a decision nothing has followed yet (a decision taken by email, undone within its hold):
        the case returns to ``back_to``, the stage it had before; the deadlines the decision started go, and
        the one it met (deciding) is open again. Returns the outcome withdrawn."""
        if self.outcome is None or EventKind.DECIDED not in self.events:
            raise DomainError(f"{self.reference} has no decision to undo")
        if self.stage not in (Stage.DECIDED, Stage.SCR_INITIATED):
            raise IllegalTransition(f"{self.reference} has moved on since the decision (it is at stage "
                                    f"'{self.stage.value}'): record a correction instead")
        if back_to not in PRE_DECISION:
            raise DomainError(f"a decision is undone back to a stage before it, not '{back_to.value}'")
        _need_reason(reason, "undoing a decision")
        withdrawn, decided_on, previous = self.outcome, self.events.pop(EventKind.DECIDED), self.stage
        self.outcome, self.decision_reason, self.stage = None, None, back_to
        removed = []
        for key, d in list(self.deadlines.items()):
            rule = RULES_BY_KIND.get(d.kind)
            if rule is None:
                continue
            if rule.starts_on is EventKind.DECIDED:
                del self.deadlines[key]
                removed.append(key)
            elif rule.met_by is EventKind.DECIDED and d.status is DeadlineStatus.MET:
                d.status, d.met_on = DeadlineStatus.OPEN, None
        self._audit(at, actor, "decision withdrawn",
                    {"outcome": withdrawn.value, "on": decided_on.isoformat(),
                     "stage": [previous.value, back_to.value], "deadlines_removed": removed}, reason)
        return withdrawn

    def correct_date(self, kind: EventKind, on: date, at: datetime, actor: str, reason: str, *,
                     today: date | None = None) -> None:
        """Correct when an event happened; the deadlines it started are recomputed. The Chair's awareness,
        taken to be the day the referral arrived, moves with a corrected referral date."""
        if kind not in self.events:
            raise DomainError(f"'{kind.value}' has not been recorded for {self.reference}")
        old = self.events[kind]
        if old == on:
            return
        moves_awareness = kind is EventKind.REFERRAL_RECEIVED and self.events.get(EventKind.CHAIR_AWARE) == old
        others = {k: v for k, v in self.events.items() if not (moves_awareness and k is EventKind.CHAIR_AWARE)}
        problem = event_date_problem(others, kind, on, today, correcting=True)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")
        self.events[kind] = on
        self._audit(at, actor, "date corrected", {"event": kind.value, "from": old.isoformat(),
                                                   "to": on.isoformat()}, reason)
        if moves_awareness:
            self.events[EventKind.CHAIR_AWARE] = on
            self._audit(at, actor, "date corrected", {"event": EventKind.CHAIR_AWARE.value, "from": old.isoformat(),
                                                       "to": on.isoformat()}, "moves with the referral's date")
        for d in self.deadlines.values():
            if d.status is DeadlineStatus.MET and RULES_BY_KIND.get(d.kind) and RULES_BY_KIND[d.kind].met_by is kind:
                d.met_on = on
        self._derive_deadlines(at, actor)

    def add_agency(self, agency_key: str, at: datetime, actor: str) -> bool:
        if agency_key in self.agencies:
            return False
        self.agencies.append(agency_key)
        self._audit(at, actor, "agency added", {"agency": agency_key})
        return True

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
        if kind not in ENTERED_KINDS:
            raise DomainError(f"'{kind}' is not a deadline the panel sets (those are: {', '.join(ENTERED_KINDS)})")
        self._check_due(kind_label(kind), due)
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
        d = Deadline(kind=kind, agency=agency, due=due, computed_due=due, owner=ENTERED_KINDS[kind][1],
                     rule=f"set by the panel on {at.date().isoformat()}")
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
        rule = RULES_BY_KIND.get(d.kind)
        if rule and rule.met_by in _MET_ONLY_BY_RECORDING and rule.met_by not in self.events:
            raise ImpossibleDate(f"{self.reference}: '{key}' is met when {rule.met_by.label} is recorded, and it "
                                 f"has not been; {_MET_ONLY_BY_RECORDING[rule.met_by].format(ref=self.reference)}")
        problem = met_date_problem(self.events, key, on, today, d.basis_date)
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
    def _check_event_date(self, kind: EventKind, on: date, today: date | None) -> None:
        problem = event_date_problem(self.events, kind, on, today)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")

    def _check_due(self, what: str, due: date) -> None:
        problem = due_date_problem(self.events, what, due)
        if problem:
            raise ImpossibleDate(f"{self.reference}: {problem}; nothing changed")

    def _applies(self, rule: Rule) -> bool:
        if rule.starts_on not in self.events:
            return False
        if rule.only_if_outcome is not None and self.outcome not in rule.only_if_outcome:
            return False
        return rule.also_needs is None or rule.also_needs in self.events

    def _derive_deadlines(self, at: datetime, actor: str) -> None:
        for rule in RULES:
            if not self._applies(rule):
                continue
            start = self.events[rule.starts_on]
            due = rule.due(start)
            d = self.deadlines.get(rule.kind)
            if d is None:
                d = Deadline(kind=rule.kind, due=due, computed_due=due, owner=rule.owner,
                             rule=rule.explain(start), basis=rule.starts_on, basis_date=start)
                self.deadlines[rule.kind] = d
                if rule.met_by and rule.met_by in self.events:
                    d.status, d.met_on = DeadlineStatus.MET, self.events[rule.met_by]
                self._audit(at, actor, "deadline set", {"deadline": rule.kind, "due": due.isoformat(),
                                                        "rule": d.rule})
            elif d.basis_date != start:
                old = d.due
                d.basis_date, d.computed_due, d.rule = start, due, rule.explain(start)
                if not d.extended:
                    d.due = due
                self._audit(at, actor, "deadline recomputed", {"deadline": rule.kind, "from": old.isoformat(),
                                                               "to": d.due.isoformat(), "rule": d.rule})

    def _meet_deadlines_for(self, kind: EventKind, on: date, at: datetime, actor: str) -> None:
        for d in self.deadlines.values():
            rule = RULES_BY_KIND.get(d.kind)
            if rule and rule.met_by is kind and d.status is not DeadlineStatus.MET:
                d.status, d.met_on = DeadlineStatus.MET, on
                self._audit(at, actor, "deadline met", {"deadline": d.key, "on": on.isoformat(),
                                                        "how": f"event {kind.value}"})

    def _audit(self, at: datetime, actor: str, action: str, detail: dict[str, Any], reason: str | None = None) -> None:
        self.new_audit.append(AuditEvent(at=at, actor=actor, action=action, detail=detail, reason=reason))


def _need_reason(reason: str | None, doing: str) -> None:
    if not reason or not reason.strip():
        raise DomainError(f"{doing} needs a reason")
