"""Staff act by email: the Chair's decision in a reply, 'done' to a reminder. Nobody else can."""

from __future__ import annotations

import pytest

from service import cases
from service.jobs import read_inbox

from test_intake_service import drop, form, inbox_rows, mail, outbox_rows

REF = "ESCB-2014-001"
CHAIR = "escb.chair@enfield.example.org"
SQAS = "sqas.head@enfield.example.org"
REFERRER = "karen.sample@met-police.example.org"


@pytest.fixture
def case(app):
    drop(app, "referral.eml", mail(form(), msgid="<referral@met-police.example.org>"))
    read_inbox(app)
    return REF


def reply(app, name: str, body: str, *, sender: str = CHAIR, n: int = 1, **headers) -> dict:
    drop(app, name, mail(body, msgid=f"<instruction-{n}@enfield.example.org>", sender=sender,
                         subject=f"RE: [{REF}] Reminder", **headers))
    read_inbox(app)
    return inbox_rows(app)[-1]


def test_the_chairs_decision_by_reply_is_recorded_and_its_letters_are_prepared(app, case):
    row = reply(app, "d.eml", "Decision: serious case review\nThe criteria are met.\n\nRegards\nChair\n\n"
                              "> On 1 June the service wrote:\n> Decision due\n")
    assert row["status"] == "reply" and row["kind"] == "decision"
    shown = cases.show(app, REF)
    assert shown["outcome"] == "scr" and shown["decision_reason"] == "The criteria are met."
    assert outbox_rows(app, "decision_notification"), "the decision's letters are queued"
    [answer] = outbox_rows(app, "instruction_result")
    assert answer["to"] == [CHAIR] and answer["subject"].startswith(f"[{REF}] Recorded")
    assert "The criteria are met" not in answer["text"], "reasons may name people: not repeated by email"


def test_a_decision_without_reasons_is_not_recorded_and_the_chair_is_told_why(app, case):
    row = reply(app, "d.eml", "Decision: SCR\n\nThanks")
    assert row["status"] == "refused" and "needs its reasons" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    [answer] = outbox_rows(app, "instruction_result")
    assert "NOT recorded" in answer["subject"] and "needs its reasons" in answer["text"]


def test_a_decision_from_someone_other_than_the_chair_is_ignored_noted_and_not_answered(app, case):
    row = reply(app, "d.eml", "Decision: no review\nNot needed.", sender=REFERRER)
    assert row["status"] == "refused" and "neither the Chair nor the Business Manager" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    assert outbox_rows(app, "instruction_result") == []
    audit = [e["action"] for e in cases.show(app, REF)["history"]]
    assert any("not carried out" in a for a in audit)


def test_a_decision_claiming_to_be_from_the_chair_but_failing_dmarc_is_refused(app, case):
    row = reply(app, "d.eml", "Decision: no review\nNot needed.",
                Authentication_Results="spf=fail smtp.mailfrom=enfield.example.org; dkim=none; dmarc=fail "
                                       "action=none header.from=enfield.example.org")
    assert row["status"] == "refused" and "could not verify the sender" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    assert outbox_rows(app, "instruction_result") == []


def test_a_second_decision_is_refused_and_the_first_stands(app, case):
    reply(app, "d1.eml", "Decision: SCR - criteria met")
    row = reply(app, "d2.eml", "Decision: no review - changed my mind", n=2)
    assert row["status"] == "refused" and "already has a decision" in row["outcome"]
    assert cases.show(app, REF)["outcome"] == "scr"


def test_refused_instructions_are_in_the_daily_report_of_mail_needing_attention(app, case):
    reply(app, "d.eml", "Decision: no review\nNot needed.", sender=REFERRER)
    from service.intake.handler import daily_report

    assert daily_report(app)
    [report] = outbox_rows(app, "intake_report")
    assert "refused" in report["text"]


def test_done_for_the_decision_deadline_is_refused_with_how_to_give_the_decision(app, case, monkeypatch):
    from service.intake import handler

    monkeypatch.setattr(handler, "_replied_deadline", lambda uow, msg: "decision")
    row = reply(app, "done.eml", "Done.")
    assert row["status"] == "refused"
    [answer] = outbox_rows(app, "instruction_result")
    assert "Decision: serious case review" in answer["text"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["decision"] != "met"


def test_done_from_a_stranger_is_ignored_and_noted(app, case, monkeypatch):
    from service.intake import handler

    monkeypatch.setattr(handler, "_replied_deadline", lambda uow, msg: "chair_sqas_discussion")
    row = reply(app, "done.eml", "done", sender="someone@example.org")
    assert row["status"] == "refused" and "neither the deadline's owner nor board staff" in row["outcome"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["chair_sqas_discussion"] != "met"
    assert outbox_rows(app, "instruction_result") == []


def test_done_from_the_owner_marks_the_deadline_met(app, case, monkeypatch):
    from service.intake import handler

    monkeypatch.setattr(handler, "_replied_deadline", lambda uow, msg: "chair_sqas_discussion")
    row = reply(app, "done.eml", "Done.\n\nThanks", sender=SQAS)
    assert row["status"] == "reply"
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["chair_sqas_discussion"] == "met"


def test_a_decision_in_an_outlook_html_reply_is_read_without_the_quoted_reminder(app, case):
    from email.message import EmailMessage

    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = CHAIR, "escb.business.manager@enfield.example.org", f"RE: [{REF}] Reminder"
    m["Message-ID"] = "<outlook-decision@enfield.example.org>"
    m.set_content("""<html><body><div class="WordSection1">
<p class="MsoNormal">Decision: management review<o:p></o:p></p>
<p class="MsoNormal">&nbsp;</p>
<p class="MsoNormal">The agencies' learning is better drawn out in-house.<o:p></o:p></p>
<p class="MsoNormal">Kind regards<o:p></o:p></p><p class="MsoNormal">Chair</p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> ESCB Business Manager
<br><b>Sent:</b> 01 June 2014 09:00<br><b>To:</b> Chair<br><b>Subject:</b> [ESCB-2014-001] Reminder</p></div>
<p class="MsoNormal">Decision: serious case review</p></div></body></html>""", subtype="html")
    drop(app, "outlook.eml", bytes(m))
    read_inbox(app)
    shown = cases.show(app, REF)
    assert shown["outcome"] == "management-review"
    assert shown["decision_reason"] == "The agencies' learning is better drawn out in-house."
