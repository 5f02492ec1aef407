"""Generate the fourth red-team set: PDF forms, scans, other boards' wordings and hard people (issue 19).

Run from the repository root::

    .venv/bin/python tests/intake/unseen4/make_unseen4.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script, in the format of the other sets, so that
``bench/parse_accuracy.py`` scores this directory on its own line.

Written from issue 19's description of what went wrong and from how real forms and mail clients look,
not from the parser's rules: real fillable PDFs (labels on the page, values only in the AcroForm
fields' /V, appearance streams wrapped in /Tx BMC ... EMC as Acrobat writes them, field names such as
"Text7"), flattened "boxed field" PDFs, tables with separate Surname and Forename(s) columns (surnames
in capitals), several tables in one form, decoy e-mail addresses and reference numbers in footers; a
form scanned by a copier to an image-only PDF and one photographed and sent as a JPEG (rendered here
with Pillow and DejaVu Sans, legible); other boards' wordings ("Subject(s) of referral", numbered
subject lines, "Details of the incident", "Why do you think the criteria for a review are met?",
"Name and designation of referrer", "Contact details of referrer", numbered section headings,
"Parents/carers" as a heading); and people: slash-separated family lines, an adult half-brother, an
unborn baby with a due date, accented and hyphenated names, an address per person, a father in prison,
an address wrapped under a name.

Expected values are what a careful person would take from each form, written here by hand. A
person named from separate Surname / Forename(s) columns is "Forename(s) SURNAME", case as written; a
person given under a "Child's name" label or a "Child" / "Child(ren)" heading has the relationship
"child" (the earlier sets' convention; corrected in five cases after the first measurement, which was
then repeated on the unchanged parser).
Referrals read by OCR, and referrals whose values a person must confirm (no subject, a subject
without a date of birth), carry ``_expect.confirm``: a phrase one of the record's ``confirm`` reasons
contains (first written as ``_expect.needs_person``, before the output had a ``confirm`` list). All people, places and numbers are invented; telephone
numbers are in Ofcom's drama ranges.
"""

from __future__ import annotations

import functools
import io
import sys
from email.mime.multipart import MIMEMultipart
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/intake: what the generated sets share

import redteam_mail as R  # noqa: E402
from redteam_mail import C, Case, S, esc, expect, html_only, multipart, plain  # noqa: E402

BOARD = "lscp.referrals@example.gov.uk"
hdr = functools.partial(R.headers, BOARD, "unseen4.example")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def to_confirm(rec: dict, phrase: str) -> dict:
    """A referral read, whose values the Business Manager must confirm (one reason contains ``phrase``)."""
    rec["_expect"] = {"confirm": phrase}
    return rec


def attached(note: str, data: bytes, filename: str, mime: str, h: dict, boundary: str) -> bytes:
    return multipart([C.text_part(note), C.attachment(data, filename, mime)], h, boundary=boundary)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

def _s(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_fillable(title: str, rows: list[tuple[str, str, float]], *, named: bool = False,
                 extra: list[tuple[str, str]] = ()) -> bytes:
    """A fillable PDF as Acrobat saves it: the page holds the title and labels; each value is only in a
    text field (/V) with an appearance stream (/Tx BMC ... EMC). ``rows`` are (label, value, box height);
    fields are named Text1, Text2, ... unless ``named``. ``extra`` adds (label, state) check boxes."""
    fields = []
    ops = [f"BT /F2 13 Tf 40 805 Td {_s(title)} Tj ET",
           "BT /F1 8 Tf 40 790 Td (Please complete all sections. Type in the grey boxes.) Tj ET"]
    y = 760.0
    for i, (label, value, height) in enumerate(rows, 1):
        ops.append(f"BT /F1 9 Tf 40 {y:.0f} Td {_s(label)} Tj ET")
        rect = (220, y - height + 11, 560, y + 11)
        ops.append(f"0.6 G {rect[0]} {rect[1]} {rect[2] - rect[0]} {height} re S")
        name = "".join(w for w in label.title() if w.isalnum())[:24] if named else f"Text{i}"
        fields.append(("Tx", name, value, rect, height))
        y -= height + 9
    for label, state in extra:
        ops.append(f"BT /F1 9 Tf 40 {y:.0f} Td {_s(label)} Tj ET")
        fields.append(("Btn", f"Check Box{len(fields) + 1}", state, (220, y - 2, 232, y + 10), 12))
        y -= 20
    ops.append("BT /F1 7 Tf 40 30 Td (Form LSCP-RR1 v3.2  Once completed, email to the Partnership.) Tj ET")
    first = 6
    ids = [first + 2 * i for i in range(len(fields))]
    objs = [
        f"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{' '.join(f'{i} 0 R' for i in ids)}] "
        "/DA (/Helv 0 Tf 0 g ) /DR << /Font << /Helv 3 0 R >> >> >> >>".encode(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 5 0 R >> >> "
        f"/Contents {first + 2 * len(fields)} 0 R /Annots [{' '.join(f'{i} 0 R' for i in ids)}] >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for kind, name, value, rect, height in fields:
        w, h = rect[2] - rect[0], rect[3] - rect[1]
        if kind == "Tx":
            lines = C.wrap(value, 75) if height > 20 else [value]
            body = " ".join(f"2 {h - 10 - 10 * k:.0f} Td {_s(t)} Tj" if k == 0 else f"0 -10 Td {_s(t)} Tj"
                            for k, t in enumerate(lines))
            ap = f"/Tx BMC\nq 1 1 {w - 2} {h - 2} re W n\nBT /Helv 9 Tf 0 g {body} ET\nQ\nEMC".encode("cp1252")
            ff = " /Ff 4096" if height > 20 else ""
            objs.append((f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {_s(name)} /V {_s(value)}{ff} "
                         f"/Rect [{rect[0]} {rect[1]} {rect[2]} {rect[3]}] /P 4 0 R /F 4 /DA (/Helv 9 Tf 0 g) "
                         f"/AP << /N {len(objs) + 2} 0 R >> >>").encode("cp1252"))
        else:
            ap = b"q 0 g BT /ZaDb 8 Tf 2 2 Td (4) Tj ET Q" if value == "/Yes" else b""
            objs.append((f"<< /Type /Annot /Subtype /Widget /FT /Btn /T {_s(name)} /V {value} /AS {value} "
                         f"/Rect [{rect[0]} {rect[1]} {rect[2]} {rect[3]}] /P 4 0 R /F 4 "
                         f"/AP << /N << /Yes {len(objs) + 2} 0 R >> >> >>").encode("cp1252"))
        objs.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /Font << /Helv 3 0 R >> >> "
                    b"/Length %d >>\nstream\n" % (w, h, len(ap)) + ap + b"\nendstream")
    stream = "\n".join(ops).encode("cp1252")
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return C.pdf_file(objs, "1.6")


def pdf_page(items: list[tuple[float, float, str, float, str]], boxes: list[tuple[float, float, float, float]] = ()) -> bytes:
    """A flattened one-page PDF: text items (x, y, F1|F2, size, text) and drawn boxes (x, y, w, h)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
        b"/Contents 6 0 R >>",
    ]
    ops = [f"0.5 G 0.6 w {x} {y} {w} {h} re S" for x, y, w, h in boxes]
    ops += [f"BT /{f} {size} Tf {x} {y} Td {_s(t)} Tj ET" for x, y, f, size, t in items]
    stream = "\n".join(ops).encode("cp1252")
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return C.pdf_file(objs)


class Page:
    """Text placed down a page, a line at a time."""

    def __init__(self, top: float = 805):
        self.items: list[tuple[float, float, str, float, str]] = []
        self.boxes: list[tuple[float, float, float, float]] = []
        self.y = top

    def line(self, text: str, x: float = 40, *, bold: bool = False, size: float = 9, gap: float = 13) -> None:
        self.items.append((x, self.y, "F2" if bold else "F1", size, text))
        self.y -= gap

    def para(self, text: str, width: int = 100) -> None:
        for t in C.wrap(text, width):
            self.line(t)
        self.y -= 4

    def row(self, cells: list[tuple[float, str]], *, bold: bool = False, gap: float = 13) -> None:
        for x, t in cells:
            if t:
                self.items.append((x, self.y, "F2" if bold else "F1", 9, t))
        self.y -= gap

    def pdf(self) -> bytes:
        return pdf_page(self.items, self.boxes)


# ---------------------------------------------------------------------------
# Scans and photographs (Pillow, DejaVu Sans)
# ---------------------------------------------------------------------------

def render(lines: list[tuple[str, bool]], *, width: int = 1654, height: int = 2339, size: int = 30,
           background: int = 255, quality: int = 82) -> bytes:
    """A page of typed text as a JPEG, about 200 dpi for A4: (text, bold) lines, long lines wrapped."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (width, height), background)
    draw = ImageDraw.Draw(img)
    regular, bold = ImageFont.truetype(FONT, size), ImageFont.truetype(FONT_BOLD, size)
    y = 120
    for text, is_bold in lines:
        for t in C.wrap(text, 80) or [""]:
            draw.text((120, y), t, fill=20, font=bold if is_bold else regular)
            y += int(size * 1.5)
        y += int(size * 0.4)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, dpi=(200, 200))
    return out.getvalue()


def pdf_of_jpegs(jpegs: list[bytes], *, width: int = 1654, height: int = 2339) -> bytes:
    """An image-only PDF as a copier makes it: each page one DCT-encoded image, no text layer."""
    n = len(jpegs)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{3 + 3 * i} 0 R' for i in range(n))}] /Count {n} >>".encode()]
    for i, jpeg in enumerate(jpegs):
        _page, content, image = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 {image} 0 R >> >> "
                    f"/Contents {content} 0 R >>".encode())
        ops = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
        objs.append(b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream")
        objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
                    b"/Filter /DCTDecode /Length %d >>\nstream\n" % (width, height, len(jpeg)) + jpeg + b"\nendstream")
    return C.pdf_file(objs)


