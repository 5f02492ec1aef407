"""The board's 2013 SCR procedure, read paragraph by paragraph, as version 2 of its pack runs it.

Each test is one fidelity fix of issue 14, named by the paragraph it comes from
(shared/seed/enfield-scr-procedure.txt). Version 1 (the engine before packs) is kept for the
cases opened under it: the last test shows it still runs them as it did.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.domain.model import Case, DomainError
from service.procedure.pack import default, from_text

AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
TODAY = date(2015, 12, 31)
ROOT = Path(__file__).resolve().parents[2]


def opened(received=date(2014, 5, 12), procedure=None) -> Case:
    return Case.open("ESCB-2014-001", received, AT, "intake", procedure=procedure or default())


def scr(decided=date(2014, 5, 20), **kw) -> Case:
    case = opened(**kw)
    case.decide("scr", decided, AT, "chair", "criteria met", today=TODAY)
    return case


def test_4_4_an_scr_always_has_a_completion_deadline_from_the_decision_when_ofsted_was_not_notified():
    case = scr()
    d = case.deadlines["completion"]
    assert (d.basis, d.due) == ("decided", date(2014, 11, 20))
    assert "the decision" in d.rule and "procedure 4.4" in d.rule


def test_4_4_the_completion_clock_runs_from_the_notification_to_ofsted_once_it_is_recorded():
    case = scr()
    case.record("ofsted_notified", date(2014, 5, 21), AT, "chair", today=TODAY)
    d = case.deadlines["completion"]
    assert (d.basis, d.basis_date, d.due) == ("ofsted_notified", date(2014, 5, 21), date(2014, 11, 21))
    assert any(e.action == "deadline recomputed" for e in case.new_audit)


def test_4_4_another_timescale_agreed_with_ofsted_is_an_extension_with_its_reason():
    case = scr()
    case.extend("completion", date(2015, 2, 20), AT, "chair", "Ofsted agreed a 9-month timescale (criminal trial)")
    d = case.deadlines["completion"]
    assert d.extended and d.reason.startswith("Ofsted agreed") and d.computed_due == date(2014, 11, 20)


def test_working_together_the_ofsted_notification_runs_from_the_local_authority_becoming_aware():
    case = opened(date(2014, 5, 12))
    assert case.deadlines["ofsted_incident_notification"].due == date(2014, 5, 19)  # aware = referral, by default
    # The local authority knew the Thursday before the referral reached the board.
    case.correct_date("la_aware", date(2014, 5, 8), AT, "bm", "the duty team knew on the 8th", today=TODAY)
    d = case.deadlines["ofsted_incident_notification"]
    assert (d.basis, d.due) == ("la_aware", date(2014, 5, 15))
    assert "the local authority becoming aware" in d.rule


def test_6_the_chair_and_head_of_sqas_discussion_is_owned_by_both():
    assert opened().deadlines["chair_sqas_discussion"].owner == ("chair", "head_of_sqas")


def test_4_3_the_head_of_sqas_tasks_are_five_each_done_separately():
    case = scr()
    tasks = ["sqas_other_children", "sqas_client_index", "sqas_police_and_health", "sqas_secure_files",
             "sqas_inform_director"]
    assert all(case.deadlines[t].owner == ("head_of_sqas",) for t in tasks)
    assert {case.deadlines[t].due for t in tasks} == {date(2014, 5, 21)}
    case.record("files_secured", date(2014, 5, 21), AT, "sqas", today=TODAY)
    assert [t for t in tasks if case.deadlines[t].status.value == "met"] == ["sqas_secure_files"]
    case.record("director_informed", date(2014, 5, 21), AT, "sqas", today=TODAY)
    assert case.deadlines["sqas_inform_director"].status.value == "met"
    assert "sqas_initial_tasks" not in case.deadlines


def test_4_3_the_imr_letters_are_a_head_of_sqas_task():
    assert scr().deadlines["imr_letters"].owner == ("head_of_sqas",)


def _signed_off(case: Case) -> Case:
    case.record("lead_reviewer_appointed", date(2014, 6, 2), AT, "bm", today=TODAY)
    case.record("report_quality_assured", date(2014, 10, 27), AT, "sub-committee", today=TODAY)
    case.record("report_signed_off", date(2014, 11, 3), AT, "board", today=TODAY)
    return case


def test_5_3_1_sign_off_is_two_approvals_the_sub_committee_then_the_board():
    case = scr()
    case.record("lead_reviewer_appointed", date(2014, 6, 2), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="cannot be recorded before the SCR sub-committee quality-assuring"):
        case.record("report_signed_off", date(2014, 11, 3), AT, "board", today=TODAY)
    case.record("report_quality_assured", date(2014, 10, 27), AT, "sub-committee", today=TODAY)
    assert case.stage == "review"  # quality assurance alone does not complete the review
    case.record("report_signed_off", date(2014, 11, 3), AT, "board", today=TODAY)
    assert case.stage == "completion" and case.deadlines["completion"].status.value == "met"


def test_5_3_3_publication_waits_for_the_notice_to_the_panel_at_least_seven_days_before():
    case = _signed_off(scr())
    case.record("publication_planned", date(2014, 12, 1), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="cannot be recorded before the pre-publication notice"):
        case.record("published", date(2014, 12, 1), AT, "bm", today=TODAY)
    case.record("publication_notice_sent", date(2014, 11, 27), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="less than 7 days after the pre-publication notice"):
        case.record("published", date(2014, 12, 1), AT, "bm", today=TODAY)
    case.record("published", date(2014, 12, 4), AT, "bm", today=TODAY)
    assert case.stage == "publication"


def test_5_3_3_the_report_stays_on_the_website_twelve_months_and_its_end_is_a_deadline():
    case = _signed_off(scr())
    case.record("publication_notice_sent", date(2014, 11, 24), AT, "bm", today=TODAY)
    case.record("published", date(2014, 12, 1), AT, "bm", today=TODAY)
    d = case.deadlines["report_on_website"]
    assert (d.due, d.owner) == (date(2015, 12, 1), ("business_manager",))
    case.record("report_removed", date(2015, 12, 1), AT, "bm", today=TODAY)
    assert case.deadlines["report_on_website"].status.value == "met"


def test_a_decision_not_to_publish_is_recorded_and_the_case_goes_on_to_learning():
    case = _signed_off(scr())
    case.record("publication_withheld", date(2014, 11, 10), AT, "chair", "the family's safety", today=TODAY)
    assert case.stage == "learning" and "published" not in case.events


@pytest.mark.parametrize("outcome, stage", [("management-review", "management_review"),
                                            ("alternative-review", "alternative_review")])
def test_3_2_management_and_alternative_reviews_have_their_own_stage_and_completion(outcome, stage):
    case = opened()
    case.decide(outcome, date(2014, 5, 20), AT, "chair", "concern below the SCR threshold", today=TODAY,
                criterion="concern-below-threshold")
    assert case.stage == stage and case.stage_label.endswith("review")
    assert "completion" not in case.deadlines  # the 6-month SCR clock is an SCR's
    case.record("review_completed", date(2014, 9, 1), AT, "bm", today=TODAY)
    assert case.stage == "closed" and case.is_closed


def test_1_1_the_criterion_met_is_recorded_with_the_decision():
    case = opened()
    case.decide("scr", date(2014, 5, 20), AT, "chair", "child died; neglect suspected", today=TODAY, criterion="died")
    assert case.criterion == "died"
    assert [e.detail.get("criterion") for e in case.new_audit if e.action == "decision recorded"] == ["died"]


def test_1_1_a_criterion_that_is_not_the_outcomes_is_refused():
    with pytest.raises(DomainError, match="not a criterion of the outcome 'scr'"):
        opened().decide("scr", date(2014, 5, 20), AT, "chair", "x", today=TODAY, criterion="concern-below-threshold")


def test_version_1_still_runs_the_cases_opened_under_it_as_before():
    v1 = from_text((ROOT / "service/store/migrations/versions/0006_enfield-scr-2013-v1.toml").read_text())
    case = opened(procedure=v1)
    assert case.deadlines["chair_sqas_discussion"].owner == ("head_of_sqas",)
    case.decide("scr", date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY)
    assert "sqas_initial_tasks" in case.deadlines and "completion" not in case.deadlines
    other = opened(procedure=v1)
    other.decide("management-review", date(2014, 5, 20), AT, "chair", "below the threshold", today=TODAY)
    assert other.stage == "decided"
    with pytest.raises(DomainError, match="no event 'review_completed'"):
        other.record("review_completed", date(2014, 6, 1), AT, "bm", today=TODAY)


def test_moving_a_case_to_version_2_on_purpose_derives_the_new_rules_and_keeps_what_happened():
    v1 = from_text((ROOT / "service/store/migrations/versions/0006_enfield-scr-2013-v1.toml").read_text())
    case = opened(procedure=v1)
    case.decide("scr", date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY)
    changes = case.migrate_procedure(default(), AT, "bm", "the board adopted version 2")
    assert case.procedure.key == "enfield-scr-2013@2"
    assert "new deadline completion, due 2014-11-20" in changes
    assert any(c.startswith("new deadline sqas_secure_files") for c in changes)
    assert case.events["decided"] == date(2014, 5, 20)
    assert [e.action for e in case.new_audit if e.action == "procedure migrated"] == ["procedure migrated"]


def test_a_decision_not_to_publish_tells_the_national_panel_with_the_reasons():
    from service.config import load_settings
    from service.letters.triggers import plan_for_event

    settings = load_settings(ROOT / "config" / "review-clerk.example.toml", environ={})
    case = _signed_off(scr())
    case.record("publication_withheld", date(2014, 11, 10), AT, "chair", "the family's safety", today=TODAY)
    plan = plan_for_event(case, settings, "publication_withheld", {"reason": "the family's safety"})
    assert [(m.template, m.recipient.email) for m in plan.messages] == [
        ("publication_withheld", settings.notifications.national_panel)]


def test_4_3_the_director_is_told_by_a_message_that_records_the_fifth_task():
    from service.config import load_settings
    from service.letters.triggers import plan_for_event

    settings = load_settings(ROOT / "config" / "review-clerk.example.toml", environ={})
    plan = plan_for_event(scr(), settings, "decided")
    [told] = [m for m in plan.messages if m.template == "director_informed"]
    assert told.recipient.email == settings.people.director_childrens_services.email
    assert default().communications[[c.id for c in default().communications].index("director_informed")].records \
        == "director_informed"


def test_4_3_an_agency_added_after_the_decision_gets_its_own_deadline_for_its_letter():
    case = opened()
    case.add_agency("met-police", AT, "bm")  # before the decision: covered by the decision's IMR letters
    case.decide("scr", date(2014, 5, 20), AT, "chair", "criteria met", today=TODAY)
    assert not [k for k in case.deadlines if k.startswith("imr_letter_later_agency")]
    case.add_agency("enfield-ccg", AT, "bm", on=date(2014, 6, 6))  # a Friday, after the decision
    d = case.deadlines["imr_letter_later_agency:enfield-ccg"]
    assert (d.due, d.owner, d.basis) == (date(2014, 6, 9), ("head_of_sqas",), "agency_added")
    assert "the agency being added (2014-06-06)" in d.rule
    assert case.met_for_agency("imr_letters_sent", "enfield-ccg", date(2014, 6, 9), AT, "outbox") == [d.key]
    assert case.deadlines[d.key].status.value == "met"
