"""Generate the fifth red-team set (issue 19, second round): PDF forms, scans, other boards' wordings, people.

Run from the repository root::

    .venv/bin/python tests/intake/redteam5/make_redteam5.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script (the other sets' format), scored on its own
line by ``bench/parse_accuracy.py``. Written before any change to the parser for this round, from issue
19's list of kinds and from how forms are really made, deliberately unlike the fourth set's instances:
AcroForm fields in a hierarchy (``child.name``, ``referrer.tel``: a parent field with widget kids),
values as UTF-16BE strings with a byte-order mark (accented names, as Acrobat saves them), labels
placed above the boxes, a subjects table whose every cell is a form field; flattened boxed fields
with Surname and Forename(s) in separate boxes; a SURNAME / FORENAME(S) table with an unborn baby's
EDD in the date-of-birth column; three tables in one form, one of them the professionals involved
(who are not subjects); decoy addresses and references in page footers, a form over two pages; a
copier scan, a grey photograph taken a little askew and a PNG screenshot (Pillow, DejaVu Sans,
legible); other boards' wordings; and people: slash-separated lines in another order, an adult
half-brother, accented, apostrophe and hyphenated names in Latin-1, an address per person, a
father in prison, a town wrapped under a name, a referral naming nobody.

Expected values are what a careful person takes from each form, written by hand. Conventions as in
the fourth set: Surname / Forename(s) columns give "Forename(s) SURNAME" as written; a person under a
"Child's name" label or a "Child" heading has the relationship "child"; an unborn baby has no date
of birth (its due date is not one) and is a child; an address given once, before people with none of their
own, is theirs too (the parser's documented household rule, which two cases' expected values first left
out: corrected after the first measurement, which was then repeated on the unchanged parser). Referrals read by OCR, naming nobody, or with a
subject without a date of birth carry ``_expect.confirm``. All people, places and numbers are
invented; telephone numbers are in Ofcom's drama ranges.
"""

from __future__ import annotations

import functools
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/intake: what the generated sets share

import redteam_mail as R  # noqa: E402
from generated_sets import load_script  # noqa: E402
from redteam_mail import C, Case, S, expect, html_only, plain  # noqa: E402

U4 = load_script(HERE.parent / "unseen4" / "make_unseen4.py")  # PDF pages, scans, Word and HTML builders
Page, attached, to_confirm, html_doc, html_table, p_ = U4.Page, U4.attached, U4.to_confirm, U4.html_doc, U4.html_table, U4.p_

BOARD = "safeguarding.partnership@example.gov.uk"
hdr = functools.partial(R.headers, BOARD, "redteam5.example")
PDF, DOCX = "application/pdf", U4.DOCX


def iso(d: str) -> str:
    day, month, year = d.replace(".", "/").split("/")
    return f"{year}-{month}-{day}"


# ---------------------------------------------------------------------------
# A fillable PDF with a field hierarchy and labels above the boxes
# ---------------------------------------------------------------------------

def _pdf_string(value: str) -> str:
    """A PDF text string as Acrobat writes a value: Latin-1 literal when it can, else UTF-16BE with a BOM."""
    try:
        value.encode("latin-1")
        if all(ord(ch) < 128 for ch in value):
            return U4._s(value)
    except UnicodeEncodeError:
        pass
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"


def pdf_acroform(title: str, items: list[tuple], footer: str = "") -> bytes:
    """A fillable one-page PDF. ``items``: ("head", text) a bold heading; ("field", label, "parent.kid",
    value, width, height) a label above its box, boxes side by side until a ("next",) row break;
    ("cols", [headers], x positions) column headings; ("cell", "parent.kid", value, x, width) a box in a row.
    Values live only in /V and in appearance streams (/Tx BMC ... EMC); fields are grouped under parents
    (``child`` with kids ``name``, ``dob``...), as forms designed in Acrobat are."""
    ops = [f"BT /F2 12 Tf 40 805 Td {U4._s(title)} Tj ET"]
    widgets = []  # (parent, kid, value, rect, multiline)
    y, x, row_h = 780.0, 40.0, 0.0
    for it in items:
        if it[0] == "head":
            y -= row_h + (8 if row_h else 0)
            x, row_h = 40.0, 0.0
            ops.append(f"BT /F2 10 Tf 40 {y:.0f} Td {U4._s(it[1])} Tj ET")
            y -= 16
        elif it[0] == "next":
            y -= row_h + 6
            x, row_h = 40.0, 0.0
        elif it[0] == "field":
            _, label, path, value, w, h = it
            ops.append(f"BT /F1 7 Tf {x:.0f} {y:.0f} Td {U4._s(label)} Tj ET")
            rect = (x, y - 3 - h, x + w, y - 3)
            ops.append(f"0.6 G {rect[0]:.0f} {rect[1]:.0f} {w} {h} re S")
            parent, kid = path.split(".")
            widgets.append((parent, kid, value, rect, h > 16))
            x += w + 8
            row_h = max(row_h, h + 12)
        elif it[0] == "cols":
            y -= row_h
            x, row_h = 40.0, 0.0
            for text, cx in zip(it[1], it[2]):
                ops.append(f"BT /F2 8 Tf {cx} {y:.0f} Td {U4._s(text)} Tj ET")
            y -= 6
        elif it[0] == "cell":
            _, path, value, cx, w = it
            rect = (cx, y - 14, cx + w, y)
            ops.append(f"0.6 G {cx} {y - 14:.0f} {w} 14 re S")
            parent, kid = path.split(".")
            widgets.append((parent, kid, value, rect, False))
            row_h = 16
    if footer:
        ops.append(f"BT /F1 7 Tf 40 28 Td {U4._s(footer)} Tj ET")
    parents: dict[str, list[int]] = {}
    for i, (parent, *_rest) in enumerate(widgets):
        parents.setdefault(parent, []).append(i)
    # objects: 1 catalog, 2 pages, 3 Helv, 4 page, 5 bold font, 6 content, then parents, then widget+AP pairs
    n_par = len(parents)
    par_id = {p: 7 + k for k, p in enumerate(parents)}
    wid_id = [7 + n_par + 2 * i for i in range(len(widgets))]
    objs = [
        f"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{' '.join(f'{v} 0 R' for v in par_id.values())}] "
        "/NeedAppearances false /DA (/Helv 0 Tf 0 g ) /DR << /Font << /Helv 3 0 R >> >> >> >>".encode(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 5 0 R >> >> "
        f"/Contents 6 0 R /Annots [{' '.join(f'{i} 0 R' for i in wid_id)}] >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    stream = "\n".join(ops).encode("cp1252")
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    for p, kids in parents.items():
        objs.append(f"<< /T {U4._s(p)} /Kids [{' '.join(f'{wid_id[i]} 0 R' for i in kids)}] >>".encode())
    for i, (parent, kid, value, rect, multiline) in enumerate(widgets):
        w, h = rect[2] - rect[0], rect[3] - rect[1]
        lines = C.wrap(value, int(w / 4.6)) if multiline else [value]
        shown = [t.encode("cp1252", "replace").decode("cp1252") for t in lines]
        body = " ".join(f"2 {h - 10:.0f} Td {U4._s(t)} Tj" if k == 0 else f"0 -9 Td {U4._s(t)} Tj"
                        for k, t in enumerate(shown))
        ap = f"/Tx BMC\nq 1 1 {w - 2:.0f} {h - 2:.0f} re W n\nBT /Helv 8 Tf 0 g {body} ET\nQ\nEMC".encode("cp1252")
        ff = " /Ff 4096" if multiline else ""
        objs.append((f"<< /Type /Annot /Subtype /Widget /Parent {par_id[parent]} 0 R /FT /Tx /T {U4._s(kid)} "
                     f"/V {_pdf_string(value)}{ff} /Rect [{rect[0]:.0f} {rect[1]:.0f} {rect[2]:.0f} {rect[3]:.0f}] "
                     f"/P 4 0 R /F 4 /DA (/Helv 8 Tf 0 g) /MK << /BC [0.6] >> /AP << /N {wid_id[i] + 1} 0 R >> >>").encode("latin-1"))
        objs.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /Font << /Helv 3 0 R >> >> "
                    b"/Length %d >>\nstream\n" % (w, h, len(ap)) + ap + b"\nendstream")
    return C.pdf_file(objs, "1.7")


def pdf_pages(pages: list[Page]) -> bytes:
    """Several flattened pages in one PDF (Page items; Helvetica and Helvetica-Bold)."""
    n = len(pages)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{5 + 2 * i} 0 R' for i in range(n))}] /Count {n} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"]
    for i, pg in enumerate(pages):
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                    f"/Contents {6 + 2 * i} 0 R >>".encode())
        ops = [f"0.5 G 0.6 w {x} {y} {w} {h} re S" for x, y, w, h in pg.boxes]
        ops += [f"BT /{f} {size} Tf {x} {y} Td {U4._s(t)} Tj ET" for x, y, f, size, t in pg.items]
        stream = "\n".join(ops).encode("cp1252")
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return C.pdf_file(objs)


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------

