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
