"""Procedure packs: the shipped SCR pack is sound and says what the engine does; a broken pack is
told, one line per problem, naming the file and the key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app as cli_app
from service.intake import instructions
from service.meetings.kinds import UnknownKind, kind_for, kind_names
from service.procedure.check import check
from service.procedure.pack import PackError, load_pack, parse_pack, read_pack, shipped
from service.procedure.views import dot, mermaid

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scr():
    return load_pack(shipped("enfield-scr-2013"))


def test_the_shipped_scr_pack_has_no_problems(scr):
    assert scr.id == "enfield-scr-2013" and scr.initial_stage.id == "referral_received"
    assert all(i.source for section in (scr.roles, scr.events, scr.stages, scr.deadlines, scr.communications,
                                        scr.meetings) for i in section)


def test_version_1_kept_by_the_migration_reads_without_problems_and_is_the_2013_engine():
    """The SCR procedure as the engine ran it before packs (migration 0006 gives it to every existing case):
    the tests that held the pack to the engine's old tables ran on this text."""
    from service.procedure.pack import from_text

    text = (ROOT / "service/store/migrations/versions/0006_enfield-scr-2013-v1.toml").read_text()
    v1 = from_text(text)
    assert v1.key == "enfield-scr-2013@1"
    assert [s.id for s in v1.stages][:4] == ["referral_received", "incident_notified", "panel_considering", "decided"]
    assert v1.rule("completion").starts == ("ofsted_notified",) and v1.rule("sqas_initial_tasks") is not None


def _edited(scr, *changes: tuple[str, str]):
    """The shipped pack's text with each (old, new) replaced once, read as another version."""
    text = scr.text.replace('id = "enfield-scr-2013"\nversion = "2"', 'id = "enfield-scr-2013"\nversion = "2-edited"')
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    procedure, problems = parse_pack(text, "edited")
    assert problems == [] and procedure is not None
    return procedure


# Meeting kinds are read from the pack: an edited pack is what the meeting code uses.
def test_the_meeting_kinds_are_the_packs_meetings(scr):
    assert kind_names(scr) == ("extraordinary", "terms_of_reference", "progress", "draft_report", "sign_off")
    for m in scr.meetings:
        kind = kind_for(m.id, scr)
        assert (kind.name, kind.title, kind.purpose, kind.agenda, kind.within_working_days, kind.required_roles,
                kind.agencies_required, kind.before_deadline, kind.counts_from, kind.asks_for_agency_reports) == (
            m.id, m.title, m.purpose, m.agenda, m.within_working_days, m.required, m.agencies_required,
            m.before_deadline, m.counts_from, m.asks_for_agency_reports)


def test_a_changed_window_agenda_line_and_title_in_a_pack_are_what_the_meeting_code_uses(scr):
    edited = _edited(scr, ("within_working_days = 20\nrequired = [\"chair\", \"police\", \"health\", "
                           "\"social-care\"]\nagencies_required = true\nsource = \"stage 7\"",
                           "within_working_days = 7\nrequired = [\"chair\", \"police\"]\n"
                           "agencies_required = true\nsource = \"stage 7\""),
                     ('"Emerging themes"', '"Emerging themes and early learning"'),
                     ('title = "Case panel: progress of the review"', 'title = "Panel: where the review stands"'))
    progress = kind_for("progress", edited)
    assert progress.within_working_days == 7 and progress.required_roles == ("chair", "police")
    assert "Emerging themes and early learning" in progress.agenda and progress.title == "Panel: where the review stands"
    shipped_progress = kind_for("progress", scr)  # the shipped pack is untouched
    assert shipped_progress.within_working_days == 20 and "Emerging themes" in shipped_progress.agenda


def test_the_settings_overrides_apply_on_top_of_the_cases_pack(scr, tmp_path):
    from service.config import load_settings

    example = ROOT / "config" / "review-clerk.example.toml"
    cfg = tmp_path / "review-clerk.toml"
    cfg.write_text(example.read_text() + "\n[meetings.kinds.progress]\nrequired_roles = [\"chair\"]\n")
    settings = load_settings(cfg, environ={})
    edited = _edited(scr, ('"Emerging themes"', '"Emerging themes and early learning"'))
    progress = kind_for("progress", edited, settings.meetings)
    assert progress.required_roles == ("chair",) and "Emerging themes and early learning" in progress.agenda


def test_a_meeting_without_a_title_is_invited_to_by_its_label_and_an_unknown_kind_names_the_packs_kinds(scr):
    edited = _edited(scr, ('title = "Case panel: draft overview report"\n', ""))
    assert kind_for("draft_report", edited).title == "Case panel: draft overview report"
    with pytest.raises(UnknownKind, match=r"no meeting kind 'tea' in .*enfield-scr-2013@2-edited.*kinds are: "
                                          r"extraordinary, terms_of_reference, progress"):
        kind_for("tea", edited)