def photo(lines: list[tuple[str, bool]], *, fmt: str = "JPEG", background: int = 226, angle: float = 0.0,
          size: int = 30) -> bytes:
    """A page of typed text as an image, as a phone or a screenshot makes it: grey paper, slightly askew."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 1500, 2100
    img = Image.new("L", (width, height), background)
    draw = ImageDraw.Draw(img)
    regular, bold = ImageFont.truetype(U4.FONT, size), ImageFont.truetype(U4.FONT_BOLD, size)
    y = 110
    for text, is_bold in lines:
        for t in C.wrap(text, 74) or [""]:
            draw.text((100, y), t, fill=25, font=bold if is_bold else regular)
            y += int(size * 1.5)
        y += int(size * 0.4)
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=background - 30)
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=80, dpi=(180, 180))
    else:
        img.save(out, "PNG", optimize=False)
    return out.getvalue()


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
    # 1. Acrobat form, fields grouped (child.name ...), labels above boxes, accented values in UTF-16.
    incident = ("Zoë (6) was found at school with a cigarette burn on her forearm and said her father's friend did it. "
                "Her mother says Zoë has been staying with friends of the family since her father was remanded.")
    request = "We ask that the Partnership holds a rapid review."
    criteria = "A child has been seriously harmed and abuse is suspected; several agencies knew of the family."
    home = "7 Sandpiper Walk, Colnbrook Vale, CV9 2LD"
    prison = "HMP Wealdstone Park, Prison Road, Wealdstone, WS3 9PP"
    items = [
        ("field", "Date of referral", "ref.date", "21/05/2025", 120, 14), ("next",),
        ("head", "Section 1 - The child"),
        ("field", "Full name", "child.name", "Zoë Marchetti-Byrne", 200, 14),
        ("field", "Date of birth", "child.dob", "02/09/2018", 90, 14),
        ("field", "Home address", "child.address", home, 200, 14), ("next",),
        ("head", "Section 2 - Parents/carers"),
        ("field", "Mother's name", "mother.name", "Anaïs Marchetti", 200, 14),
        ("field", "Mother's date of birth", "mother.dob", "15/04/1991", 90, 14),
        ("field", "Mother's address", "mother.address", home, 200, 14), ("next",),
        ("field", "Father's name", "father.name", "Declan Byrne", 200, 14),
        ("field", "Father's date of birth", "father.dob", "30/11/1986", 90, 14),
        ("field", "Father's address", "father.address", prison, 200, 14), ("next",),
        ("head", "Section 3 - The incident"),
        ("field", "Details of the incident", "incident.details", incident, 515, 48), ("next",),
        ("field", "What are you asking the Partnership to do?", "incident.request", request, 515, 22), ("next",),
        ("field", "Why do you think the criteria for a review are met?", "incident.criteria", criteria, 515, 32), ("next",),
        ("head", "Section 4 - Referrer"),
        ("field", "Name and designation of referrer", "referrer.name", "Priya Raman, Designated Safeguarding Lead", 250, 14),
        ("field", "Organisation", "referrer.org", "Colnbrook Vale Primary School", 257, 14), ("next",),
        ("field", "Telephone", "referrer.tel", "01632 961 448", 120, 14),
        ("field", "Email", "referrer.email", "p.raman@colnbrook-vale.example.sch.uk", 250, 14), ("next",),
    ]
    pdf = pdf_acroform("Colnbrook Vale Safeguarding Partnership - Referral for a Case Review", items,
                       footer="Return to csp.reviews@colnbrook.example.gov.uk  Form CSP/R/07  Page 1 of 1")
    h = hdr("Priya Raman <p.raman@colnbrook-vale.example.sch.uk>", "Case review referral", "Wed, 21 May 2025 15:47:02 +0100", "r5-01")
    add("pdf-acroform-field-hierarchy-labels-above-utf16-values",
        attached("Good afternoon,\n\nPlease find our referral attached.\n\nPriya\n", pdf, "CSP referral form.pdf", PDF, h, "r5b01"),
        expect("pdf", date="2025-05-21", subjects=[
            S("Zoë Marchetti-Byrne", "child", "child", "2018-09-02", home),
            S("Anaïs Marchetti", "adult", "mother", "1991-04-15", home),
            S("Declan Byrne", "adult", "father", "1986-11-30", prison),
        ], summary=incident, request=request, criteria=criteria, name="Priya Raman",
            agency="Colnbrook Vale Primary School", phone="01632 961 448", email="p.raman@colnbrook-vale.example.sch.uk"))

    # 2. Acrobat form whose subjects table is a grid of fields: Surname / Forename(s) / DOB / Relationship / Address.
    summary = ("Tiernan, aged 14 months, was admitted with a spiral fracture of the arm. His parents could not say how it "
               "happened. A sibling was subject to a child protection plan in 2022.")
    request = "Please consider a rapid review and whether a local child safeguarding practice review is needed."
    criteria = "Serious harm to a non-mobile child; abuse is suspected."
    cols = [40, 125, 215, 285, 370]
    people = [("O'NEILL", "Tiernan", "04/03/2024", "Child", "41 Kingfisher Drive, Eastwick, EW2 5NB"),
              ("O'NEILL", "Róisín", "19/12/1998", "Mother", "41 Kingfisher Drive, Eastwick, EW2 5NB"),
              ("FARRELL", "Conor James", "07/07/1995", "Father", "9 Mariners Court, Eastwick, EW1 3TT")]
    items = [("field", "Date of referral", "form.date", "02/06/2025", 120, 14), ("next",),
             ("head", "Subject(s) of referral"),
             ("cols", ["Surname", "Forename(s)", "Date of birth", "Relationship", "Address"], cols)]
    for i, row in enumerate(people, 1):
        for k, (val, x, w) in enumerate(zip(row, cols, (80, 85, 65, 80, 185))):
            items.append(("cell", f"subject{i}.{('surname', 'forename', 'dob', 'rel', 'address')[k]}", val, x, w))
        items.append(("next",))
    items += [("head", "Reason for referral"),
              ("field", "Summary of concerns", "reason.summary", summary, 515, 40), ("next",),
              ("field", "Request to the Partnership", "reason.request", request, 515, 22), ("next",),
              ("field", "How does the case meet the criteria?", "reason.criteria", criteria, 515, 22), ("next",),
              ("head", "Referrer"),
              ("field", "Name", "ref.name", "Dr Amara Nwosu", 160, 14),
              ("field", "Agency", "ref.agency", "Eastwick General Hospital", 200, 14), ("next",),
              ("field", "Tel", "ref.tel", "01632 960 287", 120, 14),
              ("field", "E-mail", "ref.email", "amara.nwosu@eastwick.nhs.example", 220, 14), ("next",)]
    pdf = pdf_acroform("Eastwick Safeguarding Children Partnership - Notification and Referral", items,
                       footer="ESCP  Ref: ESCP-NR-2025  escp@eastwick.example.gov.uk  01632 960 000")
    h = hdr("Dr Amara Nwosu <amara.nwosu@eastwick.nhs.example>", "Notification", "Mon, 02 Jun 2025 10:11:00 +0100", "r5-02")
    add("pdf-acroform-subjects-grid-surname-forename-fields",
        attached("Referral attached, thank you.\n", pdf, "ESCP notification.pdf", PDF, h, "r5b02"),
        expect("pdf", date="2025-06-02", subjects=[S(f"{fn} {sn}", "child" if rel == "Child" else "adult", rel.lower(), iso(d), a)
                                                  for sn, fn, d, rel, a in people],
               summary=summary, request=request, criteria=criteria, name="Dr Amara Nwosu", agency="Eastwick General Hospital",
               phone="01632 960 287", email="amara.nwosu@eastwick.nhs.example"))

    # 3. Flattened boxed fields, Surname and Forename(s) in separate boxes, one block per person.
    pg = Page()
    pg.line("REQUEST FOR A CHILD SAFEGUARDING PRACTICE REVIEW", bold=True, size=11, gap=28)

    def box(x, w, label, value):
        pg.boxes.append((x, pg.y - 14, w, 28))
        pg.items.append((x + 3, pg.y + 6, "F1", 6, label))
        pg.items.append((x + 3, pg.y - 8, "F1", 9, value))

    box(40, 150, "Date of request", "16.04.2025")
    pg.y -= 42
    pg.line("Part A: Subject(s) of referral", bold=True, gap=24)
    people = [("KHAN", "Aisha", "28.02.2012", "Subject child", "Flat 2, 18 Albion Terrace, Rydal Cross, RC4 7HS"),
              ("KHAN", "Imran", "11.01.1984", "Father", "Flat 2, 18 Albion Terrace, Rydal Cross, RC4 7HS"),
              ("BEGUM", "Nasreen", "03.06.1987", "Mother", "22 Orchard Lane, Millbrook, MB3 1QE")]
    for sn, fn, dob, rel, addr in people:
        box(40, 90, "Surname", sn)
        box(132, 90, "Forename(s)", fn)
        box(224, 62, "Date of birth", dob)
        box(288, 70, "Relationship", rel)
        box(360, 195, "Address", addr)
        pg.y -= 32
    summary = ("Aisha, 13, took an overdose after months of coercive control and assaults at home. She had told her "
               "school nurse twice that she was frightened of her father.")
    request = "A rapid review, and advice on whether to commission a local review."
    criteria = "Serious harm; missed opportunities to act on her disclosures."
    pg.y -= 6
    for label, text in (("Part B: Summary of the case", summary), ("Part C: What do you want the Partnership to do?", request),
                        ("Part D: Why do you think the criteria for a review are met?", criteria)):
        pg.line(label, bold=True, size=8)
        pg.para(text)
        pg.y -= 6
    pg.line("Part E: Referrer", bold=True, gap=24)
    box(40, 180, "Name", "Gemma Holt")
    box(224, 331, "Agency", "Rydal Cross School Nursing Service")
    pg.y -= 32
    box(40, 180, "Telephone", "01632 960 934")
    box(224, 331, "Email", "gemma.holt@rydalcross.nhs.example")
    h = hdr("Gemma Holt <gemma.holt@rydalcross.nhs.example>", "CSPR request", "Wed, 16 Apr 2025 12:30:00 +0100", "r5-03")
    add("pdf-flattened-boxes-surname-forename-separate-boxes",
        attached("Please see the attached request.\n", pg.pdf(), "CSPR request.pdf", PDF, h, "r5b03"),
        expect("pdf", date="2025-04-16", subjects=[S(f"{fn} {sn}", "child" if "child" in rel.lower() else "adult", rel.lower(), iso(d), a)
                                                  for sn, fn, d, rel, a in people],
               summary=summary, request=request, criteria=criteria, name="Gemma Holt",
               agency="Rydal Cross School Nursing Service", phone="01632 960 934", email="gemma.holt@rydalcross.nhs.example"))

    # 4. SURNAME / FORENAME(S) table with an unborn baby: its EDD in the date-of-birth column.
    pg = Page()
    pg.line("Pre-birth Referral - Safeguarding Partnership Case Review", bold=True, size=12, gap=22)
    pg.row([(40, "Date:"), (140, "09/05/2025")], gap=22)
    pg.line("Family details", bold=True, gap=16)
    cols = (40, 125, 215, 300, 390)
    pg.row(list(zip(cols, ["SURNAME", "FORENAME(S)", "D.O.B. / EDD", "RELATIONSHIP", "ADDRESS"])), bold=True)
    people = [("WHITTAKER", "Unborn baby", "EDD 14/07/2025", "Unborn child", "12 Heron Close, Pellbridge, PB6 2SA"),
              ("WHITTAKER", "Jade", "21/01/2004", "Mother", "12 Heron Close, Pellbridge, PB6 2SA"),
              ("COLE", "Bradley", "05/10/2001", "Father", "HMP Greystone, Moor Road, Greystone, GS1 4XX")]
    for row in people:
        pg.row(list(zip(cols, row)))
    pg.y -= 10
    summary = ("Jade's first child died in 2023 of injuries the father caused. She is now 32 weeks pregnant by the same "
               "father, who is due for release in June and intends to return to the home.")
    request = "Please consider a rapid review before the birth."
    criteria = "Previous death of a sibling through abuse; high risk to the unborn baby."
    for label, text in (("Summary", summary), ("Request", request), ("Criteria", criteria)):
        pg.line(label, bold=True)
        pg.para(text)
    pg.line("Referrer", bold=True)
    for label, value in (("Name:", "Rachel Ogunleye"), ("Agency:", "Pellbridge Maternity Safeguarding Team"),
                         ("Tel:", "01632 960 612"), ("Email:", "rachel.ogunleye@pellbridge.nhs.example")):
        pg.row([(40, label), (140, value)])
    h = hdr("Rachel Ogunleye <rachel.ogunleye@pellbridge.nhs.example>", "Pre-birth referral", "Fri, 09 May 2025 09:05:00 +0100", "r5-04")
    add("pdf-surname-forename-table-unborn-baby-edd",
        attached("Pre-birth referral attached.\n", pg.pdf(), "prebirth.pdf", PDF, h, "r5b04"),
        to_confirm(expect("pdf", date="2025-05-09", subjects=[
            S("Unborn baby WHITTAKER", "child", "unborn child", None, "12 Heron Close, Pellbridge, PB6 2SA"),
            S("Jade WHITTAKER", "adult", "mother", "2004-01-21", "12 Heron Close, Pellbridge, PB6 2SA"),
            S("Bradley COLE", "adult", "father", "2001-10-05", "HMP Greystone, Moor Road, Greystone, GS1 4XX")],
            summary=summary, request=request, criteria=criteria, name="Rachel Ogunleye",
            agency="Pellbridge Maternity Safeguarding Team", phone="01632 960 612",
            email="rachel.ogunleye@pellbridge.nhs.example"), "date of birth"))

    # 5. Three tables: children, adults in the household, professionals involved (not subjects); footer decoys.
    pg = Page()
    pg.line("Thornleigh Safeguarding Children Partnership", bold=True, size=12, gap=16)
    pg.line("Referral for consideration of a review", bold=True, size=11, gap=20)
    pg.row([(40, "Date of referral:"), (150, "27/03/2025")], gap=20)
    pg.line("Children", bold=True, gap=15)
    cols = (40, 180, 270)
    pg.row(list(zip(cols, ["Name", "Date of birth", "Address"])), bold=True)
    kids = [("Oscar Lindqvist", "13/08/2013", "56 Beacon Street, Thornleigh, TL3 8DN"),
            ("Freya Lindqvist", "01/04/2017", "56 Beacon Street, Thornleigh, TL3 8DN")]
    for k in kids:
        pg.row(list(zip(cols, k)))
    pg.y -= 8
    pg.line("Adults in the household", bold=True, gap=15)
    cols2 = (40, 180, 270, 350)
    pg.row(list(zip(cols2, ["Name", "Relationship", "Date of birth", "Address"])), bold=True)
    adults = [("Ingrid Lindqvist", "Mother", "25/02/1985", "56 Beacon Street, Thornleigh, TL3 8DN"),
              ("Wayne Mercer", "Mother's partner", "12/09/1979", "56 Beacon Street, Thornleigh, TL3 8DN")]
    for a in adults:
        pg.row(list(zip(cols2, a)))
    pg.y -= 8
    pg.line("Professionals involved", bold=True, gap=15)
    cols3 = (40, 180, 350)
    pg.row(list(zip(cols3, ["Name", "Agency", "Role"])), bold=True)
    for p in (("Laura Finch", "Thornleigh Children's Social Care", "Social worker"),
              ("PC Adam Shah", "Thornleigh Police", "Investigating officer"),
              ("Dr Kemi Ade", "Beacon Street Surgery", "GP")):
        pg.row(list(zip(cols3, p)))
    pg.y -= 8
    summary = ("Oscar disclosed that Mr Mercer had beaten him and locked both children in a bedroom for a weekend. "
               "Freya was malnourished when seen. There were 11 police call-outs to the address in a year.")
    request = "Please convene a rapid review."
    criteria = "Serious harm from abuse and neglect; concerns about how agencies shared information."
    for label, text in (("Summary of concerns", summary), ("Request", request), ("Reasons the criteria are met", criteria)):
        pg.line(label, bold=True)
        pg.para(text)
    pg.line("Referrer details", bold=True)
    for label, value in (("Name:", "Laura Finch"), ("Agency:", "Thornleigh Children's Social Care"),
                         ("Telephone:", "01632 961 090"), ("Email:", "laura.finch@thornleigh.example.gov.uk")):
        pg.row([(40, label), (150, value)])
    pg.items.append((40, 40, "F1", 7, "Send completed forms to tscp.reviews@thornleigh.example.gov.uk  Our ref: TSCP/RFR/0311"))
    pg.items.append((40, 30, "F1", 7, "Thornleigh SCP, Town Hall, Market Place, Thornleigh TL1 1AA  Tel 01632 960 999"))
    h = hdr("Laura Finch <laura.finch@thornleigh.example.gov.uk>", "Referral", "Thu, 27 Mar 2025 17:12:00 +0000", "r5-05")
    add("pdf-three-tables-professionals-not-subjects-footer-decoys",
        attached("Please find attached.\nLaura\n", pg.pdf(), "TSCP referral.pdf", PDF, h, "r5b05"),
        expect("pdf", date="2025-03-27", subjects=[S(n, "child", "child", iso(d), a) for n, d, a in kids] +
               [S(n, "adult", rel.lower(), iso(d), a) for n, rel, d, a in adults],
               summary=summary, request=request, criteria=criteria, name="Laura Finch",
               agency="Thornleigh Children's Social Care", phone="01632 961 090", email="laura.finch@thornleigh.example.gov.uk"))

    # 6. A form over two pages; each page's footer names the Partnership's inbox and the form reference.
    p1, p2 = Page(), Page()
    p1.line("Rapid Review Referral", bold=True, size=12, gap=22)
    summary = ("Kacper, 16, was stabbed in the town centre and remains in intensive care. He had been excluded from "
               "school and was known to be carrying drugs for older youths.")
    request = "To consider a rapid review."
    criteria = "Serious harm; criminal exploitation; several agencies involved."
    for label, value in (("Date of referral:", "03/07/2025"), ("Name of child:", "Kacper Nowak"),
                         ("Date of birth:", "19/02/2009"), ("Address:", "88 Canal Street, Brindley, BR2 6AG"),
                         ("Parent/carer:", "Ewa Nowak (mother), DOB 08/05/1982, same address")):
        p1.row([(40, label), (160, value)])
    p1.y -= 8
    for label, text in (("Summary:", summary), ("Request:", request)):
        p1.line(label, bold=True)
        p1.para(text)
    p2.line("Criteria:", bold=True)
    p2.para(criteria)
    for label, value in (("Referrer:", "Owen Pritchard"), ("Agency:", "Brindley Youth Justice Service"),
                         ("Tel:", "01632 960 373"), ("Email:", "owen.pritchard@brindley.example.gov.uk")):
        p2.row([(40, label), (160, value)])
    for n, pg in enumerate((p1, p2), 1):
        pg.items.append((40, 30, "F1", 7, f"BSCP Rapid Review form v2  |  bscp@brindley.example.gov.uk  |  Ref BSCP-RR  |  Page {n} of 2"))
    h = hdr("Owen Pritchard <owen.pritchard@brindley.example.gov.uk>", "RR referral", "Thu, 03 Jul 2025 08:55:00 +0100", "r5-06")
    addr = "88 Canal Street, Brindley, BR2 6AG"
    add("pdf-two-pages-footer-on-each-page",
        attached("Referral attached.\n", pdf_pages([p1, p2]), "BSCP RR.pdf", PDF, h, "r5b06"),
        expect("pdf", date="2025-07-03", subjects=[S("Kacper Nowak", "child", "child", "2009-02-19", addr),
                                                  S("Ewa Nowak", "adult", "mother", "1982-05-08", addr)],
               summary=summary, request=request, criteria=criteria, name="Owen Pritchard",
               agency="Brindley Youth Justice Service", phone="01632 960 373", email="owen.pritchard@brindley.example.gov.uk"))


def _scans(add) -> None:
    # 7. Copier scan, image-only PDF, numbered sections and labelled lines.
    summary = "Ellie-Mae was left in the care of an intoxicated adult and was found wandering on a main road at night."
    request = "Please consider a rapid review."
    criteria = "Serious neglect placing a young child at risk of death."
    addr = "3 Weaver Close, Ashcombe, AC7 1RP"
    lines = [("ASHCOMBE SAFEGUARDING PARTNERSHIP - REFERRAL", True), ("", False), ("1. Referral", True),
             ("Date of referral: 11/06/2025", False), ("", False), ("2. Subject(s) of referral", True),
             ("Child's name: Ellie-Mae Porter", False), ("Date of birth: 23/10/2021", False), (f"Address: {addr}", False),
             ("Mother's name: Shannon Porter", False), ("Mother's date of birth: 14/03/2000", False), ("", False),
             ("3. Details of the incident", True), (summary, False), ("4. Request", True), (request, False),
             ("5. Why do you think the criteria for a review are met?", True), (criteria, False), ("", False),
             ("6. Referrer", True), ("Name: Simon Achterberg", False), ("Agency: Ashcombe Police", False),
             ("Telephone: 01632 960 822", False), ("Email: simon.achterberg@police.example.uk", False)]
    h = hdr("Konica MFP <scanner@ashcombe-police.example.uk>", "Message from KM_C450i", "Wed, 11 Jun 2025 13:02:44 +0100", "r5-07")
    add("scan-copier-pdf-numbered-sections",
        attached("Scanned from KM_C450i\n", U4.pdf_of_jpegs([U4.render(lines)]), "KM_C450i_20250611130244.pdf", PDF, h, "r5b07"),
        to_confirm(expect("pdf_ocr", date="2025-06-11", subjects=[
            S("Ellie-Mae Porter", "child", "child", "2021-10-23", addr), S("Shannon Porter", "adult", "mother", "2000-03-14", addr)],
            summary=summary, request=request, criteria=criteria, name="Simon Achterberg", agency="Ashcombe Police",
            phone="01632 960 822", email="simon.achterberg@police.example.uk"), "OCR"))

    # 8. Phone photograph (grey paper, a little askew) attached as a JPEG.
    summary = "Reggie has bruising to his face and back. He told his teacher that his mum's boyfriend hurts him."
    request = "Please decide whether a review is needed."
    criteria = "Physical abuse causing serious harm."
    addr = "15 Thistle Road, Hambury, HB4 3UF"
    lines = [("REFERRAL TO THE SAFEGUARDING PARTNERSHIP", True), ("", False), ("Date of referral: 24/06/2025", False),
             ("Child's name: Reggie Sutcliffe", False), ("Date of birth: 06/01/2017", False), (f"Address: {addr}", False),
             ("", False), ("Summary", True), (summary, False), ("Request", True), (request, False), ("Criteria", True),
             (criteria, False), ("", False), ("Name of referrer: Joanne Baptiste", False),
             ("Agency: Hambury Junior School", False), ("Telephone: 01632 960 191", False),
             ("Email: j.baptiste@hambury-junior.example.sch.uk", False)]
    h = hdr("Joanne Baptiste <j.baptiste@hambury-junior.example.sch.uk>", "referral (photo)", "Tue, 24 Jun 2025 16:40:00 +0100", "r5-08")
    add("photo-jpeg-grey-paper-askew",
        attached("Sorry, the scanner is broken - photo of the form attached.\nJo\n", photo(lines, angle=0.8),
                 "IMG_4471.jpg", "image/jpeg", h, "r5b08"),
        to_confirm(expect("image_ocr", date="2025-06-24", subjects=[S("Reggie Sutcliffe", "child", "child", "2017-01-06", addr)],
                          summary=summary, request=request, criteria=criteria, name="Joanne Baptiste",
                          agency="Hambury Junior School", phone="01632 960 191",
                          email="j.baptiste@hambury-junior.example.sch.uk"), "OCR"))

    # 9. A PNG screenshot of a form.
    summary = "Tyler was assaulted by two older boys who had been grooming him to sell drugs; he has a head injury."
    request = "Rapid review, please."
    criteria = "Serious harm through criminal exploitation."
    addr = "2 Mill Race, Southbeck, SB1 9EJ"
    lines = [("Child Safeguarding Referral", True), ("", False), ("Date: 30/06/2025", False),
             ("Child's name: Tyler Greaves", False), ("Date of birth: 12/12/2010", False), (f"Address: {addr}", False),
             ("", False), ("Summary of concerns", True), (summary, False), ("Request", True), (request, False),
             ("Criteria", True), (criteria, False), ("", False), ("Referrer: Hollie Dean", False),
             ("Agency: Southbeck Youth Service", False), ("Tel: 01632 960 266", False),
             ("Email: hollie.dean@southbeck.example.gov.uk", False)]
    h = hdr("Hollie Dean <hollie.dean@southbeck.example.gov.uk>", "Referral", "Mon, 30 Jun 2025 11:20:00 +0100", "r5-09")
    add("screenshot-png-of-form",
        attached("Screenshot of the form attached (our system will not export it).\n",
                 photo(lines, fmt="PNG", background=255), "form.png", "image/png", h, "r5b09"),
        to_confirm(expect("image_ocr", date="2025-06-30", subjects=[S("Tyler Greaves", "child", "child", "2010-12-12", addr)],
                          summary=summary, request=request, criteria=criteria, name="Hollie Dean",
                          agency="Southbeck Youth Service", phone="01632 960 266",
                          email="hollie.dean@southbeck.example.gov.uk"), "OCR"))


def _wordings(add) -> None:
    # 10. HTML "Subject(s) of referral" table with an ethnicity column; name and designation; contact details one line.
    summary = "Maisie died at home aged 5 months. Unsafe sleeping after parental drug use is suspected."
    request = "Please consider a rapid review and notification to the national panel."
    criteria = "The death of a child where abuse or neglect is suspected."
    addr = "10 Larch Rise, Wendover Fields, WF2 8KC"
    body = (p_("Referral to the Safeguarding Partnership", True) +
            html_table([["Date of referral", "18/03/2025"]]) + p_("Subject(s) of referral", True) +
            html_table([["Name", "D.O.B.", "Relationship to child", "Ethnicity", "Address"],
                        ["Maisie Kerr", "10/10/2024", "Subject (deceased)", "White British", addr],
                        ["Holly Kerr", "02/08/2002", "Mother", "White British", addr],
                        ["Jamie Ross", "17/01/2000", "Father", "White Scottish", addr]], header=True) +
            html_table([["Details of the incident", summary], ["What are you asking the Partnership to do?", request],
                        ["Why do you think the criteria for a review are met?", criteria],
                        ["Name and designation of referrer", "Carol Ibbotson, Named Nurse for Safeguarding"],
                        ["Agency", "Wendover Community Health Trust"],
                        ["Contact details of referrer", "tel. 01632 960 481  email carol.ibbotson@wendover.nhs.example"]]))
    h = hdr("Ibbotson Carol <carol.ibbotson@wendover.nhs.example>", "Referral - MK", "Tue, 18 Mar 2025 12:00:00 +0000", "r5-10")
    add("html-subjects-table-ethnicity-column-contact-details-one-line",
        html_only(html_doc(body), h),
        expect("html_table", date="2025-03-18", subjects=[
            S("Maisie Kerr", "child", "subject (deceased)", "2024-10-10", addr),
            S("Holly Kerr", "adult", "mother", "2002-08-02", addr), S("Jamie Ross", "adult", "father", "2000-01-17", addr)],
            summary=summary, request=request, criteria=criteria, name="Carol Ibbotson",
            agency="Wendover Community Health Trust", phone="01632 960 481", email="carol.ibbotson@wendover.nhs.example"))

    # 11. Text: numbered section headings, numbered subject lines with commas, "Section 3 - The incident".
    summary = ("Archie, 2, swallowed methadone left out at home and was resuscitated by paramedics. His father is on a "
               "drug treatment programme.")
    request = "We request a rapid review."
    criteria = "Serious harm to a young child from neglect; agencies knew of the father's drug use."
    addr = "4 Goldcrest Mews, Harlow Edge, HE3 6YN"
    text = f"""SAFEGUARDING PARTNERSHIP REFERRAL

