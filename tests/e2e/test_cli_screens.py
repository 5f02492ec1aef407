"""Screens a Business Manager can read: every table at 80 columns keeps references, dates and
deadline keys whole; date-times in the board's time zone to the minute; stages by their label;
`case show` is the case record (names, or initials with --redact)."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from service.demo import sample_emails

TABLES = [("cases", "list"), ("case", "show", "ESCB-2014-001"), ("deadlines",), ("inbox", "list"),
          ("meeting", "list"), ("letters", "list"), ("retention", "holds")]


@pytest.fixture
def cli80(tmp_path, db_env):
    """`review-clerk` in an 80-column terminal (the `cli` fixture's is 200), on a board with two
    cases (one decided, one under legal hold)."""
    from typer.testing import CliRunner

    from service.cli import app as cli_app

    runner = CliRunner()
    folder = tmp_path / "board"
    env = {"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"), "COLUMNS": "80",
           "REVIEW_CLERK_TEST_DATABASE_URL": None, **db_env}

    def invoke(*args: str):
        result = runner.invoke(cli_app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    invoke("init", str(folder))
    for name, raw in sample_emails(datetime.fromisoformat("2014-05-12T08:30:00+01:00")).items():
        (folder / "data" / "mail" / "inbox" / name).write_bytes(raw)
    invoke("run", "--once", "--now", "2014-05-12T09:30")
    invoke("case", "decide", "ESCB-2014-001", "--outcome", "scr", "--date", "2014-05-22", "--reason", "criteria met")
    invoke("case", "hold", "ESCB-2014-002", "--reason", "a claim by the family's solicitor, letter of 3 June")
    return invoke


def whole(token: str, text: str) -> bool:
    """``token`` appears on one line, not cut and not run into a longer word."""
    return re.search(rf"(?<![\w.@-]){re.escape(token)}(?![\w@-])", text) is not None


def test_every_table_fits_80_columns_with_references_dates_and_deadline_keys_whole(cli80):
    screens = {" ".join(args): cli80(*args) for args in TABLES}
    for name, text in screens.items():
        too_wide = [line for line in text.splitlines() if len(line) > 80]
        assert not too_wide, f"{name}: {too_wide}"
        assert "…" not in text, name

    cases = json.loads(cli80("cases", "list", "--json"))
    for c in cases:
        for token in (c["reference"], c["opened"], c["next_due"]):
            assert whole(token, screens["cases list"]), token
    for d in json.loads(cli80("deadlines", "--json")):
        for token in (d["reference"], d["key"], d["due"]):
            assert whole(token, screens["deadlines"]), token
    shown = json.loads(cli80("case", "show", "ESCB-2014-001", "--json"))
    for d in shown["deadlines"]:
        assert whole(d["key"], screens["case show ESCB-2014-001"]) and whole(d["due"], screens["case show ESCB-2014-001"])
    assert whole("sqas_police_and_health", screens["case show ESCB-2014-001"])
    for m in shown["messages"]:
        assert whole(m["template"], screens["case show ESCB-2014-001"])
    for row in json.loads(cli80("inbox", "list", "--json")):
        assert re.search(rf"^{row['id']}\s+2014-05-12 09:30\s+{row['status']}\b", screens["inbox list"], re.M), row
    for m in json.loads(cli80("meeting", "list", "--json")):
        assert re.search(rf"^{m['reference']}\s+{m['kind']}\s", screens["meeting list"], re.M)
    for letter in json.loads(cli80("letters", "list", "--json")):
        assert re.search(rf"^{letter['name']}\s", screens["letters list"], re.M), letter["name"]
    assert re.search(r"^ESCB-2014-002\s", screens["retention holds"], re.M)


def test_date_times_are_in_the_board_time_zone_to_the_minute(cli80):
    inbox = cli80("inbox", "list")
    # stored 08:30 BST (07:30 UTC) and read at 09:30 BST: shown as the board's clock says, no seconds or offset
    assert "2014-05-12 09:30" in inbox
    history = cli80("case", "show", "ESCB-2014-002")
    for text in (inbox, history):
        assert not re.search(r"\d{2}:\d{2}:\d{2}|\+00:00|\+01:00|T\d{2}:\d{2}", text.split("History")[0]
                             if text is history else text)
    assert re.search(r"^2014-05-12 09:30\s+case opened\b", history, re.M)


def test_stages_are_shown_by_their_label(cli80):
    listing = cli80("cases", "list")
    assert "SCR decided: initial" in listing and "Referral received" in listing
    assert "scr_initiated" not in listing and "referral_received" not in listing
    holds = cli80("retention", "holds")
    assert "Referral received" in holds and "referral_received" not in holds
    # scripts keep the value; the list is newest first (issue 18), so the first case opened is last
    assert json.loads(cli80("cases", "list", "--json"))[-1]["stage"] == "scr_initiated"
    by_label = json.loads(cli80("cases", "list", "--stage", "SCR decided: initial tasks", "--json"))
    by_name = json.loads(cli80("cases", "list", "--stage", "scr_initiated", "--json"))
    assert [c["reference"] for c in by_label] == [c["reference"] for c in by_name] == ["ESCB-2014-001"]


def test_case_show_is_the_case_record_with_the_subjects_names(cli80):
    shown = cli80("case", "show", "ESCB-2014-001")
    subjects = json.loads(cli80("case", "show", "ESCB-2014-001", "--json"))["subjects"]
    assert subjects
    for s in subjects:
        assert s["name"] in shown
        assert s["date_of_birth"] in shown


def test_case_show_redact_shows_initials_and_no_date_of_birth_or_address(cli80):
    subjects = json.loads(cli80("case", "show", "ESCB-2014-001", "--json"))["subjects"]
    redacted = cli80("case", "show", "ESCB-2014-001", "--redact")
    as_json = cli80("case", "show", "ESCB-2014-001", "--json", "--redact")
    for s in subjects:
        initials = "".join(p[0] for p in s["name"].split())
        for text in (redacted, as_json):
            assert s["name"] not in text and s["date_of_birth"] not in text
            assert not s["address"] or s["address"] not in text
            assert initials in text
