"""What is past its retention period: the pure decisions of service/retention_plan.py, no database."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from service.config import ConfigError, Retention, load_settings
from service.retention_plan import CaseFacts, MailFacts, SentFacts, add_years, plan, retention_start
from service.store.retention_repository import anonymous_referrer, attachments_metadata, has_body, placeholder_subjects

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"

POLICY = Retention()  # 25 years after closing; unlinked mail 365 days; sent bodies 730 days
NOW = datetime(2040, 3, 1, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


def closed(id_=1, on=date(2015, 3, 1), **kw) -> CaseFacts:
    return CaseFacts(id=id_, reference=f"ESCB-2014-{id_:03d}", stage="closed", closed_on=on,
                     decided_on=date(2014, 6, 1), **kw)


def mail(id_=1, status="not_referral", case_id=None, age_days=400, **kw) -> MailFacts:
    return MailFacts(id=id_, status=status, case_id=case_id, stored_at=NOW - timedelta(days=age_days), **kw)


def sent(id_=1, case_id=None, age_days=800, **kw) -> SentFacts:
    return SentFacts(id=id_, case_id=case_id, status=kw.pop("status", "sent"),
                     sent_at=NOW - timedelta(days=age_days), **kw)


# Settings ----------------------------------------------------------------------------------
def test_the_default_periods_are_25_years_after_closing_one_year_for_unlinked_mail_two_for_bodies():
    s = load_settings(EXAMPLE, environ={})
    assert (s.retention.closed_cases_years, s.retention.unlinked_mail_days, s.retention.sent_bodies_days) == \
        (25, 365, 730)


def test_a_retention_period_can_be_set_in_the_environment():
    s = load_settings(EXAMPLE, environ={"REVIEW_CLERK_RETENTION__CLOSED_CASES_YEARS": "35"})
    assert s.retention.closed_cases_years == 35


def test_a_case_period_shorter_than_six_years_is_refused_naming_the_key():
    with pytest.raises(ConfigError) as exc:
        load_settings(EXAMPLE, environ={"REVIEW_CLERK_RETENTION__CLOSED_CASES_YEARS": "1"})
    assert "retention.closed_cases_years = '1'" in str(exc.value) and "6" in str(exc.value)


def test_a_misspelt_retention_setting_is_refused():
    with pytest.raises(ConfigError) as exc:
        load_settings(EXAMPLE, environ={"REVIEW_CLERK_RETENTION__CLOSED_CASE_YEARS": "30"})
    assert "retention.closed_case_years: not a setting" in str(exc.value)


# Cases -------------------------------------------------------------------------------------
def test_years_are_counted_to_the_same_day_and_29_february_becomes_28():
    assert add_years(date(2015, 3, 1), 25) == date(2040, 3, 1)
    assert add_years(date(2016, 2, 29), 25) == date(2041, 2, 28)
    assert add_years(date(2016, 2, 29), 24) == date(2040, 2, 29)


def test_a_closed_case_is_anonymised_on_the_anniversary_of_its_closing_not_the_day_before():
    due = plan(POLICY, NOW, TODAY, [closed(on=date(2015, 3, 1))])
    assert [(d.reference, d.basis, d.due_on) for d in due.anonymise] == [("ESCB-2014-001", "closed",
                                                                         date(2040, 3, 1))]
    assert plan(POLICY, NOW, TODAY, [closed(on=date(2015, 3, 2))]).anonymise == []


def test_a_case_decided_without_an_scr_and_never_closed_counts_from_the_decision():
    case = CaseFacts(1, "ESCB-2014-001", "decided", decided_on=date(2015, 1, 10))
    assert retention_start(case) == ("decided", date(2015, 1, 10))
    assert [d.basis for d in plan(POLICY, NOW, TODAY, [case]).anonymise] == ["decided"]


@pytest.mark.parametrize("stage", ["referral_received", "panel_considering", "scr_initiated", "review",
                                   "publication", "learning"])
def test_a_case_still_in_progress_is_never_due_however_old(stage):
    case = CaseFacts(1, "ESCB-1990-001", stage, decided_on=date(1990, 1, 1))
    assert retention_start(case) is None
    assert plan(POLICY, NOW, TODAY, [case]).nothing_to_do


def test_a_case_under_legal_hold_is_kept_and_reported_whatever_its_age():
    p = plan(POLICY, NOW, TODAY, [closed(on=date(1990, 1, 1), legal_hold=True)])
    assert p.anonymise == [] and [d.reference for d in p.kept_on_hold] == ["ESCB-2014-001"]
    assert p.nothing_to_do


def test_a_case_with_letters_still_to_go_waits_for_them():
    p = plan(POLICY, NOW, TODAY, [closed(letters_pending=1)])
    assert p.anonymise == [] and [d.reference for d in p.waiting_for_letters] == ["ESCB-2014-001"]


def test_a_case_anonymised_already_is_not_planned_again():
    assert plan(POLICY, NOW, TODAY, [closed(anonymised=True)]).nothing_to_do


def test_a_longer_period_keeps_the_case():
    assert plan(Retention(closed_cases_years=35), NOW, TODAY, [closed()]).anonymise == []


# Mail --------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["not_referral", "quarantined", "held", "failed", "duplicate", "reply"])
def test_handled_mail_linked_to_no_case_is_deleted_a_year_after_it_arrived(status):
    p = plan(POLICY, NOW, TODAY, [], [mail(1, status, age_days=366), mail(2, status, age_days=364)])
    assert p.delete_mail == [1] and p.delete_mail_by_status == {status: 1}


def test_mail_not_yet_processed_or_not_yet_filed_in_the_mailbox_is_kept():
    p = plan(POLICY, NOW, TODAY, [], [mail(1, "new", age_days=5000), mail(2, "held", age_days=5000, filed=False)])
    assert p.delete_mail == []


def test_mail_linked_to_a_case_is_kept_while_the_case_is():
    p = plan(POLICY, NOW, TODAY, [closed(on=date(2030, 1, 1))], [mail(1, "processed", case_id=1, age_days=5000)])
    assert p.nothing_to_do


def test_mail_filed_against_a_case_after_it_was_anonymised_is_emptied_unless_held_or_empty():
    cases = [closed(1, anonymised=True), closed(2, anonymised=True, legal_hold=True)]
    p = plan(POLICY, NOW, TODAY, cases, [mail(10, "reply", case_id=1, age_days=1),
                                         mail(11, "reply", case_id=1, age_days=1, has_raw=False),
                                         mail(12, "reply", case_id=2, age_days=1)])
    assert p.clear_late_mail == [10]


# Sent messages -----------------------------------------------------------------------------
def test_a_sent_body_is_removed_two_years_after_sending_and_only_once():
    p = plan(POLICY, NOW, TODAY, [], [], [sent(1, age_days=731), sent(2, age_days=729),
                                         sent(3, age_days=900, has_body=False)])
    assert p.strip_sent == [1]


def test_messages_not_sent_keep_their_bodies():
    p = plan(POLICY, NOW, TODAY, [], [], [sent(1, status="failed"), sent(2, status="awaiting_review")])
    assert p.strip_sent == []


def test_bodies_of_a_case_under_legal_hold_are_kept_and_counted():
    p = plan(POLICY, NOW, TODAY, [closed(1, on=date(2030, 1, 1), legal_hold=True)], [],
             [sent(1, case_id=1), sent(2, case_id=None)])
    assert p.strip_sent == [2] and p.sent_kept_on_hold == 1


def test_bodies_of_a_case_being_anonymised_are_left_to_the_anonymisation():
    p = plan(POLICY, NOW, TODAY, [closed(1)], [], [sent(1, case_id=1)])
    assert [d.id for d in p.anonymise] == [1] and p.strip_sent == []


# What anonymisation writes ------------------------------------------------------------------
def test_people_named_become_numbered_placeholders_keeping_only_their_role():
    subjects = [{"name": "Amy Smith", "role": "child", "relationship": "daughter", "date_of_birth": "2010-01-01",
                 "address": "1 High St"},
                {"name": "Bob Smith", "role": "adult", "relationship": "father of Amy", "date_of_birth": None,
                 "address": "1 High St"},
                {"name": "Cat Smith", "role": "child"}, {"name": "D", "role": "neighbour"}]
    out = placeholder_subjects(subjects)
    assert [(s["name"], s["role"]) for s in out] == [("Child 1", "child"), ("Adult 1", "adult"),
                                                     ("Child 2", "child"), ("Person 1", "unknown")]
    assert all(s["date_of_birth"] is None and s["address"] is None and s["relationship"] is None for s in out)
    assert "Smith" not in repr(out) and "High St" not in repr(out)


def test_the_referrer_keeps_only_the_agency():
    assert anonymous_referrer({"name": "R", "agency": "Police", "telephone": "1", "email": "r@x.org"}) == \
        {"name": None, "agency": "Police", "telephone": None, "email": None}


def test_a_stripped_letter_keeps_its_attachment_names_and_has_no_body():
    kept = attachments_metadata([{"filename": "ESCB-2014-001 IMR letter.docx", "content_type": "x",
                                  "data_b64": "AAAA"}])
    assert kept == [{"filename": "ESCB-2014-001 IMR letter.docx", "content_type": "x"}]
    assert not has_body("", None, kept)
    assert has_body("", None, [{"filename": "a", "data_b64": "AAAA"}]) and has_body("Dear", None, [])
