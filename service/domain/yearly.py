"""The figures a partnership's yearly report gives about its reviews, from the cases themselves. Pure.

Working Together 2023 asks the safeguarding partners to report every 12 months on their arrangements,
including the reviews they ran; the Care Act 2014 (Schedule 2, paragraph 4) asks a safeguarding adults
board's annual report to say what reviews it arranged that were completed in the year, those still in
progress, what was found, and what was done; a community safety partnership reports its domestic
homicide reviews likewise. What the service knows, per procedure pack, for a period:

* referrals received (cases opened, by the day the referral came);
* decisions taken, by outcome, with the criterion recorded where the pack asks for one;
* reviews completed in the period (a case decided on a review reaching a final stage by an event dated in
  it) and those in progress at its end (decided on a review, not yet at a final stage then). An outcome
  is a review unless its id says there is none (``none``, ``no-...``, ``no_...``: the packs' convention);
* deadlines falling in the period: met on time, met late, missed (still open after they fell), paused or
  extended.

Counts only: no name, reference or reason leaves this module (a report is circulated widely).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from .model import Case, DeadlineStatus


@dataclass
class PackFigures:
    procedure: str  # id@version is not needed by a reader: the pack's id and label
    label: str
    referrals: int = 0
    decisions: Counter = field(default_factory=Counter)  # outcome label -> count
    criteria: Counter = field(default_factory=Counter)  # criterion label -> count
    completed: int = 0
    in_progress: int = 0
    awaiting_decision: int = 0
    deadlines: Counter = field(default_factory=Counter)  # met on time / met late / missed / paused / extended

    def as_dict(self) -> dict:
        return {"procedure": self.procedure, "label": self.label, "referrals": self.referrals,
                "decisions": dict(sorted(self.decisions.items())), "criteria": dict(sorted(self.criteria.items())),
                "reviews_completed": self.completed, "reviews_in_progress": self.in_progress,
                "awaiting_decision": self.awaiting_decision, "deadlines": dict(sorted(self.deadlines.items()))}


def figures(cases: Iterable[Case], start: date, end: date) -> list[PackFigures]:
    """Each pack's figures for the period ``start`` to ``end`` (both included), in the order packs first appear."""
    if end < start:
        raise ValueError("the period ends before it starts")
    by_pack: dict[str, PackFigures] = {}
    for case in cases:
        p = case.procedure
        f = by_pack.setdefault(p.id, PackFigures(p.id, p.label))
        opened = case.events.get(p.opens_with) or case.opened_at.date()
        if opened > end:
            continue
        if start <= opened:
            f.referrals += 1
        decided_on = case.events.get(case.decision_event) if case.decision_event else None
        if case.outcome and decided_on and start <= decided_on <= end:
            f.decisions[p.outcome_label(case.outcome)] += 1
            if case.criterion:
                f.criteria[_criterion_label(case)] += 1
        review = bool(case.outcome) and is_review(case.outcome) and not p.is_final(_outcome_stage(case))
        ended_on = _ended_on(case)
        if ended_on is not None and start <= ended_on <= end and review:
            f.completed += 1
        if ended_on is None or ended_on > end:
            if review and decided_on and decided_on <= end:
                f.in_progress += 1
            elif not case.outcome or (decided_on and decided_on > end):
                f.awaiting_decision += 1
        for d in case.deadlines.values():
            if not start <= d.due <= end:
                continue
            if d.status is DeadlineStatus.MET:
                f.deadlines["met late" if d.met_on and d.met_on > d.due else "met on time"] += 1
            elif d.status is DeadlineStatus.PAUSED:
                f.deadlines["paused"] += 1
            elif d.extended:
                f.deadlines["extended"] += 1
            else:
                f.deadlines["missed" if d.due < end else "due on the last day"] += 1
    return list(by_pack.values())


def is_review(outcome_id: str) -> bool:
    """Whether a decision's outcome is to hold a review (every pack names its "no review" outcome so)."""
    return not (outcome_id == "none" or outcome_id.startswith(("no-", "no_")))


def _outcome_stage(case: Case) -> str:
    for d in case.procedure.decisions:
        o = d.outcome(case.outcome or "")
        if o is not None:
            return o.to
    return case.stage


def _ended_on(case: Case) -> date | None:
    """The day the case reached a final stage: the latest event that moves a case into one."""
    p = case.procedure
    if not p.is_final(case.stage):
        return None
    days = [on for ev, on in case.events.items() if any(t.to and p.is_final(t.to) for t in p.moved_by(ev))]
    if case.outcome and p.is_final(_outcome_stage(case)) and case.decision_event in case.events:
        days.append(case.events[case.decision_event])
    return max(days) if days else None


def _criterion_label(case: Case) -> str:
    for d in case.procedure.decisions:
        for c in d.criteria:
            if c.id == case.criterion:
                return c.label
    return str(case.criterion)