# ---------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------

def docx_table(rows: list[list[str]], before: list[str] = (), after: list[str] = ()) -> bytes:
    import docx

    doc = docx.Document()
    for t in before:
        doc.add_paragraph(t)
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=0, cols=width)
    for r in rows:
        cells = table.add_row().cells
        for i, text in enumerate(r):
            parts = text.split("\n")
            cells[i].text = parts[0]
            for extra in parts[1:]:
                cells[i].add_paragraph(extra)
    for t in after:
        doc.add_paragraph(t)
    return C.fixed_zip(C._docx_bytes(doc))


def docx_paragraphs(paras: list[tuple[str, bool]]) -> bytes:
    import docx

    doc = docx.Document()
    for text, bold in paras:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
    return C.fixed_zip(C._docx_bytes(doc))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def html_doc(body: str) -> str:
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8">'
            '<style>p.MsoNormal{margin:0cm;font-size:11pt;font-family:Calibri}</style></head>'
            f'<body lang="EN-GB"><div class="WordSection1">{body}</div></body></html>')


def html_table(rows: list[list[str]], header: bool = False) -> str:
    out = ['<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">']
    for i, r in enumerate(rows):
        tag = "th" if header and i == 0 else "td"
        out.append("<tr>" + "".join(f'<{tag} valign="top"><p class="MsoNormal">{esc(c).replace(chr(10), "<br>")}</p></{tag}>'
                                    for c in r) + "</tr>")
    out.append("</table>")
    return "".join(out)


def p_(text: str, bold: bool = False) -> str:
    t = esc(text)
    return f'<p class="MsoNormal">{"<b>" + t + "</b>" if bold else t}<o:p></o:p></p>'


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def cases() -> list[Case]:
    out: list[Case] = []

    def add(name: str, eml: bytes, expected: dict) -> None:
        out.append(Case(name, eml, expected))

    _pdf_forms(add)
    _scans(add)
    _wordings(add)
    _people(add)
    return out


