"""`review-clerk case confirm REF` (service/cli/confirm.py): what was read beside the line of the form it was
read from, and corrections one value at a time (--remove-person, --set-name, --set-dob, --set-role ...),
audited by field name, never by value."""

from __future__ import annotations

import json

import pytest
from test_person_asked_per_kind import slash_line_town_as_name

from service.intake.confirmation import CorrectionProblem, Corrections, beside, corrected_subjects

READ = [
    {"name": "Amelia Test", "role": "child", "relationship": "child", "date_of_birth": "2010-02-03", "address": "1 Example Road"},
    {"name": "Enfield", "role": "adult", "relationship": "mother", "date_of_birth": "1988-06-14", "address": "1 Example Road"},
]


def test_corrections_refer_to_the_subjects_as_read_whatever_is_removed():
    out = corrected_subjects(READ, Corrections(remove=[1], names={2: " Grace   Test "}, roles={2: "adult"}))
    assert out == [{**READ[1], "name": "Grace Test"}]


def test_a_date_of_birth_can_be_set_and_cleared_and_a_person_added():
    out = corrected_subjects(READ, Corrections(dates_of_birth={1: "03/02/2010", 2: ""}, add=["Sam Test"]))
    assert [s["date_of_birth"] for s in out] == ["03/02/2010", None, None]
    assert out[2] == {"name": "Sam Test", "role": "unknown", "relationship": None, "date_of_birth": None, "address": None}


@pytest.mark.parametrize("corrections, problem", [
    (Corrections(remove=[3]), "there is no subject 3 (the referral was read with 2)"),
    (Corrections(roles={1: "parent"}), "subject 1: the role is one of child, adult, unknown"),
    (Corrections(remove=[2], names={2: "Grace Test"}), "subject 2 is both removed and corrected"),
    (Corrections(names={1: "  "}), "subject 1: a name cannot be empty"),
])
def test_a_correction_that_cannot_be_made_names_the_subject_not_the_value(corrections, problem):
    with pytest.raises(CorrectionProblem) as exc:
        corrected_subjects(READ, corrections)
    assert str(exc.value) == problem


def test_a_value_is_shown_beside_the_line_of_the_form_that_holds_it():
    lines = ["Family:", "Child / Amelia Test / 03/02/2010 / 1 Example Road", "Mother / Enfield / 14/06/1988 / 1 Example Road"]
    assert beside("Amelia Test", lines) == "Child / Amelia Test / 03/02/2010 / 1 Example Road"
    assert beside("Enfield", lines) == "Mother / Enfield / 14/06/1988 / 1 Example Road"
    assert beside("Nobody Here", lines) is None


def _opened(cli) -> str:
    (cli.folder / "data" / "mail" / "inbox" / "slash.eml").write_bytes(slash_line_town_as_name())
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    [case] = json.loads(cli("cases", "list", "--json").output)
    return case["reference"]


def test_case_confirm_shows_each_subject_beside_its_source_line_then_removes_the_place(cli):
    ref = _opened(cli)
    shown = cli("case", "confirm", ref)
    assert shown.exit_code == 0, shown.output
    assert "subject 2's name looks like a street or place" in shown.output
    assert "subject 2: Enfield | mother" in shown.output
    assert "from: Mother / Enfield / 14/06/1988 / 1 Example Road, Enfield, EN1 1AA" in shown.output
    assert "--remove-person N" in shown.output

    done = cli("case", "confirm", ref, "--remove-person", "2", "--set-name", "1", "Amelia Jane Test",
               "--set-role", "1", "child")
    assert done.exit_code == 0, done.output
    assert f"{ref}: the referral's reading is confirmed (subjects corrected)" in done.output
    read = json.loads(cli("case", "confirm", ref, "--json").output)
    assert [(s["name"], s["role"]) for s in read["subjects"]] == [("Amelia Jane Test", "child")]
    assert read["to_confirm"] == []
    assert "nothing left to confirm" in cli("case", "confirm", ref).output
    history = json.loads(cli("case", "show", ref, "--json").output)["history"]
    last = history[-1]
    assert last["action"] == "referral reading confirmed" and last["detail"]["corrected"] == ["subjects"]
    assert "Amelia" not in json.dumps(last) and "Enfield" not in json.dumps(last)


def test_case_confirm_sets_a_date_of_birth_and_refuses_a_subject_that_is_not_there(cli):
    ref = _opened(cli)
    wrong = cli("case", "confirm", ref, "--remove-person", "7")
    assert wrong.exit_code == 1 and "there is no subject 7 (the referral was read with 2)" in wrong.output
    bad_date = cli("case", "confirm", ref, "--set-dob", "1", "31/02/2010")
    assert bad_date.exit_code == 1 and "31/02/2010" not in bad_date.output  # the field is named, never the value
    assert "to confirm:" in cli("case", "confirm", ref).output  # nothing was confirmed by a refused correction
    done = cli("case", "confirm", ref, "--set-dob", "2", "15/06/1988", "--set-name", "2", "Grace Test")
    assert done.exit_code == 0, done.output
    read = json.loads(cli("case", "confirm", ref, "--json").output)
    assert read["subjects"][1]["date_of_birth"] == "1988-06-15" and read["subjects"][1]["name"] == "Grace Test"


def test_accept_confirms_as_read(cli):
    ref = _opened(cli)
    done = cli("case", "confirm", ref, "--accept")
    assert done.exit_code == 0 and f"{ref}: the referral's reading is confirmed as read" in done.output
    assert "nothing left to confirm" in cli("case", "confirm", ref).output
