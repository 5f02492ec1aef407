"""A referral the service could not take by itself: listed daily, then opened by hand with what a person adds."""

from __future__ import annotations

import json

import pytest
from test_intake_service import drop, inbox_rows, mail, outbox_rows

from service import cases
from service.intake.details import DetailsProblem, apply_details
from service.intake.by_hand import open_by_hand, read_stored
from service.intake.processing import file_handled
from service.intake.report import daily_report
from service.jobs import read_inbox

LETTER = """Dear Business Manager,

I am writing about a little girl who came into hospital last week with injuries that worry us.
I would like the Board to consider whether a review is needed. Please call me to discuss.

Jo Bloggs
Safeguarding Lead Nurse
"""


@pytest.fixture
def letter(app) -> int:
    drop(app, "letter.eml", mail(LETTER, msgid="<letter@nhs.example.org>", sender="jo.bloggs@nhs.example.org",
                                 subject="A child we are worried about"))
    read_inbox(app)
    [row] = inbox_rows(app)
    assert row["status"] == "not_referral" and row["kind"] == "enquiry"
    return row["id"]


def details() -> dict:
    return {"referral_date": "12/05/2014", "summary": "Admitted with unexplained injuries.",
            "subjects": [{"name": "Amelia Letter", "role": "child", "relationship": None,
                          "date_of_birth": "03/02/2010", "address": "1 Example Road, Enfield"}],
            "referrer": {"name": "Jo Bloggs", "agency": "North Middlesex Hospital", "telephone": "020 8887 2000",
                         "email": "jo.bloggs@nhs.example.org"}}


def test_an_enquiry_is_in_the_daily_report_so_a_letter_written_as_prose_is_not_lost(app, letter):
    assert daily_report(app)
    [report] = outbox_rows(app, "intake_report")
    assert "enquiry" in report["text"] and "review-clerk inbox open ID --details FILE" in report["text"]


def test_a_person_opens_the_case_with_the_details_they_read_and_it_runs_like_any_other(app, letter):
    outcome = open_by_hand(app, letter, "business manager", details())
    file_handled(app)
    assert outcome.reference == "ESCB-2014-001"
    shown = cases.show(app, "ESCB-2014-001")
    assert shown["subjects"][0]["name"] == "Amelia Letter" and shown["subjects"][0]["date_of_birth"] == "2010-02-03"
    assert set(shown["missing"]) == {"request", "criteria_statement"}
    assert any(h["action"] == "case opened by hand from a message" and h["actor"] == "business manager"
               for h in shown["history"])
    row = inbox_rows(app)[0]
    assert row["status"] == "processed" and "by hand by business manager (was not_referral)" in row["outcome"]
    assert row["case_id"] is not None
    [ack] = outbox_rows(app, "missing_information")  # the referrer is asked for what the letter did not say
    assert ack["to"] == ["jo.bloggs@nhs.example.org"]
    assert outbox_rows(app, "incident_notification"), "the Ofsted notification is prepared as for any referral"
    folder = app.settings.data_dir / "mail"
    assert (folder / "processed" / "letter.eml").exists() and not (folder / "not-referral" / "letter.eml").exists()


def test_the_same_referral_cannot_be_opened_twice(app, letter):
    open_by_hand(app, letter, "bm", details())
    with pytest.raises(ValueError, match="is processed"):
        open_by_hand(app, letter, "bm", details())


def test_a_message_already_a_case_or_unknown_is_refused_with_a_clear_reason(app, letter):
    with pytest.raises(LookupError, match="no message 999"):
        open_by_hand(app, 999, "bm")


def test_what_the_service_read_is_shown_for_a_person_to_complete(app, letter):
    shown = read_stored(app, letter)
    assert shown["status"] == "not_referral" and shown["referral"]["kind"] == "enquiry"


@pytest.mark.parametrize("bad, says", [
    ({"subjects": [{"role": "child"}]}, "subjects[1].name is required"),
    ({"subjects": [{"name": "A B", "role": "baby"}]}, "subjects[1].role must be one of"),
    ({"subjects": [{"name": "A B", "date_of_birth": "next tuesday"}]}, "subjects[1].date_of_birth is not a date"),
    ({"referral_date": "31/02/2014"}, "referral_date is not a date"),
    ({"referrer": {"mobile": "07"}}, "referrer: unknown field(s) mobile"),
    ({"childs_name": "A B"}, "unknown field(s) childs_name"),
    ([], "must be an object"),
])
def test_details_that_cannot_be_used_name_the_field_never_the_value(bad, says):
    with pytest.raises(DetailsProblem) as caught:
        apply_details({}, bad)
    assert says in str(caught.value)
    assert "next tuesday" not in str(caught.value) and "A B" not in str(caught.value)


def test_the_commands_show_and_open_a_message_as_a_person_would(cli, tmp_path):
    (cli.folder / "data" / "mail" / "inbox" / "letter.eml").write_bytes(
        mail(LETTER, msgid="<letter@nhs.example.org>", sender="jo.bloggs@nhs.example.org", subject="A child we are worried about"))
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    [row] = json.loads(cli("inbox", "list", "--json").output)
    shown = cli("inbox", "show", str(row["id"]))
    assert shown.exit_code == 0 and "not_referral" in shown.output
    read = json.loads(cli("inbox", "show", str(row["id"]), "--json").output)
    read.update(details())
    (tmp_path / "r.json").write_text(json.dumps(read))
    opened = cli("inbox", "open", str(row["id"]), "--details", str(tmp_path / "r.json"), "--by", "bm")
    assert opened.exit_code == 0, opened.output
    assert "case ESCB-2014-001 opened; see it with: review-clerk case show ESCB-2014-001" in opened.output
    assert "delete it when you no longer need it" in opened.output
    (tmp_path / "bad.json").write_text("{not json")
    bad = cli("inbox", "open", str(row["id"]), "--details", str(tmp_path / "bad.json"))
    assert bad.exit_code != 0 and "is not JSON" in bad.output
