"""One serious incident from the referral to the publication of a local child safeguarding practice review,
under the cspr-wt2023 pack, with an injected clock through run_once and the use cases of service/cases.py.

The service runs every day at 09:05 (weekends too: nothing goes out on them); people act after the
morning's run and the next run sees it. The local authority became aware of the incident on Friday 19
December 2025, so the notification falls due over Christmas: Tuesday 30 December 2025. The test asserts
every deadline's due date, every communication (template, recipient, the day it went; nothing twice) and
the rapid review meeting in the local calendar.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from service import cases
from service.jobs import run_once
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
PACK = "cspr-wt2023"
REF = "CSPR-2025-001"
BM = "escb.business.manager@enfield.example.org"
LA = "cspr.la.partner@enfield.example.org"
POLICE = "cspr.police.partner@met-police.example.org"
ICB = "cspr.icb.partner@nhs.example.org"
PANEL = "notifications@cspr-panel.example.org"
OFSTED = "notifications@ofsted.example.org"
REFERRER = "karen.sample@met-police.example.org"
POLICE_PANEL = "public.protection@met-police.example.org"
CCG_PANEL = "designated.nurse@nhs.example.org"
REVIEWER = "a.reviewer@reviews.example.org"

FORM = """Serious incident notification
Referral of a serious child safeguarding incident for a rapid review

Child and adult names, dates of birth and address:
Child: Amelia Okafor, DOB 03/02/2020; Mother: Grace Okafor, DOB 14/06/1995; Address: 1 Example Road, Enfield, EN1 1AA

Date: 19/12/2025

Summary:
Amelia (aged 5) was admitted to hospital with injuries not consistent with the explanation given.

Request/Recommendations to the LSCB:
We ask the safeguarding partners to undertake a rapid review. Our agency will contribute a summary.

Please state how the case meets the criteria for an SCR using the criteria in Working Together 2013:
Abuse or neglect is suspected and the child has been seriously harmed.

Name of the referrer: Karen Sample

Telephone: 020 8345 0000

