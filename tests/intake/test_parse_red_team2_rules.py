"""General rules behind the fixes for the second red-team round (tests/intake/unseen2), each checked on
wordings of its own, not the set's."""

from __future__ import annotations

from datetime import date

from service.intake.parsing import parse_message
from service.intake.parsing.bilingual import english
from service.intake.parsing.dates import parse_date


def _mail(body: str, *, content_type: str = "text/plain") -> bytes:
    head = ("From: a.worker@example.org\r\nTo: board@example.org\r\nSubject: Referral\r\n"
            f"Date: Wed, 02 Apr 2025 09:00:00 +0000\r\nContent-Type: {content_type}; charset=utf-8\r\n\r\n")
    return (head + body.replace("\n", "\r\n")).encode("utf-8")


# -- Welsh and bilingual wording ---------------------------------------------------------------


def test_welsh_month_names_are_read_in_dates():
    assert parse_date("9 Ebrill 2024") == date(2024, 4, 9)
    assert parse_date("Dydd Llun, 21 Hydref 2019") == date(2019, 10, 21)


def test_bilingual_label_keeps_the_english_wording_and_leaves_names_alone():
    assert english("Cyfeiriad cartref / Home address: 1 Stryd y Bont") == "Home address: 1 Stryd y Bont"
    assert english("Date of birth / Dyddiad geni:") == "Date of birth:"
    assert english("Asiantaeth:") == "agency:"
    assert english("Cyngor Sir Ynys Môn / Isle of Anglesey County Council") == "Cyngor Sir Ynys Môn / Isle of Anglesey County Council"
    assert english("Perthynas\nRelationship") == "Relationship"


def test_welsh_labelled_form_is_read():
    got = parse_message(_mail(
        "Enw / Name: Osian Lloyd\nDyddiad geni / DOB: 12/12/2016\nCyfeiriad / Address: 3 Lôn Isaf, Bangor, LL57 1AA\n"
        "Tad / Father: Huw Lloyd, dyddiad geni / DOB 01/01/1980\n\nDyddiad / Date: 1 Ebrill 2025\n\n"
        "Crynodeb / Summary:\nOsian was injured.\n\nCais / Request:\nA review.\n\nMeini prawf / Criteria:\nSerious harm.\n\n"
        "Atgyfeiriwr / Referrer: Bethan Ellis\nFfôn / Telephone: 01632 960 111\nE-bost / Email: bethan.ellis@example.org\n"))
    assert got["referral_date"] == "2025-04-01"
    assert [(s["name"], s["relationship"], s["date_of_birth"]) for s in got["subjects"]] == [
        ("Osian Lloyd", None, "2016-12-12"), ("Huw Lloyd", "father", "1980-01-01")]
    assert (got["summary"], got["request"], got["criteria_statement"]) == ("Osian was injured.", "A review.", "Serious harm.")
    assert got["referrer"]["name"] == "Bethan Ellis" and got["referrer"]["email"] == "bethan.ellis@example.org"


# -- people ------------------------------------------------------------------------------------


def test_relationship_in_brackets_beats_a_group_key():
    got = parse_message(_mail(
        "Child: Ruby Shaw, DOB 03/03/2015\nParent/guardian: Anne Shaw (aunt), DOB 04/04/1970\n"
        "Carers: Tom Shaw (uncle), DOB 05/05/1968\nAddress: 9 Low Road, Leeds, LS1 1AA\n\nDate: 01/04/2025\n\n"
        "Summary:\nInjured.\n\nReferrer: Jo Bloggs\n"))
    assert [(s["name"], s["relationship"]) for s in got["subjects"]] == [
        ("Ruby Shaw", "child"), ("Anne Shaw", "aunt"), ("Tom Shaw", "uncle")]


# -- layout ------------------------------------------------------------------------------------