def _pdf_forms(add) -> None:
    # 1. A real fillable PDF: labels on the page, every value in a field named TextN, appearance streams.
    summary = ("Ruby (4) was admitted to St Anne's Hospital on 2 March 2025 with a fractured femur and bruising to "
               "both ears. Her mother's explanation does not fit the injuries. Ruby was known to children's social "
               "care in 2023 for neglect; the case was closed in August 2024.")
    request = "We ask the Partnership to hold a rapid review and to consider a Child Safeguarding Practice Review."
    criteria = ("Serious harm is suspected to be caused by abuse, and there are concerns about how the agencies "
                "involved worked together before the case was closed.")
    rows = [
        ("Date of referral", "10/03/2025", 14), ("Child's full name", "Ruby Kowalczyk", 14),
        ("Child's date of birth", "17/11/2020", 14), ("Child's home address", "22 Orchard Rise, Kelby, KB4 9TN", 14),
        ("Mother's full name", "Agnieszka Kowalczyk", 14), ("Mother's date of birth", "05/06/1997", 14),
        ("Mother's address", "22 Orchard Rise, Kelby, KB4 9TN", 14),
        ("Father's full name", "Tomasz Kowalczyk", 14), ("Father's date of birth", "21/09/1994", 14),
        ("Father's address", "HMP Ashfield Vale, Prison Road, Kelby, KB2 1HP", 14),
        ("Summary of concerns", summary, 50), ("What are you asking the Partnership to do?", request, 30),
        ("Why do you think the criteria for a review are met?", criteria, 40),
        ("Name of referrer", "Helen Marsh", 14), ("Agency", "St Anne's Hospital NHS Foundation Trust", 14),
        ("Telephone", "01632 960 118", 14), ("Email", "helen.marsh@stannes.nhs.example", 14),
    ]
    pdf = pdf_fillable("Serious Incident Notification and Rapid Review Referral", rows, extra=[("Parents aware of referral", "/Yes")])
    h = hdr("Helen Marsh <helen.marsh@stannes.nhs.example>", "Rapid review referral", "Mon, 10 Mar 2025 16:02:11 +0000", "u4-01")
    add("pdf-acrobat-fillable-text-n-fields-appearance-streams",
        attached("Please find attached our referral.\n\nHelen Marsh\nNamed Nurse Safeguarding Children\n", pdf,
                 "RR1 referral form - completed.pdf", "application/pdf", h, "b01"),
        expect("pdf", date="2025-03-10", subjects=[
            S("Ruby Kowalczyk", "child", "child", "2020-11-17", "22 Orchard Rise, Kelby, KB4 9TN"),
            S("Agnieszka Kowalczyk", "adult", "mother", "1997-06-05", "22 Orchard Rise, Kelby, KB4 9TN"),
            S("Tomasz Kowalczyk", "adult", "father", "1994-09-21", "HMP Ashfield Vale, Prison Road, Kelby, KB2 1HP"),
        ], summary=summary, request=request, criteria=criteria, name="Helen Marsh",
            agency="St Anne's Hospital NHS Foundation Trust", phone="01632 960 118", email="helen.marsh@stannes.nhs.example"))

    # 2. Fillable PDF, fields named after their labels, subjects as "Subject 1 ..." rows.
    summary = ("Jayden was found by police at 02:00 in a flat linked to drug supply, 40 miles from home. He had "
               "been missing for three days. He is believed to be criminally exploited.")
    request = "Please consider whether a local child safeguarding practice review should be commissioned."
    criteria = "Serious harm; exploitation outside the home; several agencies were involved."
    rows = [
        ("Date", "3 February 2025", 14),
        ("Subject 1 - name", "Jayden Okoro-Bell", 14), ("Subject 1 - date of birth", "09/08/2010", 14),
        ("Subject 1 - relationship", "Child", 14), ("Subject 1 - address", "5 Wharf Court, Denholm, DN7 3EE", 14),
        ("Subject 2 - name", "Grace Okoro", 14), ("Subject 2 - date of birth", "28/12/1988", 14),
        ("Subject 2 - relationship", "Mother", 14), ("Subject 2 - address", "5 Wharf Court, Denholm, DN7 3EE", 14),
        ("Brief summary of the case", summary, 40), ("Request to the Partnership", request, 30),
        ("How the case meets the criteria", criteria, 30),
        ("Referrer name", "DS Paul Hendry", 14), ("Organisation", "Denholm Police", 14),
        ("Phone", "01632 960 402", 14), ("E-mail", "paul.hendry@police.example.uk", 14),
    ]
    pdf = pdf_fillable("Referral for a Child Safeguarding Practice Review", rows, named=True)
    h = hdr("Hendry, Paul <paul.hendry@police.example.uk>", "CSPR referral - J O-B", "Mon, 03 Feb 2025 09:14:00 +0000", "u4-02")
    add("pdf-fillable-named-fields-subject-n-rows",
        attached("Referral attached.\n", pdf, "CSPR_referral.pdf", "application/pdf", h, "b02"),
        expect("pdf", date="2025-02-03", subjects=[
            S("Jayden Okoro-Bell", "child", "child", "2010-08-09", "5 Wharf Court, Denholm, DN7 3EE"),
            S("Grace Okoro", "adult", "mother", "1988-12-28", "5 Wharf Court, Denholm, DN7 3EE"),
        ], summary=summary, request=request, criteria=criteria, name="DS Paul Hendry", agency="Denholm Police",
            phone="01632 960 402", email="paul.hendry@police.example.uk"))

    # 3. Flattened 'boxed field' PDF: each value in its own box, its label small at the top of the box.
    pg = Page()
    pg.line("NOTIFICATION OF A SERIOUS CHILD SAFEGUARDING INCIDENT - REFERRAL TO THE PARTNERSHIP", bold=True, size=11, gap=30)

    def box(x, w, label, value):
        pg.boxes.append((x, pg.y - 14, w, 28))
        pg.items.append((x + 3, pg.y + 6, "F1", 6, label))
        pg.items.append((x + 3, pg.y - 8, "F1", 9, value))

    box(40, 200, "Date of referral", "27/01/2025")
    pg.y -= 44
    pg.line("Section A - People", bold=True, gap=26)
    people = [("Mia Thornton", "14/05/2018", "Child", "3 Copse View, Brackley Green, BG2 8LL"),
              ("Sophie Thornton", "02/02/1993", "Mother", "3 Copse View, Brackley Green, BG2 8LL"),
              ("Callum Reid", "19/07/1990", "Mother's partner", "11 Tanyard Street, Brackley Green, BG1 4AW")]
    for n, dob, rel, addr in people:
        box(40, 130, "Name", n)
        box(172, 70, "Date of birth", dob)
        box(244, 80, "Relationship", rel)
        box(326, 230, "Address", addr)
        pg.y -= 34
    summary = ("Mia was taken to hospital with a head injury that her mother said was a fall from a bunk bed. "
               "A skeletal survey found older healing fractures. Mr Reid has previous convictions for violence.")
    request = "Rapid review within 15 working days; consider a local review."
    criteria = "Serious harm to a child where abuse is suspected and agencies had contact with the family."
    pg.y -= 10
    for label, text in (("Summary of the incident", summary), ("What do you want the Partnership to do?", request),
                        ("Why the criteria are met", criteria)):
        pg.line(label, bold=True, size=8)
        pg.para(text)
        pg.y -= 6
    pg.line("Section B - Referrer", bold=True, gap=26)
    box(40, 200, "Name", "Nadia Chowdhury")
    box(244, 312, "Agency", "Brackley Green Children's Services")
    pg.y -= 34
    box(40, 200, "Telephone", "01632 961 207")
    box(244, 312, "Email", "nadia.chowdhury@brackley.example.gov.uk")
    h = hdr("Nadia Chowdhury <nadia.chowdhury@brackley.example.gov.uk>", "Serious incident notification",
            "Mon, 27 Jan 2025 11:40:00 +0000", "u4-03")
    add("pdf-flattened-boxed-fields-per-person-row",
        attached("Hello, please see the attached notification.\nNadia\n", pg.pdf(), "SI notification.pdf",
                 "application/pdf", h, "b03"),
        expect("pdf", date="2025-01-27", subjects=[S(n, "child" if rel == "Child" else "adult", rel.lower(), C_iso(dob), a)
                                                  for n, dob, rel, a in people],
               summary=summary, request=request, criteria=criteria, name="Nadia Chowdhury",
               agency="Brackley Green Children's Services", phone="01632 961 207",
               email="nadia.chowdhury@brackley.example.gov.uk"))

    # 4. PDF table with separate Surname and Forename(s) columns, surnames in capitals.
    pg = Page()
    pg.line("Local Safeguarding Children Partnership - Case Review Referral", bold=True, size=12, gap=22)
    pg.row([(40, "Date of referral:"), (150, "12 February 2025")], gap=22)
    pg.line("Subjects of the referral", bold=True, gap=16)
    cols = (40, 120, 210, 280, 360)
    pg.row(list(zip(cols, ["Surname", "Forename(s)", "DOB", "Relationship", "Address"])), bold=True)
    people = [("ABERNATHY", "Lily-Rose", "03/03/2021", "Child", "Flat 6, Kestrel House, Fenwick, FW3 2PD"),
              ("ABERNATHY", "Courtney", "22/10/2000", "Mother", "Flat 6, Kestrel House, Fenwick, FW3 2PD"),
              ("DUFFY", "Sean Patrick", "14/01/1998", "Father", "27 Gorse Way, Fenwick, FW1 8RT")]
    for sn, fn, dob, rel, addr in people:
        pg.row(list(zip(cols, [sn, fn, dob, rel, addr])))
    pg.y -= 10
    summary = ("Lily-Rose was brought to the GP with a burn to her hand in the shape of an iron. The family had "
               "missed four health visitor appointments.")
    request = "Please consider the case for a rapid review."
    criteria = "A child has been seriously harmed and abuse or neglect is suspected."
    for label, text in (("Summary", summary), ("Request", request), ("Reasons the case meets the criteria", criteria)):
        pg.line(label, bold=True)
        pg.para(text)
    pg.line("Referrer", bold=True)
    pg.row([(40, "Name:"), (150, "Dr Oliver Grant")])
    pg.row([(40, "Agency:"), (150, "Fenwick Road Surgery")])
    pg.row([(40, "Tel:"), (150, "01632 960 951")])
    pg.row([(40, "Email:"), (150, "o.grant@fenwickroad.nhs.example")])
    h = hdr("Dr Oliver Grant <o.grant@fenwickroad.nhs.example>", "Case review referral", "Wed, 12 Feb 2025 13:05:00 +0000", "u4-04")
    add("pdf-table-surname-forenames-columns-capitals",
        attached("Please see attached.\n", pg.pdf(), "Referral.pdf", "application/pdf", h, "b04"),
        expect("pdf", date="2025-02-12", subjects=[S(f"{fn} {sn}", "child" if rel == "Child" else "adult", rel.lower(), C_iso(dob), a)
                                                  for sn, fn, dob, rel, a in people],
               summary=summary, request=request, criteria=criteria, name="Dr Oliver Grant", agency="Fenwick Road Surgery",
               phone="01632 960 951", email="o.grant@fenwickroad.nhs.example"))

    # 5. Several tables: children, then parents/carers, each with its own columns.
    pg = Page()
    pg.line("REFERRAL FOR A SAFEGUARDING PRACTICE REVIEW", bold=True, size=12, gap=20)
    pg.row([(40, "Date:"), (120, "05.03.2025")], gap=20)
    pg.line("1. Child(ren)", bold=True, gap=15)
    cols = (40, 190, 280)
    pg.row(list(zip(cols, ["Name", "Date of birth", "Address"])), bold=True)
    kids = [("Noah Pearce", "11/06/2016", "8 Linden Avenue, Oakhurst, OK5 1DS"),
            ("Evie Pearce", "30/09/2019", "8 Linden Avenue, Oakhurst, OK5 1DS")]
    for k in kids:
        pg.row(list(zip(cols, k)))
    pg.y -= 8
    pg.line("2. Parents / carers", bold=True, gap=15)
    cols2 = (40, 170, 260, 340)
    pg.row(list(zip(cols2, ["Name", "Relationship", "Date of birth", "Address"])), bold=True)
    adults = [("Kirsty Pearce", "Mother", "17/04/1990", "8 Linden Avenue, Oakhurst, OK5 1DS"),
              ("Jordan Pearce", "Father", "02/12/1987", "Unit 3, Quayside Hostel, Oakhurst, OK2 6BB")]
    for a in adults:
        pg.row(list(zip(cols2, a)))
    pg.y -= 8
    summary = ("Both children were found alone in the house for two days while their mother was in hospital. Noah "
               "had been caring for Evie. The father has been excluded from the home by a non-molestation order.")
    request = "Consider a rapid review."
    criteria = "Serious neglect; both children were at risk of serious harm."
    for label, text in (("3. Summary of concerns", summary), ("4. Request", request),
                        ("5. How are the criteria met?", criteria)):
        pg.line(label, bold=True)
        pg.para(text)
    pg.line("6. Referrer", bold=True)
    pg.row([(40, "Name:"), (150, "Samira Haddad")])
    pg.row([(40, "Agency:"), (150, "Oakhurst Primary School")])
    pg.row([(40, "Telephone:"), (150, "01632 960 330")])
    pg.row([(40, "Email:"), (150, "dsl@oakhurst-primary.example.sch.uk")])
    h = hdr("Samira Haddad <dsl@oakhurst-primary.example.sch.uk>", "Referral", "Wed, 05 Mar 2025 15:30:00 +0000", "u4-05")
    add("pdf-two-people-tables-children-then-parents-carers",
        attached("Good afternoon, referral attached.\nSamira Haddad, DSL\n", pg.pdf(), "review referral.pdf",
                 "application/pdf", h, "b05"),
        expect("pdf", date="2025-03-05", subjects=[S(n, "child", "child", C_iso(d), a) for n, d, a in kids] +
               [S(n, "adult", rel.lower(), C_iso(d), a) for n, rel, d, a in adults],
               summary=summary, request=request, criteria=criteria, name="Samira Haddad", agency="Oakhurst Primary School",
               phone="01632 960 330", email="dsl@oakhurst-primary.example.sch.uk"))

    # 6. Labelled text PDF with a footer holding the Partnership's own address, e-mail and a reference number.
    pg = Page()
    pg.line("Hartwell Safeguarding Children Partnership", bold=True, size=12, gap=16)
    pg.line("Rapid Review Referral Form", bold=True, size=11, gap=22)
    summary = ("Aaliyah, 15, disclosed to a teacher that she had been sexually exploited by adults she met online. "
               "She has been missing from care four times this year.")
    request = "To hold a rapid review and decide whether a local review is needed."
    criteria = "Serious harm from sexual exploitation; she is a looked-after child."
    for label, value in (("Referral date:", "18/02/2025"), ("Child's name:", "Aaliyah Mensah"),
                         ("Date of birth:", "23/05/2009"), ("Address:", "Birchwood Children's Home, 2 Elm Grove, Hartwell, HW6 4JJ")):
        pg.row([(40, label), (170, value)])
    pg.y -= 8
    for label, text in (("Summary:", summary), ("Request:", request), ("Criteria:", criteria)):
        pg.line(label, bold=True)
        pg.para(text)
    for label, value in (("Referrer:", "Tom Aldridge"), ("Agency:", "Hartwell Children's Social Care"),
                         ("Tel:", "01632 960 770"), ("Email:", "tom.aldridge@hartwell.example.gov.uk")):
        pg.row([(40, label), (170, value)])
    pg.items.append((40, 40, "F1", 7, "Ref: HSCP/RR/2025/0147   Return to: Business Unit, Civic Centre, Hartwell HW1 1AA   "
                                      "hscp.business@hartwell.example.gov.uk   01632 960 000"))
    pg.items.append((40, 30, "F1", 7, "OFFICIAL-SENSITIVE   Page 1 of 1   Version 4 (2024)"))
    h = hdr("Tom Aldridge <tom.aldridge@hartwell.example.gov.uk>", "RR referral", "Tue, 18 Feb 2025 10:00:00 +0000", "u4-06")
    add("pdf-footer-with-partnership-email-and-reference",
        attached("Referral attached.\n", pg.pdf(), "HSCP RR form.pdf", "application/pdf", h, "b06"),
        expect("pdf", date="2025-02-18", subjects=[
            S("Aaliyah Mensah", "child", "child", "2009-05-23", "Birchwood Children's Home, 2 Elm Grove, Hartwell, HW6 4JJ")],
            summary=summary, request=request, criteria=criteria, name="Tom Aldridge",
            agency="Hartwell Children's Social Care", phone="01632 960 770", email="tom.aldridge@hartwell.example.gov.uk"))

    # 7. Fillable PDF whose people are in one multi-line field.
    summary = ("Harvey, 9 weeks, was brought to the emergency department not breathing. He has bleeding on the brain "
               "consistent with shaking. Both parents were the only carers.")
    request = "Rapid review and notification to the national panel."
    criteria = "Serious harm to a baby where abuse is suspected."
    people = ("Harvey Lyons (baby) DOB 02/01/2025\nKatie Lyons (mother) DOB 11/03/2003\n"
              "Ryan Lyons (father) DOB 30/08/2001\nAll at 19 Ferndale Crescent, Marlow Heath, MH3 5QS")
    rows = [("Date of notification / referral", "06/03/2025", 14),
            ("Names, dates of birth and address of child(ren) and adults", people, 60),
            ("Summary", summary, 40), ("Request/recommendation", request, 24), ("Criteria", criteria, 24),
            ("Referrer", "Lucy Byrne", 14), ("Agency / team", "Marlow Heath Hospital Safeguarding Team", 14),
            ("Telephone", "01632 960 515", 14), ("Email", "lucy.byrne@mhh.nhs.example", 14)]
    pdf = pdf_fillable("Safeguarding Partnership Referral", rows)
    h = hdr("Lucy Byrne <lucy.byrne@mhh.nhs.example>", "Referral", "Thu, 06 Mar 2025 08:20:00 +0000", "u4-07")
    addr = "19 Ferndale Crescent, Marlow Heath, MH3 5QS"
    add("pdf-fillable-people-in-one-multiline-field",
        attached("Sent on behalf of the safeguarding team.\n", pdf, "referral.pdf", "application/pdf", h, "b07"),
        expect("pdf", date="2025-03-06", subjects=[
            S("Harvey Lyons", "child", "baby", "2025-01-02", addr), S("Katie Lyons", "adult", "mother", "2003-03-11", addr),
            S("Ryan Lyons", "adult", "father", "2001-08-30", addr)],
            summary=summary, request=request, criteria=criteria, name="Lucy Byrne",
            agency="Marlow Heath Hospital Safeguarding Team", phone="01632 960 515", email="lucy.byrne@mhh.nhs.example"))


