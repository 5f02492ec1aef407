"""A board changes its procedure without code: a copy of the shipped pack, edited, named in the configuration."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from test_cli import drop_samples

ROOT = Path(__file__).resolve().parents[2]
REF = "ESCB-2014-001"
LONDON = ZoneInfo("Europe/London")


def own_pack(folder: Path, edit) -> Path:
    """The shipped SCR pack copied into the board's folder with the templates, edited by ``edit``."""
    pack = folder / "our-scr"
    pack.mkdir()
    shutil.copytree(ROOT / "mail_templates", pack / "templates")
    text = (ROOT / "procedures" / "enfield-scr-2013" / "procedure.toml").read_text()
    text = text.replace('templates = "../../mail_templates"', 'templates = "templates"')
    (pack / "procedure.toml").write_text(edit(text))
    return pack


def use_pack(folder: Path, path: str) -> None:
    config = folder / "review-clerk.toml"
    text = config.read_text()
    assert 'pack = "enfield-scr-2013"' in text  # init writes the shipped pack's id
    config.write_text(text.replace('pack = "enfield-scr-2013"', f'pack = "{path}"'))


def changed(text: str) -> str:
    # One timescale changed: the Chair and the Head of SQAS discuss within 2 working days, not 1.
    old = 'id = "chair_sqas_discussion"\nlabel = "Discussion between the LSCB Chair and the Head of SQAS"\n' \
          'starts = "referral_received"\namount = 1\n'
    assert old in text
    text = text.replace(old, old.replace("amount = 1", "amount = 2"))
    text = text.replace('id = "enfield-scr-2013"\nversion = "2"', 'id = "our-scr"\nversion = "1"')
    # One deadline rule added: a strategy discussion with the police within 3 working days of the referral.
    return text + '''
[[deadlines]]
id = "police_strategy_discussion"
label = "Strategy discussion with the police about other children in the household"
starts = "referral_received"
amount = 3
unit = "working_days"
owner = "head_of_sqas"
source = "local practice: the board's own rule"
'''


def test_a_copied_pack_with_a_changed_timescale_and_a_new_rule_is_what_case_show_and_forecast_use(cli):
    own_pack(cli.folder, changed)
    use_pack(cli.folder, "./our-scr")
    check = cli("procedure", "check", str(cli.folder / "our-scr"))
    assert check.exit_code == 0, check.output
    drop_samples(cli.folder)
    run = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert run.exit_code == 0, run.output

    shown = json.loads(cli("case", "show", REF, "--json").output)
    assert shown["procedure"] == "our-scr@1"
    deadlines = {d["key"]: d for d in shown["deadlines"]}
    assert deadlines["chair_sqas_discussion"]["due"] == "2014-05-14"  # Monday + 2 working days
    assert "within 2 working days" in deadlines["chair_sqas_discussion"]["rule"]
    new = deadlines["police_strategy_discussion"]
    assert new["due"] == "2014-05-15" and new["owner"] == "head_of_sqas"
    assert "the board's own rule" in new["rule"]
    screen = cli("case", "show", REF).output
    assert "police_strategy_discussion" in screen and "2014-05-15" in screen

    # The forecast as `review-clerk forecast` computes it, on the board's folder, on the Monday after the run.
    from service.bootstrap import build_app
    from service.clock import FixedClock
    from service.config import load_settings
    from service.forecast import forecast

    settings = load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env)
    app = build_app(settings, FixedClock(datetime(2014, 5, 12, 9, 31, tzinfo=LONDON)), check_templates=False)
    actions = [a for a in forecast(app, date(2014, 5, 16)) if a.reference == REF]
    mine = [a for a in actions if "police_strategy_discussion" in a.what]
    assert [(a.at.date(), a.kind) for a in mine] == [(date(2014, 5, 14), "reminder"), (date(2014, 5, 15), "reminder"),
                                                     (date(2014, 5, 16), "escalation")]
    assert all(settings.people.head_of_sqas.email in a.to for a in mine)
    assert "the board's own rule" in mine[0].rule
    discussion = [a for a in actions if "chair_sqas_discussion" in a.what]
    assert [a.at.date() for a in discussion][:2] == [date(2014, 5, 13), date(2014, 5, 14)]  # 1 before, on the day


