"""General rules behind the fixes for the fourth red-team round (tests/intake/unseen4, issue 19), each
checked on wordings and forms of its own, not the set's: fillable PDFs, OCR of scans and photographs
(bounded, failing to a person), other boards' wordings, people lines, and what the Business Manager is
asked to confirm (no subject, no date of birth or role, OCR, a "name" that is a place, an organisation, a
heading or a date).

The OCR tests run Tesseract (Debian tesseract-ocr, installed by .ci/run): they fail, never skip, where
it is missing.
"""

from __future__ import annotations

import base64
from datetime import date
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from generated_sets import load_script

from service.intake.parsing import Limits, parse_message
from service.intake.parsing import ocr as ocr_module
from service.intake.parsing.document_readers import _label_beside
from service.intake.parsing.people import parse_subjects
from service.intake.parsing.plausibility import (
    DATE, HEADING, ORGANISATION, PLACE, address_lines, name_problem, review,
)
from service.intake.parsing.text import Wrap, lines_from_text

U4 = load_script(Path(__file__).resolve().parent / "unseen4" / "make_unseen4.py")  # PDF, image builders


def _mail(body: str) -> bytes:
    head = ("From: a.worker@example.org\r\nTo: board@example.org\r\nSubject: Referral\r\n"
            "Date: Wed, 02 Apr 2025 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
    return (head + body.replace("\n", "\r\n")).encode("utf-8")


def _with_attachment(data: bytes, filename: str, maintype: str, subtype: str, note: str = "Form attached.") -> bytes:
    msg = MIMEMultipart("mixed")
    msg["From"] = "a.worker@example.org"
    msg["To"] = "board@example.org"
    msg["Subject"] = "Referral"
    msg["Date"] = "Wed, 02 Apr 2025 09:00:00 +0000"
    msg.attach(MIMEText(note, "plain", "utf-8"))
    part = MIMEImage(data, subtype) if maintype == "image" else MIMEApplication(data, subtype)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    msg.attach(part)
    return msg.as_bytes()


FORM_LINES = [
    ("REFERRAL TO THE SAFEGUARDING PARTNERSHIP", True), ("", False), ("Date: 01/04/2025", False), ("", False),
    ("Names, dates of birth and addresses", True),
    ("Tilly Marsden, 09/09/2015, child, 8 Rowan Road, Ashcombe, AC1 2BD", False),
    ("Paula Marsden, 14/02/1984, mother, 8 Rowan Road, Ashcombe, AC1 2BD", False), ("", False),
    ("Summary", True), ("Tilly was burned by hot water at home and not taken to hospital for two days.", False),
    ("Request", True), ("A rapid review.", False), ("Criteria", True), ("Serious harm; neglect suspected.", False),
    ("", False), ("Name of referrer: Rhys Evans", False), ("Agency: Ashcombe Health Visiting", False),
    ("Telephone: 01632 960 321", False), ("Email: rhys.evans@ashcombe.nhs.example", False),
]


# -- PDF form fields ---------------------------------------------------------------------------


def test_fillable_pdf_fields_named_textn_take_the_label_printed_beside_them():
    rows = [("Referral date", "31/03/2025", 14), ("Name of the child", "Ivy Chambers", 14),
            ("Child's DOB", "05/05/2019", 14), ("Home address", "2 Kiln Close, Ashcombe, AC3 3CC", 14),
            ("Summary", "Ivy was found alone at night.", 14), ("Request", "Rapid review.", 14),
            ("Criteria", "Serious neglect.", 14), ("Referrer", "Nia Patel", 14), ("Agency", "Ashcombe Police", 14),
            ("Telephone", "01632 960 999", 14), ("Email", "nia.patel@police.example.uk", 14)]
    got = parse_message(_with_attachment(U4.pdf_fillable("Form", rows), "form.pdf", "application", "pdf"))
    assert got["layout"] == "pdf"
    assert got["referral_date"] == "2025-03-31"
    assert [(s["name"], s["date_of_birth"], s["address"]) for s in got["subjects"]] == [
        ("Ivy Chambers", "2019-05-05", "2 Kiln Close, Ashcombe, AC3 3CC")]
    assert got["referrer"] == {"name": "Nia Patel", "agency": "Ashcombe Police", "telephone": "01632 960 999",
                               "email": "nia.patel@police.example.uk"}
    assert got["confirm"] == [] and got["confidence"]["subjects"] == ["high"]


def test_boxed_fields_side_by_side_with_labels_over_values_and_a_lettered_section_heading():
    pg = U4.Page()
    pg.row([(40, "Referral date"), (250, "Date of incident")])
    pg.row([(40, "28/03/2025"), (250, "20/03/2025")])
    pg.line("Child's name: Ola Hart   Date of birth: 04/04/2014", gap=20)
    pg.line("Summary", bold=True)
    pg.line("Ola was hurt at home.")
    pg.line("Part C - Referrer", bold=True, gap=20)
    pg.row([(40, "Referrer name"), (250, "Organisation")])
    pg.row([(40, "Kit Moss"), (250, "Kelby Youth Service")])
    pg.row([(40, "Phone"), (250, "E-mail")])
    pg.row([(40, "01632 960 616"), (250, "kit.moss@kelby.example.gov.uk")])
    got = parse_message(_with_attachment(pg.pdf(), "form.pdf", "application", "pdf"))
    assert got["referral_date"] == "2025-03-28"
    assert got["summary"] == "Ola was hurt at home."
    assert got["referrer"] == {"name": "Kit Moss", "agency": "Kelby Youth Service", "telephone": "01632 960 616",
                               "email": "kit.moss@kelby.example.gov.uk"}


def test_fillable_pdf_fields_numbered_per_person_are_one_person_each():
    rows = [("Date of referral", "30/03/2025", 14), ("Person 1 name", "Rio Grant", 14), ("Person 1 DOB", "01/01/2014", 14),
            ("Person 1 relationship", "Child", 14), ("Person 2 name", "Ann Grant", 14),
            ("Person 2 DOB", "02/02/1984", 14), ("Person 2 relationship", "Grandmother", 14),
            ("Summary", "Rio was hurt.", 14), ("Referrer", "Ty Moss", 14)]
    got = parse_message(_with_attachment(U4.pdf_fillable("Form", rows), "form.pdf", "application", "pdf"))
    assert [(s["name"], s["relationship"], s["date_of_birth"]) for s in got["subjects"]] == [
        ("Rio Grant", "child", "2014-01-01"), ("Ann Grant", "grandmother", "1984-02-02")]


def test_a_field_takes_the_text_left_of_it_on_its_row_else_the_text_just_above_it():
    texts = [(40, 700, "Child's name"), (40, 650, "Summary of concerns"), (300, 700, "unrelated")]
    assert _label_beside(texts, 200, 695, 280, 712) == "Child's name"
    assert _label_beside(texts, 40, 600, 560, 640) == "Summary of concerns"  # a box under its label
    assert _label_beside(texts, 40, 100, 560, 140) is None


# -- OCR ---------------------------------------------------------------------------------------


def _assert_form_read_by_ocr(got: dict, layout: str) -> None:
    assert got["layout"] == layout
    assert got["needs_person"] is None
    assert [(s["name"], s["role"], s["date_of_birth"]) for s in got["subjects"]] == [
        ("Tilly Marsden", "child", "2015-09-09"), ("Paula Marsden", "adult", "1984-02-14")]
    assert got["referrer"]["email"] == "rhys.evans@ashcombe.nhs.example"
    assert any("OCR" in reason for reason in got["confirm"])  # every value read by OCR is to be confirmed
    assert set(got["confidence"]["subjects"]) == {"low"} and got["confidence"]["summary"] == "low"


def test_image_only_pdf_from_a_copier_is_read_by_ocr_and_marked_to_confirm():
    pdf = U4.pdf_of_jpegs([U4.render(FORM_LINES)])
    _assert_form_read_by_ocr(parse_message(_with_attachment(pdf, "scan0001.pdf", "application", "pdf")), "pdf_ocr")


def test_photographed_form_sent_as_jpeg_is_read_by_ocr_and_marked_to_confirm():
    jpeg = U4.render(FORM_LINES, background=230, quality=70)
    _assert_form_read_by_ocr(parse_message(_with_attachment(jpeg, "photo.jpg", "image", "jpeg")), "image_ocr")


def test_without_tesseract_a_scan_goes_to_a_person_and_nothing_raises(monkeypatch):
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    pdf = U4.pdf_of_jpegs([U4.render(FORM_LINES)])
    got = parse_message(_with_attachment(pdf, "scan.pdf", "application", "pdf"))
    assert got["is_referral"] and "could not be read" in got["needs_person"]
    assert any("no text layer" in u["reason"] and "not installed" in u["reason"] for u in got["unreadable"])
    got = parse_message(_with_attachment(U4.render(FORM_LINES), "photo.jpg", "image", "jpeg"))
    assert got["is_referral"] and "could not be read" in got["needs_person"]


def test_ocr_over_its_time_limit_goes_to_a_person():
    pdf = U4.pdf_of_jpegs([U4.render(FORM_LINES)])
    got = parse_message(_with_attachment(pdf, "scan.pdf", "application", "pdf"), Limits(ocr_seconds_per_page=0.01))
    assert "could not be read" in got["needs_person"]
    assert any("OCR took too long" in u["reason"] for u in got["unreadable"])


def test_more_scanned_pages_than_the_limit_go_to_a_person():
    page = U4.render(FORM_LINES[:4])
    got = parse_message(_with_attachment(U4.pdf_of_jpegs([page, page, page]), "scan.pdf", "application", "pdf"),
                        Limits(max_ocr_pages=2))
    assert "could not be read" in got["needs_person"]
    assert any("more than 2 pages" in u["reason"] for u in got["unreadable"])


def test_a_small_image_beside_a_typed_form_is_not_read_and_changes_nothing():
    logo = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    form = "\n".join(t for t, _ in FORM_LINES)
    got = parse_message(_with_attachment(logo, "logo.png", "image", "png", note=form))
    assert got["layout"] == "text_body" and got["needs_person"] is None
    assert got["unreadable"][0]["reason"] == "image (no text to read)"


# -- Wordings ----------------------------------------------------------------------------------


def test_other_boards_question_wordings_and_name_and_designation():
    got = parse_message(_mail(
        "Date: 01/04/2025\nChild: Rosa Lima, DOB 02/02/2020\n\nSection 2 \u2013 The incident\nRosa was hurt.\n\n"
        "What are you asking the Partnership to do?\nA local review.\n\n"
        "Why do you think the criteria for a review are met?\nSerious harm; abuse suspected.\n\n"
        "Name and designation of referrer: Carys Bell, Named Nurse\nAgency: Ashcombe Trust\n"
        "Contact details of referrer: tel. 01632 960 777, email carys.bell@trust.example\n"))
    assert got["summary"] == "Rosa was hurt."
    assert got["request"] == "A local review."
    assert got["criteria_statement"] == "Serious harm; abuse suspected."
    assert got["referrer"]["name"] == "Carys Bell"
    assert got["referrer"]["telephone"] == "01632 960 777"
    assert got["referrer"]["email"] == "carys.bell@trust.example"


def test_contact_details_as_one_cell_of_lines_and_name_with_job_and_workplace():
    from service.intake.parsing import referrer as R
    from service.intake.parsing.text import Line

    cell = [Line("Kelby Early Help"), Line("1 Mill Street, Kelby KB1 1AA"), Line("Tel: 01632 960 414"),
            Line("jo.bell@kelby.example.gov.uk")]
    assert R.in_lines(R.telephone, cell) == "01632 960 414"
    assert R.in_lines(R.email, cell) == "jo.bell@kelby.example.gov.uk"
    assert R.name_and_agency([Line("Jo Bell \u2013 Senior Practitioner, Kelby Early Help")]) == ("Jo Bell", "Kelby Early Help")


def test_a_date_label_with_two_alternatives_one_the_referral_is_the_referral_date():
    from service.intake.parsing.labels import IGNORE, REFERRAL_DATE, match_label

    assert match_label("Date of incident / referral", marked=True).field == REFERRAL_DATE
    assert match_label("Referral / notification date", marked=True).field == REFERRAL_DATE
    assert match_label("Date of notification", marked=True).field == IGNORE  # alone it is Ofsted's, as before


# -- People ------------------------------------------------------------------------------------


def test_a_name_then_a_date_starts_a_person_even_after_a_full_wrapped_line():
    lines = lines_from_text("Bobby Fenn, 01/01/2016, child, 4 The Street, Ashcombe, AC1 1AA, Year 4 pupil at\n"
                            "Ashcombe Primary\n"
                            "Lorna Fenn, 02/02/1990, mother, 4 The Street, Ashcombe, AC1 1AA\n")
    got = parse_subjects(lines, date(2025, 4, 1), Wrap(76))
    assert [s["name"] for s in got] == ["Bobby Fenn", "Lorna Fenn"]


def test_a_pdf_table_row_in_a_label_beside_value_form_keeps_its_first_cell():
    pg = U4.Page()
    pg.row([(40, "Date:"), (160, "01/04/2025")])
    pg.line("Persons subject of the referral", bold=True)
    cols = (40, 130, 230, 300)
    pg.row(list(zip(cols, ["Family name", "Given name(s)", "D.O.B.", "Relationship"])), bold=True)
    pg.row(list(zip(cols, ["O'NEILL", "Aoife Mary", "07/07/2017", "Child"])))
    pg.row(list(zip(cols, ["BRENNAN", "Declan", "08/08/1988", "Stepfather"])))
    pg.line("Summary", bold=True)
    pg.line("Aoife was hurt.")
    pg.row([(40, "Referrer:"), (160, "Jo Kerr")])
    got = parse_message(_with_attachment(pg.pdf(), "form.pdf", "application", "pdf"))
    assert [(s["name"], s["relationship"], s["date_of_birth"]) for s in got["subjects"]] == [
        ("Aoife Mary O'NEILL", "child", "2017-07-07"), ("Declan BRENNAN", "stepfather", "1988-08-08")]


def test_a_numbered_plural_heading_over_a_table_is_the_relationship_of_every_row():
    lines = lines_from_text("2. Sibling(s)\nName\tDate of birth\nAmy Cole\t01/01/2015\nBen Cole\t02/02/2017\n\n"
                            "Parents\nName\tRelationship\tDate of birth\nJo Cole\tMother\t03/03/1985\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [(s["name"], s["relationship"]) for s in got] == [("Amy Cole", "sibling"), ("Ben Cole", "sibling"),
                                                               ("Jo Cole", "mother")]


def test_slash_separated_person_lines_with_the_relationship_first_or_second():
    lines = lines_from_text("Son / Arlo Penn / 04/04/2018 / 12 Dale Road, Kettleby, KT1 1AA\n"
                            "Gwen Penn / grandmother / 05/05/1960 / 3 Moor View, Kettleby, KT1 2BB\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [(s["name"], s["relationship"], s["date_of_birth"], s["address"]) for s in got] == [
        ("Arlo Penn", "son", "2018-04-04", "12 Dale Road, Kettleby, KT1 1AA"),
        ("Gwen Penn", "grandmother", "1960-05-05", "3 Moor View, Kettleby, KT1 2BB")]


def test_a_prison_is_an_address_and_of_before_an_address_is_not_part_of_it():
    lines = lines_from_text("Stepfather: Rob Lyle, DOB 02/02/1985, HMP Eastwood Park, Church Avenue, Falfield, GL12 8DB\n"
                            "Sister: Eve Lyle, 03/03/2012, of 6 Mead Close, Kettleby, KT3 3CC\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [s["address"] for s in got] == ["HMP Eastwood Park, Church Avenue, Falfield, GL12 8DB",
                                           "6 Mead Close, Kettleby, KT3 3CC"]


def test_a_due_date_in_a_date_of_birth_column_is_not_a_date_of_birth():
    lines = lines_from_text("Name\tD.O.B.\tRelationship\nBaby Quinn\tDue 10/10/2025\tUnborn sibling\n"
                            "Mia Quinn\t01/01/2019\tChild\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [(s["name"], s["date_of_birth"]) for s in got] == [("Baby Quinn", None), ("Mia Quinn", "2019-01-01")]


def test_name_dob_and_relationship_keys_along_one_line_are_one_person():
    lines = lines_from_text("Name: Cara Voss   D.O.B.: 02/02/2016   Relationship: subject child\n"
                            "Name: Dan Voss  Date of birth: 03/03/1988  Relationship: father\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [(s["name"], s["relationship"], s["date_of_birth"]) for s in got] == [
        ("Cara Voss", "subject child", "2016-02-02"), ("Dan Voss", "father", "1988-03-03")]


def test_a_brother_or_son_over_18_by_date_of_birth_is_an_adult_a_child_is_a_child():
    lines = lines_from_text("Brother: Sam Voss, DOB 01/01/2000\nSon: Ty Voss, DOB 01/01/2010\nChild: Al Voss, DOB 01/01/2001\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [s["role"] for s in got] == ["adult", "child", "child"]


def test_an_address_whose_town_and_postcode_are_on_lines_of_their_own_is_one_address():
    lines = lines_from_text("Young person: Kai Dunn\nDOB: 05/05/2009\nAddress: 3 Fen Road\nLittle Oakley\nLO4 4DD\n"
                            "Father: Ray Dunn\nDOB: 06/06/1979\nAddress: as above\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [(s["name"], s["address"]) for s in got] == [("Kai Dunn", "3 Fen Road, Little Oakley, LO4 4DD"),
                                                         ("Ray Dunn", "3 Fen Road, Little Oakley, LO4 4DD")]


def test_a_section_heading_run_into_a_name_key_is_no_person():
    lines = lines_from_text("Name: Jo Pike\nDOB: 01/01/2015\n\nPART 2 - OTHER HOUSEHOLD MEMBERS Name: Al Pike\n"
                            "Relationship: Uncle\nDate of birth: 02/02/1980\n")
    got = parse_subjects(lines, date(2025, 4, 1))
    assert [(s["name"], s["relationship"]) for s in got] == [("Jo Pike", None), ("Al Pike", "uncle")]


def test_a_relationship_heading_in_bold_over_a_person_line_starts_the_people():
    paras = [("Referral", True), ("Date: 02/04/2025", False), ("Young person", True),
             ("Lee Hart, born 01/01/2010, 5 Kiln Lane, Kelby, KB1 1AA", False), ("Summary", True), ("Lee was hurt.", False)]
    got = parse_message(_with_attachment(U4.docx_paragraphs(paras), "form.docx", "application",
                                         "vnd.openxmlformats-officedocument.wordprocessingml.document"))
    assert [(s["name"], s["relationship"], s["date_of_birth"]) for s in got["subjects"]] == [
        ("Lee Hart", "young person", "2010-01-01")]


def test_a_people_table_typed_with_spaces_and_a_wrapped_address_is_read_as_a_table():
    got = parse_message(_mail(
        "Date: 01/04/2025\n\n"
        "Full name        Date of birth   Relationship    Address\n"
        "Nell Frost       03/03/2016      Daughter        Flat 2, 8 Mill Row,\n"
        "                                                 Kettleby, KT9 9KK\n"
        "Vic Frost        04/04/1986      Father          8 Mill Row, Kettleby\n\n"
        "Summary: Nell was hurt.\nRequest: Review.\nCriteria: Harm.\nReferrer: Al Roe\n"))
    assert [(s["name"], s["relationship"], s["date_of_birth"], s["address"]) for s in got["subjects"]] == [
        ("Nell Frost", "daughter", "2016-03-03", "Flat 2, 8 Mill Row, Kettleby, KT9 9KK"),
        ("Vic Frost", "father", "1986-04-04", "8 Mill Row, Kettleby")]


# -- Plausibility of names, and what is to be confirmed -----------------------------------------


def test_streets_towns_and_the_forms_own_address_parts_are_not_names():
    assert name_problem("Station Road") == PLACE
    assert name_problem("Leeds") == PLACE
    assert name_problem("Flat 4") == PLACE
    assert name_problem("Mill Lane", ["14 Mill Lane, Barnsworth, BN3 3AA"]) == PLACE
    assert name_problem("Barnsworth", ["14 Mill Lane, Barnsworth, BN3 3AA"]) == PLACE
    assert name_problem("Emma Lane", ["14 Mill Lane, Barnsworth, BN3 3AA"]) is None  # a surname like a street word


def test_a_town_on_its_own_line_under_an_address_is_a_place_of_the_form_not_a_name():
    section = ["Child: Ada Vance", "DOB: 01/01/2015", "Address: 9 Brook Street", "Kettleby", "KT2 9ZZ",
               "Mother: Iris Vance", "Home address", "22 Elm Road", "Mother", "Lee Vance, DOB 1 May 1990"]
    assert address_lines(section) == ["9 Brook Street", "Kettleby", "KT2 9ZZ", "22 Elm Road", "Mother"]
    record = {"is_referral": True, "subjects": [
        {"name": "Ada Vance", "role": "child", "date_of_birth": "2015-01-01", "address": "9 Brook Street"},
        {"name": "Kettleby", "role": "child", "date_of_birth": "2015-01-01", "address": "KT2 9ZZ"},
        {"name": "Lee Vance", "role": "adult", "date_of_birth": "1990-05-01", "address": "22 Elm Road"}]}
    assert review(record, section_lines=section) == ["subject 2's name looks like a street or place"]


def test_a_label_read_into_a_name_is_a_heading():
    assert name_problem("PARENTS / CARERS Name: Iris Vance") == HEADING
    assert name_problem("Iris Vance Relationship: mother") == HEADING


def test_organisations_headings_and_dates_are_not_names():
    assert name_problem("Ashcombe Primary School") == ORGANISATION
    assert name_problem("HMP Northgate") == ORGANISATION
    assert name_problem("Parents/carers") == HEADING
    assert name_problem("Section 3 The incident") == HEADING
    assert name_problem("Details of the child") == HEADING
    assert name_problem("14/05/2018") == DATE
    assert name_problem("3 March 2025") == DATE


def test_real_names_with_accents_apostrophes_hyphens_and_place_like_surnames_pass():
    for name in ("Zoë O'Connor-Ní Bhriain", "José Martínez-López", "Ellie Ward", "Charlotte Church",
                 "Dr Amara Okafor", "Sean Patrick DUFFY", "Unborn baby Dunn", "Tom Green", "Mary Hill"):
        assert name_problem(name, ["12 Green Street, Hill Top, HT1 1AA"]) is None, name


def test_confirm_reasons_name_the_subject_by_number_never_by_name():
    record = {"is_referral": True, "subjects": [
        {"name": "Station Road", "role": "unknown", "date_of_birth": None, "address": None},
        {"name": "Kim Lowe", "role": "child", "date_of_birth": "2019-01-01", "address": "Station Road, Leeds"}]}
    reasons = review(record)
    assert reasons == ["subject 1's name looks like a street or place", "subject 1 has no date of birth",
                       "subject 1 is neither child nor adult"]
    assert not any("Station" in r or "Kim" in r for r in reasons)


def test_a_referral_naming_nobody_or_someone_without_a_date_of_birth_is_to_be_confirmed():
    tail = ("Summary: Harm.\nRequest: Review.\nCriteria: Met.\nReferrer: Ann Lee\nTelephone: 01632 960 000\n"
            "Email: ann.lee@example.org\nDate: 01/04/2025\n")
    nobody = parse_message(_mail("Child and adult names, dates of birth and address: to follow\n" + tail))
    assert nobody["is_referral"] and "no subject was read" in nobody["confirm"]
    no_dob = parse_message(_mail("Child: Max Hurst, DOB not known, 3 Oak Road, Ashcombe\n" + tail))
    assert "subject 1 has no date of birth" in no_dob["confirm"]
    complete = parse_message(_mail("Child: Max Hurst, DOB 03/03/2018, 3 Oak Road, Ashcombe\n" + tail))
    assert complete["confirm"] == []
    assert complete["confidence"]["referral_date"] == "high" and complete["confidence"]["subjects"] == ["high"]


def test_what_is_not_a_referral_has_nothing_to_confirm():
    got = parse_message(_mail("Hello, could you tell me when the panel next meets? Thanks."))
    assert not got["is_referral"] and got["confirm"] == []
