"""A domestic homicide review from the police's notification to publication, under the dhr-2016 pack, with an
injected clock.

The service runs every day at 09:05 (weekends included, to show that nothing goes out on them); people act
after the morning's run and the next run sees it. The police notify the community safety partnership by
email on Wednesday 19 November 2025; the CSP decides on Friday 19 December 2025, the day its decision (and
the letter to the Home Office) is due, so the deadlines that follow run across the Christmas and New Year
bank holidays. The test asserts every deadline's due date, every message (template, recipient, day;
nothing twice) and the meeting; the copies to the Secretary of State and the Domestic Abuse Commissioner
(Victims and Prisoners Act 2024 s19, prospective) do not go, and a second test switches them on in a copy
of the pack.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service import cases
from service.jobs import run_once
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
PACK = "dhr-2016"
REF = "DHR-2025-001"
BM = "escb.business.manager@enfield.example.org"
CSP_CHAIR = "csp.chair@enfield.example.org"
HOME_OFFICE = "dhr.enquiries@homeoffice.example.org"
COMMISSIONER = "dhr.reports@domesticabusecommissioner.example.org"
REFERRER = "karen.sample@met-police.example.org"
POLICE_PANEL = "public.protection@met-police.example.org"
POLICE_CEO = "borough.commander@met-police.example.org"
MHT_PANEL = "safeguarding@beh-mht.example.org"
MHT_CEO = "chief.executive@beh-mht.example.org"
FAMILY = "sister@family.example.org"

FORM = """Community Safety Partnership
Domestic homicide review (DHR) notification

Names, dates of birth and address:
Adult: Jane Exampleton, DOB 14/06/1980; Adult: John Exampleton, DOB 02/03/1978; Address: 2 Example Road, Enfield, EN1 1AA

Date: {date}

Summary:
Jane (aged 45) died at home. Her husband has been charged with her murder. There was a history of domestic abuse known to agencies.

Request/Recommendations to the CSP:
The police notify the CSP and ask it to consider a domestic homicide review.

Please state how the case meets the criteria (Domestic Violence, Crime and Victims Act 2004 s9):
The death appears to have resulted from violence by a person with whom she was in an intimate personal relationship.

Name of the referrer: Karen Sample

Telephone: 020 8345 0000

