"""Generate the second red-team set: referral emails unlike the samples, the corpus and tests/intake/unseen.

Run from the repository root::

    .venv/bin/python tests/intake/unseen2/make_unseen2.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script in the same format as the other sets
(schema fields plus ``kind`` / ``layout``; an optional ``_expect``), so that
``bench/parse_accuracy.py`` scores this directory as its own line. The cases that are one text or
HTML message are the table ``cases.toml`` (read by ``redteam_mail.table_cases``); the Word, PDF,
spreadsheet, multipart and forwarded ones are built here.

This round was written independently of the parser's rules, to measure generalisation: Welsh and
bilingual forms (Child Practice Reviews under the Wales regional boards), newer English wording
(rapid reviews, Child Safeguarding Practice Reviews, safeguarding partnerships), PDF form fields,
a scanned PDF, Word content controls / legacy form fields / text boxes / tracked changes /
header-and-footer markings, cover letters beside forms, forwards inside forwards, threads quoted
under a pasted form, and content that is hard to read: unborn babies, young parents, "known as"
names, ages without dates of birth, adults who harmed the child, a child who has died, several
households; unusual dates and encodings.

Expected values are what a careful person would extract from each form, written here by hand,
never copied from the parser's output. All people, addresses and numbers are invented; phone
numbers use Ofcom's drama ranges.
"""

from __future__ import annotations

import base64
import functools
import io
import sys
import zipfile
from email import message_from_bytes
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/intake: what the generated sets share

import redteam_mail as R  # noqa: E402
from redteam_mail import (  # noqa: E402
    C, Case, S, esc, expect, multipart, needs_person, not_referral, plain,
)

BOARD = "safeguarding.partnership@example.gov.uk"
DOMAIN = "unseen2.example"
hdr = functools.partial(R.headers, BOARD, DOMAIN)


def alternative(text: str, html: str, *, boundary: str):
    alt = MIMEMultipart("alternative", boundary=boundary)
    alt.attach(C.text_part(text))
    alt.attach(C.html_part(html))
    return alt


def png_logo() -> MIMEImage:
    # a 1x1 PNG
    data = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    img = MIMEImage(data, "png")
    img.add_header("Content-ID", "<image001.png@01DA0000.00000000>")
    img.add_header("Content-Disposition", "inline", filename="image001.png")
    return img


# -- Word ---------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WNS = f'xmlns:w="{W}"'