E-mail: karen.sample@met-police.example.org
"""


@pytest.fixture
def settings(config_dir, db_env):
    from service.config import load_settings

    env = {**db_env, "REVIEW_CLERK_PROCEDURE__PACK": PACK, "REVIEW_CLERK_PROCEDURE__PACKS": f'["{PACK}"]'}
    return load_settings(config_dir / "review-clerk.toml", environ=env)


def referral_email(day: datetime) -> bytes:
    m = EmailMessage()
    m["From"] = f"Karen Sample <{REFERRER}>"
    m["To"] = BM
    m["Subject"] = "Serious incident notification - AO"
    m["Date"] = format_datetime(day)
    m["Message-ID"] = "<cspr-walk-1@met-police.example.org>"
    m.set_content(FORM)
    return bytes(m)


def outbox(app) -> list[dict]:
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(t.outbox.select().order_by(t.outbox.c.id)).mappings()]


def sent_log(app) -> list[tuple[str, str, str]]:
    """(the day it went, template, recipient) for every message of the case, in order."""
    out = []
    for r in outbox(app):
        if r["sent_at"] is None:
            continue
        sent = r["sent_at"] if r["sent_at"].tzinfo else r["sent_at"].replace(tzinfo=ZoneInfo("UTC"))
        for to in r["to"]:
            out.append((sent.astimezone(LONDON).date().isoformat(), r["template"], to))
    return sorted(out, key=lambda x: x[0])  # by day; within a day, in the order queued


def send_the_draft(app, template: str) -> None:
    """The person the draft was left for sends it from their mailbox (local backend: it moves to sent/)."""
    rows = [r for r in outbox(app) if r["template"] == template and r["status"] == "awaiting_review"]
    assert rows, f"no draft of {template}"
    for r in rows:
        draft = app.settings.data_dir / "mail" / r["provider_id"]
        draft.replace(app.mailbox._sent_path(r["key"]))


def test_a_serious_incident_walks_from_notification_to_publication(app, clock):
    inbox = app.settings.data_dir / "mail" / "inbox"
    day = datetime(2025, 12, 19, 9, 5, tzinfo=LONDON)  # Friday
    end = datetime(2026, 7, 20, 9, 5, tzinfo=LONDON)
    on = date
    actions = {
        on(2025, 12, 19): lambda: (inbox / "referral.eml").write_bytes(referral_email(day)),
        # The health agency is found to be involved; the child had been looked after; the local authority
        # checks the notification left for it and sends it (the service sees it has gone the next morning).
        on(2025, 12, 22): lambda: (cases.add_agency(app, REF, "enfield-ccg", "bm"),
                                   cases.record(app, REF, "looked_after_child", on(2025, 12, 22), "la"),
                                   send_the_draft(app, "serious_incident_notification")),
        on(2025, 12, 23): lambda: cases.record(app, REF, "rapid_review_meeting_held", on(2025, 12, 23), "bm"),
        on(2025, 12, 31): lambda: cases.mark_done(app, REF, "agency_summary:met-police", on(2025, 12, 31), "bm"),
        on(2026, 1, 9): lambda: cases.mark_done(app, REF, "agency_summary:enfield-ccg", on(2026, 1, 9), "bm"),
        on(2026, 1, 13): lambda: cases.decide(app, REF, "local-review", on(2026, 1, 13),
                                              "concerns about agencies working together", "la-partner",
                                              criterion="working-together"),
        on(2026, 1, 14): lambda: (cases.record(app, REF, "la_partner_signed", on(2026, 1, 14), "la"),
                                  cases.record(app, REF, "police_partner_signed", on(2026, 1, 14), "police")),
        on(2026, 1, 15): lambda: (cases.record(app, REF, "icb_partner_signed", on(2026, 1, 15), "icb"),
                                  cases.record(app, REF, "rapid_review_signed_off", on(2026, 1, 15), "bm")),
        on(2026, 2, 2): lambda: cases.record(app, REF, "panel_responded", on(2026, 2, 2), "bm",
                                             "the Panel agrees a local review"),
        on(2026, 2, 4): lambda: cases.record(app, REF, "terms_of_reference_agreed", on(2026, 2, 4), "bm"),
        on(2026, 2, 10): lambda: (cases.record(app, REF, "lead_reviewer_appointed", on(2026, 2, 10), "bm",
                                               "A. Reviewer"),
                                  send_on_command(app, "reviewer_commission", REVIEWER)),
        on(2026, 5, 29): lambda: cases.record(app, REF, "final_report_received", on(2026, 5, 29), "bm"),
        on(2026, 6, 5): lambda: cases.record(app, REF, "final_report_approved", on(2026, 6, 5), "partners"),
        on(2026, 6, 8): lambda: cases.record(app, REF, "publication_planned", on(2026, 7, 13), "bm"),
        on(2026, 7, 13): lambda: cases.record(app, REF, "published", on(2026, 7, 13), "bm"),
    }
    while day <= end:
        clock.set(day)
        run_once(app)
        if day.date() in actions:
            actions[day.date()]()
        run_once(app)
        day += timedelta(days=1)

    shown = cases.show(app, REF)
    assert shown["stage"] == "published"
    assert {d["key"]: (d["due"], d["state"]) for d in shown["deadlines"]} == EXPECTED_DEADLINES

    log = sent_log(app)
    assert all(date.fromisoformat(d).weekday() < 5 for d, *_ in log), "something went out at a weekend"
    assert not [x for x, n in Counter(log).items() if n > 1], "something was sent twice"
    assert {r["status"] for r in outbox(app)} == {"sent"}, "a message was left unsent"
    assert [x for x in log if x[1] not in ("reminder", "escalation", "digest")] == EXPECTED_COMMUNICATIONS
    assert [x for x in log if x[1] in ("reminder", "escalation")] == EXPECTED_CHASE
    digests = [d for d, tmpl, to in log if tmpl == "digest" and to == BM]
    mondays = [date(2025, 12, 22) + timedelta(weeks=k) for k in range(31)]
    shifted = {date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25)}  # bank holiday Mondays: on the Tuesday
    assert digests == ["2025-12-19"] + [(d + timedelta(days=1) if d in shifted else d).isoformat() for d in mondays]

    names_in_bodies, letters = mail_sent(app)
    assert not names_in_bodies, f"a name in an email body: {names_in_bodies}"
    # Names go only in the Word letters to the named bodies that need them (full_details).
    assert "Amelia Okafor" in letters["serious_incident_notification"]
    assert "Amelia Okafor" in letters["looked_after_notification"]
    assert "Amelia Okafor" not in letters["rapid_review_outcome"]
    assert "On 13 January 2026 the safeguarding partners decided" in letters["rapid_review_outcome"]
    assert "13 July 2026" in letters["prepublication_notice"]
    assert "Dear A. Reviewer," in letters["reviewer_commission"]
    assert "The terms of reference, agreed on 4 February 2026, are enclosed." in letters["reviewer_commission"]

    with app.db.engine.connect() as conn:
        meetings = conn.execute(t.meetings.select()).mappings().all()
        attendees = conn.execute(t.meeting_attendees.select().order_by(t.meeting_attendees.c.id)).mappings().all()
    # The rapid review meeting: arranged when the case opened, at the first time the panel is free (two
    # working days' notice), well inside the 12 working days from awareness and before the rapid review is due.
    assert [(m["kind"], m["state"], m["start"].astimezone(LONDON).isoformat(), m["window_end"].isoformat())
            for m in meetings] == [("rapid_review", "held", "2025-12-23T09:00:00+00:00", "2026-01-09")]
    assert [(a["email"], a["required"]) for a in attendees] == [
        ("sqas.head@enfield.example.org", True), ("designated.doctor@nhs.example.org", True),
        ("designated.nurse@nhs.example.org", True), (POLICE_PANEL, True),
        ("education.safeguarding@enfield.example.org", True)]
    calendar = app.settings.data_dir / "calendar"
    assert sorted(p.name for p in calendar.glob("*.ics")) == ["CSPR-2025-001_meeting_rapid_review_1.ics"]
    assert "Rapid review meeting" in (calendar / "CSPR-2025-001_meeting_rapid_review_1.ics").read_text()


def mail_sent(app) -> tuple[list[str], dict[str, str]]:
    """(the sent messages whose text or HTML names the child or mother, the text of each Word letter by
    communication)."""
    import email
    import io
    from email import policy

    from docx import Document

    named, letters = [], {}
    for row in outbox(app):
        path = app.mailbox._sent_path(row["key"])
        m = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for kind in ("plain", "html"):
            body = m.get_body((kind,))
            if body is not None and "Okafor" in body.get_content():
                named.append(row["key"])
        for part in m.iter_attachments():
            if (part.get_filename() or "").endswith(".docx"):
                doc = Document(io.BytesIO(part.get_content()))
                letters.setdefault(row["template"], "\n".join(p.text for p in doc.paragraphs))
    return named, letters


def send_on_command(app, template: str, to: str) -> None:
    from service.letters.commands import send_on_command as send

    send(app, REF, template, "bm", to=to)


# Checked by hand against the pack (README.md) and the chase rules (reminders 5 and 1 working days before
# and on the day at 09:00; escalation the next working morning to the owner and the business manager, and an
# agency's chief executive). Aware Friday 19 December 2025; notified Tuesday 23 December; decided 13 January.
EXPECTED_DEADLINES = {
    "agency_summary_request:met-police": ("2025-12-22", "met"),   # added 19 Dec (the referrer's agency)
    "agency_summary_request:enfield-ccg": ("2025-12-23", "met"),  # added 22 Dec
    "panel_notification": ("2025-12-30", "met"),                  # 5 working days over Christmas
    "partners_informed": ("2025-12-30", "met"),
    "looked_after_notification": ("2025-12-30", "met"),
    "agency_summary:met-police": ("2026-01-07", "met"),           # 10 working days from 19 Dec
    "agency_summary:enfield-ccg": ("2026-01-08", "met"),          # 10 working days from 22 Dec (met late, 9 Jan)
    "rapid_review": ("2026-01-16", "met"),                        # 15 working days from the notification
    "local_review_decision": ("2026-01-16", "met"),
    "reviewer_commissioning": ("2026-02-13", "met"),              # a month from the decision
    "prepublication_notice": ("2026-07-02", "met"),               # 7 working days before Monday 13 July
    "publication": ("2026-07-13", "met"),                         # 6 months from the decision
}

SOS = "safeguarding.notifications@education.example.org"
EXPECTED_COMMUNICATIONS = [
    ("2025-12-19", "partners_informed", LA),
    ("2025-12-19", "partners_informed", POLICE),
    ("2025-12-19", "partners_informed", ICB),
    ("2025-12-19", "agency_summary_request", POLICE_PANEL),
    ("2025-12-19", "acknowledgement", REFERRER),
    ("2025-12-22", "meeting_reminder", "sqas.head@enfield.example.org"),
    ("2025-12-22", "meeting_reminder", "designated.doctor@nhs.example.org"),
    ("2025-12-22", "meeting_reminder", CCG_PANEL),
    ("2025-12-22", "meeting_reminder", POLICE_PANEL),
    ("2025-12-22", "meeting_reminder", "education.safeguarding@enfield.example.org"),
    ("2025-12-22", "agency_summary_request", CCG_PANEL),
    ("2025-12-22", "looked_after_notification", SOS),
    ("2025-12-22", "looked_after_notification", OFSTED),
    # Left as a draft for the local authority on the 19th, sent by it on the 22nd, seen gone the next morning.
    ("2025-12-23", "serious_incident_notification", PANEL),
    ("2025-12-23", "serious_incident_notification", OFSTED),
    # Only once all three partners had signed.
    ("2026-01-15", "rapid_review_outcome", PANEL),
    ("2026-01-15", "decision_to_referrer", REFERRER),
    ("2026-02-02", "panel_response_to_partners", LA),
    ("2026-02-02", "panel_response_to_partners", POLICE),
    ("2026-02-02", "panel_response_to_partners", ICB),
    ("2026-02-10", "reviewer_commission", REVIEWER),
    ("2026-06-08", "prepublication_notice", PANEL),
    ("2026-06-08", "prepublication_notice", SOS),
]

EXPECTED_CHASE = [
    ("2025-12-19", "reminder", LA),            # panel_notification: 5 working days before 30 Dec
    ("2025-12-30", "reminder", POLICE_PANEL),  # agency_summary:met-police, 5 before 7 Jan
    ("2025-12-31", "reminder", CCG_PANEL),     # agency_summary:enfield-ccg, 5 before 8 Jan
    ("2026-01-07", "reminder", CCG_PANEL),     # 1 before
    ("2026-01-08", "reminder", CCG_PANEL),     # on the day
    ("2026-01-09", "reminder", LA),            # rapid_review: 5 before 16 Jan, to each partner
    ("2026-01-09", "reminder", POLICE),
    ("2026-01-09", "reminder", ICB),
    ("2026-01-09", "escalation", CCG_PANEL),   # the health summary missed: its panel member, chief executive, BM
    ("2026-01-09", "escalation", "chief.officer@nhs.example.org"),
    ("2026-01-09", "escalation", BM),
    ("2026-01-15", "reminder", LA),            # rapid_review: 1 before (signed and sent that day)
    ("2026-01-15", "reminder", POLICE),
    ("2026-01-15", "reminder", ICB),
    ("2026-02-06", "reminder", BM),            # reviewer_commissioning: 5 before 13 Feb
    ("2026-07-06", "reminder", LA),            # publication: 5 before, 1 before and on the day (13 Jul)
    ("2026-07-06", "reminder", POLICE),
    ("2026-07-06", "reminder", ICB),
    ("2026-07-10", "reminder", LA),
    ("2026-07-10", "reminder", POLICE),
    ("2026-07-10", "reminder", ICB),
    ("2026-07-13", "reminder", LA),
    ("2026-07-13", "reminder", POLICE),
    ("2026-07-13", "reminder", ICB),
]
