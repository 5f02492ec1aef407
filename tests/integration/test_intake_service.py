"""Stage 1 in the running service: every message stored first, one outcome each, one case per referral."""

from __future__ import annotations

from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from service.demo import FORM_TEXT
from service.intake import triage
from service.intake.by_hand import release_held
from service.intake.processing import file_handled, process_stored, store_new
from service.intake.report import daily_report
from service.jobs import read_inbox, send_outbox
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")


def form(**over) -> str:
    values = dict(child="Amelia Test", child_dob="03/02/2010", mother="Grace Test", mother_dob="14/06/1988",
                  address="1 Example Road, Enfield, EN1 1AA", date="12/05/2014",
                  summary="Amelia (aged 4) was admitted to hospital with unexplained injuries.",
                  referrer="Karen Sample", phone="020 8345 0000", email="karen.sample@met-police.example.org")
    values.update(over)
    return FORM_TEXT.format(**values)


def mail(body: str, *, msgid: str, sender="karen.sample@met-police.example.org", subject="SCR referral", **headers) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = sender, "escb.business.manager@enfield.example.org", subject, msgid
    m["Date"] = "Mon, 12 May 2014 08:00:00 +0100"
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return bytes(m)


def drop(app, name: str, raw: bytes) -> None:
    (app.settings.data_dir / "mail" / "inbox" / name).write_bytes(raw)


def inbox_rows(app) -> list[dict]:
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(t.inbound_messages.select().order_by(t.inbound_messages.c.id))
                .mappings()]


def outbox_rows(app, template: str | None = None) -> list[dict]:
    with app.db.engine.connect() as conn:
        q = t.outbox.select().order_by(t.outbox.c.id)
        if template:
            q = q.where(t.outbox.c.template == template)
        return [dict(r) for r in conn.execute(q).mappings()]


def references(app) -> list[str]:
    with app.db.unit_of_work() as uow:
        return [c.reference for c in uow.cases.list()]


def test_a_referral_opens_a_case_and_the_referrer_is_acknowledged_with_the_reference_not_a_name(app):
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    read_inbox(app)
    assert references(app) == ["ESCB-2014-001"]
    [ack] = outbox_rows(app, "acknowledgement")
    assert ack["to"] == ["karen.sample@met-police.example.org"] and ack["subject"] == "[ESCB-2014-001] Referral received"
    assert "Amelia" not in ack["subject"] + ack["text"] + ack["html"]
    assert ack["headers"]["Auto-Submitted"] == "auto-replied"
    assert (app.settings.data_dir / "mail" / "processed" / "a.eml").exists()


def test_the_same_message_id_twice_opens_one_case_and_links_the_duplicate(app):
    drop(app, "a.eml", mail(form(), msgid="<same@met-police.example.org>"))
    drop(app, "b.eml", mail(form(summary="Different text, same message id."), msgid="<same@met-police.example.org>"))
    read_inbox(app)
    assert references(app) == ["ESCB-2014-001"]
    statuses = sorted(r["status"] for r in inbox_rows(app))
    assert statuses == ["duplicate", "processed"]
    assert "same Message-ID" in next(r["outcome"] for r in inbox_rows(app) if r["status"] == "duplicate")


def test_the_same_form_forwarded_by_a_colleague_opens_one_case(app):
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    forwarded = "FYI\n\n-----Original Message-----\nFrom: Karen Sample\nSent: today\nSubject: SCR referral\n\n" + form()
    drop(app, "b.eml", mail(forwarded, msgid="<b@met-police.example.org>", sender="colleague@met-police.example.org",
                            subject="FW: SCR referral"))
    read_inbox(app)
    assert references(app) == ["ESCB-2014-001"]
    assert len(outbox_rows(app, "acknowledgement")) == 1


