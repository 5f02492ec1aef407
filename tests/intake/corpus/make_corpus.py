"""Generate the intake parser's test corpus: varied referral emails with their expected records.

Run from the repository root::

    .venv/bin/python tests/intake/corpus/make_corpus.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script (deterministic
output: fixed dates, boundaries and zip timestamps). Expected values are
written here by hand from each case's own data - never from the parser's
output - so the corpus is an independent check.

All people, addresses and numbers are invented. Phone numbers use Ofcom's
drama ranges (020 7946 0xxx, 07700 900xxx).

The JSON carries the schema fields plus ``kind`` / ``layout``; an optional
``_expect`` object holds checks that are not exact values (``needs_person``
and ``unreadable`` reasons contain a phrase), used by test_parse_corpus.py.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOARD = "lscb.business.manager@example.gov.uk"


# ---------------------------------------------------------------------------
# Case data
# ---------------------------------------------------------------------------


@dataclass
class P:
    """A person as written on the form and as expected in the record."""

    name: str
    rel: str | None  # as written (e.g. "Mother's partner"); None when not stated
    dob_text: str | None
    dob: str | None  # expected ISO date
    role: str
    address: str | None = None  # expected address
    own_address: str | None = None  # written inline for this person

    def expected(self, rel_expected: str | None = None) -> dict:
        rel = rel_expected if rel_expected is not None else (self.rel.lower() if self.rel else None)
        return {"name": self.name, "role": self.role, "relationship": rel, "date_of_birth": self.dob,
                "address": self.address}


@dataclass
class R:
    """A referral's content: what the form says and what the record must hold."""

    people: list[P]
    household: str | None
    date_text: str | None
    date: str | None
    summary: list[str]
    request: list[str]
    criteria: list[str]
    name: str | None
    agency: str | None
    phone: str | None
    email: str | None

    def expected(self, *, layout: str, agency: str | None | type(...) = ..., missing: list[str] | None = None,
                 rels: list[str | None] | None = None, summary: str | None | type(...) = ...,
                 request: str | None | type(...) = ..., criteria: str | None | type(...) = ...,
                 phone: str | None | type(...) = ..., email: str | None | type(...) = ...,
                 date: str | None | type(...) = ..., name: str | None | type(...) = ...) -> dict:
        def pick(override, default):
            return default if override is ... else override

        subjects = [p.expected(rels[i] if rels else None) for i, p in enumerate(self.people)]
        rec = {
            "is_referral": True,
            "kind": "referral",
            "referral_date": pick(date, self.date),
            "subjects": subjects,
            "summary": pick(summary, "\n\n".join(self.summary) or None),
            "request": pick(request, "\n\n".join(self.request) or None),
            "criteria_statement": pick(criteria, "\n\n".join(self.criteria) or None),
            "referrer": {
                "name": pick(name, self.name),
                "agency": pick(agency, self.agency),
                "telephone": pick(phone, self.phone),
                "email": pick(email, self.email),
            },
            "layout": layout,
        }
        rec["missing"] = missing if missing is not None else _missing(rec)
        return rec


def _missing(rec: dict) -> list[str]:
    ref = rec["referrer"]
    have = [
        ("referral_date", rec["referral_date"]), ("subjects", rec["subjects"]), ("summary", rec["summary"]),
        ("request", rec["request"]), ("criteria_statement", rec["criteria_statement"]),
        ("referrer.name", ref["name"]), ("referrer.telephone", ref["telephone"]), ("referrer.email", ref["email"]),
    ]
    return [k for k, v in have if not v]


def not_referral(kind: str, **expect) -> dict:
    rec = {
        "is_referral": False, "kind": kind, "referral_date": None, "subjects": [], "summary": None, "request": None,
        "criteria_statement": None, "referrer": {"name": None, "agency": None, "telephone": None, "email": None},
        "missing": [], "layout": None,
    }
    if expect:
        rec["_expect"] = expect
    return rec


def needs_person(reason_contains: str, unreadable_contains: list[str] | None = None) -> dict:
    rec = {
        "is_referral": True, "kind": "referral", "referral_date": None, "subjects": [], "summary": None,
        "request": None, "criteria_statement": None,
        "referrer": {"name": None, "agency": None, "telephone": None, "email": None},
        "missing": ["referral_date", "subjects", "summary", "request", "criteria_statement", "referrer.name",
                    "referrer.telephone", "referrer.email"],
        "layout": None,
        "_expect": {"needs_person": reason_contains},
    }
    if unreadable_contains:
        rec["_expect"]["unreadable"] = unreadable_contains
    return rec


SUMMARY_A = [
    "Jayden (aged 3) was taken to hospital with a head injury and bruising to both arms. The injuries were assessed as non-accidental.",
    "The family moved into the borough in 2013 and had missed three health visitor appointments. A referral from nursery in January 2014 was closed after one home visit.",
]
REQUEST_A = ["We recommend that the Board undertakes a Serious Case Review. Our agency will contribute an IMR and chronology."]
CRITERIA_A = ["Abuse is known and the child has been seriously harmed; there are concerns about how agencies worked together (regulation 5(2)(b)(ii))."]


def ref_a() -> R:
    household = "14 Chase Side, Enfield, EN2 6NS"
    return R(
        people=[
            P("Jayden Okoro", "Child", "21/11/2010", "2010-11-21", "child", household),
            P("Blessing Okoro", "Mother", "15/04/1988", "1988-04-15", "adult", household),
            P("Mark Dunn", "Mother's partner", "02/09/1984", "1984-09-02", "adult", household),
        ],
        household=household, date_text="5th March 2014", date="2014-03-05", summary=SUMMARY_A, request=REQUEST_A,
        criteria=CRITERIA_A, name="Helen Carter", agency=None, phone="020 7946 0311", email="helen.carter@example.nhs.uk",
    )


# ---------------------------------------------------------------------------
# Renderers: the form as text, HTML, Word, PDF
# ---------------------------------------------------------------------------

FURNITURE = ["Meeting: SCR", "Enfield Safeguarding Children Board", "Referral of case for consideration under SCR processes"]


def people_semicolon(r: R) -> str:
    parts = [f"{p.rel}: {p.name}, DOB {p.dob_text}" for p in r.people]
    if r.household:
        parts.append(f"Address: {r.household}")
    return "; ".join(parts)


def people_paren_lines(r: R) -> list[str]:
    lines = [f"{p.name} ({p.rel.lower()}) - DOB: {p.dob_text}" for p in r.people]
    if r.household:
        lines.append(f"Address: {r.household}")
    return lines


def text_form(r: R, labels: dict[str, str], *, people: list[str] | None = None, value_below: bool = False,
              furniture: bool = True, blank_between: bool = True) -> str:
    """A form in plain text. ``labels`` maps field -> wording; a field left out is not on the form."""
    out: list[str] = list(FURNITURE) + [""] if furniture else []
    people_lines = people if people is not None else [people_semicolon(r)]
    values = {
        "subjects": people_lines,
        "date": [r.date_text] if r.date_text else [],
        "summary": r.summary,
        "request": r.request,
        "criteria": r.criteria,
        "name": [r.name] if r.name else [],
        "agency": [r.agency] if r.agency else [],
        "phone": [r.phone] if r.phone else [],
        "email": [r.email] if r.email else [],
    }
    for key, label in labels.items():
        vals = values[key]
        if value_below or len(vals) != 1 or key in ("subjects", "summary", "request", "criteria"):
            out.append(label)
            out.extend(vals)
        else:
            out.append(f"{label} {vals[0]}")
        if blank_between:
            out.append("")
    return "\n".join(out)


STANDARD_LABELS = {
    "subjects": "Child and adult names, dates of birth and address:",
    "date": "Date:",
    "summary": "Summary:",
    "request": "Request/Recommendations to the LSCB:",
    "criteria": "Please state how the case meets the criteria for an SCR using the criteria in Working Together 2013:",
    "name": "Name of SCR Panel Member of the referring agency:",
    "phone": "Telephone:",
    "email": "Email:",
}


def wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


def html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- Word -----------------------------------------------------------------------------


def _docx_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that the corpus is reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2014, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def _bold_para(doc_or_cell, text: str, bold: bool = True):
    p = doc_or_cell.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    return p


