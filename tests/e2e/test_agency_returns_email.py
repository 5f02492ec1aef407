"""Three agencies answer the Chair's IMR letters by email, each with its chronology (Word, Excel, PDF):
each is filed against the case and agency, its deadline is met, the sender is thanked once, and the
integrated chronology is built once and goes as a draft for the Business Manager to check and send."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service import cases
from service.domain.model import Case, Referrer, Subject
from service.domain.model_types import Outcome
from service.jobs import read_inbox, send_outbox
from service.procedure.pack import default as default_procedure
from service.store import tables as t

LONDON = ZoneInfo("Europe/London")
REF = "ESCB-2014-001"
BM = "escb.business.manager@enfield.example.org"
FIXTURES = Path(__file__).resolve().parents[1] / "chronology" / "fixtures"
# (agency, the chief executive the IMR letter went to, the chronology they return, the name they give it,
#  its rows as tests/chronology/make_fixtures.py wrote them)
RETURNS = [
    ("met-police", "borough.commander@met-police.example.org", "police_word_standard.docx",
     "Police chronology.docx", 6),
    ("enfield-csc", "chief.executive@enfield.example.org", "csc_excel_row4.xlsx", "CSC chronology v1.xlsx", 7),
    ("beh-mht", "chief.executive@beh-mht.example.org", "camhs_pdf.pdf", "CAMHS return.pdf", 28),
]


@pytest.fixture
def settings(config_dir, db_env):
    from service.config import load_settings

    return load_settings(config_dir / "review-clerk.toml",
                         environ={**db_env, "REVIEW_CLERK_MEETINGS__AUTO_SCHEDULE": "false"})


def outbox(app, template: str | None = None) -> list[dict]:
    q = select(t.outbox).order_by(t.outbox.c.id)
    if template:
        q = q.where(t.outbox.c.template == template)
    with app.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def reply_with(letter: dict, sender: str, filename: str, data: bytes, n: int, when: datetime,
               subject: str | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"] = sender, BM
    m["Subject"] = subject or f"RE: {letter['subject']}"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<return-{n}@agency.example.org>"
    m["In-Reply-To"] = m["References"] = letter["message_id"]
    m.set_content("Please find our chronology attached.\n\nRegards")
    maintype, subtype = {"docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
                         "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                         "pdf": ("application", "pdf")}[filename.rsplit(".", 1)[1]]
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(m)


def test_three_agencies_reply_with_chronologies_each_deadline_met_and_one_integrated_chronology_for_review(app, clock):
    case = Case.open(REF, date(2014, 5, 12), clock.now(), "test",
                     subjects=[Subject("Amelia Demo", "child", "child", date(2010, 2, 3), "1 Example Road")],
                     referrer=Referrer("Karen Sample", "Metropolitan Police Service", None,
                                       "karen.sample@met-police.example.org"), procedure=default_procedure())
    for agency, *_ in RETURNS:
        case.add_agency(agency, clock.now(), "test")
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 1)
        uow.commit()
    for agency, *_ in RETURNS:
        cases.set_due(app, REF, "chronology", agency, date(2014, 7, 31), "bm")
    cases.decide(app, REF, Outcome.SCR, date(2014, 5, 12), "criteria met", "chair")
    send_outbox(app)
    letters = {r["to"][0]: r for r in outbox(app, "imr_letter")}
    assert set(letters) == {ce for _, ce, *_ in RETURNS} and all(r["status"] == "sent" for r in letters.values())

    clock.set(datetime(2014, 6, 2, 10, tzinfo=LONDON))
    inbox = app.settings.data_dir / "mail" / "inbox"
    for n, (agency, ce, fixture, name, _) in enumerate(RETURNS, start=1):
        # The CAMHS reply's subject has lost the reference: its In-Reply-To still names the letter.
        subject = "Our chronology for the review" if agency == "beh-mht" else None
        raw = reply_with(letters[ce], ce, name, (FIXTURES / fixture).read_bytes(), n, clock.now(), subject)
        (inbox / f"return-{n}.eml").write_bytes(raw)
    counts = read_inbox(app)
    assert counts["reply"] == 3 and counts.get("chronologies_built") == 1

    with app.db.unit_of_work() as uow:
        filed = uow.returns.for_case(uow.cases.id_of(REF))
    assert sorted((r["agency"], r["kind"], r["version"], r["rows_read"]) for r in filed) == \
        sorted((agency, "chronology", 1, rows) for agency, _, _, _, rows in RETURNS)
    deadlines = {d["key"]: d for d in cases.show(app, REF)["deadlines"]}
    for agency, *_ in RETURNS:
        assert deadlines[f"chronology:{agency}"]["state"] == "met"
        assert deadlines[f"chronology:{agency}"]["met_on"] in (date(2014, 6, 2), "2014-06-02")

    thanks = outbox(app, "agency_return_received")
    assert sorted(r["to"][0] for r in thanks) == sorted(ce for _, ce, *_ in RETURNS)
    assert all("Chronology" in r["text"] and "recorded as received on 2 June 2014" in r["text"] for r in thanks)

    [draft] = outbox(app, "chronology_for_review")
    assert draft["mode"] == "review" and draft["reviewer"] == BM and BM in draft["to"]
    assert "3 agencies, 41 rows" in draft["subject"]
    names = sorted(a["filename"] for a in draft["attachments"])
    assert names == [f"{REF} integrated chronology.docx", f"{REF} integrated chronology.xlsx"]
    from openpyxl import load_workbook

    xlsx = next(a for a in draft["attachments"] if a["filename"].endswith(".xlsx"))
    sheet = load_workbook(io.BytesIO(base64.b64decode(xlsx["data_b64"]))).worksheets[0]
    assert sheet.max_row - 1 == 41  # a header row and every agency's rows

    # It goes to the Business Manager's mailbox as a draft to check and send; the thanks go out.
    send_outbox(app)
    assert outbox(app, "chronology_for_review")[0]["status"] == "awaiting_review"
    assert all(r["status"] == "sent" for r in outbox(app, "agency_return_received"))
    # The next runs find nothing new: no second thanks, no second chronology.
    read_inbox(app)
    send_outbox(app)
    read_inbox(app)
    assert len(outbox(app, "chronology_for_review")) == 1 and len(outbox(app, "agency_return_received")) == 3

