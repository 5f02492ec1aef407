"""Issue 12 item 2, from the command line: an impossible date is one line, exit 1, nothing changed or queued."""

from __future__ import annotations

import json

from test_cli import drop_samples


def _state(cli, reference: str) -> tuple[dict, list]:
    shown = json.loads(cli("case", "show", reference, "--json").output)
    return shown["events"], [m["key"] for m in shown["messages"]]


def test_a_decision_in_the_future_is_refused_and_nothing_is_queued(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    before = _state(cli, "ESCB-2014-001")
    r = cli("case", "decide", "ESCB-2014-001", "--outcome", "none", "--date", "2030-01-01", "--reason", "not met")
    assert r.exit_code == 1
    assert "2030-01-01 is in the future" in r.output and "nothing changed" in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output
    assert _state(cli, "ESCB-2014-001") == before


def test_a_decision_before_the_referral_is_refused(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    r = cli("case", "decide", "ESCB-2014-001", "--outcome", "scr", "--date", "2014-05-01", "--reason", "met")
    assert r.exit_code == 1 and "before the referral was received (2014-05-12)" in r.output


def test_a_referral_date_in_the_future_is_refused(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    r = cli("case", "correct-date", "ESCB-2014-001", "referral_received", "--date", "2031-03-01", "--reason", "typo")
    assert r.exit_code == 1 and "2031-03-01 is in the future" in r.output
    assert _state(cli, "ESCB-2014-001")[0]["referral_received"] == "2014-05-12"


def test_the_decision_deadline_cannot_be_marked_done_without_a_decision(cli):
    drop_samples(cli.folder)
    cli("run", "--once", "--now", "2014-05-12T09:30")
    r = cli("deadline", "done", "ESCB-2014-001", "decision", "--date", "2014-05-20")
    assert r.exit_code == 1 and "case decide" in r.output
    shown = json.loads(cli("case", "show", "ESCB-2014-001", "--json").output)
    assert next(d for d in shown["deadlines"] if d["key"] == "decision")["state"] != "met"
