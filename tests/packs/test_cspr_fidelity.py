"""The cspr-wt2023 pack read rule by rule against its sources (Children Act 2004 s16C, Working Together to
Safeguard Children 2023 chapter 5, the CSPR Regulations 2018), at the domain level: a Case and the pack's
Procedure, no application. Each test names the rule it shows and where the rule comes from; the pack's
README.md quotes the text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.domain.model import Case, DomainError
from service.procedure.pack import load_pack, parse_pack, shipped

AT = datetime(2025, 12, 19, 9, tzinfo=timezone.utc)
TODAY = date(2027, 1, 1)
PACK = shipped("cspr-wt2023")
TEXT = (PACK / "procedure.toml").read_text(encoding="utf-8")
PARTNERS = ("la_partner", "police_partner", "icb_partner")


@pytest.fixture(scope="module")
def cspr():
    return load_pack(PACK, templates=False)


def opened(procedure, received=date(2025, 12, 19)) -> Case:
    return Case.open("CSPR-2025-001", received, AT, "intake", procedure=procedure)


def decided(procedure, outcome="local-review", on=date(2026, 1, 14), criterion="working-together") -> Case:
    case = opened(procedure)
    case.record("panel_notified", date(2025, 12, 23), AT, "la", today=TODAY)
    case.decide(outcome, on, AT, "la", "the partners' reasons", today=TODAY, criterion=criterion)
    return case


def signed(case: Case, on=date(2026, 1, 15)) -> Case:
    for who in PARTNERS:
        case.record(f"{who}_signed", on, AT, who, today=TODAY)
    return case


# Children Act 2004 s16C(1); Working Together 2023, chapter 5 ------------------------------------------
def test_s16c_the_notification_is_due_5_working_days_after_the_local_authority_became_aware_across_christmas(cspr):
    d = opened(cspr).deadlines["panel_notification"]
    # Friday 19 December 2025: Christmas Day and Boxing Day are not working days.
    assert (d.basis, d.due, d.owner) == ("la_aware", date(2025, 12, 30), ("la_partner",))
    assert "Children Act 2004 s16C(1)" in d.rule and "5 working days" in d.rule


def test_s16c_awareness_before_the_referral_moves_the_notification_deadline(cspr):
    case = opened(cspr)
    case.correct_date("la_aware", date(2025, 12, 17), AT, "bm", "the duty team knew on the 17th", today=TODAY)
    assert case.deadlines["panel_notification"].due == date(2025, 12, 24)


def test_wt2023_ch5_the_notification_goes_to_the_panel_and_ofsted_and_records_the_notification(cspr):
    comm = cspr.communication("serious_incident_notification")
    assert comm.to == ("body:cspr_panel", "body:ofsted") and comm.records == "panel_notified"
    assert comm.letter and comm.full_details and comm.review_by == "la_partner"
    case = opened(cspr)
    case.record("panel_notified", date(2025, 12, 23), AT, "la", today=TODAY)
    assert case.stage == "rapid_review" and case.deadlines["panel_notification"].status.value == "met"


def test_wt2023_ch5_the_safeguarding_partners_are_told_with_the_notification(cspr):
    comm = cspr.communication("partners_informed")
    assert comm.to == tuple(f"role:{p}" for p in PARTNERS) and comm.trigger == "case_opened"
    assert opened(cspr).deadlines["partners_informed"].due == date(2025, 12, 30)


def test_wt2023_ch5_a_looked_after_child_or_care_leaver_is_notified_to_the_secretary_of_state_and_ofsted(cspr):
    case = opened(cspr)
    assert "looked_after_notification" not in case.deadlines  # only for a looked-after child or care leaver
    case.record("looked_after_child", date(2025, 12, 19), AT, "la", today=TODAY)
    d = case.deadlines["looked_after_notification"]
    assert d.due == date(2025, 12, 30) and "unconfirmed" in d.rule
    comm = cspr.communication("looked_after_notification")
    assert comm.to == ("body:secretary_of_state", "body:ofsted") and comm.trigger == "looked_after_child"


# The rapid review ---------------------------------------------------------------------------------------
def test_wt2023_ch5_the_rapid_review_runs_15_working_days_from_the_notification(cspr):
    case = opened(cspr)
    # Before the notification is recorded the clock runs from awareness (the earliest it can be due).
    assert case.deadlines["rapid_review"].due == date(2026, 1, 14)
    case.record("panel_notified", date(2025, 12, 23), AT, "la", today=TODAY)
    d = case.deadlines["rapid_review"]
    # Tuesday 23 December 2025 + 15 working days, over Christmas, Boxing Day and New Year's Day.
    assert (d.basis, d.due) == ("panel_notified", date(2026, 1, 16))
    assert d.owner == PARTNERS
    # The decision is taken within it: due with it, and not reminded separately (only escalated if missed).
    assert case.deadlines["local_review_decision"].due == date(2026, 1, 16)
    policy = cspr.chase_policy("local_review_decision")
    assert (policy.remind_before_working_days, policy.remind_on_the_day) == ((), False)


def test_a_partnership_that_counts_the_rapid_review_from_becoming_aware_changes_only_starts():
    text = TEXT.replace('starts = ["panel_notified", "la_aware"]', 'starts = ["la_aware"]')  # both rules
    text = text.replace('version = "1"', 'version = "1-aware"')
    assert text != TEXT
    own, problems = parse_pack(text, "our-cspr/procedure.toml")
    assert problems == []
    case = opened(own)
    case.record("panel_notified", date(2025, 12, 23), AT, "la", today=TODAY)
    for rule in ("rapid_review", "local_review_decision"):
        assert (case.deadlines[rule].basis, case.deadlines[rule].due) == ("la_aware", date(2026, 1, 14))


def test_wt2023_ch5_every_involved_agency_is_asked_for_its_summary_and_each_has_its_own_deadline(cspr):
    case = opened(cspr)
    case.add_agency("met-police", AT, "bm", on=date(2025, 12, 19))
    case.add_agency("school", AT, "bm", on=date(2025, 12, 22))
    due = {k: (d.due, d.owner) for k, d in case.deadlines.items() if ":" in k}
    assert due == {
        "agency_summary_request:met-police": (date(2025, 12, 22), ("business_manager",)),
        "agency_summary_request:school": (date(2025, 12, 23), ("business_manager",)),
        "agency_summary:met-police": (date(2026, 1, 7), ("agency",)),
        "agency_summary:school": (date(2026, 1, 8), ("agency",)),
    }
    # The request letter meets that agency's own request deadline when it has gone (after_delivery).
    assert case.met_for_agency("summary_requested", "school", date(2025, 12, 22), AT, "outbox") == [
        "agency_summary_request:school"]
    case.mark_met("agency_summary:school", date(2026, 1, 5), AT, "bm", "summary received", today=TODAY)
    assert case.deadlines["agency_summary:school"].status.value == "met"
    assert case.deadlines["agency_summary:met-police"].status.value == "open"
    comm = cspr.communication("agency_summary_request")
    assert (comm.trigger, comm.to, comm.records) == ("agency_added", ("agency_panel_members",), "summary_requested")


def test_s16f_the_decision_goes_to_the_panel_only_after_all_three_partners_have_signed(cspr):
    case = decided(cspr)
    case.record("la_partner_signed", date(2026, 1, 15), AT, "la", today=TODAY)
    case.record("police_partner_signed", date(2026, 1, 15), AT, "police", today=TODAY)
    with pytest.raises(DomainError, match="cannot be recorded before the integrated care board partner signing"):
        case.record("rapid_review_signed_off", date(2026, 1, 15), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="cannot be recorded before the rapid review signed off"):
        case.record("rapid_review_sent", date(2026, 1, 15), AT, "bm", today=TODAY)
    case.record("icb_partner_signed", date(2026, 1, 16), AT, "icb", today=TODAY)
    case.record("rapid_review_signed_off", date(2026, 1, 16), AT, "bm", today=TODAY)
    comm = cspr.communication("rapid_review_outcome")
    assert (comm.trigger, comm.to, comm.records, comm.letter) == (
        "rapid_review_signed_off", ("body:cspr_panel",), "rapid_review_sent", True)
    case.record("rapid_review_sent", date(2026, 1, 16), AT, "outbox", today=TODAY)
    assert case.deadlines["rapid_review"].status.value == "met"


def test_a_signature_cannot_be_dated_before_the_decision_it_signs(cspr):
    with pytest.raises(DomainError):
        decided(cspr).record("la_partner_signed", date(2026, 1, 13), AT, "la", today=TODAY)


def test_wt2023_ch5_the_panels_response_is_recorded_and_passed_to_the_partners(cspr):
    case = signed(decided(cspr))
    case.record("rapid_review_signed_off", date(2026, 1, 15), AT, "bm", today=TODAY)
    case.record("rapid_review_sent", date(2026, 1, 15), AT, "outbox", today=TODAY)
    case.record("panel_responded", date(2026, 2, 2), AT, "bm", "the Panel agrees with the decision", today=TODAY)
    assert case.events["panel_responded"] == date(2026, 2, 2) and case.stage == "local_review_decided"
    assert cspr.communication("panel_response_to_partners").to == tuple(f"role:{p}" for p in PARTNERS)


def test_wt2023_ch5_the_criterion_is_recorded_with_the_partners_decision(cspr):
    case = decided(cspr, criterion="recurrent-themes")
    assert case.criterion == "recurrent-themes" and case.stage == "local_review_decided"
    with pytest.raises(DomainError, match="not a criterion of the outcome 'local-review'"):
        decided(cspr, criterion="learning-identified")


def test_no_local_review_ends_after_the_rapid_review_with_no_review_deadlines(cspr):
    case = decided(cspr, outcome="no-local-review", criterion="learning-identified")
    assert case.stage == "no_local_review"
    assert not {"reviewer_commissioning", "publication"} & set(case.deadlines)
    signed(case)
    case.record("rapid_review_signed_off", date(2026, 1, 15), AT, "bm", today=TODAY)
    case.record("rapid_review_sent", date(2026, 1, 15), AT, "outbox", today=TODAY)
    case.record("closed", date(2026, 2, 20), AT, "bm", today=TODAY)
    assert case.is_closed


# The local review (CSPR Regulations 2018, regulations 12-15) ----------------------------------------------
def test_reg_12_the_reviewer_is_commissioned_within_a_month_and_the_review_published_within_six(cspr):
    case = decided(cspr)
    assert case.deadlines["reviewer_commissioning"].due == date(2026, 2, 14)
    assert case.deadlines["publication"].due == date(2026, 7, 14)
    assert "unconfirmed" in case.deadlines["publication"].rule
    case.record("lead_reviewer_appointed", date(2026, 2, 2), AT, "bm", "A. Reviewer", today=TODAY)
    assert case.stage == "local_review" and case.deadlines["reviewer_commissioning"].status.value == "met"
    comm = cspr.communication("reviewer_commission")
    assert comm.to == ("given_address",) and comm.letter and comm.records == "commission_letter_sent"


def _approved(cspr) -> Case:
    case = decided(cspr)
    case.record("lead_reviewer_appointed", date(2026, 2, 2), AT, "bm", "A. Reviewer", today=TODAY)
    case.record("final_report_received", date(2026, 5, 29), AT, "bm", today=TODAY)
    case.record("final_report_approved", date(2026, 6, 5), AT, "partners", today=TODAY)
    return case


def test_reg_14_the_final_report_is_approved_only_once_received(cspr):
    case = decided(cspr)
    case.record("lead_reviewer_appointed", date(2026, 2, 2), AT, "bm", "A. Reviewer", today=TODAY)
    with pytest.raises(DomainError, match="cannot be recorded before the reviewer's final report being received"):
        case.record("final_report_approved", date(2026, 6, 5), AT, "partners", today=TODAY)
    assert _approved(cspr).stage == "report"


def test_wt2023_ch5_the_panel_and_secretary_of_state_have_the_report_7_working_days_before_publication(cspr):
    case = _approved(cspr)
    case.record("publication_planned", date(2026, 7, 14), AT, "bm", today=TODAY)
    d = case.deadlines["prepublication_notice"]
    assert d.due == date(2026, 7, 3) and "7 working days before the planned publication date" in d.rule
    assert "unconfirmed" in d.rule
    comm = cspr.communication("prepublication_notice")
    assert comm.to == ("body:cspr_panel", "body:secretary_of_state") and comm.records == "prepublication_sent"


def test_7_working_days_before_a_publication_after_new_year_fall_before_christmas(cspr):
    rule = cspr.rule("prepublication_notice")
    # Tuesday 6 January 2026: back over New Year's Day, Boxing Day and Christmas Day to Tuesday 23 December.
    assert rule.due(date(2026, 1, 6)) == date(2025, 12, 23)


def test_publication_is_refused_until_the_report_has_been_with_the_panel_long_enough(cspr):
    case = _approved(cspr)
    case.record("publication_planned", date(2026, 7, 14), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="cannot be recorded before the final report sent to the Panel"):
        case.record("published", date(2026, 7, 14), AT, "bm", today=TODAY)
    case.record("prepublication_sent", date(2026, 7, 8), AT, "outbox", today=TODAY)
    with pytest.raises(DomainError, match="less than 7 working days after"):
        case.record("published", date(2026, 7, 14), AT, "bm", today=TODAY)
    with pytest.raises(DomainError, match="the first day it may be recorded is 2026-07-17"):
        case.record("published", date(2026, 7, 16), AT, "bm", today=TODAY)  # 8 calendar days, 6 working days
    case.record("published", date(2026, 7, 17), AT, "bm", today=TODAY)
    assert case.stage == "published" and case.deadlines["publication"].status.value == "met"


def test_wt2023_ch5_a_decision_not_to_publish_tells_the_panel_and_the_secretary_of_state(cspr):
    case = _approved(cspr)
    case.record("publication_withheld", date(2026, 6, 10), AT, "partners", "the criminal trial", today=TODAY)
    assert case.is_closed
    assert cspr.communication("publication_withheld").to == ("body:cspr_panel", "body:secretary_of_state")


# The pack as a whole --------------------------------------------------------------------------------------
def test_every_entry_names_its_source_and_every_unconfirmed_figure_is_in_the_readme(cspr):
    items = (*cspr.roles, *cspr.bodies, *cspr.events, *cspr.stages, *cspr.decisions, *cspr.deadlines,
             *cspr.communications, *cspr.meetings)
    assert all(i.source.strip() for i in items)
    readme = (PACK / "README.md").read_text(encoding="utf-8")
    unconfirmed = [d.id for d in cspr.deadlines if "unconfirmed" in d.source]
    assert set(unconfirmed) == {"looked_after_notification", "publication", "prepublication_notice"}
    section = readme.split("## Figures not confirmed", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{d}`" in section for d in unconfirmed)
    # Each unconfirmed figure carries a comment in the pack too.
    for d in unconfirmed:
        block = TEXT.split(f'id = "{d}"', 1)[1].split("[[", 1)[0]
        assert re.search(r"amount = \d+\s+# unconfirmed", block), d


def test_the_pack_reads_with_its_references_and_wordings_in_the_readme():
    readme = (PACK / "README.md").read_text(encoding="utf-8")
    assert "CSPR-{year}-{seq:03d}" in readme and "serious incident notification" in readme


def test_procedure_show_words_a_count_back_in_working_days():
    from service.procedure.views import timescale

    assert timescale(7, "working_days_before", "the planned publication date") == (
        "7 working days before the planned publication date")


def _example_settings():
    from service.config import load_settings

    root = Path(__file__).resolve().parents[2]
    return load_settings(root / "config" / "review-clerk.example.toml", environ={})


def test_each_involved_agency_s_panel_member_is_asked_for_its_summary_keyed_by_the_agency(cspr):
    from service.letters.triggers import plan_for_event

    settings = _example_settings()
    case = opened(cspr)
    assert [(p.key, p.why) for p in plan_for_event(case, settings, "agency_added").problems] == [
        ("not_sent/CSPR-2025-001/agency_summary_request/no-agencies",
         "no agency is recorded as involved in the case")]
    case.add_agency("met-police", AT, "bm")
    case.add_agency("enfield-ccg", AT, "bm")
    plan = plan_for_event(case, settings, "agency_added", {"agency": "enfield-ccg"})
    assert [(m.key, m.recipient.email, m.agency) for m in plan.messages] == [
        ("CSPR-2025-001/agency_summary_request/met-police", "public.protection@met-police.example.org",
         "met-police"),
        ("CSPR-2025-001/agency_summary_request/enfield-ccg", "designated.nurse@nhs.example.org", "enfield-ccg")]


def test_the_partners_and_bodies_of_the_pack_are_in_the_example_configuration(cspr):
    settings = _example_settings()
    for role in PARTNERS:
        assert getattr(settings.people, role).email.endswith("example.org")
    for body in cspr.bodies:
        assert getattr(settings.notifications, body.id).endswith("example.org")