1. Referral
Date of referral: 08/04/2025

2. Subject(s) of referral
1. Archie Dawson, 15/01/2023, child, {addr}
2. Megan Dawson, 29/06/1997, mother, {addr}
3. Craig Dawson, 03/03/1994, father, {addr}

Section 3 – The incident
Details of the incident:
{summary}

Section 4 – Request
{request}

Section 5 – Criteria
Why do you think the criteria for a review are met?
{criteria}

Section 6 – Referrer
Name and designation of referrer: Sgt Neil Abbott, Public Protection Unit
Agency: Harlow Edge Police
Contact details of referrer: tel. 01632 960 728, email neil.abbott@police.example.uk
"""
    h = hdr("Abbott Neil <neil.abbott@police.example.uk>", "Referral", "Tue, 08 Apr 2025 07:30:00 +0100", "r5-11")
    add("text-numbered-subject-lines-section-dash-headings", plain(text, h),
        expect("text_body", date="2025-04-08", subjects=[
            S("Archie Dawson", "child", "child", "2023-01-15", addr), S("Megan Dawson", "adult", "mother", "1997-06-29", addr),
            S("Craig Dawson", "adult", "father", "1994-03-03", addr)],
            summary=summary, request=request, criteria=criteria, name="Sgt Neil Abbott", agency="Harlow Edge Police",
            phone="01632 960 728", email="neil.abbott@police.example.uk"))

    # 12. Word table: a "Parents/carers" heading row; contact details of referrer as one multi-line cell.
    summary = "Lacey, 11, was found with ligature marks after weeks of online bullying and threats from an adult she met in a game."
    request = "To consider a local child safeguarding practice review."
    criteria = "Serious harm; online exploitation; the school and CAMHS had concerns that were not shared."
    addr = "27 Blackthorn Avenue, Greyfriars, GF5 2WD"
    rows = [["Date of referral", "14/05/2025"], ["Child", ""], ["Name", "Lacey Moran"], ["Date of birth", "09/09/2013"],
            ["Address", addr], ["Parents/carers", ""], ["Name", "Tanya Moran"], ["Relationship", "Mother"],
            ["Date of birth", "12/12/1985"], ["Address", addr],
            ["Details of the incident", summary], ["What are you asking the Partnership to do?", request],
            ["Why do you think the criteria for a review are met?", criteria],
            ["Name and designation of referrer", "Martin Kowalski - Designated Safeguarding Lead"],
            ["Agency", "Greyfriars Academy"],
            ["Contact details of referrer", "Greyfriars Academy\nSchool Lane, Greyfriars, GF1 1SL\n01632 960 564\nm.kowalski@greyfriars.example.sch.uk"]]
    h = hdr("Martin Kowalski <m.kowalski@greyfriars.example.sch.uk>", "Referral form", "Wed, 14 May 2025 14:14:00 +0100", "r5-12")
    add("docx-table-parents-carers-heading-row-contact-details-cell",
        attached("Please see the attached referral form.\n", U4.docx_table(rows), "Referral form.docx", DOCX, h, "r5b12"),
        expect("docx_table", date="2025-05-14", subjects=[
            S("Lacey Moran", "child", "child", "2013-09-09", addr), S("Tanya Moran", "adult", "mother", "1985-12-12", addr)],
            summary=summary, request=request, criteria=criteria, name="Martin Kowalski", agency="Greyfriars Academy",
            phone="01632 960 564", email="m.kowalski@greyfriars.example.sch.uk"))

    # 13. Text with "Parents/carers" as a heading over "Mother:" / "Stepfather:" lines; contact details multi-line.
    summary = "Ben, 15, was admitted with a serious head injury; he says his stepfather pushed him down the stairs."
    request = "Please consider a rapid review."
    criteria = "Serious harm; domestic abuse known to police and the school."
    addr = "61 Foxglove Road, Penhallow, PH8 4AA"
    text = f"""Referral for a case review

