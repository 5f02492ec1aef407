"""A safeguarding adults review from the referral to publication, under the sar-care-act-2014 pack, with an
injected clock.

The service runs every day at 09:05 (weekends included, to show that nothing goes out on them); people act
after the morning's run and the next run sees it. The referral arrives by email on Wednesday 19 November
2025; the SAR sub-group decides on Friday 19 December 2025, the day its decision is due, so the deadlines
that follow the decision run across the Christmas and New Year bank holidays. The test asserts every
deadline's due date, every message (template, recipient, day; nothing twice) and the meeting.
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
PACK = "sar-care-act-2014"
REF = "SAR-2025-001"
BM = "escb.business.manager@enfield.example.org"
SAB_CHAIR = "sab.chair@enfield.example.org"
SUBGROUP_CHAIR = "sar.subgroup.chair@enfield.example.org"
REFERRER = "karen.sample@met-police.example.org"
POLICE_PANEL = "public.protection@met-police.example.org"
POLICE_CEO = "borough.commander@met-police.example.org"
MHT_PANEL = "safeguarding@beh-mht.example.org"
MHT_CEO = "chief.executive@beh-mht.example.org"
FAMILY = "daughter@family.example.org"

FORM = """Safeguarding Adults Board
Safeguarding Adults Review (SAR) referral

Adult's name, date of birth and address:
Adult: Edith Exampleton, DOB 03/02/1941; Address: 1 Example Road, Enfield, EN1 1AA

Date: {date}

Summary:
Edith (aged 84) died in hospital with grade 4 pressure ulcers; neglect by her paid carers is suspected.

Request/Recommendations to the Board:
We ask the Board to consider a safeguarding adults review.

Please state how the case meets the criteria for a SAR (Care Act 2014 s44):
The adult has died and neglect is suspected; there is concern about how agencies worked together.

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
    m["From"] = "Karen Sample <karen.sample@met-police.example.org>"
    m["To"] = BM
    m["Subject"] = "Safeguarding adults review referral"
    m["Date"] = format_datetime(day)
    m["Message-ID"] = "<sar-walk-1@met-police.example.org>"
    m.set_content(FORM.format(date=day.strftime("%d/%m/%Y")))
    return bytes(m)


def imr_email(sender: str, n: int) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = BM
    m["Subject"] = f"{REF} IMR for the safeguarding adults review"
    m["Message-ID"] = f"<sar-walk-imr-{n}@example.org>"
    m.set_content("Please find our report and chronology attached.")
    m.add_attachment(b"%PDF-1.4 not really", maintype="application", subtype="pdf", filename="IMR.pdf")
    return bytes(m)


def outbox(app) -> list[tuple[str, str, str, str]]:
    """(day sent, template, what it was about, recipient) for every message the service sent."""
    with app.db.engine.connect() as conn:
        rows = conn.execute(t.outbox.select().order_by(t.outbox.c.id)).mappings().all()
    out = []
    for r in rows:
        sent = r["sent_at"]
        assert sent is not None, f"{r['key']} was never sent ({r['status']})"
        when = (sent if sent.tzinfo else sent.replace(tzinfo=ZoneInfo("UTC"))).astimezone(LONDON).date().isoformat()
        parts = r["key"].split("/")
        about = parts[1] if len(parts) > 1 else ""
        for to in r["to"]:
            out.append((when, r["template"], about, to))
    return out


