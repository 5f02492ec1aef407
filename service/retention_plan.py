"""Retention and legal hold: personal data goes when its period is over; a case under legal hold keeps everything.

The periods are settings (``[retention]``, :class:`service.config.Retention`):

* a closed case's personal data (its subjects' names, dates of birth and
  addresses, the referrer's name and contact details, the referral form, the
  emails received about it, the bodies of its letters) is removed
  ``closed_cases_years`` after it closed. Its reference, stage, outcome,
  dates, deadlines, agencies, the metadata of its messages and its audit
  trail stay. The clock starts at the ``closed`` event; for a case decided
  without an SCR (stage ``decided``) and never formally closed, at the
  decision, after which the board has nothing more to do on it. A case at any
  other stage is live work and is never touched;
* an email linked to no case (not a referral, quarantined, held and never
  released, failed, a meeting reply) is deleted ``unlinked_mail_days`` after
  it was stored, once handled and filed in the mailbox;
* a sent message's text, HTML and attachment data are removed
  ``sent_bodies_days`` after it was sent; its key, template, recipients,
  subject, status, dates and attachment names stay.

A case under legal hold (``case hold``) is never anonymised, and neither its
emails nor its letters are touched, whatever their age. The audit trail is
never deleted or changed: each case anonymised gets an audit event, and the
deletions not tied to a case one summary event with their counts.

:func:`plan` decides what is past its period: a pure function of the facts,
the policy and the time, with no database. :func:`service.retention.apply`
gathers the facts, makes the plan and, unless it is a dry run, carries it out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable

from service.config import Retention
from service.domain.model_types import Stage


@dataclass(frozen=True)
class CaseFacts:
    id: int
    reference: str
    stage: str
    closed_on: date | None = None  # the `closed` event
    decided_on: date | None = None  # the Chair's decision
    legal_hold: bool = False
    anonymised: bool = False
    letters_pending: int = 0  # outbox rows still queued, sending or awaiting review


@dataclass(frozen=True)
class MailFacts:
    """An inbound message."""

    id: int
    status: str
    case_id: int | None
    stored_at: datetime
    filed: bool = True
    has_raw: bool = True


@dataclass(frozen=True)
class SentFacts:
    """An outbox row."""

    id: int
    case_id: int | None
    status: str
    sent_at: datetime | None
    has_body: bool = True


@dataclass(frozen=True)
class CaseDue:
    """A case whose retention period is over: since ``due_on``, counted from ``basis`` on ``start``."""

    id: int
    reference: str
    basis: str  # "closed" | "decided"
    start: date
    due_on: date


@dataclass
class Plan:
    as_of: date
    anonymise: list[CaseDue] = field(default_factory=list)
    kept_on_hold: list[CaseDue] = field(default_factory=list)
    waiting_for_letters: list[CaseDue] = field(default_factory=list)
    delete_mail: list[int] = field(default_factory=list)
    delete_mail_by_status: dict[str, int] = field(default_factory=dict)
    clear_late_mail: list[int] = field(default_factory=list)  # emails filed against a case after it was anonymised
    strip_sent: list[int] = field(default_factory=list)
    sent_kept_on_hold: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return not (self.anonymise or self.delete_mail or self.clear_late_mail or self.strip_sent)


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    year = d.year + years
    return d.replace(year=year, day=min(d.day, calendar.monthrange(year, d.month)[1]))


def retention_start(case: CaseFacts) -> tuple[str, date] | None:
    """When a case's retention clock started, and why; None while the case is live work."""
    if case.stage == Stage.CLOSED.value and case.closed_on is not None:
        return "closed", case.closed_on
    if case.stage == Stage.DECIDED.value and case.decided_on is not None:
        return "decided", case.decided_on
    return None


def mail_cutoff(policy: Retention, now: datetime) -> datetime:
    return now - timedelta(days=policy.unlinked_mail_days)


def sent_cutoff(policy: Retention, now: datetime) -> datetime:
    return now - timedelta(days=policy.sent_bodies_days)


def plan(policy: Retention, now: datetime, today: date, cases: Iterable[CaseFacts],
         mail: Iterable[MailFacts] = (), sent: Iterable[SentFacts] = ()) -> Plan:
    """What is past its retention period as of ``now`` (``today`` is its date where the board is).

    A case is due on the anniversary, ``closed_cases_years`` after its retention
    clock started. Mail and message bodies are due once older than their number
    of days. Nothing belonging to a case under legal hold is ever in the plan.
    """
    cases = list(cases)
    result = Plan(as_of=today)
    held = {c.id for c in cases if c.legal_hold}
    anonymised = {c.id for c in cases if c.anonymised}
    for c in cases:
        if c.anonymised:
            continue
        start = retention_start(c)
        if start is None:
            continue
        due_on = add_years(start[1], policy.closed_cases_years)
        if today < due_on:
            continue
        due = CaseDue(c.id, c.reference, start[0], start[1], due_on)
        if c.legal_hold:
            result.kept_on_hold.append(due)
        elif c.letters_pending:
            result.waiting_for_letters.append(due)
        else:
            result.anonymise.append(due)
    anonymising = {d.id for d in result.anonymise}

    received_before = mail_cutoff(policy, now)
    for m in mail:
        if m.case_id is None:
            if m.status != "new" and m.filed and m.stored_at < received_before:
                result.delete_mail.append(m.id)
                result.delete_mail_by_status[m.status] = result.delete_mail_by_status.get(m.status, 0) + 1
        elif m.case_id in anonymised and m.case_id not in held and m.has_raw:
            result.clear_late_mail.append(m.id)

    sent_before = sent_cutoff(policy, now)
    for s in sent:
        if s.status != "sent" or s.sent_at is None or s.sent_at >= sent_before or not s.has_body:
            continue
        if s.case_id in held:
            result.sent_kept_on_hold += 1
        elif s.case_id not in anonymising:  # anonymising the case clears its letters anyway
            result.strip_sent.append(s.id)
    return result