Date: 19 June 2025

Child
Name: Ben Tremayne
DOB: 04/11/2009
Address: {addr}

Parents/carers
Mother: Kerensa Tremayne, DOB 22/07/1983
Stepfather: Gary Pascoe, DOB 30/01/1978

Details of the incident
{summary}

Request
{request}

Why do you think the criteria for a review are met?
{criteria}

Name and designation of referrer
Lowenna Hicks, Social Worker
Agency: Penhallow Children's Services
Contact details of referrer
01632 960 455
lowenna.hicks@penhallow.example.gov.uk
"""
    h = hdr("Lowenna Hicks <lowenna.hicks@penhallow.example.gov.uk>", "Referral", "Thu, 19 Jun 2025 10:10:00 +0100", "r5-13")
    add("text-parents-carers-heading-designation-on-next-line", plain(text, h),
        expect("text_body", date="2025-06-19", subjects=[
            S("Ben Tremayne", "child", "child", "2009-11-04", addr), S("Kerensa Tremayne", "adult", "mother", "1983-07-22", addr),
            S("Gary Pascoe", "adult", "stepfather", "1978-01-30", addr)],
            summary=summary, request=request, criteria=criteria, name="Lowenna Hicks",
            agency="Penhallow Children's Services", phone="01632 960 455", email="lowenna.hicks@penhallow.example.gov.uk"))


def _people(add) -> None:
    # 14. Slash-separated lines, name first, each person's own address, father in prison.
    summary = "Destiny, 7, was sexually abused by a family friend while staying with her grandmother."
    request = "Please consider a rapid review."
    criteria = "Serious harm from sexual abuse; the friend was a known risk to children."
    text = """Referral

