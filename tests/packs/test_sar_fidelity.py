"""The safeguarding adults review pack (procedures/sar-care-act-2014) against the Care Act 2014.

Each test is one rule of the pack, named by its source: the section of the Act (s44, s45, Schedule 2
paragraph 4), or "local practice" where the Act is silent and the figure is the board's to change.
Pure: a Case and the pack's Procedure, no app.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.domain.model import Case, DomainError
from service.procedure.pack import load_pack, parse_pack

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "procedures" / "sar-care-act-2014"
AT = datetime(2025, 11, 3, 9, tzinfo=timezone.utc)
TODAY = date(2027, 12, 31)
SARS = ("mandatory-sar", "discretionary-sar")


@pytest.fixture(scope="module")
def sar():
    return load_pack(PACK, templates=False)


def opened(sar, received=date(2025, 11, 3)) -> Case:
    return Case.open("SAR-2025-001", received, AT, "intake", procedure=sar)


def decided(sar, outcome="mandatory-sar", on=date(2025, 12, 19), criterion="s44-condition-1") -> Case:
    case = opened(sar)
    case.decide(outcome, on, AT, "sar-subgroup", "criteria met", today=TODAY, criterion=criterion)
    return case


@pytest.mark.parametrize("criterion", ["s44-condition-1", "s44-condition-2"])
def test_s44_1_to_3_a_mandatory_review_records_the_condition_found_met(sar, criterion):
    case = decided(sar, "mandatory-sar", criterion=criterion)
    assert (case.outcome, case.criterion, case.stage) == ("mandatory-sar", criterion, "sar_initiated")
    assert [e.detail.get("criterion") for e in case.new_audit if e.action == "decision recorded"] == [criterion]


def test_s44_4_a_discretionary_review_records_the_s44_4_criterion_and_no_mandatory_one(sar):
    case = decided(sar, "discretionary-sar", criterion="s44-4-discretionary")
    assert (case.outcome, case.criterion) == ("discretionary-sar", "s44-4-discretionary")
    with pytest.raises(DomainError, match="not a criterion of the outcome 'discretionary-sar'"):
        opened(sar).decide("discretionary-sar", date(2025, 12, 19), AT, "x", "r", today=TODAY,
                           criterion="s44-condition-1")


def test_s44_1_a_mandatory_review_cannot_rest_on_the_discretionary_power(sar):
    with pytest.raises(DomainError, match="not a criterion of the outcome 'mandatory-sar'"):
        opened(sar).decide("mandatory-sar", date(2025, 12, 19), AT, "x", "r", today=TODAY,
                           criterion="s44-4-discretionary")


def test_s44_the_decision_is_the_sar_subgroups_and_needs_its_reasons(sar):
    [decision] = sar.decisions
    assert decision.by == "sar_subgroup_chair" and decision.reasons_required
    with pytest.raises(DomainError, match="needs its reasons"):
        opened(sar).decide("none", date(2025, 12, 19), AT, "x", "", today=TODAY)


def test_local_practice_the_decision_is_due_a_calendar_month_after_the_referral_and_is_marked_unconfirmed(sar):
    d = opened(sar, date(2025, 11, 3)).deadlines["decision"]
    assert (d.due, d.owner) == (date(2025, 12, 3), ("sar_subgroup_chair",))
    assert "unconfirmed" in sar.rule("decision").source


def test_s45_the_information_requests_are_due_5_working_days_after_the_decision_across_christmas(sar):
    # Decided on Friday 19 December 2025: Mon 22, Tue 23, Wed 24, (25, 26 bank holidays), Mon 29, Tue 30.
    d = decided(sar).deadlines["information_requests"]
    assert (d.due, d.owner) == (date(2025, 12, 30), ("business_manager",))
    assert "s45" in sar.rule("information_requests").source


def test_s45_an_agency_found_involved_after_the_decision_gets_its_own_request_deadline(sar):
    case = opened(sar)
    case.add_agency("met-police", AT, "bm")  # before the decision: covered by the decision's requests
    case.decide("mandatory-sar", date(2025, 12, 19), AT, "x", "criteria met", today=TODAY,
                criterion="s44-condition-2")
    assert not [k for k in case.deadlines if k.startswith("information_request_later_agency")]
    case.add_agency("enfield-ccg", AT, "bm", on=date(2026, 1, 2))  # a Friday
    d = case.deadlines["information_request_later_agency:enfield-ccg"]
    assert (d.due, d.basis) == (date(2026, 1, 9), "agency_added")
    assert case.met_for_agency("information_requested", "enfield-ccg", date(2026, 1, 5), AT, "outbox") == [d.key]


def test_s45_each_agencys_report_has_its_own_date_and_owner(sar):
    case = decided(sar)
    case.add_agency("met-police", AT, "bm")
    case.add_agency("enfield-ccg", AT, "bm")
    case.set_due("imr", "met-police", date(2026, 2, 27), AT, "bm")
    case.set_due("imr", "enfield-ccg", date(2026, 3, 6), AT, "bm")
    assert {k: (d.due, d.owner) for k, d in case.deadlines.items() if k.startswith("imr:")} == {
        "imr:met-police": (date(2026, 2, 27), ("agency",)), "imr:enfield-ccg": (date(2026, 3, 6), ("agency",))}


def test_local_practice_no_sar_means_no_review_deadlines_and_the_case_can_close(sar):
    case = opened(sar)
    case.decide("none", date(2025, 12, 19), AT, "x", "the s44 criteria are not met", today=TODAY)
    assert case.stage == "decided" and case.stage_label == "Decided: no SAR"
    assert not {"completion", "information_requests", "family_contact"} & set(case.deadlines)
    case.record("closed", date(2026, 1, 5), AT, "bm", today=TODAY)
    assert case.is_closed


@pytest.mark.parametrize("outcome, criterion", [("mandatory-sar", "s44-condition-1"),
                                                ("discretionary-sar", "s44-4-discretionary")])
def test_local_practice_both_kinds_of_review_complete_within_6_months_of_the_decision(sar, outcome, criterion):
    d = decided(sar, outcome, criterion=criterion).deadlines["completion"]
    assert (d.due, d.owner) == (date(2026, 6, 19), ("sab_chair",))
    assert "unconfirmed" in sar.rule("completion").source


def test_local_practice_the_completion_figure_is_the_boards_to_change_in_its_copy(sar):
    text = (PACK / "procedure.toml").read_text(encoding="utf-8")
    marker = 'id = "completion"'
    head, tail = text.split(marker, 1)
    tail = tail.replace("amount = 6 ", "amount = 9 ", 1)
    copy, problems = parse_pack(head + marker + tail, "copy")
    assert not problems
    case = Case.open("SAR-2025-002", date(2025, 11, 3), AT, "intake", procedure=copy)
    case.decide("mandatory-sar", date(2025, 12, 19), AT, "x", "r", today=TODAY, criterion="s44-condition-1")
    assert case.deadlines["completion"].due == date(2026, 9, 19)


def _reviewed(sar) -> Case:
    case = decided(sar)
    case.record("reviewer_appointed", date(2026, 1, 12), AT, "bm", today=TODAY)
    return case


def test_local_practice_the_board_approves_the_report_only_after_the_subgroup_quality_assures_it(sar):
    case = _reviewed(sar)
    with pytest.raises(DomainError, match="cannot be recorded before the SAR sub-group quality-assuring"):
        case.record("report_approved", date(2026, 5, 20), AT, "board", today=TODAY)
    case.record("report_quality_assured", date(2026, 5, 6), AT, "subgroup", today=TODAY)
    assert case.stage == "review"
    case.record("report_approved", date(2026, 5, 20), AT, "board", today=TODAY)
    assert case.stage == "completion" and case.deadlines["completion"].status.value == "met"


def test_local_practice_approval_is_recorded_not_marked_done(sar):
    case = _reviewed(sar)
    with pytest.raises(DomainError):
        case.mark_met("completion", date(2026, 5, 20), AT, "bm", "by command", today=TODAY)


def _approved(sar) -> Case:
    case = _reviewed(sar)
    case.record("report_quality_assured", date(2026, 5, 6), AT, "subgroup", today=TODAY)
    case.record("report_approved", date(2026, 5, 20), AT, "board", today=TODAY)
    return case


def test_local_practice_publication_waits_7_days_after_the_agencies_are_told(sar):
    case = _approved(sar)
    case.record("publication_planned", date(2026, 6, 15), AT, "bm", today=TODAY)
    assert case.deadlines["prepublication_notice"].due == date(2026, 6, 8)
    with pytest.raises(DomainError, match="cannot be recorded before"):
        case.record("published", date(2026, 6, 15), AT, "bm", today=TODAY)
    case.record("publication_notice_sent", date(2026, 6, 10), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="less than 7 days after"):
        case.record("published", date(2026, 6, 15), AT, "bm", today=TODAY)
    case.record("published", date(2026, 6, 17), AT, "bm", today=TODAY)
    assert case.stage == "publication"


def test_schedule_2_para_4_findings_go_in_the_annual_report_whether_or_not_the_report_is_published(sar):
    withheld = _approved(sar)
    withheld.record("publication_withheld", date(2026, 6, 1), AT, "sab-chair", "the family asked", today=TODAY)
    assert withheld.stage == "learning"
    withheld.record("annual_report_published", date(2026, 9, 30), AT, "bm", today=TODAY)
    withheld.record("closed", date(2026, 10, 1), AT, "bm", today=TODAY)
    assert withheld.is_closed
    assert "Sch 2 para 4(1)(d)" in sar.event("annual_report_published").source


def test_schedule_2_para_4_2_the_annual_reports_recipients_are_bodies_a_board_configures(sar):
    assert {b.id: b.source for b in sar.bodies} == {
        "la_chief_executive": "Sch 2 para 4(2)(a)", "police_and_crime_commissioner": "Sch 2 para 4(2)(b)",
        "healthwatch": "Sch 2 para 4(2)(c)", "health_and_wellbeing_board": "Sch 2 para 4(2)(d)"}


def test_every_rule_names_its_source_and_every_local_figure_is_marked_unconfirmed(sar):
    for item in (*sar.roles, *sar.bodies, *sar.events, *sar.stages, *sar.deadlines, *sar.communications,
                 *sar.meetings, *sar.entered_deadlines):
        assert item.source.strip(), item.id
    for rule in sar.deadlines:  # the Care Act sets no timescale: each figure is the board's
        assert "unconfirmed" in rule.source, rule.id


def test_local_practice_the_publication_date_goes_to_each_agencys_chief_executive_keyed_by_agency_and_date(sar):
    from service.config import load_settings
    from service.letters.triggers import plan_for_event

    settings = load_settings(ROOT / "config" / "review-clerk.example.toml", environ={})
    case = _approved(sar)
    case.add_agency("met-police", AT, "bm")
    case.add_agency("beh-mht", AT, "bm")
    case.record("publication_planned", date(2026, 6, 15), AT, "bm", today=TODAY)
    plan = plan_for_event(case, settings, "publication_planned")
    assert [(m.key, m.recipient.email) for m in plan.messages] == [
        ("SAR-2025-001/prepublication_notice/met-police/2026-06-15", "borough.commander@met-police.example.org"),
        ("SAR-2025-001/prepublication_notice/beh-mht/2026-06-15", "chief.executive@beh-mht.example.org")]
