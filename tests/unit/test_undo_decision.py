"""Undoing a decision nothing has followed yet: the case as it was before it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from service.domain.model import Case, DeadlineStatus, DomainError
from service.domain.model_types import EventKind, Outcome, Stage
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

AT = datetime(2014, 5, 13, 9, 0, tzinfo=timezone.utc)


def decided(outcome: Outcome = Outcome.SCR) -> Case:
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), AT, "test", procedure=SCR_PROCEDURE)
    case.decide(outcome, date(2014, 5, 13), AT, "chair", "criteria met")
    return case


def test_undoing_a_decision_restores_the_stage_and_deadlines_before_it():
    case = decided()
    assert {"decision_notification", "imr_letters"} <= set(case.deadlines)
    assert case.undo_decision(Stage.REFERRAL_RECEIVED, AT, "bm", "wrong case") == Outcome.SCR
    assert case.stage == Stage.REFERRAL_RECEIVED and case.outcome is None and case.decision_reason is None
    assert EventKind.DECIDED not in case.events
    assert "decision_notification" not in case.deadlines and "imr_letters" not in case.deadlines
    assert case.deadlines["decision"].status is DeadlineStatus.OPEN and case.deadlines["decision"].met_on is None
    withdrawn = case.new_audit[-1]
    assert withdrawn.action == "decision withdrawn" and withdrawn.reason == "wrong case"
    assert withdrawn.detail["stage"] == ["scr_initiated", "referral_received"]


def test_a_case_that_has_moved_on_since_the_decision_is_not_undone():
    case = decided()
    case.record(EventKind.TERMS_OF_REFERENCE_AGREED, date(2014, 5, 13), AT, "bm")
    with pytest.raises(DomainError, match="moved on"):
        case.undo_decision(Stage.REFERRAL_RECEIVED, AT, "bm", "wrong case")
    assert case.outcome == Outcome.SCR


@pytest.mark.parametrize("back_to, reason, words", [(Stage.REFERRAL_RECEIVED, " ", "needs a reason"),
                                                     (Stage.DECIDED, "x", "a stage before it")])
def test_an_undo_needs_a_reason_and_a_stage_before_the_decision(back_to, reason, words):
    with pytest.raises(DomainError, match=words):
        decided(Outcome.NONE).undo_decision(back_to, AT, "bm", reason)


def test_a_case_without_a_decision_has_nothing_to_undo():
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), AT, "test", procedure=SCR_PROCEDURE)
    with pytest.raises(DomainError, match="no decision to undo"):
        case.undo_decision(Stage.REFERRAL_RECEIVED, AT, "bm", "x")