Date of referral: 02/05/2025

Family:
Destiny Akande / Child / 17/03/2018 / 14 Pelham Street, Wexcombe, WX1 2BD
Funmi Akande / Mother / 09/09/1992 / 14 Pelham Street, Wexcombe, WX1 2BD
Tunde Akande / Father / 01/02/1989 / HMP Brookfield, Brookfield Road, Wexcombe, WX9 9ZZ
Grace Adebayo / Maternal grandmother / 20/06/1961 / 3 Tannery Court, Wexcombe, WX4 6LP

Summary: """ + summary + """
Request: """ + request + """
Criteria: """ + criteria + """

Referrer: Olivia Strand
Agency: Wexcombe Children's Social Care
Telephone: 01632 960 707
Email: olivia.strand@wexcombe.example.gov.uk
"""
    h = hdr("Olivia Strand <olivia.strand@wexcombe.example.gov.uk>", "Referral", "Fri, 02 May 2025 16:00:00 +0100", "r5-14")
    add("text-slash-lines-name-first-prison-and-grandmother-addresses", plain(text, h),
        expect("text_body", date="2025-05-02", subjects=[
            S("Destiny Akande", "child", "child", "2018-03-17", "14 Pelham Street, Wexcombe, WX1 2BD"),
            S("Funmi Akande", "adult", "mother", "1992-09-09", "14 Pelham Street, Wexcombe, WX1 2BD"),
            S("Tunde Akande", "adult", "father", "1989-02-01", "HMP Brookfield, Brookfield Road, Wexcombe, WX9 9ZZ"),
            S("Grace Adebayo", "adult", "maternal grandmother", "1961-06-20", "3 Tannery Court, Wexcombe, WX4 6LP")],
            summary=summary, request=request, criteria=criteria, name="Olivia Strand",
            agency="Wexcombe Children's Social Care", phone="01632 960 707", email="olivia.strand@wexcombe.example.gov.uk"))

    # 15. HTML: an adult half-brother (by date of birth) and a step-sister, no role column.
    summary = "Poppy, 12, was raped by her adult half-brother, who was living in the family home after leaving care."
    request = "To hold a rapid review."
    criteria = "Serious harm from sexual abuse; risk known to the leaving-care service."
    addr = "5 Juniper Gardens, Castlemere, CM6 1HJ"
    body = (p_("Safeguarding Partnership - Referral", True) +
            html_table([["Date of referral", "12/06/2025"]]) + p_("People involved", True) +
            html_table([["Name", "Date of birth", "Relationship", "Address"],
                        ["Poppy Hargreaves", "30/04/2013", "Subject", addr],
                        ["Ryan Hargreaves", "14/02/2004", "Half-brother", addr],
                        ["Skye Benson", "08/08/2015", "Step-sister", addr],
                        ["Lisa Hargreaves", "26/11/1982", "Mother", addr]], header=True) +
            html_table([["Summary", summary], ["Request", request], ["Criteria", criteria],
                        ["Referrer", "Daniel Osei"], ["Agency", "Castlemere Leaving Care Service"],
                        ["Telephone", "01632 960 149"], ["Email", "daniel.osei@castlemere.example.gov.uk"]]))
    h = hdr("Daniel Osei <daniel.osei@castlemere.example.gov.uk>", "Referral", "Thu, 12 Jun 2025 09:45:00 +0100", "r5-15")
    add("html-adult-half-brother-and-step-sister", html_only(html_doc(body), h),
        expect("html_table", date="2025-06-12", subjects=[
            S("Poppy Hargreaves", "child", "subject", "2013-04-30", addr), S("Ryan Hargreaves", "adult", "half-brother", "2004-02-14", addr),
            S("Skye Benson", "child", "step-sister", "2015-08-08", addr), S("Lisa Hargreaves", "adult", "mother", "1982-11-26", addr)],
            summary=summary, request=request, criteria=criteria, name="Daniel Osei",
            agency="Castlemere Leaving Care Service", phone="01632 960 149", email="daniel.osei@castlemere.example.gov.uk"))

    # 16. Latin-1 text: accented, apostrophe and hyphenated names.
    summary = "Siobhán, 9, was found home alone with injuries after her mother's partner assaulted her."
    request = "Please consider a review."
    criteria = "Serious harm; domestic abuse known to agencies."
    addr = "Flat 9, Rowan House, Quayside, Lisburne, LB3 7QQ"
    text = f"""REFERRAL FORM