def test_dotted_leaders_separate_a_known_label_from_its_value_but_not_narrative():
    got = parse_message(_mail(
        "Name of child . . . . . . . . Alfie Moss\nDOB\u2026\u2026\u2026\u2026 07/07/2012\n"
        "Referral date ............ 01/04/2025\nBackground .......... He said..... nothing more.\n"
        "Recommendations ......... A review.\nReferred by ......... Sam Lee\nTel no ......... 020 7946 0999\n"))
    assert [(s["name"], s["date_of_birth"]) for s in got["subjects"]] == [("Alfie Moss", "2012-07-07")]
    assert got["referral_date"] == "2025-04-01"
    assert got["summary"] == "He said..... nothing more."
    assert (got["request"], got["referrer"]["name"], got["referrer"]["telephone"]) == ("A review.", "Sam Lee", "020 7946 0999")


def _generator():
    """make_unseen2.py, for its Word and PDF builders."""
    from pathlib import Path

    from generated_sets import load_script

    return load_script(Path(__file__).parent / "unseen2" / "make_unseen2.py")


def _with_attachment(data: bytes, filename: str, subtype: str) -> bytes:
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    msg = MIMEMultipart()
    msg["From"], msg["To"], msg["Subject"] = "sender@example.org", "board@example.org", "Referral"
    msg["Date"] = "Wed, 02 Apr 2025 09:00:00 +0000"
    msg.attach(MIMEText("Form attached."))
    part = MIMEApplication(data, subtype)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    msg.attach(part)
    return msg.as_bytes()


def test_filled_pdf_form_fields_win_over_the_same_labels_printed_blank_on_the_page():
    module = _generator()
    pdf = module.pdf_acroform([
        ("Name of child", "Name of child", None, "Kai Ross"), ("D.O.B.", "txtDOB", "D.O.B.", "02/02/2019"),
        ("Background", "txtBackground", "Background", "Kai was found alone."),
        ("Recommendation", "Recommendation", None, "Review."),
        ("Referred by", "txtRef", "Referred by", "Lou Vance"), ("Contact number", "txtTel", "Contact number", "020 7946 0123"),
    ])
    got = parse_message(_with_attachment(pdf, "form.pdf", "pdf"))
    assert got["layout"] == "pdf"
    assert [(s["name"], s["date_of_birth"]) for s in got["subjects"]] == [("Kai Ross", "2019-02-02")]
    assert (got["summary"], got["request"], got["referrer"]["name"]) == ("Kai was found alone.", "Review.", "Lou Vance")


# -- Word --------------------------------------------------------------------------------------

_DOCX = "vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_text_box_paragraphs_are_read_as_paragraphs_of_their_own():
    g = _generator()
    body = (g.p(g.r("Name of child: Lola Fenn")) + g.p(g.r("DOB: 01/02/2016")) + g.p(g.r("Background:")) + g.p(g.r("Lola was hurt."))
            + g.p(g.r("Recommendations:")) + g.p(g.r("A review."))
            + g.textbox(g.p(g.r("Referred by: Nia Cole")) + g.p(g.r("Organisation: Leeds Youth Service"))
                        + g.p(g.r("Contact number: 0113 496 0000"))))
    got = parse_message(_with_attachment(g.docx_from_body(body), "form.docx", _DOCX))
    assert got["referrer"]["name"] == "Nia Cole"
    assert got["referrer"]["agency"] == "Leeds Youth Service"
    assert got["referrer"]["telephone"] == "0113 496 0000"


