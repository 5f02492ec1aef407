"""Issue 12 item 6, "Mail at 04:00 on a Sunday": people-facing mail goes in working hours on working days,
and what fell due while the service was down goes once, at the next working morning (real database)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from service.demo import FORM_TEXT
from service.jobs import run_once
from service.letters.queueing import queue
from service.letters.delivery import deliver_due
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
BM = "escb.business.manager@enfield.example.org"


def referral(msgid: str, sender: str = "karen.sample@met-police.example.org", child: str = "Amelia Test") -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = sender, BM, "SCR referral", msgid
    m["Date"] = "Mon, 12 May 2014 08:00:00 +0100"
    m.set_content(FORM_TEXT.format(
        child=child, child_dob="03/02/2010", mother="Grace Test", mother_dob="14/06/1988",
        address="1 Example Road, Enfield, EN1 1AA", date="12/05/2014",
        summary="Amelia (aged 4) was admitted to hospital with unexplained injuries.", referrer="Karen Sample",
        phone="020 8345 0000", email=sender))
    return bytes(m)


def drop(app, name: str, raw: bytes) -> None:
    (app.settings.data_dir / "mail" / "inbox" / name).write_bytes(raw)


def outbox(app) -> list[dict]:
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(t.outbox.select().order_by(t.outbox.c.id)).mappings()]


def local(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(LONDON)


def test_mail_at_04_00_on_a_sunday_after_downtime_waits_for_the_next_working_morning_and_goes_once(app, clock):
    # Monday 12 May 2014: a referral opens ESCB-2014-001 (its SQAS discussion is due Tuesday 13th,
    # the Ofsted notification Monday 19th); the morning's mail goes.
    clock.set(datetime(2014, 5, 12, 10, 0, tzinfo=LONDON))
    drop(app, "a.eml", referral("<a@met-police.example.org>"))
    run_once(app)
    before = {r["key"] for r in outbox(app)}
    assert not [r["key"] for r in outbox(app) if r["status"] == "queued"]
    # The service is down from Monday evening. Meanwhile a referral from an unknown domain arrives.
    drop(app, "b.eml", referral("<b@charity.example>", sender="x@charity.example", child="Ben Other"))
    # It comes back at 04:00 on Sunday 18 May and, as Runner.serve does at start-up, runs every job once.
    clock.set(datetime(2014, 5, 18, 4, 0, tzinfo=LONDON))
    run_once(app)
    assert [r["key"] for r in outbox(app) if r["key"] not in before and r["status"] == "sent"] == []
    # Monday 19 May: the first runs of the working morning.
    clock.set(datetime(2014, 5, 19, 9, 0, tzinfo=LONDON))
    run_once(app)
    clock.set(datetime(2014, 5, 19, 9, 30, tzinfo=LONDON))
    run_once(app)

    rows = {r["key"]: r for r in outbox(app)}
    # With [chasing] combine, an item that went in a person's chase_summary was sent when that message was.
    new = [{**r, **{k: rows[r["headers"]["combined_into"]][k] for k in ("status", "sent_at")}}
           if r["status"] == "combined" else r for r in rows.values() if r["key"] not in before]
    assert new and all(r["status"] == "sent" for r in new)
    assert {local(r["sent_at"]).date().isoformat() for r in new} == {"2014-05-19"}
    assert all(9 <= local(r["sent_at"]).hour < 17 for r in new)
    # One intake report, not one for Sunday and another for Monday.
    assert [r["template"] for r in new].count("intake_report") == 1
    assert [r["template"] for r in new].count("digest") == 1  # the week's digest, due Monday 08:00, at 09:00
    # Each deadline is chased once, with the step due now, not the ones missed while down as well.
    chased = Counter(r["key"].split("/")[1] for r in new if r["template"] in ("reminder", "escalation")
                     and r["key"].startswith("ESCB-2014-001/"))
    steps = {r["key"].split("/")[1]: r["key"].split("/")[2] for r in new if r["template"] in ("reminder", "escalation")
             and r["key"].startswith("ESCB-2014-001/")}
    assert steps["ofsted_incident_notification"] == "2014-05-19|remind-0"
    assert steps["chair_sqas_discussion"].startswith("2014-05-13|overdue-")
    per_recipient = Counter((r["key"].split("/")[1], r["to"][0]) for r in new
                            if r["template"] in ("reminder", "escalation") and r["key"].startswith("ESCB-2014-001/"))
    assert set(per_recipient.values()) == {1}, per_recipient
    assert chased


def test_queued_mail_waits_outside_working_hours_without_counting_an_attempt(app, clock):
    clock.set(datetime(2014, 5, 17, 11, 0, tzinfo=LONDON))  # a Saturday
    with app.db.unit_of_work() as uow:
        queue(uow, app, key="test/weekend", template="not_sent", to=[BM], context={}, rendered=_rendered())
        uow.commit()
    assert deliver_due(app, "w1") == {"sent": 0, "retry": 0, "failed": 0}
    clock.set(datetime(2014, 5, 19, 8, 59, tzinfo=LONDON))  # Monday, a minute before working hours
    deliver_due(app, "w1")
    [row] = outbox(app)
    assert row["status"] == "queued" and row["attempts"] == 0
    clock.set(datetime(2014, 5, 19, 9, 0, tzinfo=LONDON))
    assert deliver_due(app, "w1")["sent"] == 1


@pytest.mark.parametrize("at", [datetime(2014, 5, 26, 10, 0, tzinfo=LONDON),  # Spring bank holiday
                                datetime(2014, 5, 20, 17, 0, tzinfo=LONDON)])  # a Tuesday, at the end of the day
def test_nothing_goes_on_a_bank_holiday_or_after_the_working_day(app, clock, at):
    clock.set(at)
    with app.db.unit_of_work() as uow:
        queue(uow, app, key="test/holiday", template="not_sent", to=[BM], context={}, rendered=_rendered())
        uow.commit()
    assert deliver_due(app, "w1")["sent"] == 0


def test_templates_named_in_send_outside_working_hours_go_at_once(settings, clock):
    from service.bootstrap import build_app

    settings = settings.model_copy(update={"mail": settings.mail.model_copy(
        update={"send_outside_working_hours": ["acknowledgement"]})})
    app = build_app(settings, clock, create=True)
    try:
        clock.set(datetime(2014, 5, 18, 4, 0, tzinfo=LONDON))
        with app.db.unit_of_work() as uow:
            queue(uow, app, key="test/ack", template="acknowledgement", to=[BM], context={}, rendered=_rendered())
            queue(uow, app, key="test/other", template="not_sent", to=[BM], context={}, rendered=_rendered())
            uow.commit()
        assert deliver_due(app, "w1")["sent"] == 1
        assert {r["key"]: r["status"] for r in outbox(app)} == {"test/ack": "sent", "test/other": "queued"}
    finally:
        app.db.dispose()


def _rendered():
    from service.letters.render import Rendered

    return Rendered(subject="[ESCB] test", text="A test.\n", html="<p>A test.</p>")


def test_meeting_invitations_wait_for_working_hours_too(app, clock):
    """A restart at 04:00 on a Sunday books no meeting: the extraordinary panel meeting a new case
    asks for is arranged, and its invitations sent, on the working morning."""
    from datetime import datetime

    from service.jobs import arrange_meetings, read_inbox

    from test_intake_service import drop, form, mail

    clock.set(datetime(2014, 5, 18, 4, 0, tzinfo=app.settings.tz))  # Sunday
    drop(app, "r.eml", mail(form(), msgid="<sunday-meeting@met-police.example.org>"))
    read_inbox(app)
    assert arrange_meetings(app) == {}
    assert not list((app.settings.data_dir / "calendar").glob("*.ics"))
    clock.set(datetime(2014, 5, 19, 9, 0, tzinfo=app.settings.tz))
    assert arrange_meetings(app).get("scheduled") == 1
    assert list((app.settings.data_dir / "calendar").glob("*.ics"))