def test_a_safeguarding_adults_review_walks_from_referral_to_publication(app, clock):
    inbox = app.settings.data_dir / "mail" / "inbox"
    day = datetime(2025, 11, 19, 9, 5, tzinfo=LONDON)  # Wednesday
    end = datetime(2026, 6, 16, 9, 5, tzinfo=LONDON)
    actions = {
        date(2025, 11, 19): lambda: (inbox / "referral.eml").write_bytes(referral_email(day)),
        date(2025, 11, 20): lambda: cases.add_agency(app, REF, "beh-mht", "bm"),
        date(2025, 12, 3): lambda: cases.record(app, REF, "subgroup_considered", date(2025, 12, 3), "bm"),
        date(2025, 12, 19): lambda: cases.decide(app, REF, "mandatory-sar", date(2025, 12, 19),
                                                 "died; neglect suspected; concern about joint working",
                                                 "sar-subgroup", criterion="s44-condition-1"),
        date(2026, 1, 6): lambda: send_family_letter(app),
        date(2026, 1, 12): lambda: (cases.record(app, REF, "terms_of_reference_agreed", date(2026, 1, 12), "bm"),
                                    cases.record(app, REF, "reviewer_appointed", date(2026, 1, 12), "bm"),
                                    cases.set_due(app, REF, "imr", "met-police", date(2026, 2, 27), "bm"),
                                    cases.set_due(app, REF, "imr", "beh-mht", date(2026, 2, 27), "bm")),
        date(2026, 2, 26): lambda: (inbox / "imr-police.eml").write_bytes(imr_email(REFERRER, 1)),
        date(2026, 3, 4): lambda: (inbox / "imr-mht.eml").write_bytes(
            imr_email("Named Nurse <safeguarding@beh-mht.example.org>", 2)),
        date(2026, 5, 6): lambda: cases.record(app, REF, "report_quality_assured", date(2026, 5, 6), "subgroup"),
        date(2026, 5, 20): lambda: cases.record(app, REF, "report_approved", date(2026, 5, 20), "sab"),
        date(2026, 5, 21): lambda: cases.record(app, REF, "publication_planned", date(2026, 6, 15), "bm"),
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
    # The sub-group meets 2 working days after the referral (the earliest the meetings' notice allows), at
    # 09:00 for two hours, before the decision is due; every standing panel member and each involved agency's
    # panel member is invited.
    assert meetings == [("sar_subgroup", "held", datetime(2025, 11, 21, 9), datetime(2025, 11, 21, 11))]
    assert invited == sorted(STANDING_PANEL + [MHT_PANEL])
    shown = cases.show(app, REF)
    assert shown["stage"] == "publication"
    assert {d["key"]: d["state"] for d in shown["deadlines"]} == {k: "met" for k in EXPECTED_DUE}


def send_family_letter(app) -> None:
    from service.letters.commands import send_on_command

    send_on_command(app, REF, "family_letter", "bm", to=FAMILY, name="Mrs D Exampleton")


# Each deadline's due date (checked by hand against the pack: procedures/sar-care-act-2014/README.md).
EXPECTED_DUE = {
    "decision": "2025-12-19",              # 1 calendar month from the referral (Wednesday 19 November 2025)
    "information_requests": "2025-12-30",  # 5 working days from Friday 19 December: 25 and 26 December skipped
    "family_contact": "2026-01-07",        # 10 working days from 19 December: 25, 26 December and 1 January skipped
    "reviewer_appointment": "2026-01-21",  # 20 working days from 19 December
    "imr:met-police": "2026-02-27",        # as the Board's request set it
    "imr:beh-mht": "2026-02-27",
    "prepublication_notice": "2026-06-08", # 7 days before the planned publication on Monday 15 June 2026
    "completion": "2026-06-19",            # 6 calendar months from the decision
}
STANDING_PANEL = ["sqas.head@enfield.example.org", "designated.doctor@nhs.example.org",
                  "designated.nurse@nhs.example.org", POLICE_PANEL, "education.safeguarding@enfield.example.org"]

# Every message but the digest, in the order queued, checked by hand against the pack and the chase rules
# (reminders 5 and 1 working days before and on the day; escalation the next working morning to the owner and
# the Business Manager, and an agency's chief executive; the Chair who decides, here the SAR sub-group's,
# from 3 working days overdue).
EXPECTED_MESSAGES: list[tuple[str, str, str, str]] = [
    ("2025-11-19", "referral_notice", "referral_notice", SUBGROUP_CHAIR),
    ("2025-11-19", "referral_notice", "referral_notice", SAB_CHAIR),
    ("2025-11-19", "acknowledgement", "acknowledgement", REFERRER),
    # The sub-group's meeting is arranged when the referral opens the case; the referring agency is involved.
    ("2025-11-19", "agency_report_request", "meeting", POLICE_PANEL),
    # Reminders to reply, from 2 working days before the meeting but not on the day of the invitation.
    *[("2025-11-20", "meeting_reminder", "meeting", who) for who in STANDING_PANEL],
    # The mental health trust, added on 20 November, is invited and asked for its summary.
    ("2025-11-20", "agency_report_request", "meeting", MHT_PANEL),
    ("2025-11-20", "meeting_reminder", "meeting", MHT_PANEL),
    ("2025-12-12", "reminder", "decision", SUBGROUP_CHAIR),
    ("2025-12-18", "reminder", "decision", SUBGROUP_CHAIR),
    ("2025-12-19", "reminder", "decision", SUBGROUP_CHAIR),  # on the day, before the decision
    ("2025-12-19", "decision_to_sab_chair", "decision_to_sab_chair", SAB_CHAIR),
    ("2025-12-19", "decision_outcome", "decision_outcome", REFERRER),
    # s45: the requests go at once, so `information_requests` (due 30 December) is never chased.
    ("2025-12-19", "information_request", "information_request", POLICE_CEO),
    ("2025-12-19", "information_request", "information_request", MHT_CEO),
    ("2025-12-30", "reminder", "family_contact", BM),
    ("2026-01-06", "reminder", "family_contact", BM),
    ("2026-01-06", "family_letter", "family_letter", FAMILY),  # sending it records family_contacted
    ("2026-02-20", "reminder", "imr:met-police", POLICE_PANEL),
    ("2026-02-20", "reminder", "imr:beh-mht", MHT_PANEL),
    ("2026-02-26", "reminder", "imr:met-police", POLICE_PANEL),  # the police's report arrives that day
    ("2026-02-26", "reminder", "imr:beh-mht", MHT_PANEL),
    ("2026-02-26", "agency_return_received", "agency_return_received", REFERRER),  # the sender thanked (issue 17)
    ("2026-02-27", "reminder", "imr:beh-mht", MHT_PANEL),
    ("2026-03-02", "escalation", "imr:beh-mht", MHT_PANEL),
    ("2026-03-02", "escalation", "imr:beh-mht", MHT_CEO),
    ("2026-03-02", "escalation", "imr:beh-mht", BM),
    ("2026-03-04", "escalation", "imr:beh-mht", MHT_PANEL),  # 3 working days overdue: the Chair too
    ("2026-03-04", "escalation", "imr:beh-mht", MHT_CEO),
    ("2026-03-04", "escalation", "imr:beh-mht", BM),
    ("2026-03-04", "escalation", "imr:beh-mht", SUBGROUP_CHAIR),
    ("2026-03-04", "agency_return_received", "agency_return_received", MHT_PANEL),
    ("2026-05-06", "report_for_approval", "report_for_approval", SAB_CHAIR),
    # The publication date, to each involved agency's chief executive (it records the notice, due 8 June).
    ("2026-05-21", "prepublication_notice", "prepublication_notice", POLICE_CEO),
    ("2026-05-21", "prepublication_notice", "prepublication_notice", MHT_CEO),
]
