"""The statutory clocks and the stage machine, with an injected time and no I/O."""

from datetime import date, datetime, timezone

import pytest

from service.domain.calendar import add_months, add_working_days, is_working_day, working_days_between
from service.domain.model import Case, DeadlineStatus, DomainError, IllegalTransition
from service.domain.model_types import EventKind, Outcome, Stage
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

AT = datetime(2014, 1, 31, 10, 0, tzinfo=timezone.utc)
ME = "test"


def new_case(received=date(2014, 1, 31)) -> Case:
    return Case.open("ESCB-2014-001", received, AT, ME, procedure=SCR_PROCEDURE)


def test_decision_is_due_one_calendar_month_after_the_chair_is_aware_clamped_to_february():
    assert new_case(date(2014, 1, 31)).deadlines["decision"].due == date(2014, 2, 28)
    assert new_case(date(2016, 1, 31)).deadlines["decision"].due == date(2016, 2, 29)


def test_one_working_day_tasks_skip_christmas_weekend_and_boxing_day_observed():
    case = new_case(date(2015, 12, 1))
    case.decide(Outcome.SCR, date(2015, 12, 24), AT, ME, "criteria met")
    assert case.deadlines["sqas_secure_files"].due == date(2015, 12, 29)
    assert case.deadlines["imr_letters"].due == date(2015, 12, 29)


def test_working_days_skip_weekends_and_bank_holidays():
    assert add_working_days(date(2014, 5, 2), 1) == date(2014, 5, 6)  # Friday -> Tuesday after May Day
    assert not is_working_day(date(2015, 8, 31))  # late summer bank holiday
    assert working_days_between(date(2015, 12, 24), date(2015, 12, 29)) == 1
    assert add_working_days(date(2015, 12, 29), -1) == date(2015, 12, 24)


def test_add_months_clamps_to_the_last_day_of_the_month():
    assert add_months(date(2014, 8, 31), 6) == date(2015, 2, 28)
    assert add_months(date(2014, 10, 31), 1) == date(2014, 11, 30)


def test_completion_is_six_months_after_ofsted_notification_once_an_scr_is_decided():
    case = new_case(date(2014, 3, 3))
    case.record(EventKind.OFSTED_NOTIFIED, date(2014, 3, 5), AT, ME)
    assert "completion" not in case.deadlines  # no SCR yet
    case.decide(Outcome.SCR, date(2014, 3, 20), AT, ME, "regulation 5(2)(b)(i)")
    assert case.deadlines["completion"].due == date(2014, 9, 5)
    assert "6 calendar months" in case.deadlines["completion"].rule


def test_prepublication_notice_is_a_week_before_publication():
    case = scr_in_review()
    case.record("report_quality_assured", date(2014, 7, 25), AT, ME)
    case.record(EventKind.REPORT_SIGNED_OFF, date(2014, 8, 1), AT, ME)
    case.record(EventKind.PUBLICATION_PLANNED, date(2014, 9, 15), AT, ME)
    assert case.deadlines["prepublication_notice"].due == date(2014, 9, 8)


def test_a_deadline_is_recomputed_when_the_date_of_its_event_is_corrected():
    case = new_case(date(2014, 1, 31))
    case.correct_date(EventKind.CHAIR_AWARE, date(2014, 2, 3), AT, ME, "Chair was told on Monday")
    d = case.deadlines["decision"]
    assert d.due == date(2014, 3, 3)
    assert "2014-02-03" in d.rule
    assert [e.action for e in case.new_audit][-2:] == ["date corrected", "deadline recomputed"]


def test_the_event_that_meets_a_deadline_marks_it_met():
    case = new_case(date(2014, 3, 3))
    case.record(EventKind.OFSTED_NOTIFIED, date(2014, 3, 4), AT, ME)
    d = case.deadlines["ofsted_incident_notification"]
    assert d.status is DeadlineStatus.MET and d.met_on == date(2014, 3, 4)
    assert case.stage == Stage.INCIDENT_NOTIFIED


