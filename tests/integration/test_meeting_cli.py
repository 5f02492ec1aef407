"""`review-clerk meeting ...` driven as a person would, on the local backend."""

import json
from datetime import date, datetime, timedelta

import pytest

from service.domain import calendar as wd
from service.domain.model import Case
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

REF = "ESCB-2014-001"


@pytest.fixture
def cli(cli):
    """The command line on a board with one open case involving the police."""
    from service.bootstrap import build_app
    from service.config import load_settings

    application = build_app(load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env))
    now = application.clock.now()
    case = Case.open(REF, date(2014, 5, 12), now, "test", procedure=SCR_PROCEDURE)
    case.add_agency("met-police", now, "test")
    with application.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 1)
        uow.commit()
    application.db.dispose()
    return cli


def listed(cli) -> list[dict]:
    result = cli("meeting", "list", REF, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_meeting_is_scheduled_moved_and_cancelled_from_the_command_line(cli):
    result = cli("meeting", "schedule", REF, "--kind", "terms_of_reference", "--within", "5")
    assert result.exit_code == 0, result.output
    assert "scheduled" in result.output and "Case panel: terms of reference" in result.output
    [m] = listed(cli)
    assert m["kind"] == "terms_of_reference" and m["state"] == "scheduled" and m["in_calendar"]

    day = wd.add_working_days(datetime.now().date(), 7)
    result = cli("meeting", "reschedule", REF, "terms_of_reference", "--at", f"{day.isoformat()}T14:00")
    assert result.exit_code == 0, result.output
    [m] = listed(cli)
    assert m["start"].startswith(f"{day.isoformat()}T14:00") and m["sequence"] == 1

    result = cli("meeting", "cancel", REF, "terms_of_reference", "--reason", "agreed by email instead")
    assert result.exit_code == 0, result.output
    assert listed(cli)[0]["state"] == "cancelled"
    assert len(list((cli.folder / "data" / "calendar").glob("*.ics"))) == 1


def test_mistakes_are_one_line_and_a_non_zero_exit(cli):
    result = cli("meeting", "schedule", REF, "--kind", "coffee")
    assert result.exit_code == 1 and "no meeting kind 'coffee'" in result.output
    result = cli("meeting", "reschedule", "ESCB-2014-999", "progress")
    assert result.exit_code == 1 and "no case ESCB-2014-999" in result.output
    result = cli("meeting", "cancel", REF, "progress", "--reason", "x")
    assert result.exit_code == 1 and f"{REF} has no progress meeting" in result.output
    past = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    assert cli("meeting", "schedule", REF, "--kind", "progress").exit_code == 0
    result = cli("meeting", "reschedule", REF, "progress", "--at", past)
    assert result.exit_code == 1 and "has passed" in result.output


def test_the_list_shows_every_meeting_of_the_board(cli):
    cli("meeting", "schedule", REF, "--kind", "progress")
    result = cli("meeting", "list")
    assert result.exit_code == 0 and "progress" in result.output and REF in result.output