Date of referral: 20/05/2025

Child's name: Siobhán O'Sullivan-Ní Bhriain
Child's date of birth: 11/01/2016
Child's address: {addr}

Mother's name: Aoife O'Sullivan
Mother's date of birth: 03/03/1990
Mother's address: {addr}

Mother's partner: José-Luis Peña D'Souza
Partner's date of birth: 27/07/1987
Partner's address: 12 Quay Street, Lisburne, LB1 2RR

Summary: {summary}
Request: {request}
Criteria: {criteria}

Referrer: Zoë Ó Briain
Agency: Lisburne Children's Services
Tel: 01632 960 393
Email: zoe.obriain@lisburne.example.gov.uk
"""
    h = hdr("=?iso-8859-1?Q?Zo=EB_=D3_Briain?= <zoe.obriain@lisburne.example.gov.uk>", "Referral", "Tue, 20 May 2025 11:11:00 +0100", "r5-16")
    add("text-latin1-accented-apostrophe-hyphen-names", plain(text, h, charset="iso-8859-1"),
        expect("text_body", date="2025-05-20", subjects=[
            S("Siobhán O'Sullivan-Ní Bhriain", "child", "child", "2016-01-11", addr),
            S("Aoife O'Sullivan", "adult", "mother", "1990-03-03", addr),
            S("José-Luis Peña D'Souza", "adult", "mother's partner", "1987-07-27", "12 Quay Street, Lisburne, LB1 2RR")],
            summary=summary, request=request, criteria=criteria, name="Zoë Ó Briain",
            agency="Lisburne Children's Services", phone="01632 960 393", email="zoe.obriain@lisburne.example.gov.uk"))

    # 17. Word paragraphs: a block per person, each with its own address; father at a prison.
    summary = "Kobe, 3, was admitted with a fractured skull. His mother's account changed three times."
    request = "Consider a rapid review."
    criteria = "Serious harm to a young child; abuse suspected."
    paras = [("Referral to the Safeguarding Children Partnership", True), ("Date of referral: 25/04/2025", False),
             ("Child", True), ("Name: Kobe Mensah-Clarke", False), ("Date of birth: 18/08/2021", False),
             ("Address: 2 Cherry Tree Walk, Ambleford, AF4 9TT", False),
             ("Mother", True), ("Name: Abena Mensah", False), ("Date of birth: 04/04/1999", False),
             ("Address: 2 Cherry Tree Walk, Ambleford, AF4 9TT", False),
             ("Father", True), ("Name: Tyrone Clarke", False), ("Date of birth: 10/10/1996", False),
             ("Address: HMP Ambleford, Gaol Lane, Ambleford, AF1 1GG", False),
             ("Summary", True), (summary, False), ("Request", True), (request, False), ("Criteria", True), (criteria, False),
             ("Referrer", True), ("Name: Beth Lowther", False), ("Agency: Ambleford Hospital", False),
             ("Telephone: 01632 960 272", False), ("Email: beth.lowther@ambleford.nhs.example", False)]
    h = hdr("Beth Lowther <beth.lowther@ambleford.nhs.example>", "Referral", "Fri, 25 Apr 2025 13:00:00 +0100", "r5-17")
    add("docx-paragraphs-person-blocks-father-at-prison",
        attached("Attached.\n", U4.docx_paragraphs(paras), "referral.docx", DOCX, h, "r5b17"),
        expect("docx_paragraphs", date="2025-04-25", subjects=[
            S("Kobe Mensah-Clarke", "child", "child", "2021-08-18", "2 Cherry Tree Walk, Ambleford, AF4 9TT"),
            S("Abena Mensah", "adult", "mother", "1999-04-04", "2 Cherry Tree Walk, Ambleford, AF4 9TT"),
            S("Tyrone Clarke", "adult", "father", "1996-10-10", "HMP Ambleford, Gaol Lane, Ambleford, AF1 1GG")],
            summary=summary, request=request, criteria=criteria, name="Beth Lowther", agency="Ambleford Hospital",
            phone="01632 960 272", email="beth.lowther@ambleford.nhs.example"))

    # 18. Aligned columns, each address wrapped onto lines of its own under the person (a town alone on a line).
    summary = "Jake, 10, was hit by a car after being left to walk home alone at night; he had been reported missing twice."
    request = "Please consider a rapid review."
    criteria = "Serious harm where neglect is suspected."
    text = """Referral