def test_a_missed_deadline_shows_as_missed_after_its_due_date():
    d = new_case(date(2014, 3, 3)).deadlines["chair_sqas_discussion"]
    assert d.due == date(2014, 3, 4)
    assert d.state(date(2014, 3, 4)) == "open"
    assert d.state(date(2014, 3, 5)) == "missed"


def test_pausing_needs_a_reason_and_stops_the_deadline_from_being_missed():
    case = new_case(date(2014, 3, 3))
    with pytest.raises(DomainError):
        case.pause("decision", AT, ME, " ")
    case.pause("decision", AT, ME, "court proceedings")
    d = case.deadlines["decision"]
    assert d.state(date(2015, 1, 1)) == "paused" and d.reason == "court proceedings"
    case.resume("decision", AT, ME, "proceedings ended", new_due=date(2014, 6, 3))
    assert d.state(date(2014, 5, 1)) == "extended" and d.due == date(2014, 6, 3)


def test_extending_moves_the_due_date_later_with_a_reason_and_survives_recomputation():
    case = new_case(date(2014, 3, 3))
    case.extend("decision", date(2014, 4, 30), AT, ME, "Ofsted agreed")
    case.correct_date(EventKind.CHAIR_AWARE, date(2014, 3, 4), AT, ME, "typo")
    d = case.deadlines["decision"]
    assert d.due == date(2014, 4, 30) and d.computed_due == date(2014, 4, 4)
    with pytest.raises(DomainError):
        case.extend("decision", date(2014, 4, 1), AT, ME, "earlier")


def test_an_illegal_transition_is_refused():
    case = new_case()
    with pytest.raises(IllegalTransition):
        case.record(EventKind.REPORT_SIGNED_OFF, date(2014, 2, 1), AT, ME)
    case.decide(Outcome.NONE, date(2014, 2, 10), AT, ME, "criteria not met")
    with pytest.raises(IllegalTransition):
        case.decide(Outcome.SCR, date(2014, 2, 11), AT, ME, "changed mind")
    with pytest.raises(IllegalTransition):
        case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 2, 12), AT, ME)


def test_a_decision_not_to_hold_an_scr_starts_only_the_notification_deadline():
    case = new_case(date(2014, 3, 3))
    case.decide(Outcome.MANAGEMENT_REVIEW, date(2014, 3, 20), AT, ME, "criteria not met")
    assert case.stage == "management_review"
    assert "decision_notification" in case.deadlines
    assert "imr_letters" not in case.deadlines and "completion" not in case.deadlines


def test_the_audit_trail_records_what_who_when_and_why():
    at2 = datetime(2014, 2, 10, 9, tzinfo=timezone.utc)
    case = new_case()
    case.decide(Outcome.SCR, date(2014, 2, 10), at2, "chair@example.org", "child died; abuse suspected")
    decision = [e for e in case.new_audit if e.action == "decision recorded"][0]
    assert decision.actor == "chair@example.org" and decision.at == at2
    assert decision.reason == "child died; abuse suspected"
    assert decision.detail["stage"] == ["referral_received", "scr_initiated"]


def test_agency_deadlines_are_entered_for_involved_agencies_only():
    case = scr_in_review()
    with pytest.raises(DomainError):
        case.set_due("imr", "police", date(2014, 6, 1), AT, ME)
    case.add_agency("police", AT, ME)
    d = case.set_due("imr", "police", date(2014, 6, 1), AT, ME)
    assert d.key == "imr:police" and case.deadline("imr:police").due == date(2014, 6, 1)


def scr_in_review() -> Case:
    case = new_case(date(2014, 3, 3))
    case.record(EventKind.OFSTED_NOTIFIED, date(2014, 3, 4), AT, ME)
    case.decide(Outcome.SCR, date(2014, 3, 20), AT, ME, "criteria met")
    case.record(EventKind.TERMS_OF_REFERENCE_AGREED, date(2014, 4, 1), AT, ME)
    case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 4, 2), AT, ME)
    assert case.stage == Stage.REVIEW
    return case
