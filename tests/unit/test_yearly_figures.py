"""The yearly report's figures about reviews, from the cases (service.domain.yearly): counts only."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from service.domain.model import Case, Subject
from service.domain.yearly import figures
from service.procedure.pack import default

SCR = default()


def opened(ref: str, on: date) -> Case:
    return Case.open(ref, on, datetime(on.year, on.month, on.day, 9, tzinfo=timezone.utc), "t", procedure=SCR,
                     subjects=[Subject("A Child", "child", "child", date(2015, 1, 1), None)])


def at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc)


def test_referrals_decisions_reviews_and_deadlines_are_counted_for_the_period_only():
    before = opened("ESCB-2024-001", date(2024, 12, 2))  # referred before the period, decided in it
    before.decide("scr", date(2025, 1, 6), at(date(2025, 1, 6)), "chair", "criteria met",
                  criterion=next(iter(SCR.decisions[0].outcomes[0].criteria), None))
    no_review = opened("ESCB-2025-001", date(2025, 2, 3))
    no_review.decide("none", date(2025, 2, 20), at(date(2025, 2, 20)), "chair", "not met")
    waiting = opened("ESCB-2025-002", date(2025, 3, 10))
    after = opened("ESCB-2025-003", date(2025, 6, 2))  # after the period: not counted at all
    f, = figures([before, no_review, waiting, after], date(2025, 1, 1), date(2025, 3, 31))
    assert f.procedure == "enfield-scr-2013"
    assert f.referrals == 2  # no_review and waiting; before was referred in 2024
    assert sum(f.decisions.values()) == 2 and f.decisions[SCR.outcome_label("none")] == 1
    assert f.in_progress == 1  # the SCR decided in January, not finished by 31 March
    assert f.awaiting_decision == 1  # waiting
    assert f.completed == 0
    assert f.deadlines["met on time"] >= 1  # the decisions were taken in time
    text = repr(f.as_dict())
    assert "A Child" not in text and "ESCB-" not in text  # counts only


def test_a_review_that_reaches_its_end_in_the_period_is_completed_not_in_progress():
    case = opened("ESCB-2025-004", date(2025, 1, 6))
    case.decide("management-review", date(2025, 1, 20), at(date(2025, 1, 20)), "chair", "a management review")
    case.record("review_completed", date(2025, 3, 3), at(date(2025, 3, 3)), "bm")
    f, = figures([case], date(2025, 1, 1), date(2025, 3, 31))
    assert (f.completed, f.in_progress) == (1, 0)
    g, = figures([case], date(2025, 1, 1), date(2025, 2, 28))  # the period ending before it completed
    assert (g.completed, g.in_progress) == (0, 1)


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        figures([], date(2025, 4, 1), date(2025, 3, 31))