Date of referral: 05/06/2025

Name              DOB          Relationship   Address
Jake Lowry        01/02/2015   Child          14 Mill Lane,
                                              Thornbury
                                              TB2 4RS
Kerry Lowry       19/09/1988   Mother         14 Mill Lane,
                                              Thornbury
                                              TB2 4RS

Summary: """ + summary + """
Request: """ + request + """
Criteria: """ + criteria + """

Referrer: Ravi Mistry
Agency: Thornbury Police
Tel: 01632 960 558
Email: ravi.mistry@police.example.uk
"""
    h = hdr("Ravi Mistry <ravi.mistry@police.example.uk>", "Referral", "Thu, 05 Jun 2025 18:05:00 +0100", "r5-18")
    addr = "14 Mill Lane, Thornbury, TB2 4RS"
    add("text-aligned-columns-town-on-its-own-line", plain(text, h),
        expect("text_body", date="2025-06-05", subjects=[
            S("Jake Lowry", "child", "child", "2015-02-01", addr), S("Kerry Lowry", "adult", "mother", "1988-09-19", addr)],
            summary=summary, request=request, criteria=criteria, name="Ravi Mistry", agency="Thornbury Police",
            phone="01632 960 558", email="ravi.mistry@police.example.uk"))

    # 19. A referral that names nobody ("details held on the system").
    summary = "A 16-year-old died by suicide after a long period of exploitation. Details are held on our case system."
    request = "Please consider whether a review is required."
    criteria = "The death of a child where abuse or neglect is suspected."
    text = f"""Referral for a review