def docx_table_form(r: R, labels: dict[str, str], *, people_table: bool = False, label_row_value_row: bool = False,
                    four_column_contact: bool = False) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph(FURNITURE[0])
    for line in FURNITURE[1:]:
        _bold_para(doc, line)
    rows: list[tuple[str, object]] = []
    for key, label in labels.items():
        if key == "subjects":
            rows.append((label, "PEOPLE"))
        elif key in ("summary", "request", "criteria"):
            rows.append((label, getattr(r, key)))
        else:
            value = {"date": r.date_text, "name": r.name, "agency": r.agency, "phone": r.phone, "email": r.email}[key]
            rows.append((label, [value] if value else []))
    if four_column_contact:
        table = doc.add_table(rows=0, cols=4)
        contact = [row for row in rows if row[0] in (labels.get("phone"), labels.get("email"))]
        rows = [row for row in rows if row not in contact]
    else:
        table = doc.add_table(rows=0, cols=1 if label_row_value_row else 2)
    table.style = "Table Grid"
    for label, value in rows:
        if label_row_value_row:
            table.add_row().cells[0].text = label
            cell = table.add_row().cells[0]
        else:
            cells = table.add_row().cells
            cells[0].text = label
            cell = cells[1]
        if value == "PEOPLE":
            if people_table:
                cell.text = ""
                nested = cell.add_table(rows=1, cols=4)
                for i, head in enumerate(["Name", "Relationship to child", "D.O.B.", "Address"]):
                    nested.cell(0, i).text = head
                for i, p in enumerate(r.people):
                    row = nested.add_row().cells
                    row[0].text, row[1].text, row[2].text = p.name, p.rel or "", p.dob_text or ""
                    row[3].text = r.household if i == 0 else "As above"
            else:
                cell.text = people_semicolon(r)
        else:
            cell.text = value[0] if value else ""
            for extra in value[1:]:
                cell.add_paragraph(extra)
    if four_column_contact:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = labels["phone"], r.phone or ""
        cells[2].text, cells[3].text = labels["email"], r.email or ""
    return _docx_bytes(doc)


def docx_paragraph_form(r: R, labels: dict[str, str], *, bold_labels: bool = True, people_table: bool = False) -> bytes:
    import docx

    doc = docx.Document()
    for line in FURNITURE:
        _bold_para(doc, line)
    for key, label in labels.items():
        _bold_para(doc, label, bold=bold_labels)
        if key == "subjects":
            if people_table:
                t = doc.add_table(rows=1, cols=4)
                for i, head in enumerate(["Full name", "DOB", "Relationship", "Home address"]):
                    t.cell(0, i).text = head
                for p in r.people:
                    row = t.add_row().cells
                    row[0].text, row[1].text, row[2].text = p.name, p.dob_text or "", p.rel or ""
                    row[3].text = p.address or ""
            else:
                for line in people_paren_lines(r):
                    doc.add_paragraph(line)
        elif key in ("summary", "request", "criteria"):
            for para in getattr(r, key):
                doc.add_paragraph(para)
        else:
            value = {"date": r.date_text, "name": r.name, "agency": r.agency, "phone": r.phone, "email": r.email}[key]
            if value:
                doc.add_paragraph(value)
        doc.add_paragraph("")
    return _docx_bytes(doc)


