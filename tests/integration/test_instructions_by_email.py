"""Staff act by email: the Chair's decision in a reply, 'done' to a reminder, 'Undo' while a decision's
letters are held. Only from an authenticated sender, in reply to the service's own mail to that person
about that case, and not older than it; nobody else can."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from service import cases
from service.jobs import read_inbox, send_outbox, sweep_deadlines

from test_intake_service import drop, form, inbox_rows, mail, outbox_rows

REF = "ESCB-2014-001"
CHAIR = "escb.chair@enfield.example.org"
BM = "escb.business.manager@enfield.example.org"
SQAS = "sqas.head@enfield.example.org"
REFERRER = "karen.sample@met-police.example.org"
LONDON = ZoneInfo("Europe/London")
DECISION_LETTERS = ("decision_notification", "decision_outcome", "imr_letter", "board_members_letter")


@pytest.fixture
def settings(config_dir, db_env):
    """The local backend with trust_local_mail on (as `init --simulation` sets): its mail carries no proof of
    its sender, so without it no instruction by email is carried out (tests/integration/test_forged_instructions)."""
    from service.config import load_settings

    return load_settings(config_dir / "review-clerk.toml",
                         environ={**db_env, "REVIEW_CLERK_MAIL__TRUST_LOCAL_MAIL": "true"})


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2014, 5, day, hh, mm, tzinfo=LONDON)


@pytest.fixture
def case(app, clock):
    """A case opened on Monday 12 May; on Tuesday morning the sweep has reminded the Chair (Ofsted notification)
    and the Head of SQAS (discussion with the Chair) by email: the requests instructions answer."""
    drop(app, "referral.eml", mail(form(), msgid="<referral@met-police.example.org>"))
    read_inbox(app)
    send_outbox(app)
    clock.set(at(13, 9, 30))
    sweep_deadlines(app)
    send_outbox(app)
    clock.set(at(13, 10, 0))
    return REF


def sent_to(app, person: str, template: str | None = None) -> dict:
    rows = [r for r in outbox_rows(app, template) if person in r["to"] and r["status"] == "sent"]
    assert rows, f"the service sent nothing to {person}"
    return rows[-1]


def instruction(app, body: str, *, sender: str = CHAIR, n: int = 1, answering: dict | None = None,
                date: datetime | None = None, html: bool = False, **headers) -> dict:
    """A reply from ``sender`` (by default to the last message the service sent them), handled at once."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, BM, f"RE: [{REF}] Reminder"
    m["Message-ID"] = f"<instruction-{n}@enfield.example.org>"
    m["Date"] = format_datetime(date or app.clock.now())
    request = answering if answering is not None else sent_to(app, sender)
    if request:
        m["In-Reply-To"] = request["message_id"]
        m["References"] = request["message_id"]
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body, subtype="html" if html else "plain")
    drop(app, f"instruction-{n}.eml", bytes(m))
    read_inbox(app)
    return inbox_rows(app)[-1]


def decision_letters(app) -> list[dict]:
    return [r for r in outbox_rows(app) if r["template"] in DECISION_LETTERS]


def sent_files(app) -> set[str]:
    return {p.name for p in (app.settings.data_dir / "mail" / "sent").glob("*.eml")}


# The decision -----------------------------------------------------------------------------------
def test_the_chairs_decision_by_reply_is_recorded_confirmed_at_once_and_its_letters_held(app, case):
    row = instruction(app, "Decision: serious case review\nThe criteria are met.\n\nRegards\nChair\n\n"
                           "> On 13 May the service wrote:\n> Reminder\n")
    assert row["status"] == "reply" and row["kind"] == "decision"
    shown = cases.show(app, REF)
    assert shown["outcome"] == "scr" and shown["decision_reason"] == "The criteria are met."
    letters = decision_letters(app)
    assert {r["template"] for r in letters} >= {"decision_notification", "imr_letter"}
    hold_end = at(13, 12, 0)  # two working hours
    assert all(r["status"] == "queued" and r["next_attempt_at"] == hold_end for r in letters)
    [confirmation] = outbox_rows(app, "decision_by_email")
    assert confirmation["to"] == [CHAIR, BM] and confirmation["next_attempt_at"] is None, "it goes at once"
    assert confirmation["subject"].startswith(f"[{REF}] Decision recorded from email")
    assert "Tuesday 13/05/2014 at 12:00" in confirmation["text"] and "Undo" in confirmation["text"]
    assert f"review-clerk case undo-decision {REF}" in confirmation["text"]
    assert "notifications@ofsted.example.org" in confirmation["text"]
    assert "The criteria are met" not in confirmation["text"], "reasons may name people: not repeated by email"
    assert "Amelia" not in confirmation["text"] + confirmation["subject"] + confirmation["html"]
    assert outbox_rows(app, "instruction_result") == [], "the confirmation is the answer"


