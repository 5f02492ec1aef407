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
PACK = "dhr-2016"
REF = "DHR-2025-001"
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
    seen_due: dict[str, str] = {}
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
                seen_due.setdefault(k, d.due.isoformat())
        day += timedelta(days=1)

    log = outbox(app)
    assert all(date.fromisoformat(d).weekday() < 5 for d, *_ in log), "something went out at a weekend"
    assert not [x for x, n in Counter(log).items() if n > 1], "something was sent twice"
    print("DUE", seen_due)
    for x in log:
        if x[1] != "digest":
            print(x)
    with app.db.engine.connect() as conn:
        for m in conn.execute(t.meetings.select()).mappings():
            print("MEETING", m["kind"], m["state"], m["start"], m["end"])
        for a in conn.execute(t.meeting_attendees.select()).mappings():
            print("ATTENDEE", a["email"], a["roles"], a["required"])
    shown = cases.show(app, REF)
    print(shown["stage"], {d["key"]: d["state"] for d in shown["deadlines"]})
    assert False


def send_family_letter(app) -> None:
    from service.letters.commands import send_on_command

    send_on_command(app, REF, "family_letter", "bm", to=FAMILY, name="Mrs D Exampleton")
