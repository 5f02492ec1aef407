"""Meeting kinds are the case's procedure pack's ``[[meetings]]``: a board that copies the shipped pack and
changes a meeting's window, title or an agenda line gets exactly that, with no code changed, for the cases
opened under its pack; cases opened under the shipped pack keep the shipped meetings."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from service.domain import calendar as wd
from service.domain.model import Case
from service.procedure.pack import default as _default_procedure

ROOT = Path(__file__).resolve().parents[2]
OURS, SHIPPED = "ESCB-2014-001", "ESCB-2014-002"
OLD_LINE, NEW_LINE = "Involving the family", "Involving the family and the child's wishes and feelings"


def edited(text: str) -> str:
    text = text.replace('id = "enfield-scr-2013"\nversion = "2"', 'id = "our-scr"\nversion = "1"')
    text = text.replace('templates = "../../mail_templates"', 'templates = "templates"')
    old = ('id = "terms_of_reference"\nlabel = "Case panel: terms of reference and scope"\n'
           'title = "Case panel: terms of reference and scope"\n')
    assert old in text
    text = text.replace(old, old.replace('title = "Case panel: terms of reference and scope"',
                                         'title = "Case panel: scope, terms and the family"'))
    assert text.count("within_working_days = 15\n") == 1 and text.count(f'"{OLD_LINE}"') == 1
    return text.replace("within_working_days = 15\n", "within_working_days = 3\n").replace(
        f'"{OLD_LINE}"', f'"{NEW_LINE}"')


@pytest.fixture
def cli(cli):
    """A board running its own copy of the SCR pack (one meeting kind changed), with one case opened under it
    and one opened earlier under the shipped pack."""
    from service.bootstrap import build_app
    from service.config import load_settings

    pack = cli.folder / "our-scr"
    pack.mkdir()
    shutil.copytree(ROOT / "mail_templates", pack / "templates")
    (pack / "procedure.toml").write_text(edited((ROOT / "procedures/enfield-scr-2013/procedure.toml").read_text()))
    assert cli("procedure", "check", str(pack)).exit_code == 0
    config = cli.folder / "review-clerk.toml"
    assert 'pack = "enfield-scr-2013"' in config.read_text()
    config.write_text(config.read_text().replace('pack = "enfield-scr-2013"', 'pack = "./our-scr"'))

    application = build_app(load_settings(config, environ=cli.db_env), check_templates=False)
    assert application.procedure.key == "our-scr@1"
    now = application.clock.now()
    with application.db.unit_of_work() as uow:
        for seq, (ref, procedure) in enumerate(((OURS, application.procedure), (SHIPPED, _default_procedure())), 1):
            case = Case.open(ref, date(2014, 5, 12), now, "test", procedure=procedure)
            case.add_agency("met-police", now, "test")
            uow.cases.add(case, 2014, seq)
        uow.commit()
    application.db.dispose()
    return cli


def scheduled(cli, reference: str) -> dict:
    result = cli("meeting", "schedule", reference, "--kind", "terms_of_reference")
    assert result.exit_code == 0, result.output
    [m] = json.loads(cli("meeting", "list", reference, "--json").stdout)
    assert m["state"] == "scheduled" and m["in_calendar"], m
    return m


def invitation(cli, m: dict) -> str:
    [ics] = [p for p in (cli.folder / "data" / "calendar").glob("*.ics") if m["reference"] in p.read_text()]
    unfolded = ics.read_bytes().decode("utf-8").replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")
    return unfolded.replace("\\n", "\n")


def test_a_changed_meeting_kind_in_the_boards_pack_is_what_the_meeting_code_uses(cli):
    m = scheduled(cli, OURS)
    assert m["title"] == "Case panel: scope, terms and the family"
    today = datetime.now().date()
    assert date.fromisoformat(m["start"][:10]) <= wd.add_working_days(today, 3)  # its 3 working days, not 15
    text = invitation(cli, m)
    assert "Case panel: scope, terms and the family" in text and "the child's wishes and feelings" in text


def test_a_case_opened_under_the_shipped_pack_keeps_the_shipped_meeting(cli):
    m = scheduled(cli, SHIPPED)
    assert m["title"] == "Case panel: terms of reference and scope"
    text = invitation(cli, m)
    assert OLD_LINE in text and "wishes and feelings" not in text


def test_a_kind_the_cases_pack_does_not_have_is_refused_naming_its_kinds(cli):
    result = cli("meeting", "schedule", OURS, "--kind", "coffee")
    assert result.exit_code != 0
    assert "no meeting kind 'coffee' in" in result.output and "terms_of_reference" in result.output


def test_the_meetings_arranged_when_a_case_opens_are_the_packs(app):
    """arrange_on = "case_opened": the shipped pack's extraordinary meeting; a pack may name another."""
    from service.meetings.service import on_case_opened
    from service.procedure.pack import parse_pack

    text = (ROOT / "procedures/enfield-scr-2013/procedure.toml").read_text()
    text = text.replace('id = "enfield-scr-2013"\nversion = "2"', 'id = "our-scr"\nversion = "1"')
    assert text.count('arrange_on = "case_opened"\n') == 1
    text = text.replace('arrange_on = "case_opened"\n', "").replace(
        'within_working_days = 15\n', 'within_working_days = 15\narrange_on = "case_opened"\n')
    ours, problems = parse_pack(text, "ours")
    assert problems == []
    now = app.clock.now()
    kinds = {}
    with app.db.unit_of_work() as uow:
        for seq, procedure in enumerate((_default_procedure(), ours), 1):
            case = Case.open(f"ESCB-2014-00{seq}", date(2014, 5, 12), now, "test", procedure=procedure)
            case_id = uow.cases.add(case, 2014, seq)
            mid = on_case_opened(uow, app, case, case_id)
            assert on_case_opened(uow, app, case, case_id) == mid  # once
            kinds[procedure.id] = [m["kind"] for m in uow.meetings.listing(case_id)]
        uow.commit()
    assert kinds == {"enfield-scr-2013": ["extraordinary"], "our-scr": ["terms_of_reference"]}
