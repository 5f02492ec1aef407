"""The command line, driven from outside as a person would."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from service.demo import sample_emails

ROOT = Path(__file__).resolve().parents[2]


def drop_samples(folder: Path) -> None:
    for name, raw in sample_emails(datetime.fromisoformat("2014-05-12T08:30:00+01:00")).items():
        (folder / "data" / "mail" / "inbox" / name).write_bytes(raw)


def test_init_writes_a_working_configuration_and_its_folders(cli):
    folder = cli.folder
    assert (folder / "review-clerk.toml").exists()
    assert (folder / "data" / "mail" / "inbox").is_dir()
    assert (folder / "data" / "calendar").is_dir()
    assert cli("init", str(folder)).exit_code == 1  # refuses to overwrite


def test_run_once_twice_in_a_row_does_nothing_the_second_time(cli):
    drop_samples(cli.folder)
    first = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert first.exit_code == 0, first.output
    sent = sorted((cli.folder / "data" / "mail" / "sent").glob("*.eml"))
    assert sent, first.output
    second = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert second.exit_code == 0
    assert sorted((cli.folder / "data" / "mail" / "sent").glob("*.eml")) == sent
    from service.jobs import JOBS

    assert second.output.count("nothing to do") == len(JOBS), second.output


def test_cases_list_and_show_as_json(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    import json

    cases = json.loads(cli("cases", "list", "--json").output)
    assert [c["reference"] for c in cases] == ["ESCB-2014-002", "ESCB-2014-001"]  # newest first (issue 18)
    shown = json.loads(cli("case", "show", "ESCB-2014-001", "--json").output)
    assert {d["key"] for d in shown["deadlines"]} >= {"decision", "chair_sqas_discussion"}
    assert shown["history"][0]["action"] == "case opened"


def test_decide_then_deadlines_show_the_one_working_day_clocks(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    r = cli("case", "decide", "ESCB-2014-001", "--outcome", "scr", "--date", "2014-05-22", "--reason", "criteria met")
    assert r.exit_code == 0, r.output
    import json

    rows = json.loads(cli("deadlines", "--as-of", "2014-05-22", "--json").output)
    due = {(r["reference"], r["key"]): r["due"] for r in rows}
    assert due[("ESCB-2014-001", "imr_letters")] == "2014-05-23"


def test_errors_are_one_line_and_a_non_zero_exit(cli):
    r = cli("case", "show", "ESCB-2099-999")
    assert r.exit_code == 1 and "no case ESCB-2099-999" in r.output and "Traceback" not in r.output
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    r = cli("case", "record", "ESCB-2014-001", "published", "--date", "2014-06-01")
    assert r.exit_code == 1 and "cannot record 'published'" in r.output
    r = cli("case", "decide", "ESCB-2014-001", "--outcome", "maybe", "--date", "2014-06-01", "--reason", "x")
    assert r.exit_code == 1 and "not one of" in r.output
    r = cli("case", "decide", "ESCB-2014-001", "--outcome", "scr", "--date", "31/02/2014", "--reason", "x")
    assert r.exit_code == 1 and "is not a date" in r.output


def test_a_bad_configuration_exits_2_naming_the_key_without_a_traceback(tmp_path):
    cfg = tmp_path / "review-clerk.toml"
    cfg.write_text((ROOT / "config" / "review-clerk.example.toml").read_text().replace(
        'start = "09:00"', 'start = "nine"'))
    proc = subprocess.run([sys.executable, "-m", "service", "cases", "list", "--config", str(cfg)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert "working_hours.start = 'nine'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_audit_verify_reports_an_intact_trail(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    r = cli("audit", "verify")
    assert r.exit_code == 0 and "audit trail intact" in r.output