def C_iso(d: str) -> str:
    day, month, year = d.replace(".", "/").split("/")
    return f"{year}-{month}-{day}"


def _scan_lines(date, people, summary, request, criteria, name, agency, phone, email):
    lines = [("CHILD SAFEGUARDING PRACTICE REVIEW - REFERRAL FORM", True), ("", False),
             (f"Date of referral: {date}", False), ("", False), ("Child and adult names, dates of birth and address", True)]
    lines += [(p, False) for p in people]
    lines += [("", False), ("Summary", True), (summary, False), ("Request to the Partnership", True), (request, False),
              ("How the case meets the criteria", True), (criteria, False), ("", False),
              (f"Name of referrer: {name}", False), (f"Agency: {agency}", False), (f"Telephone: {phone}", False),
              (f"Email: {email}", False)]
    return lines


def _scans(add) -> None:
    # 8. Scanned by a copier to an image-only PDF.
    summary = "Leon was seriously injured in a dog attack at home. The dog was known to be dangerous and had bitten before."
    request = "Please consider a rapid review."
    criteria = "Serious harm to a child and neglect is suspected."
    jpeg = render(_scan_lines("14/01/2025", ["Leon Fisher, 12/12/2019, child, 4 Quarry Lane, Stanbury, ST4 2NE",
                                            "Danielle Fisher, 08/08/1995, mother, 4 Quarry Lane, Stanbury, ST4 2NE"],
                              summary, request, criteria, "Mark Bennett", "Stanbury Children's Services", "01632 960 640",
                              "mark.bennett@stanbury.example.gov.uk"))
    h = hdr("Scanner <scan-to-email@stanbury.example.gov.uk>", "Scanned document from MFD-2F-EAST",
            "Tue, 14 Jan 2025 14:22:09 +0000", "u4-08")
    addr = "4 Quarry Lane, Stanbury, ST4 2NE"
    add("scan-copier-image-only-pdf",
        attached("Please find attached your scanned document.\n\nDevice: MFD-2F-EAST\nPages: 1\n", pdf_of_jpegs([jpeg]),
                 "SCAN_20250114_142209.pdf", "application/pdf", h, "b08"),
        to_confirm(expect("pdf_ocr", date="2025-01-14", subjects=[
            S("Leon Fisher", "child", "child", "2019-12-12", addr), S("Danielle Fisher", "adult", "mother", "1995-08-08", addr)],
            summary=summary, request=request, criteria=criteria, name="Mark Bennett", agency="Stanbury Children's Services",
            phone="01632 960 640", email="mark.bennett@stanbury.example.gov.uk"), "OCR"))

    # 9. Photographed on a phone and sent as a JPEG (light grey paper).
    summary = "Amber disclosed that her stepfather had hit her with a belt. She has marks on her legs."
    request = "Please decide whether a review should be held."
    criteria = "Physical abuse causing harm; previous referrals were not progressed."
    jpeg = render(_scan_lines("20/02/2025", ["Amber Cole, 01/07/2012, child, 31 Beech Road, Holloway Cross, HC1 3LT",
                                            "Wayne Parry, 15/03/1984, stepfather, 31 Beech Road, Holloway Cross, HC1 3LT"],
                              summary, request, criteria, "Joanne Price", "Holloway Cross Academy", "01632 960 288",
                              "j.price@hxacademy.example.sch.uk"), background=235, quality=75)
    h = hdr("Joanne Price <j.price@hxacademy.example.sch.uk>", "referral form (photo)", "Thu, 20 Feb 2025 17:45:00 +0000", "u4-09")
    addr = "31 Beech Road, Holloway Cross, HC1 3LT"
    add("photo-jpeg-of-paper-form",
        attached("Sorry, our scanner is broken, here is a photo of the form.\n\nSent from my iPhone\n", jpeg,
                 "IMG_4471.jpg", "image/jpeg", h, "b09"),
        to_confirm(expect("image_ocr", date="2025-02-20", subjects=[
            S("Amber Cole", "child", "child", "2012-07-01", addr), S("Wayne Parry", "adult", "stepfather", "1984-03-15", addr)],
            summary=summary, request=request, criteria=criteria, name="Joanne Price", agency="Holloway Cross Academy",
            phone="01632 960 288", email="j.price@hxacademy.example.sch.uk"), "OCR"))

    # 10. Two-page scan: people on page 1, the narrative and referrer on page 2.
    summary = "Oscar was found with a fractured skull after being left with an unassessed babysitter."
    request = "Rapid review please."
    criteria = "Serious harm where neglect is suspected."
    lines = _scan_lines("03/03/2025", ["Oscar Hale, 25/10/2023, child, 60 Kingfisher Drive, Wexcombe, WX9 9AH",
                                       "Jade Hale, 19/04/1999, mother, 60 Kingfisher Drive, Wexcombe, WX9 9AH"],
                        summary, request, criteria, "Priya Nair", "Wexcombe Health Visiting", "01632 960 909",
                        "priya.nair@wexhv.nhs.example")
    page1, page2 = render(lines[:7]), render(lines[7:])
    h = hdr("Priya Nair <priya.nair@wexhv.nhs.example>", "FW: Scanned referral", "Mon, 03 Mar 2025 12:00:00 +0000", "u4-10")
    addr = "60 Kingfisher Drive, Wexcombe, WX9 9AH"
    add("scan-two-page-image-only-pdf",
        attached("Scanned referral attached (2 pages).\n", pdf_of_jpegs([page1, page2]), "referral scan.pdf",
                 "application/pdf", h, "b10"),
        to_confirm(expect("pdf_ocr", date="2025-03-03", subjects=[
            S("Oscar Hale", "child", "child", "2023-10-25", addr), S("Jade Hale", "adult", "mother", "1999-04-19", addr)],
            summary=summary, request=request, criteria=criteria, name="Priya Nair", agency="Wexcombe Health Visiting",
            phone="01632 960 909", email="priya.nair@wexhv.nhs.example"), "OCR"))