def docx_with_content_controls(r: R) -> bytes:
    """Labels in a table; values in content controls (w:sdt), one left as its placeholder prompt."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    for line in FURNITURE:
        _bold_para(doc, line)
    table = doc.add_table(rows=0, cols=2)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    values = [
        ("Child and adult names, dates of birth and address:", people_semicolon(r)),
        ("Date:", r.date_text),
        ("Summary:", r.summary[0]),
        ("Request/Recommendations to the LSCB:", "Click here to enter text."),
        ("How the case meets the SCR criteria:", r.criteria[0]),
        ("Name of SCR Panel Member of the referring agency:", r.name),
        ("Telephone:", r.phone),
        ("Email:", r.email),
    ]
    for label, value in values:
        cells = table.add_row().cells
        cells[0].text = label
        tc = cells[1]._tc
        for p in list(tc.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")):
            tc.remove(p)
        tc.append(parse_xml(
            f'<w:sdt {ns}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r><w:t xml:space="preserve">'
            f'{html_escape(value)}</w:t></w:r></w:p></w:sdtContent></w:sdt>'
        ))
    return _docx_bytes(doc)


# -- PDF (hand-written: Helvetica, WinAnsiEncoding) ------------------------------------


def _pdf_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[tuple[float, float, str, float, str]]]) -> bytes:
    """A minimal PDF: each page a list of (x, y, font 'F1'|'F2', size, text); one BT block per item."""
    objs: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    for i, items in enumerate(pages):
        ops = []
        for x, y, font, size, text in items:
            ops.append(f"BT /{font} {size} Tf {x} {y} Td ({_pdf_escape(text)}) Tj ET")
        if not items:
            ops.append("0.5 g 50 700 200 100 re f")  # a grey box: a page with no text at all
        stream = "\n".join(ops).encode("cp1252")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_file(objs)


def pdf_file(objs: list[bytes], version: str = "1.4") -> bytes:
    """A PDF file of ``objs`` (object 1 the catalogue): header, numbered objects, cross-reference table, trailer."""
    out = io.BytesIO()
    out.write(b"%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n" % version.encode())
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def pdf_form(r: R, labels: dict[str, str], *, label_beside: bool = False) -> bytes:
    """Bold labels, values wrapped at ~95 characters; with ``label_beside`` short values sit right of their label."""
    items: list[tuple[float, float, str, float, str]] = []
    y = 800.0
    for line in FURNITURE:
        items.append((40, y, "F2", 12, line))
        y -= 18
    y -= 6
    values = {
        "subjects": [people_semicolon(r)], "date": [r.date_text] if r.date_text else [], "summary": r.summary,
        "request": r.request, "criteria": r.criteria, "name": [r.name] if r.name else [],
        "agency": [r.agency] if r.agency else [], "phone": [r.phone] if r.phone else [],
        "email": [r.email] if r.email else [],
    }
    for key, label in labels.items():
        vals = values[key]
        if label_beside and key in ("date", "name", "agency", "phone", "email"):
            items.append((40, y, "F2", 10, label))
            if vals:
                items.append((260, y, "F1", 10, vals[0]))
            y -= 16
        else:
            items.append((40, y, "F2", 10, label))
            y -= 14
            for para in vals:
                for line in wrap(para, 95):
                    items.append((40, y, "F1", 10, line))
                    y -= 13
        y -= 8
    return make_pdf([items])


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


def headers(msg: Message, *, subject: str, sender: str, date: str, mid: str, extra: dict[str, str] | None = None) -> None:
    msg["From"] = sender
    msg["To"] = BOARD
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<{mid}@corpus.example>"
    for k, v in (extra or {}).items():
        msg[k] = v


def text_part(text: str, charset: str = "utf-8", cte: str = "quoted-printable", flowed: bool = False,
              subtype: str = "plain") -> Message:
    """A text part with exactly the charset and transfer encoding asked for."""
    part = MIMEBase("text", subtype)
    part.set_param("charset", charset)
    if flowed:
        part.set_param("format", "flowed")
        part.set_param("delsp", "yes")
    data = text.encode(charset)
    if cte == "base64":
        part.set_payload(data)
        encoders.encode_base64(part)
    elif cte == "quoted-printable":
        import quopri

        part.set_payload(quopri.encodestring(data).decode("ascii"))
        part["Content-Transfer-Encoding"] = "quoted-printable"
    else:  # 7bit / 8bit: the bytes as they are (surrogate-escaped so the generator writes them unchanged)
        part.set_payload(data.decode("ascii", "surrogateescape"))
        part["Content-Transfer-Encoding"] = cte
    return part


def html_part(html: str, charset: str = "utf-8") -> Message:
    return text_part(html, charset, "base64", subtype="html")


def attachment(data: bytes, filename: str, mime: str = "application/octet-stream", *, rfc2231: bool = False) -> Message:
    maintype, subtype = mime.split("/", 1)
    part = MIMEApplication(data, subtype) if maintype == "application" else MIMEBase(maintype, subtype)
    if maintype != "application":
        part.set_payload(data)
        encoders.encode_base64(part)
    if rfc2231:
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
    else:
        part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def as_bytes(msg: Message) -> bytes:
    from email import policy

    return msg.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def simple(text: str, *, subject: str, sender: str, date: str, mid: str, charset: str = "utf-8",
           cte: str = "quoted-printable", flowed: bool = False, extra: dict[str, str] | None = None) -> bytes:
    msg = text_part(text, charset, cte, flowed)
    msg["MIME-Version"] = "1.0"
    headers(msg, subject=subject, sender=sender, date=date, mid=mid, extra=extra)
    return as_bytes(msg)


def mixed(parts: list[Message], *, subject: str | Header, sender: str, date: str, mid: str, boundary: str,
          extra: dict[str, str] | None = None, subtype: str = "mixed") -> bytes:
    msg = MIMEMultipart(subtype, boundary=boundary)
    for p in parts:
        msg.attach(p)
    headers(msg, subject=subject, sender=sender, date=date, mid=mid, extra=extra)
    return as_bytes(msg)


COVER = "Dear Business Manager,\n\nPlease find attached a referral for consideration by the SCR Panel.\n\nKind regards,\n\n{name}\n{org}\n"


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    eml: bytes
    expected: dict
    notes: list[str] = field(default_factory=list)


def cases() -> list[Case]:
    out: list[Case] = []
    add = lambda name, eml, expected: out.append(Case(name, eml, expected))

    # 1. Text body, label variant family A, ordinal date, semicolon people.
    r = ref_a()
    labels = {
        "subjects": "Child(ren) and adult(s) - names, DOBs and address:",
        "date": "Date of referral:",
        "summary": "Summary of case:",
        "request": "Request / recommendations to the LSCB:",
        "criteria": "How the case meets the SCR criteria:",
        "name": "Referring panel member:",
        "phone": "Tel. No:",
        "email": "E-mail address:",
    }
    body = "Dear Business Manager,\n\nPlease see the referral below.\n\n" + text_form(r, labels) + "\nThanks\nHelen Carter\n"
    add("text-labels-variant-a", simple(body, subject="SCR referral - JO", sender="helen.carter@example.nhs.uk",
                                        date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c01"),
        r.expected(layout="text_body"))

    # 2. Text body, variant B: "Subjects", people one per line with parentheses, 2-digit year dates, agency field.
    r = R(
        people=[P("Amara Diallo", "Child", "03.02.09", "2009-02-03", "child", "Flat 2, 40 Fore Street, London, N18 2SS"),
                P("Fatou Diallo", "Mother", "12.12.79", "1979-12-12", "adult", "Flat 2, 40 Fore Street, London, N18 2SS")],
        household="Flat 2, 40 Fore Street, London, N18 2SS", date_text="05.03.14", date="2014-03-05",
        summary=["Amara (aged 5) was found alone at home overnight and was taken into police protection."],
        request=["Request that the Chair considers whether an SCR is required."],
        criteria=["The child was seriously harmed and there are concerns about inter-agency working."],
        name="PC Daniel Price", agency="Metropolitan Police Service", phone="07700 900412", email="daniel.price@example.police.uk",
    )
    labels = {"subjects": "Subjects:", "date": "Referral date:", "summary": "Case summary:", "request": "Recommendation:",
              "criteria": "Criteria:", "name": "Referrer:", "agency": "Agency:", "phone": "Phone:", "email": "Email:"}
    body = text_form(r, labels, people=people_paren_lines(r), furniture=False)
    add("text-labels-variant-b-two-digit-years", simple(body, subject="Referral", sender="daniel.price@example.police.uk",
                                                       date="Thu, 06 Mar 2014 10:00:00 +0000", mid="c02"),
        r.expected(layout="text_body"))

    # 3. Variant C: "Family members", "Name, relationship, d.o.b.", weekday date with dash separator, organisation.
    r = R(
        people=[P("Kacper Nowak", "son", "1/6/2012", "2012-06-01", "child", "7 Bury Street West, London, N9 9JP"),
                P("Ewa Nowak", "mother", "22/3/1990", "1990-03-22", "adult", "7 Bury Street West, London, N9 9JP")],
        household="7 Bury Street West, London, N9 9JP", date_text="Wednesday 5 March 2014", date="2014-03-05",
        summary=["Kacper (aged 1) suffered a fractured femur. The explanation given was inconsistent with the injury."],
        request=["Request to the Board to convene the SCR Panel."],
        criteria=["Serious harm from suspected abuse; concerns about information sharing between health and social care."],
        name="Sarah Osei", agency="Enfield Children's Services", phone="020 7946 0127", email="sarah.osei@example.gov.uk",
    )
    people = [f"{p.name}, {p.rel}, d.o.b. {p.dob_text}" for p in r.people] + [f"Address: {r.household}"]
    labels = {"subjects": "Family members", "date": "Date referred -", "summary": "Brief summary", "request": "Request to the Board",
              "criteria": "Reason for referral", "name": "Name of referrer:", "agency": "Organisation:", "phone": "Mobile:",
              "email": "e-mail:"}
    body = text_form(r, labels, people=people, furniture=False)
    add("text-labels-variant-c-comma-people", simple(body, subject="New referral", sender="sarah.osei@example.gov.uk",
                                                     date="Wed, 05 Mar 2014 16:00:00 +0000", mid="c03"),
        r.expected(layout="text_body"))

    # 4. Variant D: caps surnames, "SURNAME, Forename", month-name-first date, "Contact number", "Referring agency".
    r = R(
        people=[P("Chloe HUSSAIN", "child", "21.11.98", "1998-11-21", "child", "33 Southbury Road, Enfield, EN1 1TW"),
                P("HUSSAIN, Michelle", "mother", "15/04/86", "1986-04-15", "adult", "33 Southbury Road, Enfield, EN1 1TW")],
        household="33 Southbury Road, Enfield, EN1 1TW", date_text="March 5th 2014", date="2014-03-05",
        summary=["Chloe (aged 15) was admitted after an overdose. She had disclosed sexual exploitation to a youth worker."],
        request=["That the LSCB Chair convenes an extraordinary meeting of the SCR Panel."],
        criteria=["Abuse is known and the child has been seriously harmed."],
        name="Tom Ashby", agency="Enfield Youth Offending Service", phone="020 7946 0555", email="tom.ashby@example.gov.uk",
    )
    people = [f"{r.people[0].name} (child) DOB {r.people[0].dob_text}", f"{r.people[1].name} (mother) DOB {r.people[1].dob_text}",
              f"Address: {r.household}"]
    labels = {"subjects": "Details of child/family:", "date": "Date:", "summary": "Background:", "request": "Request:",
              "criteria": "How the case meets the criteria:", "name": "Panel member:", "agency": "Referring agency:",
              "phone": "Contact number:", "email": "Email:"}
    body = text_form(r, labels, people=people)
    add("text-labels-variant-d-caps-surnames", simple(body, subject="SCR referral", sender="tom.ashby@example.gov.uk",
                                                      date="Wed, 05 Mar 2014 12:00:00 +0000", mid="c04"),
        r.expected(layout="text_body"))

    # 5. Hard-wrapped plain text (72 columns): paragraphs rejoined.
    r = ref_a()
    r.date_text, r.date = "2014-03-05", "2014-03-05"
    r.summary = [
        "Jayden (aged 3) was taken to hospital with a head injury and bruising to both arms; the injuries were assessed as non-accidental by the paediatric consultant on duty that evening.",
        "The family moved into the borough in 2013 and had missed three health visitor appointments before the nursery raised concerns with children's social care.",
    ]
    lines = list(FURNITURE) + [""]
    for key, label in STANDARD_LABELS.items():
        if key == "subjects":
            lines.append(label)
            lines.extend(wrap(people_semicolon(r), 72))
        elif key in ("summary", "request", "criteria"):
            lines.append(label)
            for para in getattr(r, key):
                lines.extend(wrap(para, 72))
        else:
            lines.append(f"{label} " + {"date": r.date_text, "name": r.name, "phone": r.phone, "email": r.email}[key])
        lines.append("")
    lines = [w for line in lines for w in (wrap(line, 72) or [""])]  # the mail client wraps labels too
    add("text-hard-wrapped-72", simple("\n".join(lines), subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                      date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c05", cte="7bit"),
        r.expected(layout="text_body"))

    # 6. format=flowed, delsp=yes.
    r = ref_a()
    flowed_lines = []
    for line in text_form(r, STANDARD_LABELS).split("\n"):
        chunks = wrap(line, 60) or [""]
        flowed_lines.extend(c + ("  " if i < len(chunks) - 1 else "") for i, c in enumerate(chunks))
    # Each soft break ends "word" + the original space + the flowed space; delsp=yes removes the latter.
    add("text-format-flowed", simple("\n".join(flowed_lines),
                                     subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                     date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c06", cte="7bit", flowed=True),
        r.expected(layout="text_body"))

    # 7. Placeholders and missing fields.
    r = ref_a()
    r.summary, r.request, r.criteria, r.phone, r.email = ["N/A"], ["TBC"], ["[enter text]"], None, None
    body = text_form(r, {k: v for k, v in STANDARD_LABELS.items() if k != "email"})
    add("text-placeholders-and-missing", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c07"),
        r.expected(layout="text_body", summary=None, request=None, criteria=None))

    # 8. Two households; a person with their own address.
    hh1 = "12 Lincoln Road, Enfield, EN1 1JP"
    own = "5 Carterhatch Lane, Enfield, EN1 4JY"
    r = ref_a()
    r.people = [P("Mia Lewis", "Child", "04/07/2006", "2006-07-04", "child", hh1),
                P("Kerry Lewis", "Mother", "30/01/1983", "1983-01-30", "adult", hh1),
                P("Dean Lewis", "Father", "11/10/1980", "1980-10-11", "adult", own)]
    people = [f"Child: Mia Lewis, DOB 04/07/2006; Mother: Kerry Lewis, DOB 30/01/1983; Address: {hh1}",
              f"Father: Dean Lewis, DOB 11/10/1980, {own}"]
    body = text_form(r, STANDARD_LABELS, people=people)
    add("text-household-address-and-own-address", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                         date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c08"),
        r.expected(layout="text_body"))

    # 9. Key/value people lines ("Child's name:", "DOB:", "Address:").
    hh = "2 Green Lanes, London, N13 5TR"
    r = ref_a()
    r.people = [P("Ruby Clarke", None, "5 Mar. 2012", "2012-03-05", "child", hh),
                P("Gemma Clarke", "mother", "Wed 5th Mar. 1986", "1986-03-05", "adult", hh)]
    people = ["Child's name: Ruby Clarke", "DOB: 5 Mar. 2012", "Mother's name: Gemma Clarke", "Date of birth: Wed 5th Mar. 1986",
              f"Address: {hh}"]
    body = text_form(r, STANDARD_LABELS, people=people)
    add("text-key-value-people", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                        date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c09"),
        r.expected(layout="text_body", rels=["child", "mother"]))

    # 10. Invalid dates: referral date and one DOB impossible -> null.
    r = ref_a()
    r.date_text, r.date = "31/02/2014", None
    r.people[1] = P("Blessing Okoro", "Mother", "30/02/1988", None, "adult", r.household)
    body = text_form(r, STANDARD_LABELS)
    add("text-invalid-dates", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                     date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c10"),
        r.expected(layout="text_body"))

    # 11. Roles from age only, and unknown.
    r = ref_a()
    r.people = [P("Jay Morgan", None, None, None, "child"), P("Kim Morgan", None, None, None, "adult"),
                P("Pat Morgan", None, None, None, "unknown")]
    r.household = None
    people = ["Jay Morgan (aged 15)", "Kim Morgan, 34 years old", "Pat Morgan"]
    body = text_form(r, STANDARD_LABELS, people=people)
    add("text-roles-from-age", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                      date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c11"),
        r.expected(layout="text_body"))

    # 12. ISO-8859-1, quoted-printable, accented names.
    r = ref_a()
    hh = "9 Rue Court, Enfield, EN3 4AA"
    r.people = [P("Zoé Martin", "Child", "05-03-2010", "2010-03-05", "child", hh), P("Hélène Martin", "Mother", "07-08-1985", "1985-08-07", "adult", hh)]
    r.household = hh
    r.summary = ["Zoé (aged 4) was admitted with scalds to both feet; the account given by Hélène was inconsistent."]
    body = text_form(r, STANDARD_LABELS)
    add("charset-iso-8859-1-qp", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                        date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c12", charset="iso-8859-1"),
        r.expected(layout="text_body"))

    # 13. Windows-1252, 8bit, smart quotes and en dash.
    r = ref_a()
    r.people[2] = P("Mark Dunn", "Mother\u2019s partner", "02/09/1984", "1984-09-02", "adult", r.household)
    r.summary = ["Jayden\u2019s nursery said he was \u201cwithdrawn\u201d \u2013 staff had seen bruising twice."]
    body = text_form(r, STANDARD_LABELS)
    add("charset-windows-1252-smart-quotes", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                    date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c13", charset="windows-1252", cte="8bit"),
        r.expected(layout="text_body", rels=["child", "mother", "mother's partner"]))

    # 14. UTF-8 base64, Polish names.
    r = ref_a()
    hh = "21 Hertford Road, Enfield, EN3 5JH"
    r.people = [P("Łucja Wiśniewska", "Child", "1 Feb 2011", "2011-02-01", "child", hh), P("Agnieszka Wiśniewska", "Mother", "3 Aug 1987", "1987-08-03", "adult", hh)]
    r.household = hh
    body = text_form(r, STANDARD_LABELS)
    add("charset-utf-8-base64", simple(body, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                       date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c14", cte="base64"),
        r.expected(layout="text_body"))

    # 15. Docx table with RFC 2231 filename and RFC 2047 subject; agency from the signature.
    r = ref_a()
    docx = docx_table_form(r, STANDARD_LABELS)
    parts = [text_part(COVER.format(name="Helen Carter", org="North Middlesex University Hospital NHS Trust")),
             attachment(docx, "Référral – JO.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", rfc2231=True)]
    add("docx-table-rfc2231-filename", mixed(parts, subject=Header("Référral SCR – JO", "utf-8"), sender="helen.carter@example.nhs.uk",
                                             date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c15", boundary="b15"),
        r.expected(layout="docx_table", agency="North Middlesex University Hospital NHS Trust"))

    # 16. Docx: nested people table with header row and "As above".
    r = ref_a()
    docx = docx_table_form(r, STANDARD_LABELS, people_table=True)
    parts = [text_part(COVER.format(name="Helen Carter", org="Designated Nurse, Enfield CCG")), attachment(docx, "referral.docx")]
    add("docx-nested-people-table", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                          date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c16", boundary="b16"),
        r.expected(layout="docx_table", agency="Enfield CCG", rels=["child", "mother", "mother's partner"]))

    # 17. Docx: label row then value row.
    r = ref_a()
    docx = docx_table_form(r, STANDARD_LABELS, label_row_value_row=True)
    parts = [text_part("Referral attached.\n"), attachment(docx, "referral.docx")]
    add("docx-label-row-then-value-row", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                               date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c17", boundary="b17"),
        r.expected(layout="docx_table"))

    # 18. Docx: bold label paragraphs without colons.
    r = ref_a()
    no_colon = {k: v.rstrip(":") for k, v in STANDARD_LABELS.items()}
    docx = docx_paragraph_form(r, no_colon)
    parts = [text_part(COVER.format(name="Helen Carter", org="Barnet, Enfield and Haringey Mental Health NHS Trust")), attachment(docx, "referral.docx")]
    add("docx-bold-label-paragraphs", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                            date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c18", boundary="b18"),
        r.expected(layout="docx_paragraphs", agency="Barnet, Enfield and Haringey Mental Health NHS Trust",
                   rels=["child", "mother", "mother's partner"]))

    # 19. Docx: four-column contact row (Telephone | x | Email | y), agency row.
    r = ref_a()
    r.agency = "Enfield Children's Services"
    labels = dict(STANDARD_LABELS)
    labels = {**{k: labels[k] for k in ("subjects", "date", "summary", "request", "criteria", "name")}, "agency": "Agency:",
              "phone": "Tel:", "email": "E-mail:"}
    docx = docx_table_form(r, labels, four_column_contact=True)
    parts = [text_part("See attached.\n"), attachment(docx, "referral.docx")]
    add("docx-four-column-contact-row", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                              date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c19", boundary="b19"),
        r.expected(layout="docx_table"))

    # 20. Docx paragraphs with a people table under "Family members" (own addresses per row).
    r = ref_a()
    r.people = [P("Leah Grant", "Child", "5-Mar-08", "2008-03-05", "child", "3 Oak Avenue, Enfield, EN2 8LB"),
                P("Paul Grant", "Father", "14 Jul 1979", "1979-07-14", "adult", "60 Bush Hill, London, N21 2BX")]
    labels = {"subjects": "Family members:", **{k: v for k, v in STANDARD_LABELS.items() if k != "subjects"}}
    docx = docx_paragraph_form(r, labels, people_table=True)
    parts = [text_part("Referral attached.\n"), attachment(docx, "family.docx")]
    add("docx-paragraphs-with-people-table", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                   date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c20", boundary="b20"),
        r.expected(layout="docx_paragraphs"))

    # 21. Docx with content controls; one left at its placeholder prompt.
    r = ref_a()
    r.summary = r.summary[:1]
    docx = docx_with_content_controls(r)
    parts = [text_part("Referral attached.\n"), attachment(docx, "ESCB referral form.docx")]
    add("docx-content-controls-placeholder", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                   date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c21", boundary="b21"),
        r.expected(layout="docx_table", request=None))

    # 22. HTML only: bold labels in <p>, values after <br>.
    r = ref_a()
    html = ["<html><body>"]
    for line in FURNITURE:
        html.append(f"<p><b>{html_escape(line)}</b></p>")
    for key, label in STANDARD_LABELS.items():
        vals = {"subjects": [people_semicolon(r)], "date": [r.date_text], "summary": r.summary, "request": r.request,
                "criteria": r.criteria, "name": [r.name], "phone": [r.phone], "email": [r.email]}[key]
        html.append(f"<p><strong>{html_escape(label)}</strong><br>\n" + "<br>\n".join(html_escape(v) for v in vals) + "</p>")
    html.append("<p>Regards,<br>Helen Carter<br>Safeguarding Children Team, North Middlesex University Hospital</p></body></html>")
    msg = html_part("\n".join(html))
    msg["MIME-Version"] = "1.0"
    headers(msg, subject="SCR referral", sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c22")
    add("html-only-paragraphs-br", as_bytes(msg),
        r.expected(layout="html_body", agency="Safeguarding Children Team, North Middlesex University Hospital"))

    # 23. HTML table: label row then value row (colspan), plus a nested people table; alternative text stub.
    r = ref_a()
    rows = []
    for key, label in STANDARD_LABELS.items():
        rows.append(f'<tr><td colspan="2" style="background:#ddd"><b>{html_escape(label)}</b></td></tr>')
        if key == "subjects":
            inner = "".join(
                f"<tr><td>{html_escape(p.name)}</td><td>{html_escape(p.rel)}</td><td>{p.dob_text}</td></tr>" for p in r.people
            )
            rows.append('<tr><td colspan="2"><table><tr><th>Name</th><th>Relationship</th><th>Date of birth</th></tr>'
                        f"{inner}</table><p>Address: {html_escape(r.household)}</p></td></tr>")
        else:
            vals = {"date": [r.date_text], "summary": r.summary, "request": r.request, "criteria": r.criteria,
                    "name": [r.name], "phone": [r.phone], "email": [r.email]}[key]
            rows.append('<tr><td colspan="2">' + "".join(f"<p>{html_escape(v)}</p>" for v in vals) + "</td></tr>")
    html = "<html><body><p>Dear colleague,</p><table border=1>" + "".join(rows) + "</table></body></html>"
    alt = [text_part("Please view this message in HTML.\n", cte="7bit"), html_part(html)]
    add("html-table-label-row-nested-people", mixed(alt, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                    date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c23", boundary="b23",
                                                    subtype="alternative"),
        r.expected(layout="html_table", rels=["child", "mother", "mother's partner"]))

    # 24. HTML div/br (Gmail style), windows-1252 HTML.
    r = ref_a()
    divs = ["<div dir=\"ltr\"><div>Hi,</div><div><br></div>"]
    for key, label in STANDARD_LABELS.items():
        vals = {"subjects": [people_semicolon(r)], "date": [r.date_text], "summary": r.summary, "request": r.request,
                "criteria": r.criteria, "name": [r.name], "phone": [r.phone], "email": [r.email]}[key]
        divs.append(f"<div>{html_escape(label)}</div>" + "".join(f"<div>{html_escape(v)}</div>" for v in vals) + "<div><br></div>")
    divs.append("</div>")
    msg = html_part("".join(divs), charset="windows-1252")
    msg["MIME-Version"] = "1.0"
    headers(msg, subject="SCR referral", sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c24")
    add("html-gmail-divs", as_bytes(msg), r.expected(layout="html_body"))

    # 25. Gmail inline forward.
    r = ref_a()
    body = ("FYI - referral below.\n\n---------- Forwarded message ---------\nFrom: Helen Carter <helen.carter@example.nhs.uk>\n"
            "Date: Wed, 5 Mar 2014 at 09:00\nSubject: SCR referral\nTo: Duty <duty@example.nhs.uk>\n\n" + text_form(r, STANDARD_LABELS))
    add("forward-gmail-inline", simple(body, subject="Fwd: SCR referral", sender="duty@example.nhs.uk",
                                       date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c25"),
        r.expected(layout="forward_text"))

    # 26. Apple "Begin forwarded message:".
    r = ref_a()
    body = ("Forwarding as requested.\n\nBegin forwarded message:\n\nFrom: Helen Carter <helen.carter@example.nhs.uk>\n"
            "Subject: SCR referral\nDate: 5 March 2014 at 09:00:00 GMT\nTo: duty@example.nhs.uk\n\n" + text_form(r, STANDARD_LABELS))
    add("forward-apple-begin-forwarded", simple(body, subject="Fwd: SCR referral", sender="duty@example.nhs.uk",
                                                date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c26"),
        r.expected(layout="forward_text"))

    # 27. Forward of a forward (Outlook), covering notes with signatures that carry Tel/Email lines.
    r = ref_a()
    body = ("Please log - see below.\n\nJo Bloggs\nDuty Manager\nTel: 020 7946 0999\n\n-----Original Message-----\n"
            "From: Sam Reed\nSent: 05 March 2014 09:30\nTo: Jo Bloggs\nSubject: FW: SCR referral\n\nJo, can you pass this on?\n\n"
            "-----Original Message-----\nFrom: Helen Carter <helen.carter@example.nhs.uk>\nSent: 05 March 2014 09:00\n"
            "To: Sam Reed\nSubject: SCR referral\n\n" + text_form(r, STANDARD_LABELS))
    add("forward-nested-twice", simple(body, subject="FW: FW: SCR referral", sender="jo.bloggs@example.nhs.uk",
                                       date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c27"),
        r.expected(layout="forward_text"))

    # 28. Original attached as message/rfc822 (.eml).
    r = ref_a()
    inner = text_part(text_form(r, STANDARD_LABELS))
    headers(inner, subject="SCR referral", sender="Helen Carter <helen.carter@example.nhs.uk>", date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c28-inner")
    wrapper = MIMEMessage(inner)
    wrapper.add_header("Content-Disposition", "attachment", filename="SCR referral.eml")
    parts = [text_part("Forwarding the original referral as an attachment.\n"), wrapper]
    add("forward-eml-attachment", mixed(parts, subject="FW: SCR referral", sender="duty@example.nhs.uk",
                                        date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c28", boundary="b28"),
        r.expected(layout="forward_eml"))

    # 29. Forwarded .eml whose own attachment is the Word form.
    r = ref_a()
    inner = MIMEMultipart("mixed", boundary="b29-inner")
    inner.attach(text_part(COVER.format(name="Helen Carter", org="North Middlesex University Hospital NHS Trust")))
    inner.attach(attachment(docx_table_form(r, STANDARD_LABELS), "referral.docx"))
    headers(inner, subject="SCR referral", sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c29-inner")
    wrapper = MIMEMessage(inner)
    wrapper.add_header("Content-Disposition", "attachment", filename="original.eml")
    add("forward-eml-with-docx-form", mixed([text_part("See attached original.\n"), wrapper], subject="FW: SCR referral",
                                            sender="duty@example.nhs.uk", date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c29", boundary="b29"),
        r.expected(layout="forward_eml", agency="North Middlesex University Hospital NHS Trust"))

    # 30. Reply quoting the whole form with '>' markers.
    r = ref_a()
    quoted = "\n".join("> " + line if line else ">" for line in text_form(r, STANDARD_LABELS).split("\n"))
    body = "Resending as requested.\n\nOn Wed, 5 Mar 2014 at 09:00, Helen Carter <helen.carter@example.nhs.uk> wrote:\n" + quoted
    add("reply-quoting-the-form", simple(body, subject="Re: SCR referral", sender="helen.carter@example.nhs.uk",
                                         date="Wed, 05 Mar 2014 11:00:00 +0000", mid="c30"),
        r.expected(layout="text_body"))

    # 31. PDF: bold labels, short values beside labels, wrapped paragraphs, several BT blocks per line.
    r = ref_a()
    r.summary = SUMMARY_A + ["A strategy meeting on 4 March 2014 agreed a section 47 enquiry; the police are investigating and both adults have been interviewed under caution."]
    pdf = pdf_form(r, STANDARD_LABELS, label_beside=True)
    parts = [text_part(COVER.format(name="Helen Carter", org="North Middlesex University Hospital NHS Trust")), attachment(pdf, "referral.pdf", "application/pdf")]
    add("pdf-helvetica-label-beside", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                            date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c31", boundary="b31"),
        r.expected(layout="pdf", agency="North Middlesex University Hospital NHS Trust"))

    # 32. PDF: labels above values, agency field, long criteria label.
    r = ref_a()
    r.agency = "Enfield Community Services"
    labels = {**STANDARD_LABELS, "agency": "Referring agency:"}
    pdf = pdf_form(r, labels)
    parts = [text_part("Referral attached (PDF).\n"), attachment(pdf, "SCR Referral.pdf", "application/pdf")]
    add("pdf-labels-above", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                  date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c32", boundary="b32"),
        r.expected(layout="pdf"))

    # 33. XLSX and RTF forms.
    r = ref_a()
    parts = [text_part("Our referral form (spreadsheet).\n"), attachment(xlsx_form(r), "referral.xlsx")]
    add("xlsx-form", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                           date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c33", boundary="b33"),
        r.expected(layout="xlsx_table"))
    r = ref_a()
    parts = [text_part("Our referral form (RTF).\n"), attachment(rtf_form(r), "referral.rtf", "application/rtf")]
    add("rtf-form", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                          date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c34", boundary="b34"),
        r.expected(layout="rtf"))

    # 35. Body holds the form; the attachment is an unrelated document.
    r = ref_a()
    import docx as _docx

    d = _docx.Document()
    d.add_paragraph("Chronology of involvement, January to March 2014. Notes of home visits and appointments.")
    parts = [text_part(text_form(r, STANDARD_LABELS)), attachment(_docx_bytes(d), "chronology.docx")]
    add("body-form-with-unrelated-attachment", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                     date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c35", boundary="b35"),
        r.expected(layout="text_body"))

    # 36. Body has a few labelled lines too; the attached form wins.
    r = ref_a()
    cover = "Summary: see attached form.\nTelephone: 020 7946 0000\nEmail: duty@example.nhs.uk\n\nKind regards,\nHelen Carter\nNorth Middlesex University Hospital NHS Trust\n"
    parts = [text_part(cover), attachment(docx_table_form(r, STANDARD_LABELS), "referral.docx")]
    add("attachment-form-wins-over-partial-body", mixed(parts, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                        date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c36", boundary="b36"),
        r.expected(layout="docx_table", agency="North Middlesex University Hospital NHS Trust"))

    # 37. Tab-separated people table in text; the seed form's two-line criteria label without colon.
    r = ref_a()
    people = ["Name\tRelationship\tDOB\tAddress"] + [f"{p.name}\t{p.rel}\t{p.dob_text}\t{p.address}" for p in r.people]
    lines = list(FURNITURE) + ["", "Child and adult names, dates of birth and address"] + people + ["", "Date:", r.date_text, "", "Summary:"]
    lines += r.summary + ["", "Request/Recommendations to the LSCB."] + r.request
    lines += ["Please state how the case meets the criteria for an SCR using the criteria in", "Working Together 2013"] + r.criteria
    lines += ["", "Name of SCR Panel Member of the referring agency:", r.name, "Telephone:", r.phone, "Email:", r.email]
    add("text-tab-people-and-two-line-label", simple("\n".join(lines), subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                                     date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c37"),
        r.expected(layout="text_body", rels=["child", "mother", "mother's partner"]))

    # 38. Mailing-list headers but a full form: still a referral.
    r = ref_a()
    add("mailing-list-headers-with-full-form", simple(text_form(r, STANDARD_LABELS), subject="[secure] SCR referral",
                                                      sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000",
                                                      mid="c38", extra={"List-Id": "<secure.gateway.example>", "Precedence": "list"}),
        r.expected(layout="text_body"))

    # 39. PDF laid out as a two-column table (labels without colons, wrapped in the left column;
    #     values wrapped in a narrow right-hand column).
    r = ref_a()
    r.summary = SUMMARY_A + ["A third paragraph that is long enough to wrap inside the narrow right-hand column of the table, twice at least."]
    add("pdf-two-column-table", mixed([text_part("See attached.\n"), attachment(pdf_two_columns(r), "form.pdf", "application/pdf")],
                                      subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                      date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c39", boundary="b39"),
        r.expected(layout="pdf"))

    # 60. Numbered capital labels, '?' prompt, run-on referrer line, list-numbered people, "All living at".
    hh = "4 High Road, London, N22 6BH"
    r = ref_a()
    r.people = [P("Ellie-Mae Jones", "subject child", "12/02/2012", "2012-02-12", "child", hh),
                P("Sharon Jones", "mother", "01/01/1990", "1990-01-01", "adult", hh),
                P("Mr Paul Jones", "Ellie-Mae's father", "3rd Jan 1985", "1985-01-03", "adult", hh)]
    r.date_text, r.date = "Monday, 3rd of November 2014", "2014-11-03"
    r.name, r.phone, r.email = "Karen Smith", "020 7946 0000", "karen.smith@example.org"
    body = "\n".join([
        "REFERRAL TO THE SCR PANEL", "",
        "1. NAME(S) AND DOB(S) OF CHILD(REN) AND ADULT(S):",
        "1) Ellie-Mae Jones (DOB 12/02/2012) - subject child",
        "2) Sharon Jones (DOB 01/01/1990) - mother",
        "3) Ellie-Mae's father: Mr Paul Jones, born 3rd Jan 1985",
        f"All living at: {hh}", "",
        f"2. DATE REFERRED: {r.date_text}", "",
        "3. SUMMARY OF INCIDENT", *r.summary, "",
        "4. RECOMMENDATIONS", *r.request, "",
        "5. WHY DOES THIS CASE MEET THE CRITERIA FOR A SERIOUS CASE REVIEW?", *r.criteria, "",
        f"6. REFERRER: {r.name}   Tel: {r.phone}   Email: {r.email}", "",
    ])
    add("text-numbered-caps-labels-run-on-referrer", simple(body, subject="SCR referral", sender="karen.smith@example.org",
                                                            date="Mon, 03 Nov 2014 09:00:00 +0000", mid="c60"),
        r.expected(layout="text_body", rels=["subject child", "mother", "ellie-mae's father"]))

    # 61. Outlook HTML: bold labels with the value in the same paragraph; household address without a label;
    #     signature "Job title | Organisation".
    hh = "8 Park Lane, London, N17 0HE"
    r = ref_a()
    r.people = [P("Tia Brown", "child", "01.05.2013", "2013-05-01", "child", hh), P("Leanne Brown", "mother", "12.09.1991", "1991-09-12", "adult", hh)]
    r.date_text, r.date = "04/11/14", "2014-11-04"
    r.name = "Julie Moore"
    paras = [f"<p class=MsoNormal><b>Names, DOBs and address of child/adults:</b> Tia Brown (child) 01.05.2013; Leanne Brown (mother) 12.09.1991; {hh}<o:p></o:p></p>",
             f"<p class=MsoNormal><b>Date:</b> {r.date_text}<o:p></o:p></p>",
             f"<p class=MsoNormal><b>Summary:</b> {html_escape(r.summary[0])}<o:p></o:p></p>",
             f"<p class=MsoNormal>{html_escape(r.summary[1])}<o:p></o:p></p>",
             f"<p class=MsoNormal><b>Request/Recommendations to the LSCB:</b> {html_escape(r.request[0])}</p>",
             f"<p class=MsoNormal><b>How the case meets the criteria:</b> {html_escape(r.criteria[0])}</p>",
             f"<p class=MsoNormal><b>Name of SCR Panel Member of the referring agency:</b> {r.name}</p>",
             f"<p class=MsoNormal><b>Telephone:</b> {r.phone}</p>",
             f'<p class=MsoNormal><b>Email:</b> <a href="mailto:{r.email}">{r.email}</a></p>',
             "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Kind regards<o:p></o:p></p><p class=MsoNormal><b>Julie Moore</b></p>",
             "<p class=MsoNormal>Named Nurse Safeguarding Children | Whittington Health NHS Trust</p><p class=MsoNormal>Tel: 020 7946 0123</p>"]
    html = '<html><head><style>p.MsoNormal{margin:0cm}</style></head><body lang=EN-GB><div class=WordSection1><p class=MsoNormal>Hi,</p>' + "".join(paras) + "</div></body></html>"
    msg = html_part(html)
    msg["MIME-Version"] = "1.0"
    headers(msg, subject="SCR referral", sender='"Moore, Julie" <Julie.Moore@example.nhs.uk>', date="Tue, 04 Nov 2014 09:00:00 +0000", mid="c61")
    add("html-outlook-inline-bold-labels", as_bytes(msg), r.expected(layout="html_body", agency="Whittington Health NHS Trust"))

    # 62. Word form of key/value rows under section headings (merged heading rows), child and mother given separately.
    add("docx-key-value-rows-with-section-headings", *docx_sections_case())

    # 63. HTML table with labels in <th> and values in <td>; people table columns in another order.
    r = ref_a()
    people_rows = "".join(f"<tr><td>{p.rel}</td><td>{p.dob_text}</td><td>{html_escape(p.name)}</td></tr>" for p in r.people)
    rows = [("Subjects", '<table><tr><th>Relationship</th><th>DOB</th><th>Name</th></tr>' + people_rows + f"</table>Address: {r.household}"),
            ("Referral date", r.date_text), ("Case summary", "".join(f"<p>{html_escape(x)}</p>" for x in r.summary)),
            ("Recommendation", html_escape(r.request[0])), ("SCR criteria", html_escape(r.criteria[0])),
            ("Referrer", r.name), ("Tel", r.phone), ("E-mail", r.email)]
    html = "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"
    add("html-th-td-people-columns-reordered", mixed([text_part("Referral below.\n", cte="7bit"), html_part(html)], subject="SCR referral",
                                                     sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000",
                                                     mid="c63", boundary="b63", subtype="alternative"),
        r.expected(layout="html_table", rels=["child", "mother", "mother's partner"]))

    # 64. Newer Outlook plain-text forward: a header block with no separator line.
    r = ref_a()
    body = ("Please see below.\n\nFrom: Helen Carter <helen.carter@example.nhs.uk>\nSent: Wednesday, March 5, 2014 9:00 AM\n"
            "To: Duty Desk <duty@example.nhs.uk>\nCc: Sam Reed <sam.reed@example.nhs.uk>;\n Jo Bloggs <jo.bloggs@example.nhs.uk>\n"
            "Subject: SCR referral\n\n" + text_form(r, STANDARD_LABELS))
    add("forward-outlook-header-block-without-separator", simple(body, subject="FW: SCR referral", sender="duty@example.nhs.uk",
                                                                 date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c64"),
        r.expected(layout="forward_text"))

    # 65. The original referral forwarded as an Outlook .msg attachment; the form in its body.
    r = ref_a()
    msg = outlook_msg("SCR referral", text_form(r, STANDARD_LABELS) + "\nKind regards,\nHelen Carter\n")
    add("forward-msg-text-form", mixed([text_part("Forwarding the original (Outlook item attached).\n"),
                                        attachment(msg, "SCR referral.msg", "application/vnd.ms-outlook")],
                                       subject="FW: SCR referral", sender="duty@example.nhs.uk",
                                       date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c65", boundary="b65"),
        r.expected(layout="forward_msg"))

    # 66. An Outlook .msg whose own attachment is the Word form; agency from the .msg's signature.
    r = ref_a()
    msg = outlook_msg("SCR referral", COVER.format(name="Helen Carter", org="North Middlesex University Hospital NHS Trust"),
                      [("referral.docx", docx_table_form(r, STANDARD_LABELS))])
    add("forward-msg-with-docx-form", mixed([text_part("See attached.\n"), attachment(msg, "original.msg", "application/octet-stream")],
                                            subject="FW: SCR referral", sender="duty@example.nhs.uk",
                                            date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c66", boundary="b66"),
        r.expected(layout="forward_msg", agency="North Middlesex University Hospital NHS Trust"))

    # 67. The form as a UTF-16 text attachment (with a byte-order mark), covering note in the body.
    r = ref_a()
    att = MIMEBase("text", "plain")
    att.set_param("charset", "utf-16")
    att.set_payload(("\ufeff" + text_form(r, STANDARD_LABELS)).encode("utf-16-le"))
    encoders.encode_base64(att)
    att.add_header("Content-Disposition", "attachment", filename="referral.txt")
    add("text-attachment-utf-16", mixed([text_part("Our referral is attached as a text file.\n"), att], subject="SCR referral",
                                        sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c67",
                                        boundary="b67"),
        r.expected(layout="text_body"))

    # 68. Outlook HTML forward: covering note, the reply-header block, then the original's form table.
    r = ref_a()
    rows = "".join(f"<tr><td><p class=MsoNormal><b>{html_escape(label)}</b></p></td><td>"
                   + "".join(f"<p class=MsoNormal>{html_escape(v)}</p>" for v in values) + "</td></tr>"
                   for label, values in [(STANDARD_LABELS["subjects"], [people_semicolon(r)]), (STANDARD_LABELS["date"], [r.date_text]),
                                         (STANDARD_LABELS["summary"], r.summary), (STANDARD_LABELS["request"], r.request),
                                         (STANDARD_LABELS["criteria"], r.criteria), (STANDARD_LABELS["name"], [r.name]),
                                         (STANDARD_LABELS["phone"], [r.phone]), (STANDARD_LABELS["email"], [r.email])])
    html = ('<html><body><div class=WordSection1><p class=MsoNormal>Forwarding for logging.</p><p class=MsoNormal>Sam</p>'
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class=MsoNormal><b>From:</b> Helen Carter '
            '&lt;helen.carter@example.nhs.uk&gt;<br><b>Sent:</b> 05 March 2014 09:00<br><b>To:</b> Sam Reed<br>'
            '<b>Subject:</b> SCR referral</p></div>'
            f'<table border=1 cellspacing=0>{rows}</table></div></body></html>')
    add("forward-outlook-html-table", mixed([text_part("Forwarding for logging.\n", cte="7bit"), html_part(html)],
                                            subject="FW: SCR referral", sender="sam.reed@example.nhs.uk",
                                            date="Wed, 05 Mar 2014 10:00:00 +0000", mid="c68", boundary="b68", subtype="alternative"),
        r.expected(layout="html_table"))

    # 69. Word paragraphs whose label is a bold run at the start, the value after it in plain text (no colon);
    #     "Mobile" and "Secure e-mail" wordings; the date as "Wed 5th Mar. 2014".
    r = ref_a()
    r.date_text = "Wed 5th Mar. 2014"
    import docx as _docx2

    doc = _docx2.Document()
    for line in FURNITURE:
        _bold_para(doc, line)
    inline = [("Children and adults (names, DOBs, address)", people_semicolon(r)), ("Date of referral", r.date_text),
              ("Case summary", r.summary[0]), (None, r.summary[1]), ("Request to the Board", r.request[0]),
              ("How the case meets the criteria", r.criteria[0]), ("Referring panel member", r.name),
              ("Mobile", r.phone), ("Secure e-mail", r.email)]
    for label, value in inline:
        para = doc.add_paragraph()
        if label:
            para.add_run(label).bold = True
            para.add_run(" " + value)
        else:
            para.add_run(value)
    add("docx-bold-lead-labels-inline", mixed([text_part("Referral attached.\n"), attachment(_docx_bytes(doc), "referral.docx")],
                                              subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                              date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c69", boundary="b69"),
        r.expected(layout="docx_paragraphs"))

    # -- unreadable documents ---------------------------------------------------------
    cover = "Dear Business Manager,\n\nPlease find attached our SCR referral.\n\nRegards,\nHelen Carter\n"

    def with_attachment(name: str, data: bytes, mid: str, mime: str = "application/octet-stream") -> bytes:
        return mixed([text_part(cover), attachment(data, name, mime)], subject="SCR referral", sender="helen.carter@example.nhs.uk",
                     date="Wed, 05 Mar 2014 09:00:00 +0000", mid=mid, boundary=f"b-{mid}")

    add("unreadable-encrypted-pdf", with_attachment("referral.pdf", encrypted_pdf(pdf_form(ref_a(), STANDARD_LABELS)), "c40", "application/pdf"),
        needs_person("could not be read", ["password-protected"]))
    add("unreadable-image-only-pdf", with_attachment("scan.pdf", make_pdf([[]]), "c41", "application/pdf"),
        needs_person("could not be read", ["no text layer"]))
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 1000
    add("unreadable-legacy-doc", with_attachment("referral.doc", legacy, "c42", "application/msword"),
        needs_person("could not be read", ["not a Word document"]))
    good = docx_table_form(ref_a(), STANDARD_LABELS)
    add("unreadable-corrupt-docx", with_attachment("referral.docx", good[: len(good) // 3], "c43"),
        needs_person("could not be read", ["corrupt"]))
    add("unreadable-zip-bomb-docx", with_attachment("referral.docx", zip_bomb(120 * 1024 * 1024), "c44"),
        needs_person("could not be read", ["zip bomb"]))
    add("unreadable-corrupt-msg", with_attachment("referral.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8, "c45",
                                                  "application/vnd.ms-outlook"),
        needs_person("could not be read", ["Outlook"]))
    many = [text_part(cover)] + [attachment(f"note {i}".encode(), f"note-{i}.txt", "text/plain") for i in range(25)]
    add("too-many-attachments", mixed(many, subject="SCR referral", sender="helen.carter@example.nhs.uk",
                                      date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c46", boundary="b46"),
        needs_person("more than 20 attachments"))

    # -- not referrals ------------------------------------------------------------------
    add("garbage-bytes", bytes((i * 97 + 13) % 256 for i in range(3000)), not_referral("enquiry"))
    add("empty-message", b"", not_referral("empty"))
    r = ref_a()
    original = text_part(text_form(r, STANDARD_LABELS))
    headers(original, subject="SCR referral", sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000", mid="c50-orig")
    report = MIMEMultipart("report", boundary="b50", report_type="delivery-status")
    report.attach(text_part("Delivery has failed to these recipients or groups:\nlscb@example.gov.uk\n", cte="7bit"))
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = "dns;mx.example.gov.uk"
    per_recipient["Final-Recipient"] = "rfc822;lscb@example.gov.uk"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    status = MIMEBase("message", "delivery-status")
    status.set_payload([per_message, per_recipient])
    report.attach(status)
    report.attach(MIMEMessage(original))
    headers(report, subject="Undeliverable: SCR referral", sender="postmaster@example.gov.uk", date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c50")
    add("bounce-multipart-report-quoting-form", as_bytes(report), not_referral("delivery_failure"))
    add("bounce-plain-from-mailer-daemon", simple(
        "This is the mail system at host mx.example.org.\n\nI'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n<someone@example.org>: host said: 550 5.1.1 User unknown\n",
        subject="Returned mail: see transcript for details", sender="MAILER-DAEMON@mx.example.org",
        date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c51", cte="7bit"), not_referral("delivery_failure"))
    add("auto-reply-x-autoreply", simple("I am on leave until 10 March.\n", subject="Out of Office: SCR referral",
                                         sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c52",
                                         extra={"X-Autoreply": "yes"}), not_referral("auto_reply"))
    r = ref_a()
    add("auto-reply-quoting-the-form", simple("I am out of the office.\n\n-----Original Message-----\nFrom: LSCB\nSent: 05 March 2014\n"
                                              "To: Helen Carter\nSubject: SCR referral\n\n" + text_form(r, STANDARD_LABELS),
                                              subject="Automatic reply: SCR referral", sender="helen.carter@example.nhs.uk",
                                              date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c53", extra={"Auto-Submitted": "auto-replied"}),
        not_referral("auto_reply"))
    cal = MIMEText("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:1\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.org\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n", "calendar")
    cal.set_param("method", "REPLY")
    add("meeting-response-accepted", mixed([text_part("Accepted.\n"), cal], subject="Accepted: SCR Panel - extraordinary meeting",
                                           sender="panel.member@example.nhs.uk", date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c54",
                                           boundary="b54", subtype="alternative"), not_referral("meeting_response"))
    add("mailing-list-newsletter", simple("This month: new guidance on referrals to the SCR panel.\n",
                                          subject="Safeguarding newsletter - March", sender="news@example.org",
                                          date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c55",
                                          extra={"List-Id": "Safeguarding news <news.example.org>",
                                                 "List-Unsubscribe": "<mailto:leave@example.org>"}), not_referral("mailing_list"))
    add("enquiry-with-signature-contact-lines", simple(
        "Hello,\n\nCould you send me the current SCR referral form?\n\nKind regards\nAnna Lee\nTel: 020 7946 0888\nEmail: anna.lee@example.org\n",
        subject="Referral form", sender="anna.lee@example.org", date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c56"), not_referral("enquiry"))
    add("own-message-loop-header", simple("Thank you for your referral.\n", subject="Re: SCR referral", sender=BOARD,
                                          date="Wed, 05 Mar 2014 09:01:00 +0000", mid="c57",
                                          extra={"X-Review-Clerk-Key": "ESCB-2014-001/ack"}), not_referral("own_message"))
    return out


def pdf_two_columns(r: R) -> bytes:
    items: list[tuple[float, float, str, float, str]] = []
    y = 800.0
    rows = [("Child and adult names, dates of birth and address", [people_semicolon(r)]), ("Date", [r.date_text]),
            ("Summary", r.summary), ("Request/Recommendations to the LSCB", r.request),
            ("How the case meets the SCR criteria", r.criteria), ("Referring panel member", [r.name]),
            ("Telephone", [r.phone]), ("Email", [r.email])]
    for label, values in rows:
        label_lines = wrap(label, 28)
        for i, line in enumerate(label_lines):
            items.append((40, y - 13 * i, "F2", 10, line))
        value_y = y
        for para in values:
            for line in wrap(para, 60):
                items.append((220, value_y, "F1", 10, line))
                value_y -= 13
        y = min(value_y, y - 13 * len(label_lines)) - 10
    return make_pdf([items])


def docx_sections_case() -> tuple[bytes, dict]:
    import docx

    doc = docx.Document()
    _bold_para(doc, "SERIOUS CASE REVIEW REFERRAL FORM")
    table = doc.add_table(rows=0, cols=2)

    def row(label: str, value: str) -> None:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True

    def heading(text: str, *values: str) -> None:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[1])
        merged.text = text
        merged.paragraphs[0].runs[0].bold = True
        if values:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[1])
            merged.text = values[0]
            for v in values[1:]:
                merged.add_paragraph(v)

    hh = "22 Baker Street, Enfield, EN1 3LD"
    heading("Child details")
    row("Child's name", "Ollie Green")
    row("Child's DOB", "7th August 2009")
    row("Mother's name", "Donna Green")
    row("Mother's DOB", "19/05/1982")
    row("Address", hh)
    row("Date of referral", "10/11/2014")
    heading("Case summary", "Ollie (5) was found unresponsive at home.", "He died later in hospital.")
    row("Recommendation(s)", "That the panel meets urgently.")
    row("Criteria for SCR met", "Death of a child where abuse or neglect is suspected.")
    heading("Referrer details")
    row("Name", "Steve Roberts")
    row("Job title", "Detective Inspector")
    row("Agency", "Metropolitan Police Service")
    row("Tel", "07700 900555")
    row("Email", "steve.roberts@example.police.uk")
    parts = [text_part("See attached.\n"), attachment(_docx_bytes(doc), "form.docx")]
    eml = mixed(parts, subject="SCR referral", sender="steve.roberts@example.police.uk", date="Mon, 10 Nov 2014 09:00:00 +0000",
                mid="c62", boundary="b62")
    r = R(people=[P("Ollie Green", None, None, "2009-08-07", "child", hh), P("Donna Green", None, None, "1982-05-19", "adult", hh)],
          household=hh, date_text=None, date="2014-11-10", summary=["Ollie (5) was found unresponsive at home.", "He died later in hospital."],
          request=["That the panel meets urgently."], criteria=["Death of a child where abuse or neglect is suspected."],
          name="Steve Roberts", agency="Metropolitan Police Service", phone="07700 900555", email="steve.roberts@example.police.uk")
    return eml, r.expected(layout="docx_table", rels=["child", "mother"])


def outlook_msg(subject: str, body: str, attachments: list[tuple[str, bytes]] = (), sender: str = "Helen Carter",
                sender_email: str = "helen.carter@example.nhs.uk") -> bytes:
    """A minimal Outlook .msg (OLE compound file) written with extract-msg's own OLE writer.

    Only the properties a reader needs: message class, subject, plain body,
    sender, and attachments stored by value.
    """
    import struct

    from extract_msg.ole_writer import OleWriter

    def utf16(text: str) -> bytes:
        return text.encode("utf-16-le")

    def properties(entries: list[tuple[int, int, int]], header: bytes) -> bytes:
        return header + b"".join(struct.pack("<IIQ", (tag << 16) | kind, 6, value) for tag, kind, value in entries)

    w = OleWriter()
    w.addEntry("__substg1.0_001A001F", utf16("IPM.Note"))
    w.addEntry("__substg1.0_0037001F", utf16(subject))
    w.addEntry("__substg1.0_1000001F", utf16(body.replace("\n", "\r\n")))
    w.addEntry("__substg1.0_0C1A001F", utf16(sender))
    w.addEntry("__substg1.0_5D01001F", utf16(sender_email))
    w.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        w.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    # top-level property stream header: reserved, next recipient id, next attachment id, counts, reserved
    w.addEntry("__properties_version1.0", properties([], b"\0" * 8 + struct.pack("<IIII", 0, len(attachments), 0, len(attachments)) + b"\0" * 8))
    for i, (name, data) in enumerate(attachments):
        path = f"__attach_version1.0_#{i:08X}"
        w.addEntry(path, storage=True)
        w.addEntry(path + "/__substg1.0_3707001F", utf16(name))
        w.addEntry(path + "/__substg1.0_37010102", data)
        w.addEntry(path + "/__properties_version1.0", properties([(0x3705, 0x0003, 1), (0x0E21, 0x0003, i)], b"\0" * 8))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def encrypted_pdf(pdf: bytes) -> bytes:
    """``pdf`` encrypted with a user password (AES-128), reproducibly: pypdf's salts and file
    identifiers come from ``secrets.token_bytes``, which is made deterministic for the call."""
    import secrets
    from unittest import mock

    from pypdf import PdfReader, PdfWriter

    counter = iter(range(1, 1000))
    with mock.patch.object(secrets, "token_bytes", lambda n=32: bytes([next(counter)]) * n):
        writer = PdfWriter()
        for page in PdfReader(io.BytesIO(pdf)).pages:
            writer.add_page(page)
        writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="AES-128")
        buf = io.BytesIO()
        writer.write(buf)
    return buf.getvalue()


def zip_bomb(size: int) -> bytes:
    """A .docx-shaped zip whose body expands to ``size`` bytes of zeros (about size/1000 compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", (2014, 1, 1, 0, 0, 0)), "<Types/>")
        info = zipfile.ZipInfo("word/document.xml", (2014, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return out.getvalue()


def xlsx_form(r: R) -> bytes:
    """A minimal spreadsheet: labels in column A, values in column B (inline strings)."""
    rows = [
        ("Child and adult names, dates of birth and address", people_semicolon(r)),
        ("Date of referral", r.date_text),
        ("Summary", "\n".join(r.summary)),
        ("Request/Recommendations to the LSCB", r.request[0]),
        ("How the case meets the SCR criteria", r.criteria[0]),
        ("Referrer", r.name),
        ("Telephone", r.phone),
        ("Email", r.email),
    ]
    cells = []
    for i, (label, value) in enumerate(rows, 1):
        cells.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{html_escape(label)}</t></is></c>'
                     f'<c r="B{i}" t="inlineStr"><is><t xml:space="preserve">{html_escape(value)}</t></is></c></row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{''.join(cells)}</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        def put(name, text):
            zf.writestr(zipfile.ZipInfo(name, (2014, 1, 1, 0, 0, 0)), text)
        put("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        put("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Referral" sheetId="1" r:id="rId1"/></sheets></workbook>')
        put("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def rtf_form(r: R) -> bytes:
    """An RTF document: a title, then a two-column table of labels and values."""
    def esc(s: str) -> str:
        out = []
        for ch in s:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ord(ch) > 127:
                out.append(f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?")
            else:
                out.append(ch)
        return "".join(out)
    rows = [
        ("Child and adult names, dates of birth and address:", esc(people_semicolon(r))),
        ("Date:", esc(r.date_text)),
        ("Summary:", "\\par ".join(esc(p) for p in r.summary)),
        ("Request/Recommendations to the LSCB:", esc(r.request[0])),
        ("How the case meets the SCR criteria:", esc(r.criteria[0])),
        ("Name of SCR Panel Member of the referring agency:", esc(r.name)),
        ("Telephone:", esc(r.phone)),
        ("Email:", esc(r.email)),
    ]
    body = ["{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}{\\info{\\title Referral}}\\f0\\fs22",
            "{\\b Enfield Safeguarding Children Board}\\par", "{\\b Referral of case for consideration under SCR processes}\\par"]
    for label, value in rows:
        body.append(f"\\trowd\\cellx3000\\cellx9000 \\intbl {{\\b {esc(label)}}}\\cell \\intbl {value}\\cell \\row")
    body.append("}")
    return "\n".join(body).encode("ascii")


def main() -> int:
    written = 0
    keep = set()
    for case in cases():
        (HERE / f"{case.name}.eml").write_bytes(case.eml)
        (HERE / f"{case.name}.json").write_text(json.dumps(case.expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        keep.update({f"{case.name}.eml", f"{case.name}.json"})
        written += 1
    for stale in HERE.glob("*.eml"):
        if stale.name not in keep:
            stale.unlink()
            stale.with_suffix(".json").unlink(missing_ok=True)
    print(f"wrote {written} cases to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
