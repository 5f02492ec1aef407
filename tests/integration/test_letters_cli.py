"""`review-clerk letters ...` driven as a person would."""

from __future__ import annotations

import email
import email.policy
import io
import json
from datetime import date, datetime, timezone

import pytest
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()
from docx import Document


REF = "ESCB-2014-001"


@pytest.fixture
def scr_case(cli):
    """A case decided as an SCR, its letters queued (through the use cases, as the CLI would)."""
    from service import cases
    from service.bootstrap import build_app
    from service.config import load_settings
    from service.domain.model import Case, Referrer, Subject
    from service.domain.model_types import Outcome

    application = build_app(load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env))
    at = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
    case = Case.open(REF, date(2014, 5, 12), at, "test", subjects=[Subject("Amelia Demo", "child", "child")],
                     referrer=Referrer("Karen Sample", "Police", None, "karen.sample@met-police.example.org"), procedure=SCR_PROCEDURE)
    case.add_agency("met-police", at, "test")
    with application.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 1)
        uow.commit()
    cases.decide(application, REF, Outcome.SCR, date(2014, 5, 12), "criteria met", "chair")
    application.db.dispose()
    return REF


def test_letters_list_gives_each_communication_its_trigger_recipients_and_mode(cli):
    result = cli("letters", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert {"incident_notification", "decision_notification", "imr_letter", "board_members_letter", "other_lscb",
            "reviewer_notification", "prepublication_notice", "acknowledgement", "not_sent"} <= set(rows)
    assert rows["incident_notification"]["mode"] == "review by escb.chair@enfield.example.org"
    assert rows["imr_letter"]["attached"] == "letter + chronology" and rows["imr_letter"]["mode"] == "auto"
    table = cli("letters", "list")
    assert table.exit_code == 0 and "imr_letter" in table.output


def test_preview_renders_the_sample_case_and_writes_the_word_letter(cli, tmp_path):
    out = tmp_path / "letter.docx"
    result = cli("letters", "preview", "imr_letter", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "[ESCB-2014-007] Serious case review" in result.output
    assert "attached: ESCB-2014-007 Chronology template.docx" in result.output
    text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "Our reference: ESCB-2014-007" in text and "Dear " in text


def test_preview_of_a_real_case_writes_the_whole_message(cli, scr_case, tmp_path):
    out = tmp_path / "message.eml"
    result = cli("letters", "preview", "board_members_letter", "--case", scr_case, "--out", str(out))
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == f"[{REF}] A serious case review will take place"
    assert [p.get_filename() for p in message.iter_attachments()] == [
        f"{REF} Letter from the Chair to Board members.docx"]


def test_a_request_to_another_lscb_is_queued_on_command_once(cli, scr_case):
    args = ("letters", "send", scr_case, "other_lscb", "--to", "BM@haringey-lscb.org.uk", "--name", "Haringey LSCB")
    first = cli(*args)
    assert first.exit_code == 0, first.output
    assert f"queued {REF}/other_lscb/bm@haringey-lscb.org.uk" in first.output
    again = cli(*args)
    assert "already queued or sent" in again.output
    shown = json.loads(cli("case", "show", scr_case, "--json").output)
    assert [m["to"] for m in shown["messages"] if m["template"] == "other_lscb"] == [["bm@haringey-lscb.org.uk"]]


def test_letters_go_only_to_the_recipients_on_file(cli, scr_case):
    result = cli("letters", "send", scr_case, "imr_letter", "--to", "someone@example.org")
    assert result.exit_code == 1 and "only for a letter to an address given" in result.output
    unknown = cli("letters", "send", scr_case, "imr_leter")
    assert unknown.exit_code == 1 and "no communication 'imr_leter'" in unknown.output
    assert cli("letters", "send", scr_case, "reminder").exit_code == 1


def test_a_letter_that_already_went_is_not_queued_again_on_command(cli, scr_case):
    result = cli("letters", "send", scr_case, "imr_letter")
    assert result.exit_code == 0, result.output
    assert f"already queued or sent: {REF}/imr_letter/met-police" in result.output
