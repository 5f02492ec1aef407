"""Generate the red-team set: referral emails written unlike the sample referrals and the corpus.

Run from the repository root::

    .venv/bin/python tests/intake/unseen/make_unseen.py

Writes ``<case>.eml`` and ``<case>.json`` beside this script, in the corpus's
format (schema fields plus ``kind`` / ``layout``; an optional ``_expect``), so
that ``bench/parse_accuracy.py`` scores this directory as its own line. The
cases that are one text or HTML message are the table ``cases.toml`` (read by
``redteam_mail.table_cases``); the Word, PDF and multipart ones are built here.

The emails imitate what other agencies send: NHS trusts, GP practices,
schools, police, probation, housing, youth offending, other LSCBs and
children's social care, with their banners, secure-mail wrappers and legal
footers; other label wordings and layouts (questions, numbered sections,
forename/surname fields, horizontal tables, several children, household
tables); other date styles; other encodings.

Expected values are what a careful person would extract from each form,
written here by hand - never copied from the parser's output. Where a form
leaves something open ("same address", "as above") the expected value is
what the form plainly means. All people, addresses and numbers are invented;
phone numbers use Ofcom's drama ranges.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/intake: what the generated sets share

import redteam_mail as R  # noqa: E402
from redteam_mail import C, Case, S, esc, expect  # noqa: E402

BOARD = "escb.business.manager@example.gov.uk"
DOMAIN = "unseen.example"
hdr = functools.partial(R.headers, BOARD, DOMAIN)
multipart = functools.partial(R.multipart, mime_version=False)  # this set's multiparts carry no MIME-Version


def cases() -> list[Case]:
    out: list[Case] = R.table_cases(HERE / "cases.toml", BOARD, DOMAIN)

    def add(name: str, eml: bytes, expected: dict) -> None:
        out.append(Case(name, eml, expected))

    # ------------------------------------------------------------------ 18
    # Outlook multipart/alternative from children's social care: the HTML has a layout table round a
    # form table, &nbsp; everywhere and labels without colons; text part is Outlook's own rendering.
    hh = "70 Carterhatch Road, Enfield, EN3 5LY"
    summ = ["Kai (aged 9 weeks) died on 28 January 2015. The post-mortem found fractures of different ages.",
            "The family were known to children\u2019s social care because of the mother\u2019s learning disability; the case was closed in November 2014."]
    rows = [("Child\u2019s name", ["Kai Bennett"]), ("DOB", ["25/11/2014"]), ("Address", [hh]),
            ("Mother", ["Sophie Bennett, DOB 14/02/1996"]), ("Father", ["Aaron Hughes, DOB 01/10/1994"]),
            ("Date of referral", ["03/02/2015"]), ("Summary", summ),
            ("Request / recommendation", ["Serious Case Review."]),
            ("How the case meets the criteria", ["A child has died and abuse is suspected."]),
            ("Referrer", ["Paul Nolan, Head of Service, Enfield Children\u2019s Social Care"]),
            ("Telephone", ["020 7946 0111"]), ("Email", ["paul.nolan@example.gov.uk"])]
    trs = "".join(
        f"<tr><td style='padding:0cm 5.4pt'><p class=MsoNormal><span style='color:#1F497D'>{esc(k)}&nbsp;<o:p></o:p></span></p></td>"
        f"<td style='padding:0cm 5.4pt'>" + "".join(f"<p class=MsoNormal>{esc(v)}&nbsp;<o:p></o:p></p>" for v in vals) + "</td></tr>"
        for k, vals in rows)
    html = ("<html><body lang=EN-GB><div class=WordSection1><p class=MsoNormal>Hi all,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
            f"<table border=0 cellpadding=0><tr><td><table class=MsoTableGrid border=1 cellspacing=0>{trs}</table></td></tr></table>"
            "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Regards<o:p></o:p></p><p class=MsoNormal>Paul<o:p></o:p></p></div></body></html>")
    text = "Hi all,\n\n\n\n" + "\n\n".join(f"{k}\n\n{chr(10).join(v)}" for k, v in rows) + "\n\n\n\nRegards\n\nPaul\n"
    add("csc-outlook-alternative-nbsp-layout-table",
        multipart([C.text_part(text), C.html_part(html)], hdr("Paul Nolan <paul.nolan@example.gov.uk>", "SCR referral KB",
                                                              "Tue, 03 Feb 2015 09:00:00 +0000", "u18"), subtype="alternative", boundary="u18"),
        expect("html_table", date="2015-02-03", subjects=[
            S("Kai Bennett", "child", "child", "2014-11-25", hh),
            S("Sophie Bennett", "adult", "mother", "1996-02-14", hh),
            S("Aaron Hughes", "adult", "father", "1994-10-01", hh),
        ], summary="\n\n".join(summ), request="Serious Case Review.", criteria="A child has died and abuse is suspected.",
            name="Paul Nolan", agency="Enfield Children\u2019s Social Care", phone="020 7946 0111", email="paul.nolan@example.gov.uk"))

    # ------------------------------------------------------------------ 20
    # Word form from a school: a table with Forename / Surname / DOB / Known as per row (people header),
    # and a horizontal referrer table (header row of labels, values in the row below).
    import docx as _docx

    doc = _docx.Document()
    C._bold_para(doc, "SAFEGUARDING REFERRAL TO THE LSCB")
    C._bold_para(doc, "Children and family")
    t = doc.add_table(rows=1, cols=5)
    for i, head in enumerate(["Forename", "Surname", "Known as", "Date of birth", "Relationship"]):
        t.cell(0, i).text = head
    fam = [("Amelia", "Novak", "Millie", "03/02/2007", "Pupil"), ("Oskar", "Novak", "", "19/06/2010", "Brother"),
           ("Kasia", "Novak", "", "07/07/1983", "Mother")]
    for row in fam:
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = v
    hh = "6 Slades Hill, Enfield, EN2 7EE"
    doc.add_paragraph(f"Family address: {hh}")
    C._bold_para(doc, "Date of referral")
    doc.add_paragraph("03/02/2015")
    C._bold_para(doc, "Summary")
    s1 = "Millie told her form tutor that her mother\u2019s ex-partner had been visiting the home at night and had assaulted her. Police are investigating."
    doc.add_paragraph(s1)
    C._bold_para(doc, "Recommendation")
    doc.add_paragraph("That the LSCB considers a Serious Case Review.")
    C._bold_para(doc, "How the case meets the SCR criteria")
    doc.add_paragraph("Abuse is known and the child has been seriously harmed.")
    C._bold_para(doc, "Referrer details")
    t2 = doc.add_table(rows=2, cols=4)
    for i, (k, v) in enumerate([("Name", "Mr Daniel Okafor"), ("School", "Highlands School"), ("Telephone", "020 7946 0370"),
                                ("Email", "d.okafor@example.sch.uk")]):
        t2.cell(0, i).text = k
        t2.cell(1, i).text = v
    docx_bytes = C._docx_bytes(doc)
    add("school-docx-forename-surname-table-horizontal-referrer",
        multipart([C.text_part("Dear Sir/Madam,\n\nPlease find attached a referral from Highlands School.\n\nYours faithfully\n\nDaniel Okafor\nDesignated Safeguarding Lead\nHighlands School\n"),
                   C.attachment(docx_bytes, "LSCB referral AN.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")],
                  hdr("Daniel Okafor <d.okafor@example.sch.uk>", "Referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u20"), boundary="u20"),
        expect("docx_paragraphs", date="2015-02-03", subjects=[
            S("Amelia Novak", "child", "pupil", "2007-02-03", hh),
            S("Oskar Novak", "child", "brother", "2010-06-19", hh),
            S("Kasia Novak", "adult", "mother", "1983-07-07", hh),
        ], summary=s1, request="That the LSCB considers a Serious Case Review.",
            criteria="Abuse is known and the child has been seriously harmed.", name="Mr Daniel Okafor",
            agency="Highlands School", phone="020 7946 0370", email="d.okafor@example.sch.uk"))

    # ------------------------------------------------------------------ 24
    # Gmail plain-text alternative with *bold* labels (how Gmail renders bold), HTML with <b> labels.
    hh = "3 Gordon Road, Enfield, EN2 0PZ"
    summ = "Charlie (aged 12) was found with injuries consistent with a dog attack; the dog had been reported to the council as dangerous twice."
    text = f"""Hi,

