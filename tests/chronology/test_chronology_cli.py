"""`review-clerk chronology read|build` and `review-clerk report check`, driven as a person would."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures"

EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
CHRONOLOGIES = sorted(EXPECTED)
TOTAL = sum(len(e["rows"]) for e in EXPECTED.values())


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_read_prints_every_row_with_its_flags():
    result = run("chronology", "read", FIXTURES / "ambulance_unreadable_dates.xlsx")
    assert result.exit_code == 0, result.output
    assert "5 rows; 0 with a partial date; 3 to check" in result.output
    assert result.output.count("date unreadable") == 3


def test_read_json_gives_rows_with_dates_and_sources():
    result = run("chronology", "read", FIXTURES / "housing_partial_dates.docx", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [r["precision"] for r in data["rows"]] == ["year", "season", "month", "week", "day", "range"]
    assert data["rows"][3]["date"] == "2023-03-06" and data["rows"][3]["partial"] is True
    assert data["rows"][0]["source"] == {"file": "housing_partial_dates.docx", "part": "table 1", "rows": [2]}


def test_read_of_a_file_that_is_no_chronology_is_one_line_and_status_1():
    result = run("chronology", "read", FIXTURES / "report_clean.docx")
    assert result.exit_code == 1
    assert "report_clean.docx: no chronology table found" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("suffix", ["docx", "xlsx"])
def test_build_writes_the_integrated_chronology_and_timeline_owner_only(tmp_path, suffix):
    out, svg = tmp_path / f"chron.{suffix}", tmp_path / "timeline.svg"
    result = run("chronology", "build", *[FIXTURES / n for n in CHRONOLOGIES], "--out", out, "--svg", svg)
    assert result.exit_code == 0, result.output
    assert f"{TOTAL} rows written" in result.output and "3 to check" in result.output
    assert "3 events recorded by more than one agency" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and stat.S_IMODE(svg.stat().st_mode) == 0o600
    assert svg.read_text().startswith("<svg")


def test_build_with_a_scoping_period_and_json(tmp_path):
    result = run("chronology", "build", *[FIXTURES / n for n in CHRONOLOGIES], "--out", tmp_path / "c.xlsx",
                 "--from", "01/04/2023", "--to", "30/04/2023", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == ["2023-04-01", "2023-04-30"]
    assert data["rows"] + data["left_out_of_period"] == TOTAL
    dated = [e for e in data["entries"] if e["date"]]
    assert all("2023-04-01" <= e["date_end"] and e["date"] <= "2023-04-30" for e in dated)


def test_build_names_the_agency_of_a_file_that_names_none(tmp_path):
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Date", "Details"
    table.cell(1, 0).text, table.cell(1, 1).text = "01/03/2023", "Visit"
    path = tmp_path / "return.docx"
    doc.save(path)
    result = run("chronology", "build", path, "--out", tmp_path / "c.xlsx", "--json", "--agency", "return.docx=Youth Service")
    assert json.loads(result.output)["agencies"][0]["agency"] == "Youth Service"
    result = run("chronology", "build", path, "--out", tmp_path / "c.xlsx", "--json")
    assert json.loads(result.output)["agencies"][0]["agency"] == "return"


def test_build_writes_nothing_when_a_file_cannot_be_read(tmp_path):
    out = tmp_path / "c.docx"
    result = run("chronology", "build", FIXTURES / "gp_odt.odt", FIXTURES / "report_clean.pdf", "--out", out)
    assert result.exit_code == 1
    assert "report_clean.pdf: no chronology table found" in result.output
    assert not out.exists()


def test_build_refuses_other_formats_and_backwards_periods(tmp_path):
    assert run("chronology", "build", FIXTURES / "gp_odt.odt", "--out", tmp_path / "c.pdf").exit_code == 1
    result = run("chronology", "build", FIXTURES / "gp_odt.odt", "--out", tmp_path / "c.docx",
                 "--from", "01/05/2023", "--to", "01/04/2023")
    assert result.exit_code == 1 and "--from is after --to" in result.output


def test_report_check_exit_status_says_whether_it_is_clean(tmp_path):
    ids = FIXTURES / "identifiers.json"
    found = run("report", "check", FIXTURES / "report_planted.docx", "--identifiers", ids)
    assert found.exit_code == 1
    assert "12 identifiers found" in found.output and "paragraph 13" in found.output
    clean = run("report", "check", FIXTURES / "report_clean.pdf", "--identifiers", ids)
    assert clean.exit_code == 0 and "nothing found" in clean.output


def test_report_check_takes_identifiers_from_options_and_prints_json():
    result = run("report", "check", FIXTURES / "report_planted.pdf", "--names", "Dean Ashworth",
                 "--dob", "14/02/2019", "--address", "27 Larchwood Road, EN3 7QX", "--school", "Hilltop Primary School",
                 "--json")
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["clean"] is False
    assert {(f["kind"], f["page"]) for f in data["found"]} == {
        ("name", 3), ("date of birth", 2), ("address", 3), ("postcode", 3), ("school", 3)}


def test_report_check_refuses_a_bad_date_of_birth_without_echoing_it(caplog):
    caplog.set_level(logging.DEBUG)
    result = run("report", "check", FIXTURES / "report_clean.docx", "--dob", "31/02/2019")
    assert result.exit_code == 2
    assert "date of birth number 1 is not a date" in result.output and "31/02" not in result.output
    assert "31/02" not in caplog.text


def test_report_check_logs_no_found_value(caplog):
    caplog.set_level(logging.DEBUG)
    result = run("report", "check", FIXTURES / "report_planted.pdf", "--identifiers", FIXTURES / "identifiers.json")
    assert result.exit_code == 1 and "Larchwood" in result.output  # for the person at the terminal
    for value in ("Mellor", "Larchwood", "EN3", "Hilltop", "Ashworth"):
        assert value not in caplog.text


def test_the_commands_are_registered_on_the_root():
    result = run("--help")
    assert "chronology" in result.output and "report" in result.output
