"""Which messages each stage event calls for, and to whom (pure: no database, mailbox or templates)."""

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.config import Letters, load_settings
from service.domain.model import Case, Referrer, Subject
from service.domain.model_types import EventKind, Outcome
from service.letters.catalogue import AGENCY_ADDED, CASE_OPENED, DATE_CORRECTED

DECIDED = "decided"
from service.letters.triggers import mode_for, plan_for_event, recipients_for, why_not
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"
AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
OFSTED = "notifications@ofsted.example.org"
PANEL = "national.panel@education.example.org"


@pytest.fixture(scope="module")
def settings():
    return load_settings(EXAMPLE, environ={})


def a_case(*agencies: str, referrer_email: str | None = "karen.sample@met-police.example.org") -> Case:
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), AT, "test",
                     subjects=[Subject("Amelia Demo", "child", "child", date(2010, 2, 3))],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", None, referrer_email), procedure=SCR_PROCEDURE)
    for a in agencies:
        case.add_agency(a, AT, "test")
    return case


def scr(case: Case) -> Case:
    case.decide(Outcome.SCR, date(2014, 5, 21), AT, "chair", "criteria met")
    return case


def sent(plan) -> list[tuple[str, str]]:
    return sorted((m.template, m.recipient.email) for m in plan.messages)


def test_an_scr_decision_calls_for_every_letter_of_stage_five(settings):
    plan = plan_for_event(scr(a_case("met-police", "enfield-ccg")), settings, DECIDED)
    assert sent(plan) == sorted([
        ("decision_notification", OFSTED), ("decision_notification", PANEL),
        ("decision_outcome", "karen.sample@met-police.example.org"),
        ("imr_letter", "borough.commander@met-police.example.org"), ("imr_letter", "chief.officer@nhs.example.org"),
        ("board_members_letter", "dcs@enfield.example.org"), ("board_members_letter", "borough.commander@met-police.example.org"),
        ("director_informed", "dcs@enfield.example.org"),  # procedure 4.3, the fifth task (version 2)
    ])
    assert plan.problems == []


def test_each_chief_executive_letter_is_keyed_by_case_and_agency(settings):
    plan = recipients_for("imr_letter", scr(a_case("met-police", "enfield-ccg")), settings)
    assert [m.key for m in plan.messages] == ["ESCB-2014-001/imr_letter/met-police",
                                              "ESCB-2014-001/imr_letter/enfield-ccg"]
    assert plan.messages[0].recipient.organisation == "Metropolitan Police Service"
    assert plan.messages[0].agency == "met-police"


def test_a_decision_not_to_hold_an_scr_goes_to_ofsted_the_panel_and_the_referrer_only(settings):
    case = a_case("met-police")
    case.decide(Outcome.NONE, date(2014, 5, 21), AT, "chair", "criteria not met")
    plan = plan_for_event(case, settings, DECIDED)
    assert sent(plan) == sorted([("decision_notification", OFSTED), ("decision_notification", PANEL),
                                 ("decision_outcome", "karen.sample@met-police.example.org")])


def test_an_agency_without_a_chief_executive_is_raised_not_skipped(settings):
    agencies = [a.model_copy(update={"chief_executive": None}) if a.key == "probation" else a
                for a in settings.agencies]
    s = settings.model_copy(update={"agencies": tuple(agencies)})
    plan = recipients_for("imr_letter", scr(a_case("met-police", "probation")), s)
    assert [m.agency for m in plan.messages] == ["met-police"]
    [problem] = plan.problems
    assert problem.key == "not_sent/ESCB-2014-001/imr_letter/probation"
    assert "no chief executive is on file for London Community Rehabilitation Company" in problem.why
    assert "letters send ESCB-2014-001 imr_letter" in problem.fix


def test_an_scr_with_no_agencies_recorded_is_raised(settings):
    plan = recipients_for("imr_letter", scr(a_case()), settings)
    assert plan.messages == [] and "no agency is recorded" in plan.problems[0].why


def test_a_referrer_without_an_email_address_is_raised(settings):
    plan = recipients_for("decision_outcome", scr(a_case(referrer_email=None)), settings)
    assert plan.messages == [] and plan.problems[0].for_whom == "the referrer"


def test_no_board_members_configured_is_raised(settings):
    plan = recipients_for("board_members_letter", scr(a_case("met-police")),
                          settings.model_copy(update={"board_members": ()}))
    assert plan.messages == [] and "no Board members" in plan.problems[0].why