def test_nothing_leaves_before_the_hold_ends_and_the_letters_go_after_it(app, case, clock):
    instruction(app, "Decision: serious case review\nThe criteria are met.")
    clock.set(at(13, 11, 59))
    before = sent_files(app)
    sweep_deadlines(app)
    send_outbox(app)
    chased = [r["key"] for r in outbox_rows(app) if r["template"] in ("reminder", "escalation")
              and r["key"].split("/")[1] in ("decision_notification", "imr_letters", "board_members_letter")]
    assert chased == [], "letters on hold are not chased either"
    assert all(r["status"] == "queued" for r in decision_letters(app))
    assert outbox_rows(app, "decision_by_email")[0]["status"] == "sent"
    assert not [n for n in sent_files(app) - before if "decision_notification" in n or "imr_letter" in n]
    clock.set(at(13, 12, 0))
    send_outbox(app)
    assert {r["status"] for r in decision_letters(app)} == {"sent"}


def test_a_decision_without_reasons_is_not_recorded_and_the_chair_is_told_why(app, case):
    row = instruction(app, "Decision: SCR\n\nThanks")
    assert row["status"] == "refused" and "needs its reasons" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    [answer] = outbox_rows(app, "instruction_result")
    assert "NOT recorded" in answer["subject"] and "needs its reasons" in answer["text"]


def test_a_decision_from_someone_other_than_the_chair_is_ignored_noted_and_not_answered(app, case):
    row = instruction(app, "Decision: no review\nNot needed.", sender=REFERRER)
    assert row["status"] == "refused" and "neither the Chair nor the Business Manager" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    assert outbox_rows(app, "instruction_result") == []
    audit = [e["action"] for e in cases.show(app, REF)["history"]]
    assert any("not carried out" in a for a in audit)


def test_a_decision_claiming_to_be_from_the_chair_but_failing_dmarc_is_refused(app, case):
    row = instruction(app, "Decision: no review\nNot needed.",
                      Authentication_Results="spf=fail smtp.mailfrom=enfield.example.org; dkim=none; dmarc=fail "
                                             "action=none header.from=enfield.example.org")
    assert row["status"] == "refused" and "could not verify the sender" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    assert outbox_rows(app, "instruction_result") == []


def test_a_decision_that_replies_to_nothing_is_refused_and_not_answered(app, case):
    row = instruction(app, "Decision: none\nNo review needed.", answering={})
    assert row["status"] == "refused" and "does not reply to a message the service sent" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None
    assert decision_letters(app) == [] and outbox_rows(app, "instruction_result") == []


def test_a_decision_replying_to_a_message_sent_to_someone_else_is_refused(app, case):
    row = instruction(app, "Decision: none\nNo review needed.", answering=sent_to(app, SQAS))
    assert row["status"] == "refused" and f"sent to {CHAIR}" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None