def test_cells_holding_a_label_with_its_value_under_it_and_a_relationship_label_cell():
    g = _generator()

    def cell(label: str, value: str) -> str:
        return (f"<w:p><w:r><w:t>{label}</w:t></w:r><w:r><w:br/><w:t xml:space=\"preserve\">{value}</w:t></w:r></w:p>")

    body = g.tbl([
        [cell("Name of child", "Remy Hart"), cell("D.O.B.", "05/05/2014")],
        [cell("Background", "Remy was hurt."), cell("Referral date", "01/04/2025")],
        [cell("Referred by", "Ann Oak"), cell("Contact number", "0113 496 0001")],
    ]) + g.tbl([[g.p(g.r("Stepmother")), g.p(g.r("Jill Hart, DOB 06/06/1980"))],
                [g.p(g.r("Recommendations")), g.p(g.r("A review."))]])
    got = parse_message(_with_attachment(g.docx_from_body(body), "form.docx", _DOCX))
    assert [(s["name"], s["relationship"], s["date_of_birth"]) for s in got["subjects"]] == [
        ("Remy Hart", "child", "2014-05-05"), ("Jill Hart", "stepmother", "1980-06-06")]
    assert (got["summary"], got["referral_date"], got["referrer"]["name"]) == ("Remy was hurt.", "2025-04-01", "Ann Oak")
    assert got["request"] == "A review."


# -- vocabulary --------------------------------------------------------------------------------


def test_newer_wording_partnership_notification_and_notifier():
    from service.intake.parsing import labels as L

    assert L.match_label("What would you like the safeguarding partners to do").field == L.REQUEST
    assert L.match_label("Reason for this notification").field == L.REASON
    assert L.match_label("Name of notifying officer").field == L.NAME
    assert L.match_label("Referring team").field == L.AGENCY
    assert L.match_label("Referrer's service").field == L.AGENCY


def test_a_label_in_another_language_then_english_is_the_english_but_two_labels_are_not_one():
    from service.intake.parsing import labels as L

    assert L.match_label("Nom de l'enfant / Child's name", marked=True).field == L.SUBJECT_KEY
    assert L.in_english("Nom de l'enfant / Child's name") == "Child's name"
    assert L.match_label("PARENTS / CARERS Mother") is None
    assert L.in_english("Telephone / email") == "Telephone / email"
    got = parse_message(_mail(
        "<table><tr><td>Numele copilului / Child's name</td><td>Ana Pop</td></tr>"
        "<tr><td>Data nasterii / Date of birth</td><td>02/03/2017</td></tr>"
        "<tr><td>Background</td><td>Ana was hurt.</td></tr><tr><td>Referred by</td><td>Ion Pop</td></tr></table>",
        content_type="text/html"))
    assert [(s["name"], s["date_of_birth"]) for s in got["subjects"]] == [("Ana Pop", "2017-03-02")]


def test_a_plural_heading_is_the_relationship_of_everyone_under_it_and_withheld_is_no_address():
    got = parse_message(_mail(
        "Siblings:\nMo Patel, aged 9\nRia Patel, 7 years\nStepfather: Dev Shah, address not disclosed\n"
        "Home address: 2 Kent Road, Leeds, LS2 2BB\n\nDate: 01/04/2025\n\nBackground:\nThey were hurt.\n\nReferred by: Al Ray\n"))
    assert [(s["name"], s["relationship"], s["role"], s["address"]) for s in got["subjects"]] == [
        ("Mo Patel", "sibling", "child", "2 Kent Road, Leeds, LS2 2BB"),
        ("Ria Patel", "sibling", "child", "2 Kent Road, Leeds, LS2 2BB"),
        ("Dev Shah", "stepfather", "adult", None),
    ]


def test_a_possessive_pronoun_before_a_relationship_is_part_of_it():
    got = parse_message(_mail(
        "Young person: Tia Moss, DOB 01/06/2008\nHis son: Leo Moss, DOB 01/01/2025\nTheir grandmother: Eve Moss, DOB 02/02/1960\n"
        "Address: 4 Hill Road, Leeds, LS3 3CC\n\nDate: 01/04/2025\n\nBackground:\nHurt.\n\nReferred by: Al Ray\n"))
    assert [(s["name"], s["relationship"], s["role"]) for s in got["subjects"]] == [
        ("Tia Moss", "young person", "child"), ("Leo Moss", "his son", "child"), ("Eve Moss", "their grandmother", "adult")]