def test_a_pack_edited_without_a_new_version_stops_the_service_with_one_line(cli):
    drop_samples(cli.folder)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0  # cases open under enfield-scr-2013@2
    own_pack(cli.folder, lambda t: t.replace("amount = 6\nunit = \"calendar_months\"", "amount = 9\nunit = \"calendar_months\""))
    use_pack(cli.folder, "./our-scr")
    r = cli("cases", "list")
    assert r.exit_code == 2
    assert "enfield-scr-2013 version 2 has changed since cases were opened under it" in r.output
    assert "Traceback" not in r.output


def test_a_case_moves_to_another_version_only_on_purpose_and_says_what_changed(cli):
    drop_samples(cli.folder)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    own_pack(cli.folder, lambda t: changed(t).replace('id = "our-scr"\nversion = "1"',
                                                      'id = "enfield-scr-2013"\nversion = "2-local"'))
    use_pack(cli.folder, "./our-scr")
    before = json.loads(cli("case", "show", REF, "--json").output)
    assert before["procedure"] == "enfield-scr-2013@2"  # the version it was opened under, whatever the pack now
    versions = json.loads(cli("procedure", "versions", "--json").output)
    assert [(v["version"], v["cases"], v["new cases"]) for v in versions] == [
        ("1", 0, ""), ("2", 2, ""), ("2-local", 0, "yes")]
    r = cli("case", "migrate-procedure", REF, "--to", "2-local", "--reason", "the board adopted its own rules")
    assert r.exit_code == 0, r.output
    assert "new deadline police_strategy_discussion, due 2014-05-15" in r.output
    assert "chair_sqas_discussion now due 2014-05-14 (was 2014-05-13)" in r.output
    after = json.loads(cli("case", "show", REF, "--json").output)
    assert after["procedure"] == "enfield-scr-2013@2-local"
    assert [h["action"] for h in after["history"]].count("procedure migrated") == 1
    other = json.loads(cli("case", "show", "ESCB-2014-002", "--json").output)
    assert other["procedure"] == "enfield-scr-2013@2"


def test_a_communication_added_to_the_pack_is_sent_when_its_event_is_recorded(cli):
    """The board adds a copy of the decision's outcome to the Head of the Children in Need Service."""
    def add_letter(text: str) -> str:
        return changed(text) + '''
[[communications]]
id = "outcome_to_cin"
label = "The decision's outcome, for the Head of the Children in Need Service"
template = "decision_outcome"
trigger = "decided"
to = ["role:head_of_cin"]
signatory = "business_manager"
source = "local practice: the board's own letter"
'''

    own_pack(cli.folder, add_letter)
    use_pack(cli.folder, "./our-scr")
    drop_samples(cli.folder)
    run = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert run.exit_code == 0, run.output
    r = cli("case", "decide", REF, "--outcome", "none", "--date", "2014-05-12", "--reason", "criteria not met")
    assert r.exit_code == 0, r.output
    shown = json.loads(cli("case", "show", REF, "--json").output)
    mine = [m for m in shown["messages"] if m["template"] == "outcome_to_cin"]
    assert [(m["key"], m["to"]) for m in mine] == [(f"{REF}/outcome_to_cin/head_of_cin", ["cin.head@enfield.example.org"])]
    listed = cli("letters", "list", "--json")
    assert "outcome_to_cin" in listed.output and "the board's own letter" in listed.output


def test_a_pack_whose_letter_has_no_template_stops_the_service_naming_the_key(cli):
    own_pack(cli.folder, lambda t: t.replace('template = "decision_outcome"', 'template = "decision_outcomes"'))
    use_pack(cli.folder, "./our-scr")
    r = cli("cases", "list")
    assert r.exit_code == 2 and "communications.decision_outcome.template" in r.output and "Traceback" not in r.output