def test_a_decision_replying_to_the_chairs_mail_about_another_case_is_refused(app, case, clock):
    from service.config import Chasing

    # Each message on its own (with [chasing] combine the Chair's mail of the 14th lists both cases; a reply to a
    # combined message about a case it did not list: tests/integration/test_chase_combined.py).
    app.settings = app.settings.model_copy(update={"chasing": Chasing(combine=False)})
    drop(app, "second.eml", mail(form(child="Ben Other", summary="Another child was harmed."),
                                 msgid="<second@met-police.example.org>"))
    read_inbox(app)
    clock.set(at(14, 9, 30))
    sweep_deadlines(app)
    send_outbox(app)
    other = [r for r in outbox_rows(app) if CHAIR in r["to"] and r["key"].startswith("ESCB-2014-002/")
             and r["status"] == "sent"]
    assert other, "the Chair was sent something about the second case"
    row = instruction(app, "Decision: none\nNo review needed.", answering=other[-1])  # subject tags ESCB-2014-001
    assert row["status"] == "refused" and f"about {REF}" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None and cases.show(app, "ESCB-2014-002")["outcome"] is None


def test_a_reply_dated_before_the_request_it_answers_is_refused(app, case):
    row = instruction(app, "Decision: none\nNo review needed.", date=at(12, 17, 0))
    assert row["status"] == "refused" and "dated before the message it answers" in row["outcome"]
    assert cases.show(app, REF)["outcome"] is None and outbox_rows(app, "instruction_result") == []


def test_a_second_decision_is_refused_and_the_first_stands(app, case):
    instruction(app, "Decision: SCR - criteria met")
    row = instruction(app, "Decision: no review - changed my mind", n=2)
    assert row["status"] == "refused" and "already has a decision" in row["outcome"]
    assert cases.show(app, REF)["outcome"] == "scr"


def test_refused_instructions_are_in_the_daily_report_of_mail_needing_attention(app, case):
    instruction(app, "Decision: no review\nNot needed.", sender=REFERRER)
    instruction(app, "Decision: none\nNo review needed.", answering={}, n=2)
    from service.intake.report import daily_report

    assert daily_report(app)
    [report] = outbox_rows(app, "intake_report")
    assert report["text"].count("refused") >= 2


def test_a_decision_in_an_outlook_html_reply_is_read_without_the_quoted_reminder(app, case):
    instruction(app, """<html><body><div class="WordSection1">
<p class="MsoNormal">Decision: management review<o:p></o:p></p>
<p class="MsoNormal">&nbsp;</p>
<p class="MsoNormal">The agencies' learning is better drawn out in-house.<o:p></o:p></p>
<p class="MsoNormal">Kind regards<o:p></o:p></p><p class="MsoNormal">Chair</p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> ESCB Business Manager
<br><b>Sent:</b> 01 June 2014 09:00<br><b>To:</b> Chair<br><b>Subject:</b> [ESCB-2014-001] Reminder</p></div>
<p class="MsoNormal">Decision: serious case review</p></div></body></html>""", html=True)
    shown = cases.show(app, REF)
    assert shown["outcome"] == "management-review"
    assert shown["decision_reason"] == "The agencies' learning is better drawn out in-house."


# Undo -------------------------------------------------------------------------------------------
def decided_by_email(app, clock) -> dict:
    instruction(app, "Decision: serious case review\nThe criteria are met.")
    clock.set(at(13, 10, 5))
    send_outbox(app)  # the confirmation goes at once; the letters wait
    return sent_to(app, CHAIR, "decision_by_email")


def test_undo_in_a_reply_to_the_confirmation_withdraws_the_letters_and_the_decision(app, case, clock):
    confirmation = decided_by_email(app, clock)
    clock.set(at(13, 11, 0))
    row = instruction(app, "Undo\n\nWrong case, sorry.", answering=confirmation, n=2)
    assert row["status"] == "reply", row["outcome"]
    shown = cases.show(app, REF)
    assert shown["outcome"] is None and shown["stage"] == "referral_received"
    states = {d["key"]: d["state"] for d in shown["deadlines"]}
    assert states["decision"] != "met" and "decision_notification" not in states and "imr_letters" not in states
    assert {r["status"] for r in decision_letters(app)} == {"withdrawn"}
    undone = [r for r in outbox_rows(app, "decision_by_email") if "WITHDRAWN" in r["subject"]]
    assert len(undone) == 1 and undone[0]["to"] == [CHAIR, BM]
    clock.set(at(14, 9, 0))
    send_outbox(app)
    assert {r["status"] for r in decision_letters(app)} == {"withdrawn"}, "withdrawn letters never go"


