"""Issue 19: a referral read with no people, or with a place, organisation, heading or date as a person, or
read by OCR, is never filed without a person asked - one test per kind of form the issue lists.

Each form is built here as the red-team sets build them (an Acrobat form with values only in /V, a
flattened boxed PDF, a Surname / Forename(s) table, several tables, a copier scan and a JPEG photograph
read by Tesseract - really, no mock -, other boards' wordings, slash-separated family lines), then spoiled
the way real forms are: the people left out, a street, town, school or heading where a name should be.
The message goes through the service's intake (``read_inbox``): the case opens as now, its ``to_confirm``
says why (fixed phrases, no names) and the daily intake report asks the Business Manager to confirm it.
"""

from __future__ import annotations

import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from generated_sets import load_script

from service import cases
from service.intake.parsing import parse_message
from service.intake.report import daily_report
from service.jobs import read_inbox
from service.store import tables as t

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
R5 = load_script(HERE / "redteam5" / "make_redteam5.py")
U4 = R5.U4

SENDER = "karen.sample@met-police.example.org"
SUMMARY = "The child was admitted to hospital with injuries that the parents could not explain."
REQUEST = "Please consider a rapid review."
CRITERIA = "Serious harm where abuse is suspected."


def _message(*, body: str = "Referral attached.\n", attachment: tuple[bytes, str, str] | None = None,
             msgid: str) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = SENDER, "escb@example.org", "SCR referral"
    m["Message-ID"], m["Date"] = f"<{msgid}@met-police.example.org>", "Mon, 12 May 2014 08:00:00 +0100"
    m.set_content(body)
    if attachment:
        data, filename, mime = attachment
        maintype, subtype = mime.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(m)


def _referrer_rows() -> list[tuple[str, str, float]]:
    return [("Summary of concerns", SUMMARY, 30), ("Request", REQUEST, 14), ("Criteria", CRITERIA, 14),
            ("Name of referrer", "Karen Sample", 14), ("Agency", "Metropolitan Police", 14),
            ("Telephone", "020 8345 0000", 14), ("Email", SENDER, 14)]


def acroform_without_people() -> bytes:
    """An Acrobat form whose people fields were left empty: only the referral's other values in /V."""
    rows = [("Date of referral", "12/05/2014", 14), ("Child's full name", "", 14), ("Child's date of birth", "", 14),
            *_referrer_rows()]
    return _message(attachment=(U4.pdf_fillable("Referral for a Case Review", rows), "referral.pdf",
                                "application/pdf"), msgid="kind-acroform")


def acroform_street_as_name() -> bytes:
    """An Acrobat form with the address typed into the name field and the name into the address field."""
    items = [("field", "Date of referral", "ref.date", "12/05/2014", 120, 14), ("next",),
             ("head", "Section 1 - The child"),
             ("field", "Full name", "child.name", "14 Mill Lane", 200, 14),
             ("field", "Date of birth", "child.dob", "02/09/2010", 90, 14),
             ("field", "Home address", "child.address", "Amelia Test", 200, 14), ("next",),
             ("field", "Summary", "c.summary", SUMMARY, 515, 30), ("next",),
             ("field", "Request", "c.request", REQUEST, 515, 14), ("next",),
             ("field", "Criteria", "c.criteria", CRITERIA, 515, 14), ("next",),
             ("field", "Name of referrer", "r.name", "Karen Sample", 250, 14),
             ("field", "Email", "r.email", SENDER, 250, 14), ("next",)]
    return _message(attachment=(R5.pdf_acroform("Referral", items), "referral.pdf", "application/pdf"),
                    msgid="kind-acroform-street")


def boxed_heading_as_name() -> bytes:
    """A flattened boxed-field PDF whose first name box holds the section's heading."""
    pg = U4.Page()
    pg.line("REFERRAL FOR A CASE REVIEW", bold=True, size=11, gap=28)

    def box(x, w, label, value):
        pg.boxes.append((x, pg.y - 14, w, 28))
        pg.items.append((x + 3, pg.y + 6, "F1", 6, label))
        pg.items.append((x + 3, pg.y - 8, "F1", 9, value))

    box(40, 150, "Date of referral", "12/05/2014")
    pg.y -= 42
    pg.line("Subjects", bold=True, gap=24)
    box(40, 160, "Name", "Parents/carers")
    box(204, 80, "Date of birth", "")
    box(288, 260, "Address", "1 Example Road, Enfield, EN1 1AA")
    pg.y -= 40
    for label, text in (("Summary", SUMMARY), ("Request", REQUEST), ("Criteria", CRITERIA)):
        pg.line(label, bold=True)
        pg.para(text)
    pg.row([(40, "Name:"), (150, "Karen Sample")])
    pg.row([(40, "Email:"), (150, SENDER)])
    return _message(attachment=(pg.pdf(), "referral.pdf", "application/pdf"), msgid="kind-boxed")


def surname_table_school_as_person() -> bytes:
    """A SURNAME / FORENAME(S) table in a PDF with the child's school typed on a row of its own."""
    pg = U4.Page()
    pg.line("Case Review Referral", bold=True, size=12, gap=22)
    pg.row([(40, "Date of referral:"), (150, "12/05/2014")], gap=22)
    pg.line("Subjects of the referral", bold=True, gap=16)
    cols = (40, 130, 230, 310, 400)
    pg.row(list(zip(cols, ["Surname", "Forename(s)", "DOB", "Relationship", "Address"])), bold=True)
    pg.row(list(zip(cols, ["TEST", "Amelia", "03/02/2010", "Child", "1 Example Road, Enfield"])))
    pg.row(list(zip(cols, ["ACADEMY", "Oakfield Primary", "", "School", "Oak Lane, Enfield"])))
    pg.y -= 10
    for label, text in (("Summary", SUMMARY), ("Request", REQUEST), ("Criteria", CRITERIA)):
        pg.line(label, bold=True)
        pg.para(text)
    pg.row([(40, "Name:"), (150, "Karen Sample")])
    pg.row([(40, "Email:"), (150, SENDER)])
    return _message(attachment=(pg.pdf(), "referral.pdf", "application/pdf"), msgid="kind-table")