*Name of child:* Charlie Webb
*DOB:* 03/02/2002
*Address:* {hh}
*Father:* Gary Webb, DOB 16/03/1976

*Date of referral:* 03/02/2015

*Summary:*
{summ}

*Request:*
A learning review.

*Criteria:*
The child has been seriously harmed; neglect suspected.

*Referrer:* Amy Cole
*Tel:* 07700 900555
*Email:* amy.cole@example.org.uk

Amy
"""
    html = "<div dir=\"ltr\">" + "".join(
        ("<div><br></div>" if not line else
         f"<div><b>{esc(line.split('*')[1])}</b>{esc(line.split('*', 2)[2])}</div>" if line.startswith("*") else f"<div>{esc(line)}</div>")
        for line in text.split("\n")) + "</div>"
    add("gmail-alternative-star-bold-labels",
        multipart([C.text_part(text), C.html_part(html)], hdr("Amy Cole <amy.cole@example.org.uk>", "referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u24"),
                  subtype="alternative", boundary="u24"),
        expect("text_body", date="2015-02-03", subjects=[
            S("Charlie Webb", "child", "child", "2002-02-03", hh),
            S("Gary Webb", "adult", "father", "1976-03-16", hh),
        ], summary=summ, request="A learning review.", criteria="The child has been seriously harmed; neglect suspected.",
            name="Amy Cole", agency=None, phone="07700 900555", email="amy.cole@example.org.uk"))

    # ------------------------------------------------------------------ 25
    # PDF form: label beside value, "Date of birth (dd/mm/yyyy)" and "Forename(s)"/"Surname" as fields.
    items = []
    y = 800.0
    hh = "10 Park Crescent, Enfield, EN2 6HT"
    pdf_rows = [("Forename(s):", "Noah James"), ("Surname:", "Turner"), ("Date of birth (dd/mm/yyyy):", "03/02/2013"),
                ("Address:", hh), ("Mother:", "Laura Turner, DOB 11/11/1992"), ("Date of referral:", "03/02/2015")]
    items.append((40, y, "F2", 12, "Referral to the Local Safeguarding Children Board"))
    y -= 30
    for label, value in pdf_rows:
        items.append((40, y, "F2", 10, label))
        items.append((230, y, "F1", 10, value))
        y -= 16
    summ = "Noah (aged 23 months) ingested his mother\u2019s methadone and was admitted to intensive care. He had been seen by six professionals in the month before."
    for label, paras in [("Summary:", [summ]), ("Recommendation:", ["Serious Case Review."]),
                         ("Criteria:", ["Serious harm; neglect suspected; concerns about multi-agency working."])]:
        items.append((40, y, "F2", 10, label))
        y -= 14
        for p in paras:
            for line in C.wrap(p, 95):
                items.append((40, y, "F1", 10, line))
                y -= 13
        y -= 6
    for label, value in [("Referrer:", "Kate Mills"), ("Agency:", "Enfield Drug and Alcohol Action Team"), ("Telephone:", "020 7946 0999"),
                         ("Email:", "kate.mills@example.gov.uk")]:
        items.append((40, y, "F2", 10, label))
        items.append((230, y, "F1", 10, value))
        y -= 16
    add("pdf-forename-surname-dob-hint",
        multipart([C.text_part("Please see attached referral.\n\nKate Mills\n"),
                   C.attachment(C.make_pdf([items]), "LSCB referral.pdf", "application/pdf")],
                  hdr("Kate Mills <kate.mills@example.gov.uk>", "LSCB referral", "Tue, 03 Feb 2015 09:00:00 +0000", "u25"), boundary="u25"),
        expect("pdf", date="2015-02-03", subjects=[
            S("Noah James Turner", "child", None, "2013-02-03", hh),
            S("Laura Turner", "adult", "mother", "1992-11-11", hh),
        ], summary=summ, request="Serious Case Review.",
            criteria="Serious harm; neglect suspected; concerns about multi-agency working.", name="Kate Mills",
            agency="Enfield Drug and Alcohol Action Team", phone="020 7946 0999", email="kate.mills@example.gov.uk"))

    # ------------------------------------------------------------------ 31
    # Word form with "Name of child" / "D.O.B." paragraph labels without colons (bold), values below;
    # "3 Feb 2015" dates; "Mother" and "Mother's partner" keyed lines.
    doc = _docx.Document()
    C._bold_para(doc, "Referral to the Serious Case Review Panel")
    hh = "90 Ordnance Road, Enfield, EN3 6AB"
    summ = "Ben (aged 2) was admitted with burns to both feet consistent with immersion in hot water."
    for label, values in [("Name of child", ["Ben Carter"]), ("D.O.B.", ["3 Feb 2013"]), ("Home address", [hh]),
                          ("Mother", ["Jess Carter, DOB 1 Apr 1994"]), ("Mother's partner", ["Kyle Grant, DOB 15 Dec 1990"]),
                          ("Date of referral", ["3 Feb 2015"]), ("Summary", [summ]), ("Request to the LSCB", ["SCR."]),
                          ("Criteria", ["Serious harm; abuse suspected."]), ("Referrer", ["Emma Lowe"]),
                          ("Organisation", ["Barnet, Enfield and Haringey Mental Health NHS Trust"]), ("Tel", ["020 7946 0161"]),
                          ("Email", ["emma.lowe@example.nhs.uk"])]:
        C._bold_para(doc, label)
        for v in values:
            doc.add_paragraph(v)
    add("docx-bold-label-paragraphs-keyed-parents",
        multipart([C.text_part("See attached.\n\nEmma\n"), C.attachment(C._docx_bytes(doc), "referral.docx")],
                  hdr("Emma Lowe <emma.lowe@example.nhs.uk>", "SCR", "Tue, 03 Feb 2015 09:00:00 +0000", "u31"), boundary="u31"),
        expect("docx_paragraphs", date="2015-02-03", subjects=[
            S("Ben Carter", "child", "child", "2013-02-03", hh),
            S("Jess Carter", "adult", "mother", "1994-04-01", hh),
            S("Kyle Grant", "adult", "mother's partner", "1990-12-15", hh),
        ], summary=summ, request="SCR.", criteria="Serious harm; abuse suspected.", name="Emma Lowe",
            agency="Barnet, Enfield and Haringey Mental Health NHS Trust", phone="020 7946 0161", email="emma.lowe@example.nhs.uk"))

    # ------------------------------------------------------------------ 39
    # Word table from a neighbouring LSCB's template: "Child 1", "Child 2" row blocks and
    # "Address (inc. postcode)" rows; "Date of referral" and "Date of incident" rows.
    doc = _docx.Document()
    C._bold_para(doc, "Haringey LSCB - referral to neighbouring board")
    t = doc.add_table(rows=0, cols=2)

    def row(k, v):
        cells = t.add_row().cells
        cells[0].text, cells[1].text = k, v
    hh = "14 Lordship Lane, London, N17 6NU"
    summ = "Both children were found in a house fire started deliberately by their father; Leo (aged 8) died and Mia (aged 5) has severe burns. The family moved from Enfield in December."
    for k, v in [("Child 1 name", "Leo Barnes"), ("Child 1 DOB", "03/02/2006"), ("Child 2 name", "Mia Barnes"), ("Child 2 DOB", "09/09/2009"),
                 ("Father's name", "Steven Barnes"), ("Father's DOB", "12/01/1980"), ("Address (inc. postcode)", hh),
                 ("Date of incident", "25/01/2015"), ("Date of referral", "03/02/2015"), ("Summary", summ),
                 ("Request to the LSCB", "A joint Serious Case Review with Haringey LSCB."),
                 ("SCR criteria", "A child has died and abuse is known."), ("Referrer", "Maxine Doyle"),
                 ("Agency", "Haringey Local Safeguarding Children Board"), ("Telephone", "020 7946 0919"), ("Email", "maxine.doyle@example-lscb.org.uk")]:
        row(k, v)
    add("neighbouring-lscb-docx-child-1-child-2-rows",
        multipart([C.text_part("Dear colleague,\n\nPlease see the attached referral, which we think needs a joint review.\n\nMaxine Doyle\nBusiness Manager\nHaringey Local Safeguarding Children Board\n"),
                   C.attachment(C._docx_bytes(doc), "Referral to Enfield LSCB.docx")],
                  hdr("Maxine Doyle <maxine.doyle@example-lscb.org.uk>", "Referral - Barnes children", "Tue, 03 Feb 2015 09:00:00 +0000", "u39"),
                  boundary="u39"),
        expect("docx_table", date="2015-02-03", subjects=[
            S("Leo Barnes", "child", "child", "2006-02-03", hh),
            S("Mia Barnes", "child", "child", "2009-09-09", hh),
            S("Steven Barnes", "adult", "father", "1980-01-12", hh),
        ], summary=summ, request="A joint Serious Case Review with Haringey LSCB.", criteria="A child has died and abuse is known.",
            name="Maxine Doyle", agency="Haringey Local Safeguarding Children Board", phone="020 7946 0919",
            email="maxine.doyle@example-lscb.org.uk"))

    return out


if __name__ == "__main__":
    sys.exit(R.write_set(HERE, cases()))
