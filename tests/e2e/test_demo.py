"""`review-clerk demo` runs end to end, and no log line carries a child's or family member's details."""

from __future__ import annotations

import email
import email.policy
import io
import logging

from rich.console import Console

from service import logs
from service.demo import run_demo

# Everything personal in the demo's referrals (service/demo.py sample_emails).
PERSONAL = ["Amelia", "Grace Demo", "Oscar", "Paul Example", "Lily", "Rose Invented", "1 Example Road",
            "2 Sample Lane", "3 Nowhere Street", "03/02/2010", "2010-02-03", "14 June 1988", "1988-06-14",
            "21/09/2011", "2011-09-21", "02/03/1979", "1979-03-02"]


def test_the_demo_tells_the_whole_story_and_logs_no_personal_details(tmp_path, monkeypatch):
    stream = io.StringIO()
    real_setup = logs.setup

    def capture_everything(level="INFO", json_lines=False, stream=None, _into=stream):
        real_setup("DEBUG", json_lines=True, stream=_into)  # every log line, whatever the demo asks for

    monkeypatch.setattr(logs, "setup", capture_everything)
    console = Console(file=io.StringIO(), width=200)
    folder = run_demo(console, tmp_path / "demo")
    printed = console.file.getvalue()

    sent = sorted(p.name for p in (folder / "data" / "mail" / "sent").glob("*.eml"))
    assert any(n.endswith("acknowledgement.eml") for n in sent)
    assert any(n.endswith("missing_information.eml") for n in sent)
    assert sum("imr_letter" in n for n in sent) == 2  # the Chair's letters to two chief executives
    assert any(n.startswith("digest") for n in sent)
    assert "OVERDUE" in printed and "quorum lost" in printed and "SEQUENCE 1" in printed
    assert "decision 'Serious case review' on ESCB-2014-001 recorded from a reply" in " ".join(printed.split())
    assert any("decision_by_email" in n for n in sent)  # the Chair and Business Manager are told at once
    for ics in (folder / "data" / "calendar").glob("*.ics"):
        text = ics.read_text()
        assert not [p for p in PERSONAL if p in text], ics.name

    lines = stream.getvalue().splitlines()
    assert len(lines) > 50  # the service really logged its work at DEBUG
    leaks = [(p, line) for line in lines for p in PERSONAL if p in line]
    assert leaks == []
    reports = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default).get_body(("plain",))
               .get_content() for p in (folder / "data" / "mail" / "sent").glob("*_meeting_*_report_*.eml")]
    assert reports and [t for t in reports if "holds the quorum role" in t] == []  # the shipped config fills it
    logging.getLogger().handlers.clear()