def test_undo_by_command_withdraws_the_letters_and_a_new_decision_queues_them_again(app, case, clock):
    from service.intake.decision_hold import undo_by_command

    decided_by_email(app, clock)
    undo_by_command(app, REF, "business manager", "the Chair meant another case")
    assert cases.show(app, REF)["outcome"] is None
    assert {r["status"] for r in decision_letters(app)} == {"withdrawn"}
    history = [h["action"] for h in cases.show(app, REF)["history"]]
    assert "decision withdrawn" in history
    cases.decide(app, REF, __import__("service.domain.model_types", fromlist=["Outcome"]).Outcome.NONE,
                 at(13, 11).date(), "not met", "chair")
    assert [r for r in decision_letters(app) if r["status"] == "queued"], "the letters can be queued again"


def test_undo_after_the_hold_is_refused_the_letters_having_gone(app, case, clock):
    from service.domain.model import DomainError
    from service.intake.decision_hold import undo_by_command

    confirmation = decided_by_email(app, clock)
    clock.set(at(13, 12, 30))
    send_outbox(app)
    with pytest.raises(DomainError, match="letters have gone; record a correction instead"):
        undo_by_command(app, REF, "business manager", "too late")
    row = instruction(app, "Undo", answering=confirmation, n=2)
    assert row["status"] == "refused" and "letters have gone" in row["outcome"]
    assert cases.show(app, REF)["outcome"] == "scr"
    assert {r["status"] for r in decision_letters(app)} == {"sent"}


def test_undo_from_someone_who_did_not_give_the_decision_is_refused(app, case, clock):
    confirmation = decided_by_email(app, clock)
    row = instruction(app, "Undo", sender=SQAS, answering=confirmation, n=2)
    assert row["status"] == "refused"
    assert cases.show(app, REF)["outcome"] == "scr"
    assert {r["status"] for r in decision_letters(app)} == {"queued"}


# "done" -----------------------------------------------------------------------------------------
def test_done_from_the_owner_in_reply_to_their_reminder_marks_the_deadline_met(app, case):
    row = instruction(app, "Done.\n\nThanks", sender=SQAS)
    assert row["status"] == "reply", row["outcome"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["chair_sqas_discussion"] == "met"


def test_done_that_replies_to_nothing_is_refused_and_not_answered(app, case, monkeypatch):
    from service.intake import case_replies

    monkeypatch.setattr(case_replies, "_replied_deadline", lambda uow, msg, case_id: "chair_sqas_discussion")
    row = instruction(app, "done", sender=SQAS, answering={})
    assert row["status"] == "refused" and "does not reply" in row["outcome"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["chair_sqas_discussion"] != "met"
    assert outbox_rows(app, "instruction_result") == []


def test_done_dated_before_the_reminder_is_refused(app, case):
    row = instruction(app, "done", sender=SQAS, date=at(13, 8, 0))
    assert row["status"] == "refused" and "dated before" in row["outcome"]


def test_done_for_the_decision_deadline_is_refused_with_how_to_give_the_decision(app, case, monkeypatch):
    from service.intake import case_replies

    monkeypatch.setattr(case_replies, "_replied_deadline", lambda uow, msg, case_id: "decision")
    row = instruction(app, "Done.")
    assert row["status"] == "refused"
    [answer] = outbox_rows(app, "instruction_result")
    assert "Decision: serious case review" in answer["text"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["decision"] != "met"


def test_done_from_a_stranger_is_ignored_and_noted(app, case, monkeypatch):
    from service.intake import case_replies

    monkeypatch.setattr(case_replies, "_replied_deadline", lambda uow, msg, case_id: "chair_sqas_discussion")
    row = instruction(app, "done", sender="someone@example.org", answering={})
    assert row["status"] == "refused" and "neither the deadline's owner nor board staff" in row["outcome"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["chair_sqas_discussion"] != "met"
    assert outbox_rows(app, "instruction_result") == []