def _wordings(add) -> None:
    # 11. 'Subject(s) of referral' table with columns; other boards' question wordings; 'Name and designation'.
    summary = ("Kai (2) was found unresponsive at home on 8 February 2025 and died in hospital. His mother's "
               "partner was alone with him. Post-mortem findings are awaited.")
    request = "Please hold a rapid review and notify the National Panel."
    criteria = "A child has died and abuse or neglect is known or suspected."
    people = [["Kai Whitlock", "04/09/2022", "Subject child (deceased)", "12 Poplar Close, Ashby Moor, AM2 6FD"],
              ["Stacey Whitlock", "13/01/2001", "Mother", "12 Poplar Close, Ashby Moor, AM2 6FD"],
              ["Liam Gorman", "29/05/1996", "Mother's partner", "12 Poplar Close, Ashby Moor, AM2 6FD"]]
    body = (p_("Dear colleagues,") + p_("Please see below a referral for your consideration.") + p_("") +
            html_table([["Date of referral", "10/02/2025"], ["Name and designation of referrer", "Dr Fiona Adeyemi, Designated Doctor for Child Deaths"],
                        ["Agency", "Ashby Moor Integrated Care Board"],
                        ["Contact details of referrer", "tel. 01632 960 843 email fiona.adeyemi@icb.nhs.example"]]) + p_("") +
            p_("Subject(s) of referral", True) +
            html_table([["Name", "Date of birth", "Relationship to child", "Address"]] + people, header=True) + p_("") +
            html_table([["Details of the incident", summary], ["What are you asking the Partnership to do?", request],
                        ["Why do you think the criteria for a review are met?", criteria]]) +
            p_("Kind regards") + p_("Fiona"))
    h = hdr("Adeyemi Fiona (ICB) <fiona.adeyemi@icb.nhs.example>", "Child death - referral", "Mon, 10 Feb 2025 09:00:00 +0000", "u4-11")
    add("html-subjects-of-referral-table-name-and-designation",
        html_only(html_doc(body), h),
        expect("html_table", date="2025-02-10", subjects=[
            S("Kai Whitlock", "child", "subject child (deceased)", "2022-09-04", people[0][3]),
            S("Stacey Whitlock", "adult", "mother", "2001-01-13", people[1][3]),
            S("Liam Gorman", "adult", "mother's partner", "1996-05-29", people[2][3])],
            summary=summary, request=request, criteria=criteria, name="Dr Fiona Adeyemi",
            agency="Ashby Moor Integrated Care Board", phone="01632 960 843", email="fiona.adeyemi@icb.nhs.example"))

    # 12. Plain text, numbered sections and numbered subject lines.
    summary = ("Ellie (14) took an overdose after months of online bullying and self-harm known to her school and "
               "CAMHS. She is now recovering on a children's ward.")
    request = "We request a rapid review."
    criteria = "Serious harm; several agencies knew of the self-harm and did not share information."
    text = f"""1. Referral
Date: 24/02/2025

2. Subjects
1. Ellie Ferris - DOB 19/06/2010 - child - 7 Meadow Bank, Colne Vale, CV3 1RR
2. Claire Ferris - DOB 02/11/1981 - mother - 7 Meadow Bank, Colne Vale, CV3 1RR

Section 3 \u2013 The incident
{summary}

Section 4 \u2013 What are you asking the Partnership to do?
{request}

Section 5 \u2013 Why do you think the criteria for a review are met?
{criteria}

Section 6 \u2013 Referrer
Name and designation of referrer: Gareth Lloyd, Head of Year 10
Agency: Colne Vale High School
Contact details of referrer: tel. 01632 960 254, email g.lloyd@colnevale.example.sch.uk
"""
    h = hdr("Gareth Lloyd <g.lloyd@colnevale.example.sch.uk>", "Referral - E F", "Mon, 24 Feb 2025 16:10:00 +0000", "u4-12")
    addr = "7 Meadow Bank, Colne Vale, CV3 1RR"
    add("text-numbered-sections-and-numbered-subject-lines", plain(text, h),
        expect("text_body", date="2025-02-24", subjects=[
            S("Ellie Ferris", "child", "child", "2010-06-19", addr), S("Claire Ferris", "adult", "mother", "1981-11-02", addr)],
            summary=summary, request=request, criteria=criteria, name="Gareth Lloyd", agency="Colne Vale High School",
            phone="01632 960 254", email="g.lloyd@colnevale.example.sch.uk"))

    # 13. Word table: contact details of referrer as one multi-line cell.
    summary = "Two siblings were left in the care of a 12-year-old for a week; the youngest was found malnourished."
    request = "To consider a local child safeguarding practice review."
    criteria = "Serious neglect causing harm to both children."
    rows = [["Date of referral", "19 March 2025"],
            ["Child 1", "Tyler Brookes, DOB 03/04/2016, 45 Cedar Walk, Eastmere, EM4 7GH"],
            ["Child 2", "Poppy Brookes, DOB 21/12/2020, 45 Cedar Walk, Eastmere, EM4 7GH"],
            ["Mother", "Dawn Brookes, DOB 07/07/1989, 45 Cedar Walk, Eastmere, EM4 7GH"],
            ["Details of the incident", summary], ["Request to the Partnership", request],
            ["Why do you think the criteria for a review are met?", criteria],
            ["Name and designation of referrer", "Angela Moore - Team Manager, Eastmere Family Support"],
            ["Contact details of referrer", "Eastmere Family Support\n2 Market Street, Eastmere EM1 1AB\nTel: 01632 960 612\nangela.moore@eastmere.example.gov.uk"]]
    h = hdr("Angela Moore <angela.moore@eastmere.example.gov.uk>", "Referral", "Wed, 19 Mar 2025 11:11:00 +0000", "u4-13")
    addr = "45 Cedar Walk, Eastmere, EM4 7GH"
    add("docx-contact-details-of-referrer-multiline-cell",
        attached("Referral form attached.\n", docx_table(rows, before=["Referral to the Safeguarding Partnership"]),
                 "Referral form.docx", DOCX, h, "b13"),
        expect("docx_table", date="2025-03-19", subjects=[
            S("Tyler Brookes", "child", "child", "2016-04-03", addr), S("Poppy Brookes", "child", "child", "2020-12-21", addr),
            S("Dawn Brookes", "adult", "mother", "1989-07-07", addr)],
            summary=summary, request=request, criteria=criteria, name="Angela Moore", agency="Eastmere Family Support",
            phone="01632 960 612", email="angela.moore@eastmere.example.gov.uk"))

    # 14. Word paragraphs: 'Parents/carers' as a heading over people, 'Child' heading too.
    summary = "Freddie has lived with repeated domestic abuse; the police attended 11 times in a year. He was hurt in the last incident."
    request = "Please consider a rapid review."
    criteria = "Serious harm linked to domestic abuse; poor information sharing."
    paras = [("Referral for consideration of a Child Safeguarding Practice Review", True), ("Date: 7 January 2025", False),
             ("Child", True), ("Freddie Walsh, born 16/02/2017, 90 Holly Street, Penridge, PR2 4WW", False),
             ("Parents/carers", True),
             ("Mother: Kerry Walsh, born 03/05/1992, 90 Holly Street, Penridge, PR2 4WW", False),
             ("Father: Shane Walsh, born 26/10/1990, 14 Canal Side, Penridge, PR1 2XX", False),
             ("Details of the incident", True), (summary, False),
             ("What are you asking the Partnership to do?", True), (request, False),
             ("Why do you think the criteria for a review are met?", True), (criteria, False),
             ("Referrer", True), ("Name: Ben Carver", False), ("Agency: Penridge Police", False),
             ("Tel: 01632 960 373", False), ("Email: ben.carver@police.example.uk", False)]
    h = hdr("Ben Carver <ben.carver@police.example.uk>", "Referral", "Tue, 07 Jan 2025 10:00:00 +0000", "u4-14")
    add("docx-paragraphs-parents-carers-heading",
        attached("Attached.\n", docx_paragraphs(paras), "referral.docx", DOCX, h, "b14"),
        expect("docx_paragraphs", date="2025-01-07", subjects=[
            S("Freddie Walsh", "child", "child", "2017-02-16", "90 Holly Street, Penridge, PR2 4WW"),
            S("Kerry Walsh", "adult", "mother", "1992-05-03", "90 Holly Street, Penridge, PR2 4WW"),
            S("Shane Walsh", "adult", "father", "1990-10-26", "14 Canal Side, Penridge, PR1 2XX")],
            summary=summary, request=request, criteria=criteria, name="Ben Carver", agency="Penridge Police",
            phone="01632 960 373", email="ben.carver@police.example.uk"))

    # 15. Gmail HTML with bold labels in divs; contact details one line with 'tel.' and 'email'.
    summary = "Sienna, 6 months, has a spiral fracture of the arm. Her parents could not explain it."
    request = "A rapid review."
    criteria = "Serious harm to a non-mobile baby; abuse suspected."
    html = (f'<div dir="ltr"><div><b>Date:</b> 11/03/2025</div><div><br></div>'
            f'<div><b>Subject(s) of referral</b></div>'
            f'<div>Sienna Blake, DOB 10/09/2024 (child)</div><div>Rachel Blake, DOB 01/01/1998 (mother)</div>'
            f'<div>Both of 3 Juniper Court, Selworth, SW5 8MN</div><div><br></div>'
            f'<div><b>Details of the incident</b></div><div>{esc(summary)}</div><div><br></div>'
            f'<div><b>Request</b></div><div>{esc(request)}</div><div><br></div>'
            f'<div><b>Why do you think the criteria for a review are met?</b></div><div>{esc(criteria)}</div><div><br></div>'
            f'<div><b>Name and designation of referrer:</b> Chloe Adams, Safeguarding Lead</div>'
            f'<div><b>Agency:</b> Selworth Children\'s Centre</div>'
            f'<div><b>Contact details of referrer:</b> tel. 01632 960 187 / email chloe.adams@selworth.example.org</div></div>')
    text = ("Date: 11/03/2025\n\nSubject(s) of referral\nSienna Blake, DOB 10/09/2024 (child)\nRachel Blake, DOB 01/01/1998 "
            f"(mother)\nBoth of 3 Juniper Court, Selworth, SW5 8MN\n\nDetails of the incident\n{summary}\n\nRequest\n{request}\n\n"
            f"Why do you think the criteria for a review are met?\n{criteria}\n\nName and designation of referrer: Chloe Adams, "
            "Safeguarding Lead\nAgency: Selworth Children's Centre\nContact details of referrer: tel. 01632 960 187 / email "
            "chloe.adams@selworth.example.org\n")
    alt = MIMEMultipart("alternative", boundary="b15alt")
    alt.attach(C.text_part(text))
    alt.attach(C.html_part(html))
    h = hdr("Chloe Adams <chloe.adams@selworth.example.org>", "referral", "Tue, 11 Mar 2025 19:02:00 +0000", "u4-15")
    alt["MIME-Version"] = "1.0"
    R.set_headers(alt, h)
    addr = "3 Juniper Court, Selworth, SW5 8MN"
    add("gmail-contact-details-one-line-tel-and-email", C.as_bytes(alt),
        expect("text_body", date="2025-03-11", subjects=[
            S("Sienna Blake", "child", "child", "2024-09-10", addr), S("Rachel Blake", "adult", "mother", "1998-01-01", addr)],
            summary=summary, request=request, criteria=criteria, name="Chloe Adams", agency="Selworth Children's Centre",
            phone="01632 960 187", email="chloe.adams@selworth.example.org"))

    # 16. Text: headed 'Section 1 - Child details' etc.; label lines under each.
    summary = "Maisie was sexually assaulted by a lodger; the family had been told by housing that he was not a risk."
    request = "Please consider whether the case meets the criteria for a local review."
    criteria = "Serious harm from sexual abuse; agencies did not share what was known about the lodger."
    text = f"""SECTION 1 - CHILD DETAILS
Name: Maisie Turner
Date of birth: 28/02/2013
Address: 2 Wren Cottages, Little Haddon, LH4 0PL

SECTION 2 - PARENTS / CARERS
Name: Gemma Turner
Relationship: Mother
Date of birth: 14/09/1985
Address: 2 Wren Cottages, Little Haddon, LH4 0PL

SECTION 3 - DETAILS OF THE INCIDENT
{summary}

SECTION 4 - REQUEST
{request}

SECTION 5 - CRITERIA
{criteria}

SECTION 6 - REFERRER
Name: Ruth Okafor
Agency: Haddon Housing Association
Tel: 01632 960 451
Email: ruth.okafor@haddonha.example.org
Date: 01/04/2025
"""
    h = hdr("Ruth Okafor <ruth.okafor@haddonha.example.org>", "Referral", "Tue, 01 Apr 2025 09:30:00 +0100", "u4-16")
    addr = "2 Wren Cottages, Little Haddon, LH4 0PL"
    add("text-section-headings-with-label-lines", plain(text, h),
        expect("text_body", date="2025-04-01", subjects=[
            S("Maisie Turner", "child", "child", "2013-02-28", addr), S("Gemma Turner", "adult", "mother", "1985-09-14", addr)],
            summary=summary, request=request, criteria=criteria, name="Ruth Okafor", agency="Haddon Housing Association",
            phone="01632 960 451", email="ruth.okafor@haddonha.example.org"))

    # 17. A referral that names nobody: 'see attached chronology' (the attachment is not there).
    summary = "A serious incident occurred on 2 March involving a child known to several agencies."
    request = "Rapid review."
    criteria = "Serious harm; abuse suspected."
    text = f"""Date: 04/03/2025
Child and adult names, dates of birth and address: see attached chronology
Summary: {summary}
Request: {request}
Criteria: {criteria}
Name of referrer: Ian Shaw
Agency: Kelby Youth Justice Service
Telephone: 01632 960 505
Email: ian.shaw@kelby.example.gov.uk
"""
    h = hdr("Ian Shaw <ian.shaw@kelby.example.gov.uk>", "Referral", "Tue, 04 Mar 2025 10:00:00 +0000", "u4-17")
    add("text-no-people-named-see-chronology", plain(text, h),
        to_confirm(expect("text_body", date="2025-03-04", subjects=[], summary=summary, request=request,
                                 criteria=criteria, name="Ian Shaw", agency="Kelby Youth Justice Service",
                                 phone="01632 960 505", email="ian.shaw@kelby.example.gov.uk"), "subject"))


