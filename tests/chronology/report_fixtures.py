"""Draft reports for the publication check: one Word and one PDF with identifiers planted in known
places, and the same reports made clean. Called by make_fixtures.py; the people are invented.

``report_expected.json`` lists, for each planted report, what the check must find: the kind of
identifier, the text as planted, and where (paragraph number in the body for Word, counting every
paragraph including those in table cells, in document order; page for PDF).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

IDENTIFIERS = {
    "names": ["Kai Jordan Mellor", "Tanya Mellor", "Dean Ashworth"],
    "known_as": ["KJ"],
    "dobs": ["14/02/2019"],
    "addresses": ["Flat 3, 27 Larchwood Road, Enfield, EN3 7QX"],
    "schools": ["Hilltop Primary School"],
}

# (text of the paragraph, [(kind, planted text)]) -- in order; None marks a page break in the PDF
PLANTED = [
    ("Serious Case Review: Child A", []),
    ("1. Introduction", []),
    ("This review considers the multi-agency response to Child A between March and May 2023.", []),
    ("Kai was seen by the health visitor on 6 March 2023 and appeared well.", [("name", "Kai")]),
    ("Mrs Mellor's account of the injury was accepted without challenge.", [("name", "Mellor's")]),
    (None, []),
    ("2. Chronology", []),
    ("K. Mellor attended the clinic with her mother in April.", [("name", "K. Mellor")]),
    ("The referral form named TANYA  MELLOR as the person with parental responsibility.", [("name", "TANYA  MELLOR")]),
    ("The child was born on 14th February 2019 at the local hospital.", [("date of birth", "14th February 2019")]),
    ("Her record showed DOB 14.02.19 and no allergies.", [("date of birth", "14.02.19")]),
    (None, []),
    ("3. The home", []),
    ("The family lived at 27 Larchwood Rd, a ground floor flat.", [("address", "27 Larchwood Rd")]),
    ("Letters were returned from EN37QX in June.", [("postcode", "EN37QX")]),
    ("The child attended Hilltop Primary from September 2022.", [("school", "Hilltop Primary")]),
    ("Dean Ashworth's bail conditions were not shared with the school.", [("name", "Dean Ashworth's")]),
    ("Staff at school called the child KJ in their notes.", [("name", "KJ")]),
]

CLEAN = [
    ("Serious Case Review: Child A", []),
    ("1. Introduction", []),
    ("This review considers the multi-agency response to Child A between March and May 2023.", []),
    ("Child A was seen by the health visitor on 6 March 2023 and appeared well.", []),
    ("The mother's account of the injury was accepted without challenge.", []),
    (None, []),
    ("2. Chronology", []),
    ("Child A attended the clinic with the mother in April; the strategy meeting was on 14/03/2023.", []),
    ("The referral form named the mother as the person with parental responsibility.", []),
    ("The child was born in 2019 at the local hospital in the Enfield area.", []),
    ("Her record showed no allergies; the road to recovery was long.", []),
    (None, []),
    ("3. The home", []),
    ("The family lived in a ground floor flat in the borough.", []),
    ("Letters were returned in June.", []),
    ("The child attended a primary school from September 2022.", []),
    ("Adult B's bail conditions were not shared with the school.", []),
]


def _docx(paras, path: Path, header_text: str | None) -> dict:
    from docx import Document

    doc = Document()
    found = []
    number = 0
    for text, plants in paras:
        if text is None:
            continue
        if text.startswith("The referral form named"):  # this one in a table cell
            table = doc.add_table(rows=1, cols=2)
            table.cell(0, 0).text = "Person"
            table.cell(0, 1).text = text
            number += 2  # the two cells' paragraphs, in document order
        else:
            doc.add_paragraph(text)
            number += 1
        found += [{"kind": k, "text": t, "paragraph": number} for k, t in plants]
    if header_text:
        doc.sections[0].header.paragraphs[0].text = header_text
        if "Kai Mellor" in header_text:
            found.append({"kind": "name", "text": "Kai Mellor", "where": "header"})
    doc.core_properties.title = "Draft overview report"
    doc.save(path)
    return {"file": path.name, "found": found}


def _pdf(paras, path: Path) -> dict:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    page = 1
    found = []
    for text, plants in paras:
        if text is None:
            pdf.add_page()
            page += 1
            continue
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        found += [{"kind": k, "text": t, "page": page} for k, t in plants]
    pdf.set_creation_date(datetime(2023, 6, 1))
    pdf.output(str(path))
    return {"file": path.name, "found": found}


def main(out: Path) -> None:
    expected = {
        "identifiers": IDENTIFIERS,
        "report_planted.docx": _docx(PLANTED, out / "report_planted.docx", "Draft - Kai Mellor - not for circulation"),
        "report_planted.pdf": _pdf(PLANTED, out / "report_planted.pdf"),
        "report_clean.docx": _docx(CLEAN, out / "report_clean.docx", "Draft - not for circulation"),
        "report_clean.pdf": _pdf(CLEAN, out / "report_clean.pdf"),
    }
    (out / "identifiers.json").write_text(json.dumps(IDENTIFIERS, indent=1) + "\n")
    (out / "report_expected.json").write_text(json.dumps(expected, indent=1) + "\n")
