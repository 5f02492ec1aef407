"""One case from referral to publication through simulated months, with an injected clock.

The service runs every day at 09:05 (weekends included, to show that nothing
goes out on them). People act in between, as they would: the Head of SQAS
answers a reminder with "done", court proceedings pause the decision, Ofsted
agrees another timescale, an agency emails its IMR. The test asserts every
reminder, escalation and digest sent: on which date, to whom, and that
nothing is sent twice. The weeks around Christmas 2015 hold four bank holidays.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from service import cases
from service.demo import FORM_TEXT
from service.domain.model_types import EventKind, Outcome
from service.jobs import run_once
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
# The Head of SQAS's five tasks of procedure 4.3, each its own deadline.
SQAS_TASKS = ("sqas_other_children", "sqas_client_index", "sqas_police_and_health", "sqas_secure_files",
              "sqas_inform_director")
REF = "ESCB-2015-001"
CHAIR = "escb.chair@enfield.example.org"
BM = "escb.business.manager@enfield.example.org"
SQAS = "sqas.head@enfield.example.org"
POLICE_PANEL = "public.protection@met-police.example.org"
CCG_PANEL = "designated.nurse@nhs.example.org"
CCG_CEO = "chief.officer@nhs.example.org"


@pytest.fixture
def settings(config_dir, db_env):
    from service.config import load_settings

    # trust_local_mail: the Head of SQAS's "done" comes from the local inbox folder, which proves no sender.
    env = {**db_env, "REVIEW_CLERK_MEETINGS__AUTO_SCHEDULE": "false", "REVIEW_CLERK_MAIL__TRUST_LOCAL_MAIL": "true"}
    return load_settings(config_dir / "review-clerk.toml", environ=env)


def referral_email(day: datetime) -> bytes:
    m = EmailMessage()
    m["From"] = "Karen Sample <karen.sample@met-police.example.org>"
    m["To"] = BM
    m["Subject"] = "SCR referral"
    m["Date"] = format_datetime(day)
    m["Message-ID"] = "<walk-1@met-police.example.org>"
    m.set_content(FORM_TEXT.format(
        child="Amelia Walk", child_dob="03/02/2010", mother="Grace Walk", mother_dob="14/06/1988",
        address="1 Example Road, Enfield, EN1 1AA", date=day.strftime("%d/%m/%Y"),
        summary="Amelia (aged 5) was admitted to hospital with unexplained injuries.", referrer="Karen Sample",
        phone="020 8345 0000", email="karen.sample@met-police.example.org"))
    return bytes(m)


def reply_email(to_message_id: str, sender: str, first_line: str, n: int, when: datetime) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = BM
    m["Subject"] = f"RE: [{REF}] Reminder"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<walk-reply-{n}@example.org>"
    m["In-Reply-To"] = to_message_id
    m.set_content(f"{first_line}\n\nThanks\n")
    return bytes(m)


def imr_email(sender: str) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = BM
    m["Subject"] = f"{REF} IMR from the Metropolitan Police"
    m["Message-ID"] = "<walk-imr@met-police.example.org>"
    m.set_content("Please find our IMR attached.")
    m.add_attachment(b"%PDF-1.4 not really", maintype="application", subtype="pdf", filename="IMR.pdf")
    return bytes(m)


def chase_log(app) -> list[tuple[str, str, str, str]]:
    """(date sent, template, deadline or week, recipient) for every reminder, escalation and digest."""
    with app.db.engine.connect() as conn:
        rows = conn.execute(t.outbox.select().where(t.outbox.c.template.in_(["reminder", "escalation", "digest"]))
                            .order_by(t.outbox.c.id)).mappings().all()
        # With [chasing] combine, a person's items of one run went in one chase_summary message: each item
        # keeps its own row (status combined) naming it; the item was sent when that message was, to them.
        summaries = {r["key"]: r for r in conn.execute(t.outbox.select().where(t.outbox.c.template == "chase_summary"))
                     .mappings()}
    out = []
    for r in rows:
        sent = r["sent_at"]
        if r["status"] == "combined":
            summary = summaries[r["headers"]["combined_into"]]
            assert summary["to"] == r["to"], r["key"]
            sent = summary["sent_at"]
        assert sent is not None, f"{r['key']} was never sent"
        when = (sent if sent.tzinfo else sent.replace(tzinfo=ZoneInfo("UTC"))).astimezone(LONDON).date().isoformat()
        what = r["key"].split("/")[1]  # the deadline (REF/deadline/step/to) or the week (digest/2016-W05)
        for to in r["to"]:
            out.append((when, r["template"], what, to))
    return out


def test_a_case_walks_from_referral_to_publication_with_every_chase_on_time(app, clock):
    inbox = app.settings.data_dir / "mail" / "inbox"
    day = datetime(2015, 12, 7, 9, 5, tzinfo=LONDON)  # Monday
    end = datetime(2016, 7, 4, 9, 5, tzinfo=LONDON)
    actions = {
        date(2015, 12, 7): lambda: (inbox / "referral.eml").write_bytes(referral_email(day)),
        date(2015, 12, 8): lambda: reply_done(app, inbox),
        date(2015, 12, 10): lambda: cases.record(app, REF, EventKind.OFSTED_NOTIFIED, date(2015, 12, 10), "chair"),
        date(2015, 12, 11): lambda: (cases.add_agency(app, REF, "enfield-ccg", "bm"),
                                     cases.set_due(app, REF, "imr", "met-police", date(2016, 3, 31), "bm"),
                                     cases.set_due(app, REF, "imr", "enfield-ccg", date(2016, 3, 31), "bm")),
        date(2015, 12, 22): lambda: cases.pause(app, REF, "decision", "court proceedings", "chair"),
        date(2016, 1, 4): lambda: cases.resume(app, REF, "decision", "proceedings adjourned", "chair"),
        date(2016, 1, 6): lambda: cases.extend(app, REF, "decision", date(2016, 1, 21), "Ofsted agreed", "chair"),
        date(2016, 2, 1): lambda: cases.decide(app, REF, Outcome.SCR, date(2016, 2, 1), "criteria met", "chair"),
        date(2016, 2, 2): lambda: [cases.mark_done(app, REF, task, date(2016, 2, 2), "sqas") for task in SQAS_TASKS],
        date(2016, 2, 15): lambda: cases.record(app, REF, EventKind.TERMS_OF_REFERENCE_AGREED, date(2016, 2, 15),
                                                "bm"),
        date(2016, 2, 16): lambda: cases.record(app, REF, EventKind.LEAD_REVIEWER_APPOINTED, date(2016, 2, 16),
                                                "bm", "Dr Rev Iewer"),
        date(2016, 3, 30): lambda: (inbox / "imr.eml").write_bytes(imr_email("k.sample@met-police.example.org")),
        date(2016, 5, 31): lambda: cases.record(app, REF, "report_quality_assured", date(2016, 5, 31), "bm"),
        date(2016, 6, 1): lambda: cases.record(app, REF, EventKind.REPORT_SIGNED_OFF, date(2016, 6, 1), "bm"),
        date(2016, 6, 2): lambda: cases.record(app, REF, EventKind.PUBLICATION_PLANNED, date(2016, 7, 1), "bm"),
        date(2016, 7, 1): lambda: cases.record(app, REF, EventKind.PUBLISHED, date(2016, 7, 1), "bm"),
    }
    while day <= end:
        clock.set(day)
        run_once(app)
        if day.date() in actions:  # people act after the morning's run...
            actions[day.date()]()
        run_once(app)  # ...and the next run sees it; with nothing new, it sends nothing more
        day += timedelta(days=1)

    log = chase_log(app)
    assert all(date.fromisoformat(d).weekday() < 5 for d, *_ in log), "something went out at a weekend"
    assert not [x for x, n in Counter(log).items() if n > 1], "something was sent twice"
    chase = [x for x in log if x[1] != "digest"]
    # Within one morning the order is the combined messages' (one per person), so compare day by day as sets.
    assert sorted(chase) == sorted(EXPECTED_CHASE)
    assert len(chase) == len(EXPECTED_CHASE)
    assert [d for d, *_ in chase] == sorted(d for d, *_ in chase)
    digests = [d for d, tmpl, _, to in log if tmpl == "digest" and to == BM]
    mondays = [date(2015, 12, 7) + timedelta(weeks=k) for k in range(31)]
    # On a bank holiday Monday the digest goes on the Tuesday.
    shifted = {date(2015, 12, 28), date(2016, 3, 28), date(2016, 5, 2), date(2016, 5, 30)}
    assert digests == [(d + timedelta(days=1) if d in shifted else d).isoformat() for d in mondays]
    shown = cases.show(app, REF)
    assert shown["stage"] == "publication"
    states = {d["key"]: d["state"] for d in shown["deadlines"]}
    assert states["chair_sqas_discussion"] == "met" and states["imr:met-police"] == "met"
    assert states["imr:enfield-ccg"] == "missed"


def reply_done(app, inbox) -> None:
    with app.db.engine.connect() as conn:
        mid = conn.execute(t.outbox.select().where(t.outbox.c.key.like(f"{REF}/chair_sqas_discussion/%remind-0/{SQAS}"))
                           ).mappings().one()["message_id"]
    (inbox / "done.eml").write_bytes(reply_email(mid, SQAS, "Done.", 1, app.clock.now()))


# Checked by hand against the rules (PROCESS.md, service/domain/chasing.py):
# reminders 5 and 1 working days before and on the day at 09:00; escalation the next
# working morning to the owner and the Business Manager (and an agency's chief
# executive), the Chair on the day it is 3 working days overdue and from then on, repeated every 5
# working days.
EXPECTED_CHASE: list[tuple[str, str, str, str]] = [
    ("2015-12-07", "reminder", "chair_sqas_discussion", CHAIR),  # a discussion: both own it (issue 14)
    ("2015-12-07", "reminder", "chair_sqas_discussion", SQAS),
    ("2015-12-07", "reminder", "ofsted_incident_notification", CHAIR),
    ("2015-12-08", "reminder", "chair_sqas_discussion", CHAIR),
    ("2015-12-08", "reminder", "chair_sqas_discussion", SQAS),
    ("2016-01-04", "reminder", "decision", CHAIR),
    ("2016-01-06", "reminder", "decision", CHAIR),
    ("2016-01-14", "reminder", "decision", CHAIR),
    ("2016-01-20", "reminder", "decision", CHAIR),
    ("2016-01-21", "reminder", "decision", CHAIR),
    ("2016-01-22", "escalation", "decision", CHAIR),
    ("2016-01-22", "escalation", "decision", BM),
    ("2016-01-26", "escalation", "decision", CHAIR),  # 3 working days overdue: the Chair is told (issue 14)
    ("2016-01-26", "escalation", "decision", BM),
    ("2016-01-29", "escalation", "decision", CHAIR),
    ("2016-01-29", "escalation", "decision", BM),
    # Procedure 4.3: five tasks for the Head of SQAS, each its own deadline (issue 14); the fifth, telling
    # the Director, is done by the service's message to the Director, so it is never chased.
    *[("2016-02-01", "reminder", task, SQAS) for task in SQAS_TASKS if task != "sqas_inform_director"],
    *[("2016-02-02", "reminder", task, SQAS) for task in SQAS_TASKS if task != "sqas_inform_director"],
    ("2016-03-22", "reminder", "imr:met-police", POLICE_PANEL),
    ("2016-03-22", "reminder", "imr:enfield-ccg", CCG_PANEL),
    ("2016-03-30", "reminder", "imr:met-police", POLICE_PANEL),
    ("2016-03-30", "reminder", "imr:enfield-ccg", CCG_PANEL),
    ("2016-03-31", "reminder", "imr:enfield-ccg", CCG_PANEL),
    ("2016-04-01", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-04-01", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-04-01", "escalation", "imr:enfield-ccg", BM),
    ("2016-04-05", "escalation", "imr:enfield-ccg", CCG_PANEL),  # 3 working days overdue: the Chair too
    ("2016-04-05", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-04-05", "escalation", "imr:enfield-ccg", BM),
    ("2016-04-05", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-04-08", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-04-08", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-04-08", "escalation", "imr:enfield-ccg", BM),
    ("2016-04-08", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-04-15", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-04-15", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-04-15", "escalation", "imr:enfield-ccg", BM),
    ("2016-04-15", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-04-22", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-04-22", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-04-22", "escalation", "imr:enfield-ccg", BM),
    ("2016-04-22", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-04-29", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-04-29", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-04-29", "escalation", "imr:enfield-ccg", BM),
    ("2016-04-29", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-05-09", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-05-09", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-05-09", "escalation", "imr:enfield-ccg", BM),
    ("2016-05-09", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-05-16", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-05-16", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-05-16", "escalation", "imr:enfield-ccg", BM),
    ("2016-05-16", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-05-23", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-05-23", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-05-23", "escalation", "imr:enfield-ccg", BM),
    ("2016-05-23", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-05-31", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-05-31", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-05-31", "escalation", "imr:enfield-ccg", BM),
    ("2016-05-31", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-06-07", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-06-07", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-06-07", "escalation", "imr:enfield-ccg", BM),
    ("2016-06-07", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-06-14", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-06-14", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-06-14", "escalation", "imr:enfield-ccg", BM),
    ("2016-06-14", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-06-21", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-06-21", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-06-21", "escalation", "imr:enfield-ccg", BM),
    ("2016-06-21", "escalation", "imr:enfield-ccg", CHAIR),
    ("2016-06-28", "escalation", "imr:enfield-ccg", CCG_PANEL),
    ("2016-06-28", "escalation", "imr:enfield-ccg", CCG_CEO),
    ("2016-06-28", "escalation", "imr:enfield-ccg", BM),
    ("2016-06-28", "escalation", "imr:enfield-ccg", CHAIR),
]
