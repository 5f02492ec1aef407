"""What happened to a case, as the domain says it: raised by :class:`~service.domain.model.Case`'s methods.

A use case saves the case and hands these to one dispatcher (:mod:`service.reactions`), which queues the
letters the procedure calls for, asks for the panel meeting, and brings letters that stated a corrected date
up to date. Nothing here knows of letters or meetings. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CaseOpened:
    reference: str


@dataclass(frozen=True)
class EventRecorded:
    kind: str
    on: date
    reason: str | None = None


@dataclass(frozen=True)
class DecisionTaken:
    event: str  # the event the decision is recorded as, in the case's procedure
    outcome: str
    on: date


@dataclass(frozen=True)
class AgencyAdded:
    agency: str


@dataclass(frozen=True)
class DateCorrected:
    kind: str
    old: date
    new: date


DomainEvent = CaseOpened | EventRecorded | DecisionTaken | AgencyAdded | DateCorrected
