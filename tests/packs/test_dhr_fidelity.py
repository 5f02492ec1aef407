"""The domestic homicide review pack (procedures/dhr-2016) against section 9 of the Domestic Violence, Crime
and Victims Act 2004, the Home Office statutory guidance (December 2016) and section 19 of the Victims and
Prisoners Act 2024 (prospective).

Each test is one rule of the pack, named by its source. Pure: a Case and the pack's Procedure, no app.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.domain.model import Case, DomainError
from service.procedure.pack import load_pack, parse_pack

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "procedures" / "dhr-2016"
AT = datetime(2025, 11, 19, 9, tzinfo=timezone.utc)
TODAY = date(2027, 12, 31)


@pytest.fixture(scope="module")
def dhr():
    return load_pack(PACK, templates=False)


def notified(dhr, on=date(2025, 11, 19)) -> Case:
    return Case.open("DHR-2025-001", on, AT, "intake", procedure=dhr)


def decided(dhr, on=date(2025, 12, 19), criterion="s9-relative-or-partner") -> Case:
    case = notified(dhr)
    case.decide("dhr", on, AT, "csp-chair", "criteria met", today=TODAY, criterion=criterion)
    return case


def test_guidance_section_3_a_case_opens_on_the_polices_notification_to_the_csp(dhr):
    case = notified(dhr)
    assert dhr.opens_with == "police_notification" and case.stage == "notified"
    assert case.events == {"police_notification": date(2025, 11, 19)}


def test_guidance_section_3_the_decision_and_the_home_office_letter_are_due_a_month_after_the_notification(dhr):
    case = notified(dhr)
    assert {k: (case.deadlines[k].due, case.deadlines[k].owner) for k in ("decision", "home_office_notification")} \
        == {"decision": (date(2025, 12, 19), ("csp_chair",)), "home_office_notification": (date(2025, 12, 19),
                                                                                          ("csp_chair",))}
    assert all("unconfirmed" in dhr.rule(k).source for k in ("decision", "home_office_notification"))


@pytest.mark.parametrize("criterion", ["s9-relative-or-partner", "s9-same-household", "suicide-domestic-abuse"])
def test_s9_1_the_review_records_the_relationship_found(dhr, criterion):
    case = decided(dhr, criterion=criterion)
    assert (case.outcome, case.criterion, case.stage) == ("dhr", criterion, "dhr_initiated")


def test_s9_the_decision_is_the_csp_chairs_and_needs_reasons(dhr):
    [decision] = dhr.decisions
    assert decision.by == "csp_chair" and decision.reasons_required
    with pytest.raises(DomainError, match="needs its reasons"):
        notified(dhr).decide("none", date(2025, 12, 1), AT, "x", " ", today=TODAY)


def test_guidance_section_3_the_home_office_is_told_of_a_decision_not_to_review_too(dhr):
    comm = dhr.communication("decision_to_home_office")
    assert (comm.trigger, comm.to, comm.when_outcome, comm.records) == (
        "decided", ("body:home_office",), (), "home_office_told")
    case = notified(dhr)
    case.decide("none", date(2025, 12, 1), AT, "x", "not a domestic death", today=TODAY)
    assert case.stage == "decided" and "completion" not in case.deadlines
    case.record("home_office_told", date(2025, 12, 2), AT, "outbox", today=TODAY)
    assert case.deadlines["home_office_notification"].status.value == "met"


def test_guidance_section_7_imr_requests_are_due_5_working_days_after_the_decision_across_christmas(dhr):
    # Decided on Friday 19 December 2025: Mon 22, Tue 23, Wed 24, (25, 26 bank holidays), Mon 29, Tue 30.
    d = decided(dhr).deadlines["imr_requests"]
    assert (d.due, d.owner) == (date(2025, 12, 30), ("business_manager",))


def test_guidance_section_7_each_agencys_imr_has_its_own_date_and_a_late_agency_its_own_request(dhr):
    case = notified(dhr)
    case.add_agency("met-police", AT, "bm")
    case.decide("dhr", date(2025, 12, 19), AT, "x", "criteria met", today=TODAY, criterion="s9-same-household")
    case.set_due("imr", "met-police", date(2026, 3, 2), AT, "bm")
    assert (case.deadlines["imr:met-police"].due, case.deadlines["imr:met-police"].owner) == (
        date(2026, 3, 2), ("agency",))
    case.add_agency("beh-mht", AT, "bm", on=date(2026, 1, 9))
    assert case.deadlines["imr_request_later_agency:beh-mht"].due == date(2026, 1, 16)


def test_guidance_section_6_family_and_friends_are_contacted_and_it_is_chased(dhr):
    d = decided(dhr).deadlines["family_contact"]
    assert (d.due, d.owner) == (date(2026, 1, 7), ("business_manager",))  # 10 working days over Christmas
    assert dhr.communication("family_letter").records == "family_contacted"


def test_guidance_section_5_completion_is_6_months_from_the_decision_and_is_marked_unconfirmed(dhr):
    d = decided(dhr).deadlines["completion"]
    assert (d.due, d.owner) == (date(2026, 6, 19), ("csp_chair",))
    assert "unconfirmed" in dhr.rule("completion").source


def _approved(dhr) -> Case:
    case = decided(dhr)
    case.record("dhr_chair_appointed", date(2026, 1, 12), AT, "bm", today=TODAY)
    case.record("report_approved", date(2026, 6, 10), AT, "csp", today=TODAY)
    return case


def test_quality_assurance_the_report_is_not_published_before_the_home_office_panel_clears_it(dhr):
    case = _approved(dhr)
    assert case.stage == "completion" and case.deadlines["completion"].status.value == "met"
    case.record("submitted_to_home_office", date(2026, 6, 11), AT, "outbox", today=TODAY)
    assert case.stage == "home_office_qa"
    with pytest.raises(DomainError, match="cannot be recorded before the Home Office quality assurance panel"):
        case.record("published", date(2026, 9, 1), AT, "bm", today=TODAY)
    case.record("home_office_qa_approved", date(2026, 8, 20), AT, "bm", today=TODAY)
    case.record("published", date(2026, 9, 1), AT, "bm", today=TODAY)
    assert case.stage == "publication"


def test_publication_the_report_and_summary_stay_online_12_months_then_come_down(dhr):
    case = _approved(dhr)
    for event, on in (("submitted_to_home_office", date(2026, 6, 11)), ("home_office_qa_approved",
                                                                        date(2026, 8, 20)),
                      ("published", date(2026, 9, 1))):
        case.record(event, on, AT, "bm", today=TODAY)
    d = case.deadlines["report_on_website"]
    assert (d.due, d.owner) == (date(2027, 9, 1), ("business_manager",))
    assert "unconfirmed" in dhr.rule("report_on_website").source


def test_vpa_2024_s19_the_copies_to_the_secretary_of_state_and_commissioner_are_off_until_switched_on(dhr):
    comm = dhr.communication("s9a_report")
    assert comm.trigger == "on_command" and not comm.also_on  # prospective: nothing goes by itself
    assert comm.to == ("body:home_office", "body:domestic_abuse_commissioner")
    assert comm.records == "s9a_copies_sent" and "prospective" in comm.source


def test_vpa_2024_s19_a_board_switches_the_copies_on_in_its_copy_of_the_pack(dhr):
    text = (PACK / "procedure.toml").read_text(encoding="utf-8")
    head, tail = text.split('id = "s9a_report"', 1)
    tail = tail.replace('trigger = "on_command"', 'trigger = "report_approved"', 1)
    copy, problems = parse_pack(head + 'id = "s9a_report"' + tail, "copy")
    assert not problems
    assert [c.id for c in copy.communications if c.trigger == "report_approved"] == ["qa_submission", "s9a_report"]


def test_every_rule_names_its_source_and_every_local_figure_is_marked_unconfirmed(dhr):
    for item in (*dhr.roles, *dhr.bodies, *dhr.events, *dhr.stages, *dhr.deadlines, *dhr.communications,
                 *dhr.meetings, *dhr.entered_deadlines):
        assert item.source.strip(), item.id
    for rule in dhr.deadlines:
        assert "unconfirmed" in rule.source, rule.id
