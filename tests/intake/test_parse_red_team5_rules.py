"""The reading rules added for the fifth red-team round (issue 19), each on wordings of its own."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

from generated_sets import load_script
from pypdf import PdfReader

from service.intake.parsing import parse_message
from service.intake.parsing.document_readers import _pdf_form_lines, _without_footer
from service.intake.parsing.ocr import tidy_postcodes
from service.intake.parsing.people import parse_subjects
from service.intake.parsing.text import lines_from_text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
R5 = load_script(HERE / "redteam5" / "make_redteam5.py")
TEXT_FORM = "Summary: A child was hurt.\nRequest: A rapid review.\nCriteria: Serious harm.\nReferrer: Jo Bell\n"


def _people(text: str) -> list[tuple]:
    return [(s["name"], s["relationship"], s["address"]) for s in parse_subjects(lines_from_text(text), date(2025, 1, 1))]


def _text_mail(body: str) -> dict:
    raw = ("From: jo.bell@council.example.gov.uk\nTo: board@example.org\nSubject: Referral\n"
           "Message-ID: <r5rules@example.org>\nDate: Mon, 02 Jun 2025 09:00:00 +0100\n"
           "Content-Type: text/plain; charset=utf-8\n\n" + body).encode()
    return parse_message(raw)


def test_grouped_acrobat_fields_are_read_once_with_the_labels_over_their_boxes():
    items = [("field", "Full name", "child.name", "Zoë Hart", 200, 14),
             ("field", "Date of birth", "child.dob", "02/09/2018", 90, 14),
             ("field", "Home address", "child.address", "7 Sand Walk, Colby, CB1 2LD", 200, 14), ("next",)]
    reader = PdfReader(io.BytesIO(R5.pdf_acroform("Form", items)))
    assert _pdf_form_lines(reader) == ["Full name: Zoë Hart", "Date of birth: 02/09/2018",
                                       "Home address: 7 Sand Walk, Colby, CB1 2LD"]


def test_a_grid_of_fields_takes_each_columns_heading_and_headings_between_rows_are_kept():
    cols = [40, 140]
    items = [("field", "Date of referral", "f.date", "02/06/2025", 120, 14), ("next",), ("head", "Part 2 - The children"),
             ("cols", ["Surname", "Forename(s)"], cols)]
    for i, (sn, fn) in enumerate((("HART", "Zoë"), ("HART", "Max")), 1):
        items += [("cell", f"s{i}.surname", sn, cols[0], 90), ("cell", f"s{i}.forename", fn, cols[1], 90), ("next",)]
    reader = PdfReader(io.BytesIO(R5.pdf_acroform("Form", items)))
    assert _pdf_form_lines(reader) == ["Date of referral: 02/06/2025", "", "Part 2 - The children",
                                       "Surname: HART", "Forename(s): Zoë", "Surname: HART", "Forename(s): Max"]


def test_a_numbered_section_heading_gives_its_relationship_and_is_never_a_person():
    assert _people("Section 1 - The child\nFull name: Zoe Byrne\nDate of birth: 02/09/2018\n\n"
                   "Section 2 - Parents/carers\nMother's name: Ann Byrne\n") == [
        ("Zoe Byrne", "child", None), ("Ann Byrne", "mother", None)]
    assert _people("SECTION 1 - CHILD DETAILS\nName: Zoe Byrne\nDOB: 02/09/2018\n")[0][1] == "child"


def test_the_professionals_involved_are_no_subjects():
    record = _text_mail("Date of referral: 02/06/2025\n\nChildren\nName\tDate of birth\tAddress\n"
                        "Max Hart\t01/02/2015\t7 Sand Walk, Colby\n\nProfessionals involved\nName\tAgency\tRole\n"
                        "Laura Finch\tColby Children's Social Care\tSocial worker\n\n" + TEXT_FORM)
    assert [s["name"] for s in record["subjects"]] == ["Max Hart"]


def test_an_address_over_street_town_and_postcode_columns_is_one_address():
    record = _text_mail("Date of referral: 02/06/2025\n\nName\tDOB\tStreet\tTown\tPostcode\n"
                        "Max Hart\t01/02/2015\t7 Sand Walk\tColby\tCB1 2LD\n\n" + TEXT_FORM)
    assert record["subjects"][0]["address"] == "7 Sand Walk, Colby, CB1 2LD"


def test_an_address_wrapped_under_its_column_keeps_its_parts_apart():
    record = _text_mail("Date of referral: 02/06/2025\n\nName         DOB          Address\n"
                        "Max Hart     01/02/2015   7 Sand Walk\n                          Colby\n"
                        "                          CB1 2LD\n\n" + TEXT_FORM)
    assert record["subjects"][0]["address"] == "7 Sand Walk, Colby, CB1 2LD"


def test_contact_details_of_the_referrer_over_two_lines_give_telephone_and_email():
    record = _text_mail("Child's name: Max Hart\nDOB: 01/02/2015\n\n" + TEXT_FORM +
                        "Contact details of referrer\n01632 960 455\njo.bell@council.example.gov.uk\n")
    assert (record["referrer"]["telephone"], record["referrer"]["email"]) == (
        "01632 960 455", "jo.bell@council.example.gov.uk")


def test_a_pdf_pages_footer_goes_from_its_page_number_line_on():
    page = "Request: a rapid review.\n\n\nForm v2 | board@example.gov.uk | Ref RR\nPage 1 of 2\n"
    assert _without_footer(page) == "Request: a rapid review.\n\n\nForm v2 | board@example.gov.uk | Ref RR"
    assert _without_footer("Request: see page 2 of the chronology.\nReferrer: Jo Bell") == \
        "Request: see page 2 of the chronology.\nReferrer: Jo Bell"


def test_ocr_postcode_misreadings_are_mended_and_nothing_else():
    assert tidy_postcodes("2 Mill Race, Southbeck, SB1 9E)") == "2 Mill Race, Southbeck, SB1 9EJ"
    assert tidy_postcodes("1 Example Road, EN1 lAA") == "1 Example Road, EN1 1AA"
    assert tidy_postcodes("Tel 01632 960 266; ref AB12 345") == "Tel 01632 960 266; ref AB12 345"