def _scan_lines() -> list[tuple[str, bool]]:
    return [("REFERRAL FORM", True), ("Date of referral: 12/05/2014", False), ("Child's name: Amelia Test", False),
            ("Date of birth: 03/02/2010", False), ("Address: 1 Example Road, Enfield, EN1 1AA", False),
            ("Summary", True), (SUMMARY, False), ("Request", True), (REQUEST, False), ("Criteria", True),
            (CRITERIA, False), ("Name of referrer: Karen Sample", False), (f"Email: {SENDER}", False)]


def scanned_pdf() -> bytes:
    """A copier's image-only PDF: read by Tesseract, so every value is uncertain."""
    return _message(attachment=(U4.pdf_of_jpegs([U4.render(_scan_lines())]), "SCAN_0001.pdf", "application/pdf"),
                    msgid="kind-scan")


def jpeg_photo() -> bytes:
    """A phone photograph of the paper form, sent as a JPEG."""
    return _message(attachment=(R5.photo(_scan_lines(), angle=0.6), "IMG_0001.jpg", "image/jpeg"), msgid="kind-photo")


def wording_subjects_not_named() -> bytes:
    """Another board's wording, the subjects left to a later message."""
    body = f"""Referral for a review

Date of referral: 12/05/2014
Subject(s) of referral: see our case record (details to follow by secure email)

Details of the incident: {SUMMARY}
Why do you think the criteria for a review are met? {CRITERIA}

Name and designation of referrer: Karen Sample, Detective Sergeant
Contact details of referrer: tel. 020 8345 0000 email {SENDER}
"""
    return _message(body=body, msgid="kind-wording")


def slash_line_town_as_name() -> bytes:
    """Slash-separated family lines, one with the town where the name should be."""
    body = f"""Referral

Date of referral: 12/05/2014

Family:
Child / Amelia Test / 03/02/2010 / 1 Example Road, Enfield, EN1 1AA
Mother / Enfield / 14/06/1988 / 1 Example Road, Enfield, EN1 1AA

Summary: {SUMMARY}
Request: {REQUEST}
Criteria: {CRITERIA}

Referrer: Karen Sample
Email: {SENDER}
"""
    return _message(body=body, msgid="kind-slash")


def date_as_name() -> bytes:
    """A labelled text form whose name line holds the date of birth, the name left out."""
    body = f"""Referral

Date of referral: 12/05/2014
Child's name: 3 February 2010
Child's date of birth: 03/02/2010

Summary: {SUMMARY}
Request: {REQUEST}
Criteria: {CRITERIA}

Referrer: Karen Sample
Email: {SENDER}
"""
    return _message(body=body, msgid="kind-date")


NONE = "no subject was read"
# kind -> (message builder, the reasons the Business Manager may be asked for: the spoiled "name" is either
# taken and doubted, or not taken as a person at all - and then the referral has no subject to rely on)
KINDS = {
    "acroform-pdf-without-people": (acroform_without_people, (NONE,)),
    "acroform-pdf-street-in-name-field": (acroform_street_as_name, ("looks like a street or place", NONE)),
    "boxed-pdf-heading-in-name-box": (boxed_heading_as_name, ("looks like a heading", NONE)),
    "surname-forename-table-school-row": (surname_table_school_as_person, ("looks like an organisation",)),
    "scanned-image-only-pdf": (scanned_pdf, ("read by OCR",)),
    "jpeg-photograph": (jpeg_photo, ("read by OCR",)),
    "other-wording-subjects-not-named": (wording_subjects_not_named, (NONE,)),
    "slash-line-town-as-name": (slash_line_town_as_name, ("looks like a street or place",)),
    "date-as-name": (date_as_name, ("looks like a date", NONE)),
}


def _asked(reasons: list[str], phrases: tuple[str, ...]) -> bool:
    return any(phrase in reason for reason in reasons for phrase in phrases)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_parser_asks_a_person_to_confirm_each_kind(kind):
    build, phrases = KINDS[kind]
    record = parse_message(build())
    assert record["is_referral"] and record["needs_person"] is None, record["needs_person"]
    assert _asked(record["confirm"], phrases), record["confirm"]
    levels = record["confidence"]["subjects"]
    for i, level in enumerate(levels, 1):  # a subject doubted, or anything read by OCR, is never "high"
        doubted = any(reason.startswith((f"subject {i}'s ", f"subject {i} ")) for reason in record["confirm"])
        if doubted or record["layout"] in ("pdf_ocr", "image_ocr"):
            assert level == "low", (i, record["confirm"])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_case_opens_and_the_daily_report_asks_the_business_manager(app, kind):
    build, phrases = KINDS[kind]
    (app.settings.data_dir / "mail" / "inbox" / f"{kind}.eml").write_bytes(build())
    read_inbox(app)
    [row] = cases.list_cases(app)
    shown = cases.show(app, row["reference"])
    assert _asked(shown["to_confirm"], phrases), shown["to_confirm"]
    assert daily_report(app)
    with app.db.engine.connect() as conn:
        [report] = [dict(r) for r in conn.execute(t.outbox.select().where(t.outbox.c.template == "intake_report"))
                    .mappings()]
    assert f"review-clerk case confirm {row['reference']}" in report["text"]
    assert "Amelia" not in report["text"] and "Mill Lane" not in report["text"]  # reasons, never the values