Date of referral: 28/05/2025
Subject(s) of referral: see our case record (details to follow by secure email)

Details of the incident: {summary}
Request: {request}
Why do you think the criteria for a review are met? {criteria}

Name and designation of referrer: Harriet Coombes, Head of Service
Agency: Merrow Vale Children's Services
Contact details of referrer: tel. 01632 960 811 email harriet.coombes@merrowvale.example.gov.uk
"""
    h = hdr("Harriet Coombes <harriet.coombes@merrowvale.example.gov.uk>", "Referral", "Wed, 28 May 2025 15:00:00 +0100", "r5-19")
    add("text-subjects-not-named-details-to-follow", plain(text, h),
        to_confirm(expect("text_body", date="2025-05-28", subjects=[], summary=summary, request=request, criteria=criteria,
                          name="Harriet Coombes", agency="Merrow Vale Children's Services", phone="01632 960 811",
                          email="harriet.coombes@merrowvale.example.gov.uk"), "no subject"))

    # 20. HTML people table whose "address" column is split in two cells (street / town), school as a column.
    summary = "Amir, 8, has been repeatedly absent from school with unexplained injuries; he was found locked out overnight."
    request = "Please consider a rapid review."
    criteria = "Serious harm from neglect and physical abuse."
    body = (p_("Referral", True) + html_table([["Date of referral", "01/07/2025"]]) + p_("Child and family", True) +
            html_table([["Name", "DOB", "Relationship", "Street", "Town", "Postcode", "School"],
                        ["Amir Haddad", "22/05/2017", "Child", "33 Bramble Way", "Fairholme", "FH2 3GG", "Fairholme Primary School"],
                        ["Layla Haddad", "09/09/1990", "Mother", "33 Bramble Way", "Fairholme", "FH2 3GG", ""]], header=True) +
            html_table([["Summary", summary], ["Request", request], ["Criteria", criteria], ["Referrer", "Nicola Varga"],
                        ["Agency", "Fairholme Primary School"], ["Telephone", "01632 960 676"],
                        ["Email", "n.varga@fairholme.example.sch.uk"]]))
    h = hdr("Nicola Varga <n.varga@fairholme.example.sch.uk>", "Referral", "Tue, 01 Jul 2025 09:00:00 +0100", "r5-20")
    addr = "33 Bramble Way, Fairholme, FH2 3GG"
    add("html-people-table-address-in-street-town-postcode-columns", html_only(html_doc(body), h),
        expect("html_table", date="2025-07-01", subjects=[
            S("Amir Haddad", "child", "child", "2017-05-22", addr), S("Layla Haddad", "adult", "mother", "1990-09-09", addr)],
            summary=summary, request=request, criteria=criteria, name="Nicola Varga", agency="Fairholme Primary School",
            phone="01632 960 676", email="n.varga@fairholme.example.sch.uk"))


def main() -> int:
    return R.write_set(HERE, cases())


if __name__ == "__main__":
    sys.exit(main())
