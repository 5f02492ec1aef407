"""Issue 12 item 3: a forged email decided a case. An instruction's From line alone proves nothing."""

from __future__ import annotations

from service import cases
from service.jobs import read_inbox, send_outbox

from test_intake_service import drop, form, inbox_rows, mail, outbox_rows

REF = "ESCB-2014-001"
CHAIR = "escb.chair@enfield.gov.uk"


def test_a_forged_decision_from_the_chairs_address_decides_nothing_and_sends_nothing(app):
    drop(app, "referral.eml", mail(form(), msgid="<referral@met.police.uk>"))
    read_inbox(app)
    send_outbox(app)
    sent_before = {r["key"] for r in outbox_rows(app) if r["status"] == "sent"}
    # From: the Chair's address, the case tag in the subject, no In-Reply-To, no authentication headers.
    drop(app, "forged.eml", mail("Decision: none\nNo review needed.", msgid="<forged@attacker.example>",
                                 sender=CHAIR, subject=f"[{REF}] decision"))
    read_inbox(app)
    send_outbox(app)
    row = inbox_rows(app)[-1]
    assert row["status"] == "refused"
    shown = cases.show(app, REF)
    assert shown["outcome"] is None and shown["stage"] == "referral_received"
    assert not [r for r in outbox_rows(app) if r["template"] in ("decision_notification", "decision_outcome")]
    assert {r["key"] for r in outbox_rows(app) if r["status"] == "sent"} == sent_before, "nothing went out"
    assert not [r for r in outbox_rows(app) if CHAIR in r["to"]], "a refusal is never answered by email"


def test_done_in_reply_to_a_real_reminder_is_refused_when_local_mail_is_not_trusted(app, clock):
    from datetime import datetime
    from email.utils import format_datetime
    from zoneinfo import ZoneInfo

    from service.jobs import sweep_deadlines

    drop(app, "referral.eml", mail(form(), msgid="<referral@met.police.uk>"))
    read_inbox(app)
    clock.set(datetime(2014, 5, 13, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    sweep_deadlines(app)
    send_outbox(app)
    [reminder] = [r for r in outbox_rows(app, "reminder") if "sqas.head@enfield.gov.uk" in r["to"]]
    raw = mail("done", msgid="<done@enfield.gov.uk>", sender="sqas.head@enfield.gov.uk",
               subject=f"RE: [{REF}] Reminder", In_Reply_To=reminder["message_id"])
    drop(app, "done.eml", raw.replace(b"Mon, 12 May 2014 08:00:00 +0100",
                                      format_datetime(clock.now()).encode()))
    read_inbox(app)
    row = inbox_rows(app)[-1]
    assert row["status"] == "refused" and "not authenticated" in row["outcome"]
    states = {d["key"]: d["state"] for d in cases.show(app, REF)["deadlines"]}
    assert states["chair_sqas_discussion"] != "met"
