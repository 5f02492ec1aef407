"""`review-clerk case undo-decision`: withdraws only a decision taken by email whose letters are still held."""

from __future__ import annotations

from test_cli import drop_samples


def test_undo_decision_of_a_decision_not_taken_by_email_is_refused_in_one_line(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    assert cli("case", "decide", "ESCB-2014-001", "--outcome", "scr", "--date", "2014-05-22",
               "--reason", "criteria met").exit_code == 0
    r = cli("case", "undo-decision", "ESCB-2014-001", "--reason", "wrong case")
    assert r.exit_code == 1
    assert "no decision taken by email waiting to go" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) <= 2  # one line (the console may wrap it)


def test_undo_decision_needs_a_reason(cli):
    r = cli("case", "undo-decision", "ESCB-2014-001")
    assert r.exit_code != 0 and "--reason" in r.output