def docx_from_body(body_xml: str, *, header: str | None = None, footer: str | None = None) -> bytes:
    """A .docx whose document body is ``body_xml`` (WordprocessingML paragraphs/tables), with an optional
    header and footer part (a single paragraph each)."""
    ns = (f'xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"')
    sect = "<w:sectPr>"
    rels = ['<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>']
    overrides = []
    parts = {}
    if header:
        sect += '<w:headerReference w:type="default" r:id="rIdH"/>'
        rels.append('<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>')
        overrides.append('<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>')
        parts["word/header1.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {ns}><w:p><w:r><w:t>{esc(header)}</w:t></w:r></w:p></w:hdr>'
    if footer:
        sect += '<w:footerReference w:type="default" r:id="rIdF"/>'
        rels.append('<Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>')
        overrides.append('<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>')
        parts["word/footer1.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {ns}><w:p><w:r><w:t>{esc(footer)}</w:t></w:r></w:p></w:ftr>'
    sect += '<w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
    parts["word/document.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body>'
                                  f"{body_xml}{sect}</w:body></w:document>")
    parts["word/styles.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {WNS}/>'
    parts["word/_rels/document.xml.rels"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                                             'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
    parts["_rels/.rels"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    parts["[Content_Types].xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                                    '<Default Extension="xml" ContentType="application/xml"/>'
                                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                                    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
                                    + "".join(overrides) + "</Types>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/document.xml", "word/styles.xml",
                     "word/header1.xml", "word/footer1.xml"):
            if name in parts:
                zf.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), parts[name])
    return out.getvalue()


def r(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def tbl(rows: list[list[str]]) -> str:
    """A table; each cell is WordprocessingML content (paragraphs)."""
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>']
    for row in rows:
        out.append("<w:tr>" + "".join(f"<w:tc>{cell or '<w:p/>'}</w:tc>" for cell in row) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def paras(text: str, bold: bool = False) -> str:
    return "".join(p(r(t, bold)) for t in text.split("\n"))


def formtext(value: str) -> str:
    """A legacy Word form field (FORMTEXT) whose result is ``value``."""
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:enabled/><w:calcOnExit w:val="0"/>'
            '<w:textInput/></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t xml:space="preserve">{esc(value)}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def sdt_run(value: str, tag: str) -> str:
    return (f'<w:sdt><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/></w:sdtPr><w:sdtContent>'
            f'<w:r><w:t xml:space="preserve">{esc(value)}</w:t></w:r></w:sdtContent></w:sdt>')


def textbox(inner_paras: str) -> str:
    """A paragraph holding a floating text box (DrawingML with a VML fallback, as Word writes it)."""
    return ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" '
            'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph">'
            '<wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="5000000" cy="1500000"/><wp:wrapSquare wrapText="bothSides"/>'
            '<wp:docPr id="1" name="Text Box 1"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:txbx><w:txbxContent>{inner_paras}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>'
            '</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>'
            f'<w:txbxContent>{inner_paras}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')


# -- PDF ------------------------------------------------------------------------------------------


_pdf = functools.partial(C.pdf_file, version="1.6")


def _pdf_str(s: str) -> str:
    return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\n", "\\r") + ")"


def pdf_acroform(labels: list[tuple[str, str, str | None, str]]) -> bytes:
    """A fillable PDF: the page shows only the labels; each value is in a text field's /V (no appearance
    stream, as many form fillers leave it). ``labels`` holds (page label, field name, tooltip or None, value)."""
    n = len(labels)
    # objects: 1 catalog, 2 pages, 3 font, 4 page, 5 content, 6.. fields
    field_ids = [6 + i for i in range(n)]
    objs = [
        f"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{' '.join(f'{i} 0 R' for i in field_ids)}] /NeedAppearances true "
        "/DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 3 0 R >> >> >> >>".encode(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R "
        f"/Annots [{' '.join(f'{i} 0 R' for i in field_ids)}] >>".encode(),
    ]
    ops = ["BT /F1 13 Tf 40 805 Td (Rapid Review Referral Form) Tj ET"]
    y = 770
    rects = []
    for label, _, _, value in labels:
        ops.append(f"BT /F1 9 Tf 40 {y} Td {_pdf_str(label)} Tj ET")
        h = 60 if len(value) > 80 else 16
        rects.append((230, y - h + 12, 560, y + 12))
        y -= h + 10
    stream = "\n".join(ops).encode("cp1252")
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    for (label, name, tip, value), rect in zip(labels, rects):
        tu = f" /TU {_pdf_str(tip)}" if tip else ""
        ff = " /Ff 4096" if len(value) > 80 else ""
        objs.append((f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {_pdf_str(name)}{tu} /V {_pdf_str(value)}{ff} "
                     f"/Rect [{rect[0]} {rect[1]} {rect[2]} {rect[3]}] /P 4 0 R /F 4 /DA (/Helv 9 Tf 0 g) >>").encode("cp1252"))
    return _pdf(objs)


def pdf_scanned() -> bytes:
    """A one-page PDF holding only an image (a scan): no text layer at all."""
    pixels = bytes([200]) * (40 * 40)
    import zlib
    data = zlib.compress(pixels)
    content = b"q 500 0 0 700 40 70 cm /Im1 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 40 /Height 40 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    return _pdf(objs)


def pdf_columns(rows: list[tuple[str, list[str]]], title: str) -> bytes:
    """Labels in a left column and values in a right column, written to the page as two separate runs
    (every label first, then every value), as table-drawing report tools do."""
    labels, values = [], []
    y = 780.0
    for label, vals in rows:
        labels.append((40, y, "F2", 9, label))
        yy = y
        for v in vals or []:
            for line in C.wrap(v, 70):
                values.append((220, yy, "F1", 9, line))
                yy -= 12
        y = min(y - 14, yy - 6)
    return C.make_pdf([[(40, 810, "F2", 12, title)] + labels + values])


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def cases() -> list[Case]:
    out: list[Case] = R.table_cases(HERE / "cases.toml", BOARD, DOMAIN)

    def add(name: str, eml: bytes, expected: dict) -> None:
        out.append(Case(name, eml, expected))

    # ------------------------------------------------------------------ 5
    # multipart/alternative where text and HTML differ slightly (the HTML has a logo and non-breaking
    # spaces; the text has "[cid:...]" placeholders); multipart/related inline logo images.
    hh = "21 Bury Street, London, N9 7JU"
    summ = "Maya (aged 14) was sexually exploited by a group of adult men over six months. She had been reported missing eleven times."
    req = "Please consider a Local Child Safeguarding Practice Review."
    crit = "Abuse is known and the child has been seriously harmed; there are lessons about missing-from-home responses."
    text = f"""Dear colleagues,

Child: Maya Osei
DOB: 07/07/2010
Address: {hh}
Mother: Abena Osei, DOB 15/03/1985, same address

Date: 05/02/2025

Summary: {summ}

Request: {req}

Criteria: {crit}

Referrer: Lorna Price
Agency: Enfield Youth Justice Service
Tel: 020 7946 0650
Email: lorna.price@example.gov.uk

[cid:image001.png@01DA0000.00000000]
Lorna Price | Team Manager
[cid:image002.png@01DA0000.00000000]
"""
    html = ("<html><body><p>Dear colleagues,</p>"
            f"<p>Child:&nbsp;Maya Osei<br>DOB:&nbsp;07/07/2010<br>Address:&nbsp;{esc(hh)}<br>Mother:&nbsp;Abena Osei, DOB 15/03/1985, same address</p>"
            f"<p>Date:&nbsp;05/02/2025</p><p>Summary:&nbsp;{esc(summ)}</p><p>Request:&nbsp;{esc(req)}</p><p>Criteria:&nbsp;{esc(crit)}</p>"
            "<p>Referrer:&nbsp;Lorna Price<br>Agency:&nbsp;Enfield Youth Justice Service<br>Tel:&nbsp;020 7946 0650<br>"
            "Email:&nbsp;<a href='mailto:lorna.price@example.gov.uk'>lorna.price@example.gov.uk</a></p>"
            "<p><img src='cid:image001.png@01DA0000.00000000' alt='Enfield logo'><br><b>Lorna Price</b> | Team Manager<br>"
            "<img src='cid:image001.png@01DA0000.00000000' alt='Investors in People'></p></body></html>")
    related = MIMEMultipart("related", boundary="rel-w05")
    related.attach(C.html_part(html))
    related.attach(png_logo())
    alt = MIMEMultipart("alternative", boundary="alt-w05")
    alt.attach(C.text_part(text))
    alt.attach(related)
    add("alternative-differing-parts-inline-logos",
        multipart([alt], hdr("Lorna Price <lorna.price@example.gov.uk>", "Referral", "Wed, 05 Feb 2025 09:00:00 +0000", "w05"),
                  subtype="mixed", boundary="mix-w05"),
        expect("text_body", date="2025-02-05", subjects=[
            S("Maya Osei", "child", "child", "2010-07-07", hh),
            S("Abena Osei", "adult", "mother", "1985-03-15", hh),
        ], summary=summ, request=req, criteria=crit, name="Lorna Price", agency="Enfield Youth Justice Service",
            phone="020 7946 0650", email="lorna.price@example.gov.uk"))

    # ------------------------------------------------------------------ 6
    # windows-1252 bytes declared as iso-8859-1 (curly apostrophes 0x92 in a name and the text);
    # encoded-word Subject and From (UTF-8, base64).
    hh = "8 Lancaster Road, Enfield, EN2 0BX"
    summ = "Aoife\u2019s baby brother was shaken; Aoife (aged 4) was in the room. Both children are now with their grandmother."
    body = f"""Child\u2019s name: Aoife O\u2019Neill
DOB: 22/08/2020
Address: {hh}
Brother: Cian O\u2019Neill, DOB 30/10/2024, same address
Mother: Roisin O\u2019Neill, DOB 01/05/1996, same address

Date: 06/02/2025

Summary:
{summ}

Request:
Rapid review.

Criteria:
Serious harm to a child where abuse is suspected.

Referrer: Mary Kelly
Tel: 020 7946 0133
Email: mary.kelly@example.nhs.uk
"""
    raw = plain(body, hdr("=?utf-8?B?TcOhaXJlIEtlbGx5?= <mary.kelly@example.nhs.uk>",
                          "=?utf-8?B?UmVmZXJyYWwg4oCTIEFPJ04=?=", "Thu, 06 Feb 2025 10:00:00 +0000", "w06"),
                charset="windows-1252")
    raw = raw.replace(b'charset="windows-1252"', b'charset="iso-8859-1"').replace(b"charset=windows-1252", b"charset=iso-8859-1")
    add("cp1252-declared-latin1-curly-apostrophe-names-encoded-words",
        raw,
        expect("text_body", date="2025-02-06", subjects=[
            S("Aoife O\u2019Neill", "child", "child", "2020-08-22", hh),
            S("Cian O\u2019Neill", "child", "brother", "2024-10-30", hh),
            S("Roisin O\u2019Neill", "adult", "mother", "1996-05-01", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm to a child where abuse is suspected.",
            name="Mary Kelly", agency=None, phone="020 7946 0133", email="mary.kelly@example.nhs.uk"))

    # ------------------------------------------------------------------ 9
    # Quoted-printable with soft line breaks falling inside labels (long lines, written by hand).
    hh = "2 Queen Anne's Place, Enfield, EN1 2QB"
    summ = "Isla (aged 8) was left alone for three days while her mother was in custody. She was found by a neighbour, dehydrated."
    qp = ("Child's full na=\r\nme: Isla Grant     Date of bir=\r\nth: 12/12/2016\r\nHome addr=\r\ness: " + hh + "\r\n"
          "Mother: Kerry Grant, DOB 08/08/1990, same address\r\n\r\nDate of refer=\r\nral: 10/02/2025\r\n\r\n"
          "Sum=\r\nmary:\r\n" + summ + "\r\n\r\nRequest to the Safeguarding Partne=\r\nrship:\r\nRapid review.\r\n\r\n"
          "How the case meets the crite=\r\nria:\r\nSerious harm through neglect.\r\n\r\n"
          "Referrer na=\r\nme: Tom Hardy\r\nTelepho=\r\nne: 020 7946 0301\r\nEm=\r\nail: tom.hardy@example.org.uk\r\n")
    raw = (f"From: Tom Hardy <tom.hardy@example.org.uk>\r\nTo: {BOARD}\r\nSubject: Referral\r\nDate: Mon, 10 Feb 2025 09:00:00 +0000\r\n"
           "Message-ID: <w09@unseen2.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp).encode()
    # "Child's full name" and "Date of birth" share a line (spaces between): deliberately.
    add("qp-soft-breaks-inside-labels",
        raw,
        expect("text_body", date="2025-02-10", subjects=[
            S("Isla Grant", "child", "child", "2016-12-12", hh),
            S("Kerry Grant", "adult", "mother", "1990-08-08", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm through neglect.", name="Tom Hardy", agency=None,
            phone="020 7946 0301", email="tom.hardy@example.org.uk"))

    _documents(add)
    _messages(add)
    return out


def _cover(text: str, h: dict, attachments: list[tuple[bytes, str, str]], boundary: str) -> bytes:
    parts = [C.text_part(text)]
    for data, filename, mime in attachments:
        parts.append(C.attachment(data, filename, mime))
    return multipart(parts, h, boundary=boundary)


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _documents(add) -> None:
    # ------------------------------------------------------------------ 21
    # Word: values in content controls inside paragraphs ("Label: [control]"), not in a table.
    hh = "10 Slades Hill, Enfield, EN2 7EE"
    summ = ["Oscar (aged 11) was admitted to intensive care after a severe asthma attack; his inhalers had not been collected for five months.",
            "School had raised attendance concerns four times."]
    body = (p(r("Rapid Review Referral", True))
            + p(r("Child's name: ", True), sdt_run("Oscar Wright", "ChildName"))
            + p(r("Date of birth: ", True), sdt_run("08/08/2013", "ChildDOB"))
            + p(r("Address: ", True), sdt_run(hh, "Address"))
            + p(r("Parent/carer: ", True), sdt_run("Lisa Wright (mother), DOB 14/02/1985", "Parent"))
            + p(r("Date of referral: ", True), sdt_run("24/02/2025", "RefDate"))
            + p(r("Summary:", True)) + "".join(p(sdt_run(s, "Summary")) for s in summ)
            + p(r("Request:", True)) + p(sdt_run("Rapid review.", "Request"))
            + p(r("Criteria:", True)) + p(sdt_run("Serious harm through medical neglect.", "Criteria"))
            + p(r("Referrer: ", True), sdt_run("Dr Helen Ward", "Referrer"))
            + p(r("Agency: ", True), sdt_run("Enfield Community Paediatrics", "Agency"))
            + p(r("Telephone: ", True), sdt_run("020 7946 0733", "Tel"))
            + p(r("Email: ", True), sdt_run("helen.ward@example.nhs.uk", "Email")))
    add("docx-inline-content-controls-in-paragraphs",
        _cover("Please find the referral attached.\n\nHelen Ward\n", hdr("Helen Ward <helen.ward@example.nhs.uk>", "Rapid review referral",
               "Mon, 24 Feb 2025 09:00:00 +0000", "d21"), [(docx_from_body(body), "Rapid review referral.docx", DOCX_MIME)], "b21"),
        expect("docx_paragraphs", date="2025-02-24", subjects=[
            S("Oscar Wright", "child", "child", "2013-08-08", hh),
            S("Lisa Wright", "adult", "mother", "1985-02-14", hh),
        ], summary="\n\n".join(summ), request="Rapid review.", criteria="Serious harm through medical neglect.",
            name="Dr Helen Ward", agency="Enfield Community Paediatrics", phone="020 7946 0733", email="helen.ward@example.nhs.uk"))

    # ------------------------------------------------------------------ 22
    # Word: legacy FORMTEXT fields in a table's value cells.
    hh = "62 Carterhatch Lane, Enfield, EN1 4LA"
    summ = "Harvey (aged 2) swallowed methadone at home and was resuscitated by paramedics."
    rows = [("Child's name", "Harvey Clarke"), ("DOB", "01/03/2022"), ("Address", hh), ("Mother", "Shannon Clarke, DOB 16/12/1998"),
            ("Date", "25/02/2025"), ("Summary", summ), ("Request", "Rapid review."), ("Criteria", "Serious harm through neglect."),
            ("Referrer", "Paul Stevens"), ("Agency", "London Ambulance Service"), ("Tel", "020 7946 0118"), ("Email", "paul.stevens@example.nhs.uk")]
    body = p(r("REFERRAL FORM", True)) + tbl([[p(r(a, True)), p(formtext(b))] for a, b in rows])
    add("docx-legacy-formtext-fields-table",
        _cover("Referral attached.\n", hdr("Paul Stevens <paul.stevens@example.nhs.uk>", "Referral", "Tue, 25 Feb 2025 09:00:00 +0000", "d22"),
               [(docx_from_body(body), "referral form.docx", DOCX_MIME)], "b22"),
        expect("docx_table", date="2025-02-25", subjects=[
            S("Harvey Clarke", "child", "child", "2022-03-01", hh),
            S("Shannon Clarke", "adult", "mother", "1998-12-16", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm through neglect.", name="Paul Stevens",
            agency="London Ambulance Service", phone="020 7946 0118", email="paul.stevens@example.nhs.uk"))

    # ------------------------------------------------------------------ 23
    # Word: the referrer's details in a floating text box; the rest in paragraphs.
    hh = "9 Lavender Hill, Enfield, EN2 0QL"
    summ = "Sienna (aged 16) was trafficked to a hotel in Luton and sexually exploited. She had been missing from care for a week."
    body = (p(r("Child's name:", True), r(" Sienna Ford")) + p(r("Date of birth:", True), r(" 25/12/2008"))
            + p(r("Address:", True), r(" " + hh)) + p(r("Date:", True), r(" 26/02/2025"))
            + p(r("Summary:", True)) + p(r(summ)) + p(r("Request:", True)) + p(r("Rapid review."))
            + p(r("Criteria:", True)) + p(r("Serious harm; sexual exploitation of a looked-after child."))
            + textbox(p(r("Referrer:", True), r(" Dawn Elliott")) + p(r("Agency:", True), r(" Enfield Children in Care Service"))
                      + p(r("Tel:", True), r(" 020 7946 0874")) + p(r("Email:", True), r(" dawn.elliott@example.gov.uk"))))
    add("docx-referrer-in-text-box",
        _cover("Attached.\n", hdr("Dawn Elliott <dawn.elliott@example.gov.uk>", "Referral", "Wed, 26 Feb 2025 09:00:00 +0000", "d23"),
               [(docx_from_body(body), "Referral.docx", DOCX_MIME)], "b23"),
        expect("docx_paragraphs", date="2025-02-26", subjects=[S("Sienna Ford", "child", "child", "2008-12-25", hh)],
               summary=summ, request="Rapid review.", criteria="Serious harm; sexual exploitation of a looked-after child.",
               name="Dawn Elliott", agency="Enfield Children in Care Service", phone="020 7946 0874", email="dawn.elliott@example.gov.uk"))

    # ------------------------------------------------------------------ 24
    # Word: label and value in the same cell, separated by a line break (w:br).
    hh = "28 Brick Lane, Enfield, EN3 5BA"
    summ = "Freddie (aged 5) was found with cigarette burns on his arms at school."

    def cell(label: str, value: str) -> str:
        return f'<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{esc(label)}</w:t></w:r><w:r><w:br/><w:t xml:space="preserve">{esc(value)}</w:t></w:r></w:p>'

    body = p(r("Referral", True)) + tbl([
        [cell("Child's name", "Freddie Nash"), cell("Date of birth", "17/07/2019")],
        [cell("Address", hh), cell("Father", "Lee Nash, DOB 20/04/1987")],
        [cell("Date of referral", "27/02/2025"), cell("Referrer", "Anna Bell")],
        [cell("Agency", "Brimsdown Primary School"), cell("Telephone", "020 7946 0455")],
        [cell("Email", "a.bell@example.sch.uk"), ""],
        [cell("Summary", summ), ""],
        [cell("Request", "Rapid review."), ""],
        [cell("Criteria", "Serious harm, abuse suspected."), ""],
    ])
    add("docx-label-and-value-in-one-cell-line-break",
        _cover("Please see the attached.\n", hdr("Anna Bell <a.bell@example.sch.uk>", "Referral", "Thu, 27 Feb 2025 09:00:00 +0000", "d24"),
               [(docx_from_body(body), "referral.docx", DOCX_MIME)], "b24"),
        expect("docx_table", date="2025-02-27", subjects=[
            S("Freddie Nash", "child", "child", "2019-07-17", hh),
            S("Lee Nash", "adult", "father", "1987-04-20", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse suspected.", name="Anna Bell",
            agency="Brimsdown Primary School", phone="020 7946 0455", email="a.bell@example.sch.uk"))

    # ------------------------------------------------------------------ 25
    # Word: OFFICIAL-SENSITIVE header and footer, tracked changes left in (a corrected date of birth and
    # a deleted sentence in the summary).
    hh = "4 Aldermans Hill, London, N13 4PJ"
    summ = "Evie (aged 3) was admitted with a burn to her feet consistent with immersion in hot water."
    dob = ('<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Date of birth: </w:t></w:r>'
           '<w:del w:id="1" w:author="JS" w:date="2025-02-28T10:00:00Z"><w:r><w:delText>03/12/2021</w:delText></w:r></w:del>'
           '<w:ins w:id="2" w:author="JS" w:date="2025-02-28T10:00:00Z"><w:r><w:t>13/12/2021</w:t></w:r></w:ins></w:p>')
    sm = (f'<w:p><w:r><w:t xml:space="preserve">{esc(summ)}</w:t></w:r>'
          '<w:del w:id="3" w:author="JS" w:date="2025-02-28T10:00:00Z"><w:r><w:delText xml:space="preserve"> Her brother Alfie Stone (DOB 01/01/2018) was also present.</w:delText></w:r></w:del></w:p>')
    body = (p(r("Child's name:", True), r(" Evie Stone")) + dob + p(r("Address:", True), r(" " + hh))
            + p(r("Mother:", True), r(" Jodie Stone, DOB 30/09/1997"))
            + p(r("Date:", True), r(" 28/02/2025")) + p(r("Summary:", True)) + sm
            + p(r("Request:", True)) + p(r("Rapid review.")) + p(r("Criteria:", True)) + p(r("Serious harm, abuse suspected."))
            + p(r("Referrer:", True), r(" Jo Sands")) + p(r("Agency:", True), r(" Royal Free London NHS Foundation Trust"))
            + p(r("Tel:", True), r(" 020 7946 0700")) + p(r("Email:", True), r(" jo.sands@example.nhs.uk")))
    add("docx-official-sensitive-header-footer-tracked-changes",
        _cover("OFFICIAL-SENSITIVE\n\nReferral attached.\n", hdr("Jo Sands <jo.sands@example.nhs.uk>", "OFFICIAL-SENSITIVE referral",
               "Fri, 28 Feb 2025 09:00:00 +0000", "d25"),
               [(docx_from_body(body, header="OFFICIAL-SENSITIVE", footer="OFFICIAL-SENSITIVE  Page 1 of 1  Version 3 01/04/2024"),
                 "referral v2.docx", DOCX_MIME)], "b25"),
        expect("docx_paragraphs", date="2025-02-28", subjects=[
            S("Evie Stone", "child", "child", "2021-12-13", hh),
            S("Jodie Stone", "adult", "mother", "1997-09-30", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse suspected.", name="Jo Sands",
            agency="Royal Free London NHS Foundation Trust", phone="020 7946 0700", email="jo.sands@example.nhs.uk"))

    # ------------------------------------------------------------------ 26
    # Two Word attachments: a cover letter (first) and the form (second).
    hh = "33 Bush Hill, London, N21 2BT"
    summ = "Rosie (aged 1) was admitted with multiple rib fractures of different ages."
    letter = (p(r("Enfield Children's Social Care")) + p(r("Civic Centre, Silver Street, Enfield EN1 3XA")) + p(r("3 March 2025"))
              + p(r("Dear Independent Scrutineer,")) + p(r("Re: Rosie Gallagher, DOB 04/04/2023"))
              + p(r("I am writing to refer the above child for a rapid review. The completed referral form is enclosed. "
                    "Please contact me on 020 7946 0100 if you need anything further."))
              + p(r("Yours sincerely,")) + p(r("Marion Blake")) + p(r("Director of Children's Services")))
    form = (p(r("RAPID REVIEW REFERRAL", True)) + tbl([
        [p(r("Child's name", True)), p(r("Rosie Gallagher"))], [p(r("Date of birth", True)), p(r("04/04/2023"))],
        [p(r("Address", True)), p(r(hh))], [p(r("Parents", True)), p(r("Niamh Gallagher (mother), DOB 07/07/2000; Sean Gallagher (father), DOB 08/08/1998"))],
        [p(r("Date of referral", True)), p(r("03/03/2025"))], [p(r("Summary", True)), p(r(summ))],
        [p(r("Request", True)), p(r("Rapid review."))], [p(r("Criteria", True)), p(r("Serious harm, abuse suspected."))],
        [p(r("Referrer", True)), p(r("Simon Eze"))], [p(r("Agency", True)), p(r("Enfield Children's Social Care"))],
        [p(r("Telephone", True)), p(r("020 7946 0102"))], [p(r("Email", True)), p(r("simon.eze@example.gov.uk"))]]))
    add("two-docx-cover-letter-then-form",
        _cover("Please find attached a cover letter and our referral form.\n\nSimon Eze\n",
               hdr("Simon Eze <simon.eze@example.gov.uk>", "Rapid review referral - RG", "Mon, 03 Mar 2025 09:00:00 +0000", "d26"),
               [(docx_from_body(letter), "Cover letter.docx", DOCX_MIME), (docx_from_body(form), "Referral form RG.docx", DOCX_MIME)], "b26"),
        expect("docx_table", date="2025-03-03", subjects=[
            S("Rosie Gallagher", "child", "child", "2023-04-04", hh),
            S("Niamh Gallagher", "adult", "mother", "2000-07-07", hh),
            S("Sean Gallagher", "adult", "father", "1998-08-08", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse suspected.", name="Simon Eze",
            agency="Enfield Children's Social Care", phone="020 7946 0102", email="simon.eze@example.gov.uk"))

    # ------------------------------------------------------------------ 27
    # PDF AcroForm: the values only in the form fields; some fields have a tooltip, some only a name.
    hh = "5 Chase Side, Enfield, EN2 6NF"
    summ = "Leah (aged 10) was hospitalised with severe malnutrition. She had been home educated since 2022 and not seen by any professional."
    fields = [("Child's name", "Child's name", None, "Leah Morris"), ("Date of birth", "txtDOB", "Date of birth", "09/09/2014"),
              ("Address", "Address", None, hh), ("Parent / carer", "txtParent", "Parent / carer", "Angela Morris (mother), DOB 01/10/1979"),
              ("Date of referral", "txtDate", "Date of referral", "04/03/2025"),
              ("Summary", "Summary", None, summ), ("Request", "Request", None, "Rapid review."),
              ("Criteria", "Criteria", None, "Serious harm through neglect; elective home education."),
              ("Referrer", "txtReferrer", "Referrer", "Tina Gray"), ("Agency", "Agency", None, "Enfield Education Welfare Service"),
              ("Telephone", "Telephone", None, "020 7946 0566"), ("Email", "Email", None, "tina.gray@example.gov.uk")]
    add("pdf-acroform-values-only-in-fields",
        _cover("Referral form attached (PDF).\n", hdr("Tina Gray <tina.gray@example.gov.uk>", "Referral", "Tue, 04 Mar 2025 09:00:00 +0000", "d27"),
               [(pdf_acroform(fields), "Rapid Review Referral.pdf", "application/pdf")], "b27"),
        expect("pdf", date="2025-03-04", subjects=[
            S("Leah Morris", "child", "child", "2014-09-09", hh),
            S("Angela Morris", "adult", "mother", "1979-10-01", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm through neglect; elective home education.",
            name="Tina Gray", agency="Enfield Education Welfare Service", phone="020 7946 0566", email="tina.gray@example.gov.uk"))

    # ------------------------------------------------------------------ 28
    # A scanned PDF: an image, no text layer. A person must read it.
    add("pdf-scanned-image-no-text",
        _cover("Please see the attached scanned referral form.\n\nRegards\nReception, Southgate Medical Centre\n",
               hdr("Reception <reception.southgate@example.nhs.uk>", "Scanned referral form", "Wed, 05 Mar 2025 09:00:00 +0000", "d28"),
               [(pdf_scanned(), "scan0001.pdf", "application/pdf")], "b28"),
        needs_person("text layer"))

    # ------------------------------------------------------------------ 29
    # PDF with labels in one column and values in another, the page written column by column.
    hh = "81 Hertford Road, Enfield, EN3 5JJ"
    summ = ("Jayden (aged 8) was hit by a car while unsupervised on the A10 at 11pm. His mother had left him with a 12-year-old "
            "cousin. Two previous neglect referrals had been closed.")
    rows = [("Child's name", ["Jayden Ellis"]), ("Date of birth", ["12/05/2016"]), ("Address", [hh]),
            ("Mother", ["Toni Ellis, DOB 21/02/1994"]), ("Date of referral", ["06/03/2025"]), ("Summary", [summ]),
            ("Request", ["Rapid review."]), ("Criteria", ["Serious harm through neglect."]), ("Referrer", ["PC Amy Lord"]),
            ("Agency", ["Metropolitan Police"]), ("Telephone", ["07700 900644"]), ("Email", ["amy.lord@example.police.uk"])]
    add("pdf-label-column-then-value-column",
        _cover("Referral attached.\n", hdr("Amy Lord <amy.lord@example.police.uk>", "Referral", "Thu, 06 Mar 2025 09:00:00 +0000", "d29"),
               [(pdf_columns(rows, "Referral to the Safeguarding Partnership"), "referral.pdf", "application/pdf")], "b29"),
        expect("pdf", date="2025-03-06", subjects=[
            S("Jayden Ellis", "child", "child", "2016-05-12", hh),
            S("Toni Ellis", "adult", "mother", "1994-02-21", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm through neglect.", name="PC Amy Lord",
            agency="Metropolitan Police", phone="07700 900644", email="amy.lord@example.police.uk"))

    # ------------------------------------------------------------------ 30
    # xlsx with dates as Excel serial numbers (date-formatted cells), labels in column A.
    hh = "13 Forty Hill, Enfield, EN2 9EU"
    summ = "Archie (aged 6) disclosed that his father locks him in a cupboard as punishment."
    add("xlsx-excel-serial-dates",
        _cover("Form attached.\n", hdr("Beth Shaw <beth.shaw@example.gov.uk>", "Referral", "Fri, 07 Mar 2025 09:00:00 +0000", "d30"),
               [(_xlsx([("Child's name", "Archie Bloom"), ("Date of birth", 43509), ("Address", hh), ("Father", "Graham Bloom"),
                        ("Father's date of birth", 30040), ("Date of referral", 45723), ("Summary", summ), ("Request", "Rapid review."),
                        ("Criteria", "Serious harm, abuse known."), ("Referrer", "Beth Shaw"), ("Agency", "Enfield Early Help"),
                        ("Telephone", "020 7946 0344"), ("Email", "beth.shaw@example.gov.uk")]),
                 "referral.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")], "b30"),
        expect("xlsx_table", date="2025-03-07", subjects=[
            S("Archie Bloom", "child", "child", "2019-02-13", hh),
            S("Graham Bloom", "adult", "father", "1982-03-30", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse known.", name="Beth Shaw",
            agency="Enfield Early Help", phone="020 7946 0344", email="beth.shaw@example.gov.uk"))


def _xlsx(rows: list[tuple[str, object]]) -> bytes:
    """Labels in column A; numbers in column B are dates (style 1 = a dd/mm/yyyy number format)."""
    cells = []
    for i, (label, value) in enumerate(rows, 1):
        b = (f'<c r="B{i}" s="1"><v>{value}</v></c>' if isinstance(value, int)
             else f'<c r="B{i}" t="inlineStr"><is><t xml:space="preserve">{esc(value)}</t></is></c>')
        cells.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{esc(label)}</t></is></c>{b}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{''.join(cells)}</sheetData></worksheet>")
    styles = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
              '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        def put(name, text):
            zf.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), text)
        put("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        put("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        put("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Referral" sheetId="1" r:id="rId1"/></sheets></workbook>')
        put("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
        put("xl/styles.xml", styles)
        put("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _messages(add) -> None:
    # ------------------------------------------------------------------ 31
    # A forward whose own text is an Outlook forward note, with the original message attached as .eml;
    # the form is in that attached message's body.
    hh = "40 Fox Lane, London, N13 4AL"
    summ = "Elijah (aged 4) was found with bite marks and bruising to his back. His mother's new partner was looking after him."
    inner_body = f"""Hello,

Child: Elijah Mensah
DOB: 10/10/2020
Address: {hh}
Mother: Efua Mensah, DOB 06/06/1996
Mother's partner: Kwame Asante, DOB 15/01/1990

Date: 10/03/2025

Summary:
{summ}

Request:
Rapid review.

Criteria:
Serious harm, abuse suspected.

Referrer: Grace Boateng
Agency: Fox Lane Nursery
Tel: 020 7946 0377
Email: grace.boateng@example.org.uk
"""
    inner = message_from_bytes(plain(inner_body, hdr("Grace Boateng <grace.boateng@example.org.uk>", "Referral - EM",
                                                     "Mon, 10 Mar 2025 08:00:00 +0000", "m31i")))
    outer_text = """FYI - see attached, please log.

-----Original Message-----
From: MASH Enfield <mash@example.gov.uk>
Sent: 10 March 2025 09:12
To: Early Help Duty
Subject: FW: Referral - EM

Forwarded as requested; the nursery's email is attached.

Regards
MASH Duty Desk
"""
    add("forward-note-with-attached-eml-form",
        multipart([C.text_part(outer_text), MIMEMessage(inner)],
                  hdr("Early Help Duty <earlyhelp.duty@example.gov.uk>", "FW: FW: Referral - EM", "Mon, 10 Mar 2025 10:00:00 +0000", "m31"),
                  boundary="b31"),
        expect("forward_eml", date="2025-03-10", subjects=[
            S("Elijah Mensah", "child", "child", "2020-10-10", hh),
            S("Efua Mensah", "adult", "mother", "1996-06-06", hh),
            S("Kwame Asante", "adult", "mother's partner", "1990-01-15", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse suspected.", name="Grace Boateng",
            agency="Fox Lane Nursery", phone="020 7946 0377", email="grace.boateng@example.org.uk"))

    # ------------------------------------------------------------------ 32
    # An Outlook .msg attached; the form is in its body with "Referring practitioner" wording.
    hh = "2 Lea Valley Road, Enfield, EN3 6XX"
    summ = "Olivia (aged 13) was assaulted by her father, causing a fractured eye socket."
    msg_body = f"""Name of child: Olivia Parry
Child's DOB: 23/08/2011
Home address: {hh}
Father: Mark Parry, DOB 02/03/1977

Date of referral: 11/03/2025

Summary:
{summ}

Request:
Rapid review.

Criteria:
Serious harm, abuse known.

Referring practitioner: Nurse Carol Dean
Organisation: Chase Farm Hospital Emergency Department
Contact number: 020 7946 0823
Contact email: carol.dean@example.nhs.uk
"""
    add("outlook-msg-attached-referring-practitioner",
        _cover("Forwarding the attached email from A&E.\n\nDuty Manager\n",
               hdr("Duty Manager <duty.manager@example.gov.uk>", "FW: Referral", "Tue, 11 Mar 2025 10:00:00 +0000", "m32"),
               [(C.outlook_msg("Referral - OP", msg_body, sender="Carol Dean", sender_email="carol.dean@example.nhs.uk"),
                 "Referral - OP.msg", "application/vnd.ms-outlook")], "b32"),
        expect("forward_msg", date="2025-03-11", subjects=[
            S("Olivia Parry", "child", "child", "2011-08-23", hh),
            S("Mark Parry", "adult", "father", "1977-03-02", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse known.", name="Nurse Carol Dean",
            agency="Chase Farm Hospital Emergency Department", phone="020 7946 0823", email="carol.dean@example.nhs.uk"))

    # ------------------------------------------------------------------ 33
    # Not a referral: a rapid-review meeting invitation (text/calendar) that names the child.
    cal = ("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
           "SUMMARY:Rapid review meeting - Child L\r\nDTSTART:20250318T100000Z\r\nDTEND:20250318T113000Z\r\n"
           "ORGANIZER;CN=Partnership Team:mailto:" + BOARD + "\r\nUID:rr-20250318@example.gov.uk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    calpart = MIMEBase("text", "calendar")
    calpart.set_param("method", "REQUEST")
    calpart.set_payload(cal)
    alt = MIMEMultipart("alternative", boundary="alt33")
    alt.attach(C.text_part("Rapid review meeting for Child L (Layla Price, DOB 06/06/2019).\nPlease bring your agency chronology.\n"))
    alt.attach(calpart)
    add("meeting-invitation-rapid-review",
        multipart([alt], hdr("Partnership Team <" + BOARD + ">", "Rapid review meeting - Child L", "Wed, 12 Mar 2025 10:00:00 +0000", "m33"),
                  boundary="b33"),
        not_referral("meeting_response"))

    # ------------------------------------------------------------------ 35
    # An HTML attachment exported from a case-management system: label/value spans in divs.
    hh = "18 Gordon Road, Enfield, EN2 0PZ"
    summ = "Charlie (aged 9) was admitted with a head injury after his father's partner pushed him down the stairs."
    pairs = [("Person name", "Charlie Young"), ("Person DOB", "05/01/2016"), ("Person address", hh), ("Relationship", "Subject"),
             ("Person name", "Tanya Reeves"), ("Person DOB", "14/04/1989"), ("Person address", hh), ("Relationship", "Father's partner"),
             ("Referral date", "14/03/2025"), ("Summary of concerns", summ), ("Recommendation", "Rapid review."),
             ("Criteria", "Serious harm, abuse suspected."), ("Referrer name", "Chris Moon"), ("Referrer team", "Enfield MASH"),
             ("Referrer phone", "020 7946 0190"), ("Referrer email", "chris.moon@example.gov.uk")]
    html = ("<html><head><title>Case note export</title></head><body><div class='hdr'>Exported from Mosaic 14/03/2025 10:02</div>"
            + "".join(f"<div class='row'><span class='label'>{esc(a)}:</span> <span class='value'>{esc(b)}</span></div>" for a, b in pairs)
            + "</body></html>")
    add("html-attachment-case-system-export-repeated-person-blocks",
        _cover("Please see the attached export.\n\nChris\n", hdr("Chris Moon <chris.moon@example.gov.uk>", "Referral", "Fri, 14 Mar 2025 10:00:00 +0000", "m35"),
               [(html.encode("utf-8"), "export.html", "text/html")], "b35"),
        expect("html_body", date="2025-03-14", subjects=[
            S("Charlie Young", "child", "subject", "2016-01-05", hh),
            S("Tanya Reeves", "adult", "father's partner", "1989-04-14", hh),
        ], summary=summ, request="Rapid review.", criteria="Serious harm, abuse suspected.", name="Chris Moon",
            agency="Enfield MASH", phone="020 7946 0190", email="chris.moon@example.gov.uk"))

    # ------------------------------------------------------------------ 37
    # Welsh bilingual Word table (Child Practice Review referral): "Enw / Name", "Dyddiad / Date" with a Welsh month.
    hh = "7 Stryd Fawr, Wrecsam, LL11 1AA"
    summ = "Gethin (aged 6) died in a house fire; he had been left alone while his mother went out."
    form = (p(r("Cais am Adolygiad Ymarfer Plant / Child Practice Review Referral", True)) + tbl([
        [p(r("Enw / Name", True)), p(r("Gethin Roberts"))], [p(r("Dyddiad geni / Date of birth", True)), p(r("02/09/2018"))],
        [p(r("Cyfeiriad / Address", True)), p(r(hh))], [p(r("Mam / Mother", True)), p(r("Nia Roberts, 14/02/1992"))],
        [p(r("Dyddiad / Date", True)), p(r("18 Mawrth 2025"))], [p(r("Crynodeb / Summary", True)), p(r(summ))],
        [p(r("Cais / Request", True)), p(r("Child Practice Review."))],
        [p(r("Meini prawf / Criteria", True)), p(r("A child has died and neglect is suspected."))],
        [p(r("Atgyfeiriwr / Referrer", True)), p(r("Elin Davies"))], [p(r("Asiantaeth / Agency", True)), p(r("Cyngor Wrecsam / Wrexham Council"))],
        [p(r("Ffôn / Telephone", True)), p(r("01632 960 412"))], [p(r("E-bost / Email", True)), p(r("elin.davies@example.gov.wales"))]]))
    add("welsh-docx-table-welsh-month-date",
        _cover("Gweler ynghlwm / Please see attached.\n", hdr("Elin Davies <elin.davies@example.gov.wales>", "Atgyfeiriad ACP / CPR referral",
               "Tue, 18 Mar 2025 10:00:00 +0000", "m37"), [(docx_from_body(form), "Ffurflen ACP CPR form.docx", DOCX_MIME)], "b37"),
        expect("docx_table", date="2025-03-18", subjects=[
            S("Gethin Roberts", "child", None, "2018-09-02", hh),
            S("Nia Roberts", "adult", "mother", "1992-02-14", hh),
        ], summary=summ, request="Child Practice Review.", criteria="A child has died and neglect is suspected.", name="Elin Davies",
            agency="Cyngor Wrecsam / Wrexham Council", phone="01632 960 412", email="elin.davies@example.gov.wales"))

if __name__ == "__main__":
    sys.exit(R.write_set(HERE, cases()))
