"""`review-clerk report yearly`: the counts a yearly report gives, per procedure, for a period."""

from __future__ import annotations

import json

from test_cli import drop_samples


def test_report_yearly_counts_the_referrals_and_decisions_of_the_period(cli):
    drop_samples(cli.folder)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    decided = cli("case", "decide", "ESCB-2014-002", "--outcome", "none", "--reason", "criteria not met", "--date", "2014-05-20")
    assert decided.exit_code == 0, decided.output
    shown = json.loads(cli("report", "yearly", "--from", "2014-04-01", "--to", "2015-03-31", "--json").output)
    scr, = shown["procedures"]
    assert (scr["procedure"], scr["referrals"], scr["awaiting_decision"]) == ("enfield-scr-2013", 2, 1)
    assert sum(scr["decisions"].values()) == 1 and scr["reviews_in_progress"] == 0
    screen = cli("report", "yearly", "--from", "2014-04-01", "--to", "2015-03-31").output
    assert "referrals received: 2" in screen and "Serious case review" in screen
    assert "Amelia" not in screen and "ESCB-2014-00" not in screen  # counts only
    before = json.loads(cli("report", "yearly", "--from", "2013-04-01", "--to", "2014-03-31", "--json").output)
    assert before["procedures"][0]["referrals"] == 0
    wrong = cli("report", "yearly", "--from", "2015-01-01", "--to", "2014-01-01")
    assert wrong.exit_code == 1 and "--to is before --from" in wrong.output