def test_every_phrasing_of_an_outcome_is_understood_in_a_reply(scr):
    for outcome in scr.decisions[0].outcomes:
        for phrase in outcome.phrasings:
            read = instructions.decision([f"Decision: {phrase}", "reasons"], scr.decisions[0].outcomes)
            assert isinstance(read, instructions.Decision) and read.outcome == outcome.id, phrase


def test_the_graph_shows_every_stage_and_how_it_is_reached(scr):
    text = mermaid(scr)
    assert "[*] --> referral_received" in text and "referral_received --> incident_notified: ofsted_notified" in text
    assert "panel_considering --> scr_initiated: review_decision: scr" in text and "closed --> [*]" in text
    assert dot(scr).startswith('digraph "enfield-scr-2013"')


# Broken packs -----------------------------------------------------------------------------------
def _copy(tmp_path: Path, edit=None) -> Path:
    """The shipped pack copied with its templates, the procedure text passed through ``edit``."""
    pack = tmp_path / "board-pack"
    pack.mkdir()
    shutil.copytree(ROOT / "mail_templates", pack / "templates")
    text = (shipped() / "procedure.toml").read_text()
    text = text.replace('templates = "../../mail_templates"', 'templates = "templates"')
    (pack / "procedure.toml").write_text(edit(text) if edit else text)
    return pack


def _problems(pack: Path) -> list[str]:
    procedure, problems = read_pack(pack)
    if procedure is not None:
        problems += check(procedure, pack / "procedure.toml")
    return [str(p) for p in problems]


def test_a_copied_pack_with_its_templates_is_sound(tmp_path):
    assert _problems(_copy(tmp_path)) == []


def test_an_unknown_role_is_named_with_the_file_and_key(tmp_path):
    pack = _copy(tmp_path, lambda t: t.replace('owner = ["chair", "head_of_sqas"]',
                                               'owner = ["chair", "head_of_sqass"]'))
    [problem] = _problems(pack)
    assert problem.startswith(f"{pack / 'procedure.toml'}: deadlines.chair_sqas_discussion.owner: no role "
                              f"'head_of_sqass' in the pack")


def test_a_rule_starting_on_an_event_that_does_not_exist_is_told(tmp_path):
    pack = _copy(tmp_path, lambda t: t.replace('starts = "lead_reviewer_appointed"', 'starts = "reviewer_hired"'))
    assert any("deadlines.reviewer_to_national_panel.starts: no event 'reviewer_hired'" in p for p in _problems(pack))


def test_a_template_using_a_variable_it_is_not_given_is_told(tmp_path):
    pack = _copy(tmp_path)
    body = pack / "templates" / "acknowledgement" / "body.txt"
    body.write_text(body.read_text() + "\n{{ child_name }}\n")
    assert _problems(pack) == [f"{pack / 'procedure.toml'}: communications.acknowledgement.template: "
                               f"acknowledgement/body.txt uses 'child_name', which this communication is not given "
                               f"(add it to `variables` if the service provides it)"]


def test_a_stage_nothing_leads_to_is_unreachable(tmp_path):
    pack = _copy(tmp_path, lambda t: t + '\n[[stages]]\nid = "appeal"\nlabel = "Appeal"\nsource = "local practice"\n')
    assert any("stages.appeal: cannot be reached from the initial stage" in p for p in _problems(pack))


def test_a_missing_template_and_an_unknown_key_are_each_told(tmp_path):
    pack = _copy(tmp_path, lambda t: t.replace('template = "reminder"', 'template = "reminders"\ncolour = "red"'))
    problems = _problems(pack)
    assert any("communications.reminder.colour: unknown key" in p for p in problems)
    assert any("communications.reminder.template: no " in p and "reminders/subject.txt" in p for p in problems)


def test_a_pack_that_is_not_toml_says_where(tmp_path):
    pack = _copy(tmp_path, lambda t: t.replace('[procedure]', '[procedure'))
    [problem] = _problems(pack)
    assert "is not valid TOML" in problem and "line" in problem
    with pytest.raises(PackError):
        load_pack(pack)


def test_procedure_check_exits_1_with_one_line_per_problem(tmp_path):
    pack = _copy(tmp_path, lambda t: t.replace('\nby = "chair"', '\nby = "judge"')
                 .replace('unit = "working_days"\nowner = "chair"', 'unit = "fortnights"\nowner = "chair"', 1))
    result = CliRunner().invoke(cli_app, ["procedure", "check", str(pack)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(str(pack / "procedure.toml")) for line in lines)
    (tmp_path / "ok").mkdir()
    assert CliRunner().invoke(cli_app, ["procedure", "check", str(_copy(tmp_path / "ok"))]).exit_code == 0


def test_procedure_show_json_and_graph_from_the_command_line():
    runner = CliRunner()
    shown = runner.invoke(cli_app, ["procedure", "show", "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["id"] == "enfield-scr-2013"
    graph = runner.invoke(cli_app, ["procedure", "graph", "--format", "dot"])
    assert graph.exit_code == 0 and "referral_received -> incident_notified" in graph.output