def _people(add) -> None:
    # 18. Slash-separated family lines.
    summary = "Kayden was found wandering on a dual carriageway at night; the home was in a very poor state."
    request = "Consider a rapid review."
    criteria = "Serious neglect; risk of death."
    home = "Flat 4, 27 Station Road, Hexford, HX2 7QP"
    text = f"""Referral date: 09/01/2025

Family members (relationship / name / date of birth / address):
Child / Kayden Moss / 12/09/2019 / {home}
Mother / Leanne Moss / 30/01/1996 / {home}
Father / Darren Pike / 15/06/1992 / HMP Northgate, Prison Lane, Northgate, NG1 1PP

Summary: {summary}
Request: {request}
Criteria: {criteria}

Referrer: Kate Fielding
Agency: Hexford Early Help
Tel: 01632 960 722
Email: kate.fielding@hexford.example.gov.uk
"""
    h = hdr("Kate Fielding <kate.fielding@hexford.example.gov.uk>", "Referral", "Thu, 09 Jan 2025 15:00:00 +0000", "u4-18")
    add("text-slash-separated-family-lines-father-in-prison", plain(text, h),
        expect("text_body", date="2025-01-09", subjects=[
            S("Kayden Moss", "child", "child", "2019-09-12", home), S("Leanne Moss", "adult", "mother", "1996-01-30", home),
            S("Darren Pike", "adult", "father", "1992-06-15", "HMP Northgate, Prison Lane, Northgate, NG1 1PP")],
            summary=summary, request=request, criteria=criteria, name="Kate Fielding", agency="Hexford Early Help",
            phone="01632 960 722", email="kate.fielding@hexford.example.gov.uk"))

    # 19. An adult half-brother by date of birth (no role written).
    summary = "Lola, 13, was assaulted by her half-brother, who lives in the household. Police are investigating."
    request = "Please hold a rapid review."
    criteria = "Serious harm; sexual abuse within the family."
    home = "33 Rookery Way, Dunmere, DM6 2BB"
    text = f"""Date of referral: 13 January 2025

People
Name: Lola Benton   DOB: 05/05/2011   Relationship: subject
Name: Marcus Benton   DOB: 18/10/2005   Relationship: half-brother
Name: Tina Benton   DOB: 22/03/1980   Relationship: mother
Address (all): {home}

Summary: {summary}
Request: {request}
Criteria: {criteria}

Referrer name: Sophie Lane
Agency: Dunmere CAMHS
Telephone: 01632 960 864
Email: sophie.lane@dunmere-camhs.nhs.example
"""
    h = hdr("Sophie Lane <sophie.lane@dunmere-camhs.nhs.example>", "Referral", "Mon, 13 Jan 2025 11:00:00 +0000", "u4-19")
    add("text-adult-half-brother-by-date-of-birth", plain(text, h),
        expect("text_body", date="2025-01-13", subjects=[
            S("Lola Benton", "child", "subject", "2011-05-05", home), S("Marcus Benton", "adult", "half-brother", "2005-10-18", home),
            S("Tina Benton", "adult", "mother", "1980-03-22", home)],
            summary=summary, request=request, criteria=criteria, name="Sophie Lane", agency="Dunmere CAMHS",
            phone="01632 960 864", email="sophie.lane@dunmere-camhs.nhs.example"))

    # 20. An unborn baby: the due date is not a date of birth.
    summary = "Chloe is 30 weeks pregnant; her two older children were removed after serious injuries in 2023."
    request = "Consider a pre-birth rapid review."
    criteria = "Previous serious harm to siblings; the risk to the unborn baby is high."
    home = "Room 12, Harbour View Hostel, Portsea Marsh, PM1 4DF"
    rows = [["Name", "DOB / EDD", "Relationship", "Address"],
            ["Unborn baby Dunn", "EDD 02/06/2025", "Unborn baby", home],
            ["Chloe Dunn", "19/12/1999", "Mother", home]]
    body = (p_("Date: 17/03/2025") + p_("Subjects", True) + html_table(rows, header=True) +
            p_("Summary", True) + p_(summary) + p_("Request", True) + p_(request) + p_("Criteria", True) + p_(criteria) +
            p_("Referrer: Hannah Voss") + p_("Agency: Portsea Marsh Midwifery") + p_("Telephone: 01632 960 318") +
            p_("Email: hannah.voss@pmm.nhs.example"))
    h = hdr("Hannah Voss <hannah.voss@pmm.nhs.example>", "Pre-birth referral", "Mon, 17 Mar 2025 09:00:00 +0000", "u4-20")
    add("html-unborn-baby-due-date-not-date-of-birth", html_only(html_doc(body), h),
        to_confirm(expect("html_table", date="2025-03-17", subjects=[
            S("Unborn baby Dunn", "child", "unborn baby", None, home), S("Chloe Dunn", "adult", "mother", "1999-12-19", home)],
            summary=summary, request=request, criteria=criteria, name="Hannah Voss", agency="Portsea Marsh Midwifery",
            phone="01632 960 318", email="hannah.voss@pmm.nhs.example"), "date of birth"))

    # 21. Accented, hyphenated and apostrophised names, windows-1252.
    summary = "Zoë was found with bruising to her face; Siân, her sister, said their mother's partner hit them."
    request = "Please consider a rapid review."
    criteria = "Physical abuse of two children; harm is serious."
    home = "16 Rue Court, Saint-Ives Road, Bramwell, BW2 5TT"
    text = f"""Date: 21/01/2025
Child and adult names, dates of birth and address:
Zoë O'Connor-Ní Bhriain (child), DOB 04/04/2015
Siân D'Arcy-Lefèvre (child), DOB 12/12/2012
Anaïs Lefèvre (mother), DOB 30/06/1988
José Martínez-López (mother's partner), DOB 08/02/1986
All at {home}
Summary: {summary}
Request: {request}
Criteria: {criteria}
Name: Ngozi Adébáyọ̀
Agency: Bramwell School Nursing
Telephone: 01632 960 224
Email: n.adebayo@bramwell.nhs.example
"""
    h = hdr("Ngozi Adebayo <n.adebayo@bramwell.nhs.example>", "Referral", "Tue, 21 Jan 2025 13:00:00 +0000", "u4-21")
    add("text-accented-hyphenated-apostrophe-names-utf8", plain(text, h),
        expect("text_body", date="2025-01-21", subjects=[
            S("Zoë O'Connor-Ní Bhriain", "child", "child", "2015-04-04", home),
            S("Siân D'Arcy-Lefèvre", "child", "child", "2012-12-12", home),
            S("Anaïs Lefèvre", "adult", "mother", "1988-06-30", home),
            S("José Martínez-López", "adult", "mother's partner", "1986-02-08", home)],
            summary=summary, request=request, criteria=criteria, name="Ngozi Adébáyọ̀", agency="Bramwell School Nursing",
            phone="01632 960 224", email="n.adebayo@bramwell.nhs.example"))

    # 22. The same kind in windows-1252 with a people table in text (aligned columns), address wrapped.
    summary = "Renée, 3, swallowed methadone at home and was admitted to intensive care."
    request = "Rapid review."
    criteria = "Serious harm; neglect suspected; parents known to drug services."
    text = f"""Date of referral: 28/02/2025

Name                    DOB          Relationship   Address
Renée Doherty           09/07/2021   Child          14 Mill Lane,
                                                    Barnsworth, BN3 3AA
Aoife Doherty           11/11/1994   Mother         14 Mill Lane,
                                                    Barnsworth, BN3 3AA

Summary: {summary}
Request: {request}
Criteria: {criteria}
Referrer: Martin Quigley
Agency: Barnsworth Drug and Alcohol Service
Tel: 01632 960 561
Email: martin.quigley@bdas.example.org
"""
    h = hdr("Martin Quigley <martin.quigley@bdas.example.org>", "Referral", "Fri, 28 Feb 2025 10:00:00 +0000", "u4-22")
    addr = "14 Mill Lane, Barnsworth, BN3 3AA"
    add("text-aligned-columns-address-wrapped-under-person-cp1252", plain(text, h, charset="windows-1252"),
        expect("text_body", date="2025-02-28", subjects=[
            S("Renée Doherty", "child", "child", "2021-07-09", addr), S("Aoife Doherty", "adult", "mother", "1994-11-11", addr)],
            summary=summary, request=request, criteria=criteria, name="Martin Quigley",
            agency="Barnsworth Drug and Alcohol Service", phone="01632 960 561", email="martin.quigley@bdas.example.org"))

    # 23. Word table, one row per person with different addresses, the father in prison.
    summary = "Ava was hurt in a fire set deliberately at the home by a family friend. Her brother was also injured."
    request = "Consider a review."
    criteria = "Serious harm to two children."
    rows = [["Date of referral", "02/04/2025"],
            ["Name", "Date of birth", "Relationship", "Address"],
            ["Ava Sutcliffe", "17/01/2014", "Child", "Ward 4, Kelby General Hospital, Kelby, KB1 2GH"],
            ["Max Sutcliffe", "03/10/2011", "Brother", "9 Laurel Road, Kelby, KB3 9PL"],
            ["Lisa Sutcliffe", "29/07/1986", "Mother", "9 Laurel Road, Kelby, KB3 9PL"],
            ["Craig Sutcliffe", "12/12/1983", "Father", "HMP Brookmoor, Moor Lane, Brookmoor, BM2 1AA"],
            ["Summary", summary], ["Request", request], ["Criteria", criteria],
            ["Referrer name", "Olu Bankole"], ["Agency", "Kelby Fire and Rescue Service"],
            ["Telephone", "01632 960 900"], ["Email", "olu.bankole@kelbyfire.example.gov.uk"]]
    h = hdr("Olu Bankole <olu.bankole@kelbyfire.example.gov.uk>", "Referral", "Wed, 02 Apr 2025 10:00:00 +0100", "u4-23")
    add("docx-people-rows-each-own-address-father-in-prison",
        attached("Attached.\n", docx_table(rows), "Referral.docx", DOCX, h, "b23"),
        expect("docx_table", date="2025-04-02", subjects=[
            S("Ava Sutcliffe", "child", "child", "2014-01-17", rows[2][3]), S("Max Sutcliffe", "child", "brother", "2011-10-03", rows[3][3]),
            S("Lisa Sutcliffe", "adult", "mother", "1986-07-29", rows[4][3]),
            S("Craig Sutcliffe", "adult", "father", "1983-12-12", rows[5][3])],
            summary=summary, request=request, criteria=criteria, name="Olu Bankole", agency="Kelby Fire and Rescue Service",
            phone="01632 960 900", email="olu.bankole@kelbyfire.example.gov.uk"))

    # 24. Outlook forward of a text form with a people block whose addresses are on their own lines.
    summary = "Ethan, 16, was stabbed near his school. He had been excluded and was not in education for 6 months."
    request = "Please consider a rapid review."
    criteria = "Serious harm from violence outside the home; the exclusion left him unsupported."
    inner = f"""Date: 25/03/2025
Child: Ethan Clarke
DOB: 02/08/2008
Address: 71 Victoria Street
Wellbrook
WB8 4QQ
Mother: Janine Clarke
DOB: 10/10/1978
Address: as above
Summary: {summary}
Request: {request}
Criteria: {criteria}
Referrer: Adam Fry
Agency: Wellbrook Youth Service
Tel: 01632 960 140
Email: adam.fry@wellbrook.example.gov.uk
"""
    text = ("FYI - please see referral below, sent to the wrong mailbox.\n\nPaula\n\n"
            "From: Adam Fry <adam.fry@wellbrook.example.gov.uk>\nSent: 25 March 2025 14:02\n"
            "To: Safeguarding Admin <sg.admin@wellbrook.example.gov.uk>\nSubject: Referral\n\n" + inner)
    h = hdr("Paula Green <sg.admin@wellbrook.example.gov.uk>", "FW: Referral", "Tue, 25 Mar 2025 15:00:00 +0000", "u4-24")
    addr = "71 Victoria Street, Wellbrook, WB8 4QQ"
    add("forwarded-address-on-lines-of-its-own", plain(text, h),
        expect("forward_text", date="2025-03-25", subjects=[
            S("Ethan Clarke", "child", "child", "2008-08-02", addr), S("Janine Clarke", "adult", "mother", "1978-10-10", addr)],
            summary=summary, request=request, criteria=criteria, name="Adam Fry", agency="Wellbrook Youth Service",
            phone="01632 960 140", email="adam.fry@wellbrook.example.gov.uk"))

    # 25. HTML table with a 'School' column and a 'Known to' column: neither is a person or an address.
    summary = "Three children were found living in a car with their father for several weeks in winter."
    request = "Rapid review."
    criteria = "Serious neglect; several agencies saw the family."
    rows = [["Name", "DOB", "School", "Address"],
            ["Jack Nowak", "14/08/2015", "St Mary's C of E Primary School", "No fixed abode"],
            ["Ella Nowak", "02/02/2018", "St Mary's C of E Primary School", "No fixed abode"],
            ["Piotr Nowak", "19/04/1982", "", "No fixed abode"]]
    body = (p_("Date of referral: 06/01/2025") + p_("Child and adult names, dates of birth and address", True) +
            html_table(rows, header=True) + p_("Piotr is the children's father.") + p_("Summary", True) + p_(summary) +
            p_("Request", True) + p_(request) + p_("Criteria", True) + p_(criteria) + p_("Name: Emma Holt") +
            p_("Agency: St Mary's C of E Primary School") + p_("Tel: 01632 960 677") + p_("Email: head@stmarys.example.sch.uk"))
    h = hdr("Emma Holt <head@stmarys.example.sch.uk>", "Referral", "Mon, 06 Jan 2025 08:00:00 +0000", "u4-25")
    add("html-people-table-with-school-column", html_only(html_doc(body), h),
        expect("html_table", date="2025-01-06", subjects=[
            S("Jack Nowak", "child", None, "2015-08-14", "No fixed abode"), S("Ella Nowak", "child", None, "2018-02-02", "No fixed abode"),
            S("Piotr Nowak", "adult", None, "1982-04-19", "No fixed abode")],
            summary=summary, request=request, criteria=criteria, name="Emma Holt", agency="St Mary's C of E Primary School",
            phone="01632 960 677", email="head@stmarys.example.sch.uk"))

    # 26. Two households, a person line per adult with 'of' their address, ages in words.
    summary = "Isla disclosed that her father's partner had burned her with a cigarette during contact."
    request = "Please consider a rapid review."
    criteria = "Serious harm; physical abuse."
    text = f"""Date: 30/01/2025

Child: Isla Grant, DOB 01/03/2016, of 4 Abbey Gardens, Northcote, NC2 2EE (lives with mother)
Mother: Fiona Grant, DOB 20/05/1987, of 4 Abbey Gardens, Northcote, NC2 2EE
Father: Stuart Grant, DOB 15/09/1984, of 88 Harbour Road, Southcote, SC1 7YY
Father's partner: Leah Moran, DOB 06/06/1995, of 88 Harbour Road, Southcote, SC1 7YY

Summary: {summary}
Request: {request}
Criteria: {criteria}

Referrer: Owen Price
Agency: Northcote Police
Tel: 01632 960 101
Email: owen.price@police.example.uk
"""
    h = hdr("Owen Price <owen.price@police.example.uk>", "Referral", "Thu, 30 Jan 2025 12:00:00 +0000", "u4-26")
    add("text-two-households-address-per-person", plain(text, h),
        expect("text_body", date="2025-01-30", subjects=[
            S("Isla Grant", "child", "child", "2016-03-01", "4 Abbey Gardens, Northcote, NC2 2EE"),
            S("Fiona Grant", "adult", "mother", "1987-05-20", "4 Abbey Gardens, Northcote, NC2 2EE"),
            S("Stuart Grant", "adult", "father", "1984-09-15", "88 Harbour Road, Southcote, SC1 7YY"),
            S("Leah Moran", "adult", "father's partner", "1995-06-06", "88 Harbour Road, Southcote, SC1 7YY")],
            summary=summary, request=request, criteria=criteria, name="Owen Price", agency="Northcote Police",
            phone="01632 960 101", email="owen.price@police.example.uk"))

    # 27. A fillable PDF forwarded inside an Outlook message, values only in fields, a person without a DOB.
    summary = "Nathan, 11, was seriously injured when his mother's boyfriend crashed the car while drunk."
    request = "Consider a rapid review."
    criteria = "Serious harm; the driver was known to pose a risk."
    rows = [("Date", "08/04/2025", 14), ("Child's name", "Nathan Reeve", 14), ("Child's DOB", "22/02/2014", 14),
            ("Child's address", "17 Park Terrace, Ellingham, EL5 6UP", 14),
            ("Other adults (name, relationship, DOB, address)",
             "Marie Reeve, mother, 13/08/1990, 17 Park Terrace, Ellingham, EL5 6UP\nDean Foster, mother's boyfriend, DOB not known, address not known", 40),
            ("Summary", summary, 30), ("Request", request, 14), ("Criteria", criteria, 24),
            ("Referrer", "Kim Sato", 14), ("Agency", "Ellingham Ambulance Service", 14),
            ("Telephone", "01632 960 050", 14), ("Email", "kim.sato@ellamb.nhs.example", 14)]
    pdf = pdf_fillable("Referral Form", rows)
    h = hdr("Kim Sato <kim.sato@ellamb.nhs.example>", "Referral", "Tue, 08 Apr 2025 09:00:00 +0100", "u4-27")
    add("pdf-fillable-adult-without-date-of-birth",
        attached("Please see the attached form.\n", pdf, "Referral Form (filled).pdf", "application/pdf", h, "b27"),
        to_confirm(expect("pdf", date="2025-04-08", subjects=[
            S("Nathan Reeve", "child", "child", "2014-02-22", "17 Park Terrace, Ellingham, EL5 6UP"),
            S("Marie Reeve", "adult", "mother", "1990-08-13", "17 Park Terrace, Ellingham, EL5 6UP"),
            S("Dean Foster", "adult", "mother's boyfriend", None, None)],
            summary=summary, request=request, criteria=criteria, name="Kim Sato", agency="Ellingham Ambulance Service",
            phone="01632 960 050", email="kim.sato@ellamb.nhs.example"), "date of birth"))


def main() -> int:
    return R.write_set(HERE, cases())


if __name__ == "__main__":
    sys.exit(main())