@pytest.mark.parametrize("headers", [
    {"Auto_Submitted": "auto-generated"},
    {"Precedence": "bulk"},
    {"X_Auto_Response_Suppress": "All"},
    {"List_Id": "<scr.lists.example.org>"},
])
def test_a_referral_marked_automatic_or_from_a_list_opens_a_case_but_gets_no_automatic_reply(app, headers):
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>", **headers))
    read_inbox(app)
    assert references(app) == ["ESCB-2014-001"]
    assert outbox_rows(app, "acknowledgement") == []


def test_mail_from_a_mailer_daemon_or_ourselves_is_never_answered(app):
    drop(app, "a.eml", mail(form(), msgid="<a@x>", sender="MAILER-DAEMON@met-police.example.org"))
    drop(app, "b.eml", mail(form(child="Other Child"), msgid="<b@x>", sender="escb.business.manager@enfield.example.org"))
    read_inbox(app)
    assert outbox_rows(app, "acknowledgement") == outbox_rows(app, "missing_information") == []


def test_automatic_replies_to_one_address_are_rate_limited(app):
    limit = app.settings.intake.auto_replies_per_address_per_day
    for n in range(limit + 2):
        drop(app, f"{n}.eml", mail(form(child=f"Child {chr(65 + n)}ndrews", summary=f"Case {n}."),
                                   msgid=f"<{n}@met-police.example.org>"))
    read_inbox(app)
    send_outbox(app)
    assert len(references(app)) == limit + 2
    assert len(outbox_rows(app, "acknowledgement")) == limit


def test_a_referral_from_an_unknown_domain_is_held_until_the_business_manager_releases_it(app):
    drop(app, "a.eml", mail(form(email="someone@charity.example"), msgid="<a@charity.example>",
                            sender="someone@charity.example"))
    read_inbox(app)
    assert references(app) == []
    [row] = inbox_rows(app)
    assert row["status"] == "held" and (app.settings.data_dir / "mail" / "quarantine" / "a.eml").exists()
    release_held(app, row["id"], "business manager")
    assert references(app) == ["ESCB-2014-001"]


def test_a_message_over_the_size_limit_is_quarantined_with_the_reason(app):
    big = mail(form() + "\n" + "x" * 200, msgid="<big@met-police.example.org>")
    app.settings = app.settings.model_copy(update={"intake": app.settings.intake.model_copy(
        update={"max_message_mb": len(big) / 1024 / 1024 / 2})})
    drop(app, "big.eml", big)
    read_inbox(app)
    [row] = inbox_rows(app)
    assert row["status"] == "quarantined" and "large" in row["outcome"].lower()
    assert references(app) == []


def test_malformed_mime_never_stops_the_loop(app):
    drop(app, "junk.eml", b"\x00\xff\xfe garbage \r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--")
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    read_inbox(app)
    assert references(app) == ["ESCB-2014-001"]
    assert sorted(r["status"] for r in inbox_rows(app)) == ["not_referral", "processed"]


def test_a_crash_between_storing_and_processing_loses_nothing_and_repeats_nothing(app, settings, clock):
    from service.bootstrap import build_app

    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    assert store_new(app) == 1  # ...and the process dies here
    restarted = build_app(settings, clock)
    assert store_new(restarted) == 0  # still in the inbox folder, but already stored
    process_stored(restarted)
    file_handled(restarted)
    process_stored(restarted)
    assert references(restarted) == ["ESCB-2014-001"]
    assert len(outbox_rows(restarted, "acknowledgement")) == 1
    restarted.db.dispose()


