"""Issue 12 item 2: impossible dates are refused, with one line naming the date and the rule.

No event after today (in the board's time zone), none before the referral, none before the event
it follows in the procedure; a deadline is met only when what meets it can have happened.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from service.domain.model import Case, ImpossibleDate
from service.domain.model_types import EventKind, Outcome
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

LONDON = ZoneInfo("Europe/London")
AT = datetime(2014, 6, 2, 10, 0, tzinfo=LONDON)
TODAY = date(2014, 6, 2)


def opened(on: date = date(2014, 5, 12)) -> Case:
    return Case.open("ESCB-2014-001", on, datetime(2014, 5, 12, 9, 0, tzinfo=LONDON), "intake", procedure=SCR_PROCEDURE)


def test_a_decision_dated_in_the_future_is_refused_and_changes_nothing():
    case = opened()
    audit_before = len(case.new_audit)
    with pytest.raises(ImpossibleDate, match=r"2030-01-01 is in the future \(today is 2014-06-02\)"):
        case.decide(Outcome.SCR, date(2030, 1, 1), AT, "chair", "criteria met", today=TODAY)
    assert case.outcome is None and EventKind.DECIDED not in case.events
    assert len(case.new_audit) == audit_before


def test_a_decision_dated_tomorrow_is_refused_but_today_is_accepted():
    case = opened()
    with pytest.raises(ImpossibleDate):
        case.decide(Outcome.SCR, date(2014, 6, 3), AT, "chair", "criteria met", today=TODAY)
    case.decide(Outcome.SCR, TODAY, AT, "chair", "criteria met", today=TODAY)
    assert case.events[EventKind.DECIDED] == TODAY


def test_a_decision_before_the_referral_is_refused():
    case = opened()
    with pytest.raises(ImpossibleDate, match="before the referral was received"):
        case.decide(Outcome.NONE, date(2014, 5, 1), AT, "chair", "not met", today=TODAY)


def test_an_event_before_the_event_it_follows_is_refused():
    case = opened()
    case.decide(Outcome.SCR, date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY)
    case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 5, 28), AT, "bm", today=TODAY)
    with pytest.raises(ImpossibleDate, match="before the lead reviewer's appointment"):
        case.record(EventKind.REVIEWER_NOTIFIED, date(2014, 5, 27), AT, "bm", today=TODAY)
    with pytest.raises(ImpossibleDate, match="before the decision"):
        case.record(EventKind.IMR_LETTERS_SENT, date(2014, 5, 19), AT, "bm", today=TODAY)


def test_a_planned_publication_date_may_lie_ahead():
    case = opened()
    case.decide(Outcome.SCR, date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY)
    case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 5, 28), AT, "bm", today=TODAY)
    case.record(EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), AT, "bm", today=TODAY)
    assert case.events[EventKind.PUBLICATION_PLANNED] == date(2014, 12, 1)


def test_a_referral_date_in_the_future_is_refused():
    case = opened()
    with pytest.raises(ImpossibleDate, match="2031-01-01 is in the future"):
        case.correct_date(EventKind.REFERRAL_RECEIVED, date(2031, 1, 1), AT, "bm", "typo", today=TODAY)
    assert case.events[EventKind.REFERRAL_RECEIVED] == date(2014, 5, 12)


def test_correcting_the_referral_after_the_decision_is_refused():
    case = opened()
    case.decide(Outcome.NONE, date(2014, 5, 20), AT, "chair", "not met", today=TODAY)
    with pytest.raises(ImpossibleDate, match="the decision is recorded on 2014-05-20"):
        case.correct_date(EventKind.REFERRAL_RECEIVED, date(2014, 5, 21), AT, "bm", "typo", today=TODAY)


def test_correcting_a_decision_to_after_what_follows_it_is_refused():
    case = opened()
    case.decide(Outcome.SCR, date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY)
    case.record(EventKind.IMR_LETTERS_SENT, date(2014, 5, 21), AT, "chair", today=TODAY)
    with pytest.raises(ImpossibleDate, match="the Chair's IMR letters being sent is recorded on 2014-05-21 and follows it"):
        case.correct_date(EventKind.DECIDED, date(2014, 5, 22), AT, "bm", "typo", today=TODAY)


def test_correcting_the_referral_date_moves_the_chairs_awareness_with_it():
    case = opened()
    case.correct_date(EventKind.REFERRAL_RECEIVED, date(2014, 5, 14), AT, "bm", "arrived on the 14th", today=TODAY)
    assert case.events[EventKind.CHAIR_AWARE] == date(2014, 5, 14)
    assert case.deadline("decision").due == date(2014, 6, 14)


def test_the_decision_deadline_cannot_be_marked_met_without_a_decision():
    case = opened()
    with pytest.raises(ImpossibleDate, match="met when the decision is recorded.*case decide"):
        case.mark_met("decision", TODAY, AT, "bm", "by command", today=TODAY)
    assert case.deadline("decision").met_on is None


def test_a_deadline_cannot_be_met_in_the_future_or_before_its_clock_started():
    case = opened()
    with pytest.raises(ImpossibleDate, match="in the future"):
        case.mark_met("chair_sqas_discussion", date(2014, 6, 3), AT, "bm", "by command", today=TODAY)
    with pytest.raises(ImpossibleDate, match="before the referral"):
        case.mark_met("chair_sqas_discussion", date(2014, 5, 1), AT, "bm", "by command", today=TODAY)
    case.mark_met("chair_sqas_discussion", date(2014, 5, 12), AT, "bm", "by command", today=TODAY)


def test_a_due_date_before_the_referral_is_refused():
    case = opened()
    case.add_agency("enfield-csc", AT, "bm")
    with pytest.raises(ImpossibleDate, match="before the referral was received"):
        case.set_due("imr", "enfield-csc", date(2014, 4, 1), AT, "bm")