E-mail: karen.sample@met-police.example.org
"""


@pytest.fixture
def pack(request, tmp_path) -> str:
    """The shipped pack; or, with ``s19_in_force``, a board's copy of it with the copies under section 9A of
    the 2004 Act (Victims and Prisoners Act 2024 s19) switched on: one line changed, no code."""
    if getattr(request, "param", None) != "s19_in_force":
        return PACK
    copy = tmp_path / "our-dhr"
    shutil.copytree(ROOT / "procedures" / PACK, copy)
    toml = copy / "procedure.toml"
    head, tail = toml.read_text(encoding="utf-8").split('id = "s9a_report"', 1)
    toml.write_text(head + 'id = "s9a_report"' + tail.replace('trigger = "on_command"', 'trigger = "report_approved"',
                                                              1), encoding="utf-8")
    return str(copy)


@pytest.fixture
def settings(config_dir, db_env, pack):
    from service.config import load_settings

    env = {**db_env, "REVIEW_CLERK_PROCEDURE__PACK": pack, "REVIEW_CLERK_PROCEDURE__PACKS": json.dumps([pack])}
    return load_settings(config_dir / "review-clerk.toml", environ=env)


def referral_email(day: datetime) -> bytes:
    m = EmailMessage()
    m["From"] = "Karen Sample <karen.sample@met-police.example.org>"
    m["To"] = BM
    m["Subject"] = "DHR notification"
    m["Date"] = format_datetime(day)
    m["Message-ID"] = "<dhr-walk-1@met-police.example.org>"
    m.set_content(FORM.format(date=day.strftime("%d/%m/%Y")))
    return bytes(m)


def imr_email(sender: str, n: int) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = BM
    m["Subject"] = f"{REF} IMR for the domestic homicide review"
    m["Message-ID"] = f"<dhr-walk-imr-{n}@example.org>"
    m.set_content("Please find our report and chronology attached.")
    m.add_attachment(b"%PDF-1.4 not really", maintype="application", subtype="pdf", filename="IMR.pdf")
    return bytes(m)


def outbox(app) -> list[tuple[str, str, str, str]]:
    """(day sent, template, what it was about, recipient) for every message the service sent."""
    with app.db.engine.connect() as conn:
        rows = conn.execute(t.outbox.select().order_by(t.outbox.c.id)).mappings().all()
    # With [chasing] combine, a person's items of one run went in one chase_summary message: each item keeps
    # its own row (status combined) naming it, and was sent when that message was, to them.
    summaries = {r["key"]: r for r in rows if r["template"] == "chase_summary"}
    out = []
    for r in rows:
        if r["template"] == "chase_summary":
            continue  # listed by its items
        sent = summaries[r["headers"]["combined_into"]]["sent_at"] if r["status"] == "combined" else r["sent_at"]
        assert sent is not None, f"{r['key']} was never sent ({r['status']})"
        when = (sent if sent.tzinfo else sent.replace(tzinfo=ZoneInfo("UTC"))).astimezone(LONDON).date().isoformat()
        parts = r["key"].split("/")
        about = parts[1] if len(parts) > 1 else ""
        for to in r["to"]:
            out.append((when, r["template"], about, to))
    return out


def test_a_domestic_homicide_review_walks_from_notification_to_publication(app, clock):
    inbox = app.settings.data_dir / "mail" / "inbox"
    day = datetime(2025, 11, 19, 9, 5, tzinfo=LONDON)  # Wednesday
    end = datetime(2026, 6, 16, 9, 5, tzinfo=LONDON)
    actions = {
        date(2025, 11, 19): lambda: (inbox / "notification.eml").write_bytes(referral_email(day)),
        date(2025, 11, 20): lambda: cases.add_agency(app, REF, "beh-mht", "bm"),
        date(2025, 12, 19): lambda: cases.decide(app, REF, "dhr", date(2025, 12, 19),
                                                 "killed by her husband; domestic abuse known to agencies",
                                                 "csp-chair", criterion="s9-relative-or-partner"),
        date(2026, 1, 6): lambda: send_family_letter(app),
        date(2026, 1, 22): lambda: (cases.record(app, REF, "dhr_chair_appointed", date(2026, 1, 22), "bm"),
                                    cases.record(app, REF, "terms_of_reference_agreed", date(2026, 1, 22), "bm"),
                                    cases.set_due(app, REF, "imr", "met-police", date(2026, 2, 27), "bm"),
                                    cases.set_due(app, REF, "imr", "beh-mht", date(2026, 2, 27), "bm")),
        date(2026, 2, 26): lambda: (inbox / "imr-police.eml").write_bytes(imr_email(REFERRER, 1)),
        date(2026, 3, 4): lambda: (inbox / "imr-mht.eml").write_bytes(
            imr_email("Named Nurse <safeguarding@beh-mht.example.org>", 2)),
        date(2026, 5, 14): lambda: cases.record(app, REF, "report_approved", date(2026, 5, 14), "csp"),
        date(2026, 6, 3): lambda: cases.record(app, REF, "home_office_qa_approved", date(2026, 6, 3), "bm"),
        date(2026, 6, 15): lambda: cases.record(app, REF, "published", date(2026, 6, 15), "bm"),
    }
    first_due: dict[str, str] = {}  # each deadline's due date as first set
    while day <= end:
        clock.set(day)
        run_once(app)
        if day.date() in actions:
            actions[day.date()]()
        run_once(app)
        with app.db.unit_of_work() as uow:
            try:
                case = uow.cases.get(REF)
            except Exception:  # noqa: BLE001 - not opened yet
                case = None
        if case is not None:
            for k, d in case.deadlines.items():
                first_due.setdefault(k, d.due.isoformat())
        day += timedelta(days=1)

    log = outbox(app)
    assert all(date.fromisoformat(d).weekday() < 5 for d, *_ in log), "something went out at a weekend"
    assert not [x for x, n in Counter(log).items() if n > 1], "something was sent twice"
    assert [x for x in log if x[1] != "digest"] == EXPECTED_MESSAGES
    # The weekly digest: the week the service first ran (Wednesday 19 November), then every Monday; on a bank
    # holiday Monday (Easter Monday, the early May and spring bank holidays) on the Tuesday.
    mondays = [date(2025, 11, 24) + timedelta(weeks=k) for k in range(30)]
    shifted = {date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25)}
    assert [(d, to) for d, tmpl, _, to in log if tmpl == "digest"] == [("2025-11-19", BM)] + [
        ((m + timedelta(days=1) if m in shifted else m).isoformat(), BM) for m in mondays]
    assert first_due == EXPECTED_DUE
    with app.db.engine.connect() as conn:
        meetings = [(m["kind"], m["state"], m["start"].replace(tzinfo=None), m["end"].replace(tzinfo=None))
                    for m in conn.execute(t.meetings.select()).mappings()]
        invited = sorted(a["email"] for a in conn.execute(t.meeting_attendees.select()).mappings())
    # The CSP's DHR panel meets 2 working days after the notification (the earliest the meetings' notice
    # allows), at 09:00 for two hours, before the decision is due; every standing panel member and each
    # involved agency's panel member is invited.
    assert meetings == [("dhr_decision_panel", "held", datetime(2025, 11, 21, 9), datetime(2025, 11, 21, 11))]
    assert invited == sorted(STANDING_PANEL + [MHT_PANEL])
    shown = cases.show(app, REF)
    assert shown["stage"] == "publication"
    assert not [x for x in log if x[1] == "s9a_report"]  # VPA 2024 s19: off in the shipped pack
    assert {d["key"]: d["state"] for d in shown["deadlines"]} == {
        **{k: "met" for k in EXPECTED_DUE}, "report_on_website": "open"}  # online until June 2027


@pytest.mark.parametrize("pack", ["s19_in_force"], indirect=True)
def test_where_s19_is_in_force_a_boards_copy_sends_the_report_to_the_secretary_of_state_and_commissioner(
        app, clock):
    inbox = app.settings.data_dir / "mail" / "inbox"
    REF_2026 = "DHR-2026-001"  # noqa: N806 - the year of the notification
    day = datetime(2026, 6, 1, 9, 5, tzinfo=LONDON)  # Monday
    clock.set(day)
    (inbox / "notification.eml").write_bytes(referral_email(day))
    run_once(app)
    cases.decide(app, REF_2026, "dhr", day.date(), "killed by her husband", "csp-chair", criterion="s9-same-household")
    cases.record(app, REF_2026, "dhr_chair_appointed", day.date(), "bm")
    run_once(app)
    day = datetime(2026, 11, 30, 9, 5, tzinfo=LONDON)  # Monday: the CSP approves the overview report
    clock.set(day)
    cases.record(app, REF_2026, "report_approved", day.date(), "csp")
    run_once(app)
    # (The deadlines this short walk left behind are chased the same day; only the report's letters count here.)
    sent = [(tmpl, to) for d, tmpl, _, to in outbox(app) if tmpl in ("qa_submission", "s9a_report")]
    assert sent == [("qa_submission", HOME_OFFICE), ("s9a_report", HOME_OFFICE), ("s9a_report", COMMISSIONER)]
    events = cases.show(app, REF_2026)["events"]
    assert {e: events[e] for e in ("submitted_to_home_office", "s9a_copies_sent")} == {
        "submitted_to_home_office": "2026-11-30", "s9a_copies_sent": "2026-11-30"}


def send_family_letter(app) -> None:
    from service.letters.commands import send_on_command

    send_on_command(app, REF, "family_letter", "bm", to=FAMILY, name="Ms S Exampleton")


# Each deadline's due date (checked by hand against the pack: procedures/dhr-2016/README.md).
EXPECTED_DUE = {
    "decision": "2025-12-19",                  # 1 calendar month from the notification (19 November 2025)
    "home_office_notification": "2025-12-19",  # likewise
    "imr_requests": "2025-12-30",              # 5 working days from Friday 19 December: 25 and 26 December skipped
    "family_contact": "2026-01-07",            # 10 working days from 19 December: 1 January skipped too
    "dhr_chair_appointment": "2026-01-21",     # 20 working days from 19 December
    "completion": "2026-06-19",                # 6 calendar months from the decision
    "imr:met-police": "2026-02-27",            # as the review panel set it
    "imr:beh-mht": "2026-02-27",
    "report_on_website": "2027-06-15",         # 12 calendar months from publication on 15 June 2026
}
STANDING_PANEL = ["sqas.head@enfield.example.org", "designated.doctor@nhs.example.org",
                  "designated.nurse@nhs.example.org", POLICE_PANEL, "education.safeguarding@enfield.example.org"]

# Every message but the digest, in the order queued, checked by hand against the pack and the chase rules
# (reminders 5 and 1 working days before and on the day; escalation the next working morning to the owner and
# the Business Manager, and an agency's chief executive; the Chair who decides, here the CSP's, from 3
# working days overdue).
EXPECTED_MESSAGES: list[tuple[str, str, str, str]] = [
    ("2025-11-19", "notification_to_csp_chair", "notification_to_csp_chair", CSP_CHAIR),
    ("2025-11-19", "acknowledgement", "acknowledgement", REFERRER),
    ("2025-11-19", "agency_report_request", "meeting", POLICE_PANEL),
    *[("2025-11-20", "meeting_reminder", "meeting", who) for who in STANDING_PANEL],
    ("2025-11-20", "agency_report_request", "meeting", MHT_PANEL),
    ("2025-11-20", "meeting_reminder", "meeting", MHT_PANEL),
    ("2025-12-12", "reminder", "decision", CSP_CHAIR),
    ("2025-12-12", "reminder", "home_office_notification", CSP_CHAIR),
    ("2025-12-18", "reminder", "decision", CSP_CHAIR),
    ("2025-12-18", "reminder", "home_office_notification", CSP_CHAIR),
    ("2025-12-19", "reminder", "decision", CSP_CHAIR),
    ("2025-12-19", "reminder", "home_office_notification", CSP_CHAIR),
    # The decision: the Home Office letter (it records home_office_told), the police told, and the IMR requests.
    ("2025-12-19", "decision_to_home_office", "decision_to_home_office", HOME_OFFICE),
    ("2025-12-19", "decision_outcome", "decision_outcome", REFERRER),
    ("2025-12-19", "imr_request", "imr_request", POLICE_CEO),
    ("2025-12-19", "imr_request", "imr_request", MHT_CEO),
    ("2025-12-30", "reminder", "family_contact", BM),
    ("2026-01-06", "reminder", "family_contact", BM),
    ("2026-01-06", "family_letter", "family_letter", FAMILY),
    ("2026-01-14", "reminder", "dhr_chair_appointment", BM),
    ("2026-01-20", "reminder", "dhr_chair_appointment", BM),
    ("2026-01-21", "reminder", "dhr_chair_appointment", BM),
    ("2026-01-22", "escalation", "dhr_chair_appointment", BM),  # appointed later that day
    ("2026-02-20", "reminder", "imr:met-police", POLICE_PANEL),
    ("2026-02-20", "reminder", "imr:beh-mht", MHT_PANEL),
    ("2026-02-26", "reminder", "imr:met-police", POLICE_PANEL),
    ("2026-02-26", "reminder", "imr:beh-mht", MHT_PANEL),
    ("2026-02-26", "agency_return_received", "agency_return_received", REFERRER),  # the sender thanked (issue 17)
    ("2026-02-27", "reminder", "imr:beh-mht", MHT_PANEL),
    ("2026-03-02", "escalation", "imr:beh-mht", MHT_PANEL),
    ("2026-03-02", "escalation", "imr:beh-mht", MHT_CEO),
    ("2026-03-02", "escalation", "imr:beh-mht", BM),
    ("2026-03-04", "escalation", "imr:beh-mht", MHT_PANEL),
    ("2026-03-04", "escalation", "imr:beh-mht", MHT_CEO),
    ("2026-03-04", "escalation", "imr:beh-mht", BM),
    ("2026-03-04", "escalation", "imr:beh-mht", CSP_CHAIR),
    ("2026-03-04", "agency_return_received", "agency_return_received", MHT_PANEL),
    # The CSP approves the report: it goes to the Home Office quality assurance panel at once.
    ("2026-05-14", "qa_submission", "qa_submission", HOME_OFFICE),
]
