"""`review-clerk report check REF FILE` records the check on the case; `report accept REF --reason` lets
the pre-publication notice go; the check without a reference records nothing, as before."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "chronology" / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from test_cli import drop_samples  # noqa: E402

REF = "ESCB-2014-001"


@pytest.fixture(autouse=True)
def logging_as_it_was():
    """The commands set up the service's logging (to standard error, which the test runner mixes into the
    output): put it back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def json_of(output: str):
    return json.loads(output[output.index("\n{") + 1:] if not output.startswith("{") else output)


def test_a_check_with_the_case_reference_is_recorded_and_an_acceptance_needs_its_reason(cli):
    drop_samples(cli.folder)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    ids = str(FIXTURES / "identifiers.json")
    nothing = cli("report", "accept", REF, "--reason", "fine")
    assert nothing.exit_code == 1 and "no report check is recorded" in nothing.output

    found = cli("report", "check", REF, str(FIXTURES / "report_planted.docx"), "--identifiers", ids, "--json")
    assert found.exit_code == 1, found.output
    data = json_of(found.output)
    assert data["case"] == REF and not data["clean"] and data["check"] and data["notice_queued"] == []

    screen = cli("report", "check", REF, str(FIXTURES / "report_planted.docx"), "--identifiers", ids)
    assert "check recorded on ESCB-2014-001; the pre-publication notice waits" in " ".join(screen.output.split())

    accepted = cli("report", "accept", REF, "--reason", "agreed with the family", "--by", "chair")
    assert accepted.exit_code == 0 and "accepted" in accepted.output
    again = cli("report", "accept", REF, "--reason", "again")
    assert again.exit_code == 1 and "accepted already" in again.output

    clean = cli("report", "check", REF, str(FIXTURES / "report_clean.pdf"), "--identifiers", ids)
    assert clean.exit_code == 0 and "nothing found" in clean.output

    unknown = cli("report", "check", "ESCB-2014-999", str(FIXTURES / "report_clean.pdf"))
    assert unknown.exit_code == 1 and "ESCB-2014-999" in unknown.output


def test_a_check_of_a_file_alone_records_nothing_and_needs_no_case(cli):
    r = cli("report", "check", str(FIXTURES / "report_clean.docx"), "--identifiers", str(FIXTURES / "identifiers.json"))
    assert r.exit_code == 0 and "nothing found" in r.output and "recorded" not in r.output