def test_an_agency_added_to_a_running_scr_gets_its_letter_and_before_the_decision_nothing(settings):
    assert plan_for_event(a_case("met-police"), settings, AGENCY_ADDED).messages == []
    case = scr(a_case("met-police"))
    case.add_agency("beh-mht", AT, "test")
    plan = plan_for_event(case, settings, AGENCY_ADDED, {"agency": "beh-mht"})
    assert "ESCB-2014-001/imr_letter/beh-mht" in [m.key for m in plan.messages]


def test_the_incident_notification_is_a_draft_for_the_chair_unless_configured(settings):
    [m] = plan_for_event(a_case(), settings, CASE_OPENED).messages
    assert (m.template, m.recipient.email, m.mode, m.reviewer) == (
        "incident_notification", OFSTED, "review", "escb.chair@enfield.example.org")
    auto = settings.model_copy(update={"letters": Letters(review={"incident_notification": "auto"})})
    assert plan_for_event(a_case(), auto, CASE_OPENED).messages[0].mode == "auto"


def test_any_letter_can_be_put_in_review_mode_for_a_named_person(settings):
    s = settings.model_copy(update={"letters": Letters(review={"imr_letter": "Chair.PA@enfield.example.org"})})
    assert mode_for("imr_letter", s, procedure=SCR_PROCEDURE) == ("review", "chair.pa@enfield.example.org")
    assert mode_for("board_members_letter", s, procedure=SCR_PROCEDURE) == ("auto", None)


def test_a_lead_reviewer_appointed_calls_for_the_notice_to_the_national_panel(settings):
    case = scr(a_case("met-police"))
    case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), AT, "bm", "Jane Reviewer")
    [m] = plan_for_event(case, settings, EventKind.LEAD_REVIEWER_APPOINTED.value, {"reason": "Jane Reviewer"}).messages
    assert (m.template, m.recipient.email, m.key) == ("reviewer_notification", PANEL,
                                                      "ESCB-2014-001/reviewer_notification/national_panel")


def test_the_prepublication_notice_is_keyed_by_the_planned_date_so_a_new_date_gets_a_new_notice(settings):
    case = scr(a_case("met-police"))
    case.record(EventKind.LEAD_REVIEWER_APPOINTED, date(2014, 6, 16), AT, "bm")
    case.record("report_quality_assured", date(2014, 10, 27), AT, "bm")
    case.record(EventKind.REPORT_SIGNED_OFF, date(2014, 11, 3), AT, "bm")
    case.record(EventKind.PUBLICATION_PLANNED, date(2014, 12, 1), AT, "bm")
    first = plan_for_event(case, settings, EventKind.PUBLICATION_PLANNED.value).messages
    case.correct_date(EventKind.PUBLICATION_PLANNED, date(2014, 12, 8), AT, "bm", "moved")
    moved = plan_for_event(case, settings, DATE_CORRECTED, {"event": "publication_planned"}).messages
    assert [m.key for m in first] == ["ESCB-2014-001/prepublication_notice/2014-12-01"]
    assert [m.key for m in moved] == ["ESCB-2014-001/prepublication_notice/2014-12-08"]
    assert plan_for_event(case, settings, DATE_CORRECTED, {"event": "ofsted_notified"}).messages == []


def test_events_that_call_for_nothing_plan_nothing(settings):
    case = a_case("met-police")
    for event in (EventKind.OFSTED_NOTIFIED.value, EventKind.PANEL_CONSIDERED.value, "unknown"):
        assert plan_for_event(case, settings, event).messages == []


def test_letters_that_need_an_scr_are_refused_on_command_before_one(settings):
    case = a_case("met-police")
    assert "no decision" in why_not("decision_notification", case)
    assert "not a serious case review" in why_not("imr_letter", case)
    assert why_not("incident_notification", case) is None


def test_every_communication_that_meets_a_deadline_names_a_task_event():
    meets = {c.id: c.records for c in SCR_PROCEDURE.communications if c.records}
    assert meets.pop("director_informed") == "director_informed"  # version 2: procedure 4.3, the fifth task
    assert meets == {"incident_notification": EventKind.OFSTED_NOTIFIED,
                     "decision_notification": EventKind.DECISION_NOTIFIED,
                     "imr_letter": EventKind.IMR_LETTERS_SENT, "board_members_letter": EventKind.BOARD_MEMBERS_TOLD,
                     "reviewer_notification": EventKind.REVIEWER_NOTIFIED,
                     "prepublication_notice": EventKind.PUBLICATION_NOTICE_SENT}