def test_a_crash_inside_processing_rolls_back_and_the_retry_opens_one_case(app, monkeypatch):
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    store_new(app)
    real = triage._acknowledge

    def dies_after_opening_the_case(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(triage, "_acknowledge", dies_after_opening_the_case)
    process_stored(app)
    assert references(app) == [] and outbox_rows(app) == []  # all of it rolled back
    monkeypatch.setattr(triage, "_acknowledge", real)
    app.clock.advance(minutes=11)  # the claim's lease runs out
    process_stored(app)
    assert references(app) == ["ESCB-2014-001"]
    assert len(outbox_rows(app, "acknowledgement")) == 1


def test_a_message_that_keeps_failing_is_kept_for_a_person_after_three_tries(app, monkeypatch):
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    store_new(app)
    monkeypatch.setattr(triage, "parse_message", lambda *a, **k: 1 / 0)
    for _ in range(3):
        process_stored(app)
        app.clock.advance(minutes=11)
    [row] = inbox_rows(app)
    assert row["status"] == "failed" and "ZeroDivisionError" in row["outcome"]


def test_the_referrers_reply_fills_the_gaps_asked_about(app):
    drop(app, "a.eml", mail(form(phone=""), msgid="<a@met-police.example.org>"))
    read_inbox(app)
    [ask] = outbox_rows(app, "missing_information")
    assert "Telephone" in ask["text"]
    reply = mail("Telephone: 020 8345 9999\n\n> quoted request\n", msgid="<r@met-police.example.org>",
                 subject="RE: [ESCB-2014-001] Referral received: further information needed",
                 In_Reply_To=ask["message_id"])
    drop(app, "r.eml", reply)
    read_inbox(app)
    from service.cases import show

    shown = show(app, "ESCB-2014-001")
    assert shown["referrer"]["telephone"] == "020 8345 9999" and shown["missing"] == []


def test_quarantined_and_held_mail_is_reported_to_the_business_manager_once_a_day(app):
    drop(app, "a.eml", mail(form(email="x@charity.example"), msgid="<a@c.example>", sender="x@charity.example"))
    read_inbox(app)
    assert daily_report(app) is True
    assert daily_report(app) is False  # once a day
    [report] = outbox_rows(app, "intake_report")
    assert report["to"] == ["escb.business.manager@enfield.example.org"] and "held" in report["text"]
    assert "charity.example" in report["text"]


def test_logs_name_the_message_and_case_never_the_child(app, caplog):
    caplog.set_level("DEBUG")
    drop(app, "a.eml", mail(form(), msgid="<a@met-police.example.org>"))
    read_inbox(app)
    text = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "ESCB-2014-001" in text
    for personal in ("Amelia", "Grace Test", "Example Road", "03/02/2010", "2010-02-03"):
        assert personal not in text


def test_the_daily_report_gives_each_message_its_inbox_id_and_the_command_to_run(app):
    drop(app, "a.eml", mail(form(email="x@charity.example"), msgid="<a@c.example>", sender="x@charity.example"))
    drop(app, "b.eml", mail("When is the next panel meeting?", msgid="<b@c.example>", subject="Question"))
    read_inbox(app)
    held, enquiry = (r for r in inbox_rows(app) if r["status"] in ("held", "not_referral"))
    assert daily_report(app)
    [report] = outbox_rows(app, "intake_report")
    assert f"Message {held['id']}: received 12/05/2014 09:00" in report["text"]  # the board's clock, not UTC
    assert f"review-clerk inbox release {held['id']}\n" in report["text"]
    assert f"review-clerk inbox open {enquiry['id']} --details FILE" in report["text"]
    assert f"<code>review-clerk inbox release {held['id']}</code>" in report["html"]


def test_a_backlog_of_more_than_fifty_messages_is_handled_in_one_run(app):
    """A morning's backlog goes in one run: the inbox job is bounded by time, not by a count of 50."""
    for n in range(60):
        drop(app, f"backlog-{n:02d}.eml", mail(form(), msgid=f"<backlog-{n}@met-police.example.org>"))
    store_new(app)
    outcomes = process_stored(app)
    assert len(outcomes) == 60
    assert [r["status"] for r in inbox_rows(app)].count("new") == 0


def test_an_inbox_run_past_its_time_budget_leaves_the_rest_for_the_next_run(app):
    for n in range(3):
        drop(app, f"budget-{n}.eml", mail(form(), msgid=f"<budget-{n}@met-police.example.org>"))
    store_new(app)
    assert len(process_stored(app, seconds=0)) == 1  # at least one message a run, however small the budget
    assert [r["status"] for r in inbox_rows(app)].count("new") == 2
    assert len(process_stored(app)) == 2
