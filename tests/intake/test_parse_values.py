"""Reading values: UK dates, label wordings, people, paragraphs, placeholders."""

from __future__ import annotations

from datetime import date

import pytest

from service.intake.parsing import labels as L
from service.intake.parsing.dates import find_dates, parse_date
from service.intake.parsing.fields import split_fields
from service.intake.parsing.people import parse_subjects
from service.intake.parsing.text import (
    Line,
    Wrap,
    is_placeholder,
    lines_from_text,
    paragraphs,
)

REF = date(2014, 3, 6)


# -- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "05/03/2014", "5/3/2014", "05-03-2014", "05.03.14", "5.3.14", "2014-03-05", "2014/03/05",
    "5th March 2014", "5 Mar 2014", "5 Mar. 2014", "5-Mar-14", "05-Mar-2014", "5th of March, 2014",
    "Wednesday 5 March 2014", "Wed 5th Mar. 2014", "March 5th 2014", "Mar 5, 2014", "on 5 March 2014 at 10:00",
])
def test_uk_dates_are_read_day_first_in_any_common_style(text):
    assert parse_date(text, REF) == date(2014, 3, 5)


@pytest.mark.parametrize("text,expected", [("1st Jan 2014", date(2014, 1, 1)), ("2nd Feb 2014", date(2014, 2, 2)),
                                           ("3rd April 2014", date(2014, 4, 3)), ("21st Nov 2010", date(2010, 11, 21)),
                                           ("Sept 22nd 2013", date(2013, 9, 22))])
def test_ordinal_suffixes_are_understood(text, expected):
    assert parse_date(text, REF) == expected


def test_two_digit_years_never_land_in_the_future_for_a_date_of_birth():
    assert parse_date("05/03/09", REF) == date(2009, 3, 5)
    assert parse_date("12/12/75", REF) == date(1975, 12, 12)
    assert parse_date("07/03/14", REF) == date(1914, 3, 7)  # a day after the reference: a birth in 1914


def test_a_referral_date_may_be_a_little_after_the_message():
    assert parse_date("07/03/14", REF, allow_future_days=366) == date(2014, 3, 7)


@pytest.mark.parametrize("text", ["31/02/2014", "29/02/2014", "12/25/2014", "00/01/2014", "32 March 2014", "not a date", ""])
def test_impossible_or_absent_dates_are_none_not_errors(text):
    assert parse_date(text, REF) is None


def test_phone_numbers_and_times_are_not_dates():
    assert find_dates("020 8379 6341 at 10.30") == []


def test_a_weekday_before_a_date_belongs_to_it():
    (found,) = find_dates("seen on Wed 5th Mar. 2014")
    assert "seen on Wed 5th Mar. 2014"[found.start:found.end] == "Wed 5th Mar. 2014"


# -- labels -----------------------------------------------------------------------------


@pytest.mark.parametrize("wording,field", [
    ("Child and adult names, dates of birth and address", L.SUBJECTS),
    ("Child(ren) and adult(s) - names, DOBs and address", L.SUBJECTS),
    ("Subjects", L.SUBJECTS), ("Family members", L.SUBJECTS), ("Details of child/family", L.SUBJECTS),
    ("Names and D.O.B.s of children and adults", L.SUBJECTS),
    ("Date", L.REFERRAL_DATE), ("Date of referral", L.REFERRAL_DATE), ("Referral date", L.REFERRAL_DATE),
    ("Date referred", L.REFERRAL_DATE), ("Date of referral to the LSCB", L.REFERRAL_DATE),
    ("Summary", L.SUMMARY), ("Summary of case", L.SUMMARY), ("Case summary", L.SUMMARY), ("Brief summary", L.SUMMARY),
    ("Background", L.SUMMARY), ("Background to the referral", L.SUMMARY),
    ("Request/Recommendations to the LSCB", L.REQUEST), ("Request / recommendations to the LSCB", L.REQUEST),
    ("Recommendation", L.REQUEST), ("Request to the Board", L.REQUEST),
    ("Please state how the case meets the criteria for an SCR using the criteria in Working Together 2013", L.CRITERIA),
    ("How the case meets the SCR criteria", L.CRITERIA), ("Criteria", L.CRITERIA), ("Reason for referral", L.REASON),
    ("Why does this case meet the threshold for a review", L.CRITERIA),
    ("Name of SCR Panel Member of the referring agency", L.NAME), ("Referring panel member", L.NAME),
    ("Referrer", L.NAME), ("Name of referrer", L.NAME), ("Panel member", L.NAME), ("Referred by", L.NAME),
    ("Agency", L.AGENCY), ("Organisation", L.AGENCY), ("Referring agency", L.AGENCY), ("Name of referring organisation", L.AGENCY),
    ("Tel", L.TELEPHONE), ("Tel no.", L.TELEPHONE), ("Tel. No", L.TELEPHONE), ("Phone", L.TELEPHONE),
    ("Telephone number", L.TELEPHONE), ("Mobile", L.TELEPHONE), ("Contact number", L.TELEPHONE),
    ("E-mail", L.EMAIL), ("Email address", L.EMAIL), ("e-mail", L.EMAIL), ("EMAIL ADDRESS", L.EMAIL),
    ("Telephone / email", L.CONTACT), ("Meeting", L.IGNORE), ("Date of incident", L.IGNORE),
])
def test_label_wordings_of_other_agencies_are_recognised(wording, field):
    match = L.match_label(wording, marked=True)
    assert match is not None and match.field == field


@pytest.mark.parametrize("typo,field", [("Sumary", L.SUMMARY), ("Telephon", L.TELEPHONE), ("Refferal date", L.REFERRAL_DATE)])
def test_typos_are_forgiven_only_where_the_text_is_presented_as_a_label(typo, field):
    assert L.match_label(typo, marked=True).field == field
    assert L.match_label(typo, marked=False) is None


def _split(text: str):
    return split_fields(lines_from_text(text))


def test_value_may_follow_on_the_same_line_or_the_next_lines():
    split = _split("Summary: first\nmore\n\nDate:\n\n5 March 2014\nTelephone 020 7946 0000\nEmail jo@example.org")
    assert [ln.text for ln in split.fields[L.SUMMARY] if ln.text] == ["first", "more"]
    assert [ln.text for ln in split.fields[L.REFERRAL_DATE] if ln.text] == ["5 March 2014"]
    assert split.fields[L.TELEPHONE][0].text == "020 7946 0000"
    assert split.fields[L.EMAIL][0].text == "jo@example.org"


def test_a_sentence_of_narrative_is_not_a_label():
    split = _split("Summary:\nThe summary of agencies involved is attached.\nThe agencies involved were:\nPolice")
    assert L.AGENCY not in split.fields
    assert len([ln for ln in split.fields[L.SUMMARY] if ln.text]) == 3


def test_a_label_broken_over_two_lines_is_one_label():
    split = _split("Please state how the case meets the criteria for an SCR using the criteria in\n"
                   "Working Together 2013\nThe child died.")
    assert [ln.text for ln in split.fields[L.CRITERIA] if ln.text] == ["The child died."]


def test_several_labels_on_one_line_are_separated():
    split = _split("Referrer: Jo Bloggs   Tel: 020 7946 0000   Email: jo@example.org")
    assert split.fields[L.NAME][0].text == "Jo Bloggs"
    assert split.fields[L.TELEPHONE][0].text == "020 7946 0000"
    assert split.fields[L.EMAIL][0].text == "jo@example.org"


def test_signature_contact_details_after_a_sign_off_do_not_override_the_form():
    split = _split("Summary: x\nRequest: y\nTelephone:\n\nKind regards\nJo Bloggs\nTel: 020 7946 0999")
    assert not any(ln.text for ln in split.fields[L.TELEPHONE])
    assert [ln.text for ln in split.after][:2] == ["Kind regards", "Jo Bloggs"]


def test_a_date_inside_the_summary_stays_in_the_summary_once_the_form_date_is_known():
    split = _split("Date: 5/3/2014\nSummary:\nThe child was seen.\nDate: 4 March, at home.\nShe was well.")
    assert len([ln for ln in split.fields[L.SUMMARY] if ln.text]) == 3


def test_a_note_mentioning_the_form_is_not_a_form_but_the_form_is():
    assert not _split("Hello, could you send me the referral form? Thanks").is_form
    assert _split("Subjects: A\nSummary: B\nDate: 1/1/2014").is_form


# -- paragraphs and placeholders ----------------------------------------------------------


def test_each_line_of_an_unwrapped_body_is_its_own_paragraph():
    assert paragraphs(["Short line one", "Short line two."], None) == ["Short line one", "Short line two."]


def test_hard_wrapped_lines_are_joined_into_paragraphs():
    text = ("The child was taken to hospital with a head injury and bruising to both arms;\n"
            "the injuries were assessed as non-accidental by the consultant on duty that\n"
            "evening.\nA second paragraph.")
    lines = lines_from_text(text)
    assert paragraphs(lines, Wrap(width=79)) == [
        ("The child was taken to hospital with a head injury and bruising to both arms; the injuries were assessed "
         "as non-accidental by the consultant on duty that evening."),
        "A second paragraph.",
    ]


def test_plain_text_is_only_treated_as_wrapped_on_evidence():
    short = ["Child - A", "Mother - B", "Summary"]
    assert Wrap.for_plain_text(short) is None


@pytest.mark.parametrize("text", ["N/A", "n/a", "-", "TBC", "None", "not known", "[enter text]",
                                  "Click here to enter text.", "Click or tap here to enter text.", "", "  "])
def test_placeholder_answers_count_as_not_given(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["No further action was taken.", "Nia", "A"])
def test_short_real_answers_are_not_placeholders(text):
    assert not is_placeholder(text)


# -- people ------------------------------------------------------------------------------


def _people(*lines: str, ref: date = REF) -> list[dict]:
    return parse_subjects([Line(x) for x in lines], ref)


def test_household_address_applies_to_everyone_listed_with_it():
    people = _people("Child: Amy Lee, DOB 01/02/2010; Mother: Kim Lee, DOB 03/04/1985; Address: 1 High St, Enfield EN1 1AA")
    assert [p["address"] for p in people] == ["1 High St, Enfield EN1 1AA"] * 2


def test_an_address_after_a_group_applies_to_that_group_only():
    people = _people("Child: Amy Lee, DOB 01/02/2010", "Address: 1 High St, Enfield EN1 1AA",
                     "Father: Tom Lee, DOB 05/06/1980", "Address: 9 Low Rd, London N1 1AA")
    assert [p["address"] for p in people] == ["1 High St, Enfield EN1 1AA", "9 Low Rd, London N1 1AA"]


def test_people_with_their_own_address_keep_it():
    people = _people("Child: Amy Lee, DOB 01/02/2010; Father: Tom Lee, DOB 05/06/1980, 9 Low Rd, London N1 1AA; "
                     "Address: 1 High St, Enfield EN1 1AA")
    assert [p["address"] for p in people] == ["1 High St, Enfield EN1 1AA", "9 Low Rd, London N1 1AA"]


def test_an_address_given_before_the_people_applies_to_them():
    people = _people("Address: 1 High St, Enfield EN1 1AA", "Amy Lee (child) DOB 01/02/2010", "Kim Lee (mother) DOB 03/04/1985")
    assert [p["address"] for p in people] == ["1 High St, Enfield EN1 1AA"] * 2


@pytest.mark.parametrize("line,name,relationship,dob", [
    ("Child: Chloé Hussain, DOB 21/11/1998", "Chloé Hussain", "child", "1998-11-21"),
    ("Freya Ahmed (child) - DOB: 16 June 2007", "Freya Ahmed", "child", "2007-06-16"),
    ("Lisa Ahmed, mother, d.o.b. 1/2/1980", "Lisa Ahmed", "mother", "1980-02-01"),
    ("Mother's partner: Dean Clarke, DOB 1974-10-12", "Dean Clarke", "mother's partner", "1974-10-12"),
    ("Mother – Jo Bloggs (DOB 15.04.1986)", "Jo Bloggs", "mother", "1986-04-15"),
    ("HUSSAIN, Chloe (child) born 21.11.98", "HUSSAIN, Chloe", "child", "1998-11-21"),
    ("Chloe HUSSAIN (child) DOB 21/11/1998", "Chloe HUSSAIN", "child", "1998-11-21"),
    ("Child 1: Ann   Lee, DOB 2/2/2012", "Ann Lee", "child", "2012-02-02"),
    ("2) Ellie-Mae Jones (DOB 12/02/2012) - subject child", "Ellie-Mae Jones", "subject child", "2012-02-12"),
    ("Jayden's father: Mr Paul Okoro, born 3rd Jan 1985", "Mr Paul Okoro", "jayden's father", "1985-01-03"),
])
def test_one_person_written_in_many_ways(line, name, relationship, dob):
    (person,) = _people(line)
    assert (person["name"], person["relationship"], person["date_of_birth"]) == (name, relationship, dob)


def test_key_value_lines_describe_one_person_at_a_time():
    people = _people("Child's name: Ruby Clarke", "DOB: 5 Mar. 2012", "Mother's name: Gemma Clarke", "Date of birth: 5/3/1986")
    assert [(p["name"], p["relationship"], p["date_of_birth"]) for p in people] == [
        ("Ruby Clarke", "child", "2012-03-05"), ("Gemma Clarke", "mother", "1986-03-05")]


def test_role_comes_from_a_relationship_that_states_it_before_the_age():
    (child, partner) = _people("Child: Ann Lee, DOB 01/01/1990", "Mother's partner: Tom Cole, DOB 01/01/2001")
    assert child["role"] == "child" and partner["role"] == "adult"


def test_a_sibling_is_a_child_unless_18_or_over_by_date_of_birth():  # issue 19: an adult half-brother
    (older, younger) = _people("Sibling: Ann Lee, DOB 01/01/1990", "Half-sister: Bea Lee, DOB 01/01/2012")
    assert older["role"] == "adult" and younger["role"] == "child"


def test_role_comes_from_age_on_the_referral_date_when_no_relationship_is_given():
    people = _people("Ann Lee, DOB 07/03/1996", "Ben Lee, DOB 05/03/1996", "Cat Lee (aged 15)", "Dan Lee, 34 years", "Eve Lee")
    assert [p["role"] for p in people] == ["child", "adult", "child", "adult", "unknown"]


def test_a_people_table_in_text_may_have_its_columns_in_any_order():
    people = _people("DOB\tName\tRelationship", "01/02/2010\tAmy Lee\tchild", "03/04/1985\tKim Lee\tmother")
    assert [(p["name"], p["relationship"], p["date_of_birth"]) for p in people] == [
        ("Amy Lee", "child", "2010-02-01"), ("Kim Lee", "mother", "1985-04-03")]


def test_narrative_in_the_subjects_section_is_not_a_person():
    assert _people("The family live together at the address below.", "Not known") == []


def test_names_outside_the_subjects_section_are_never_subjects():
    split = _split("Subjects: Child: Amy Lee, DOB 01/02/2010\nSummary:\nMother: Kim Lee was present.\nRequest: review")
    assert [p["name"] for p in parse_subjects(split.fields[L.SUBJECTS], REF)] == ["Amy Lee"]


# -- referrer ----------------------------------------------------------------------------


@pytest.mark.parametrize("signature,name,agency", [
    ("Kind regards,\n\nNeil Patel\nEnfield Council Children's Services", "Neil Patel", "Enfield Council Children's Services"),
    ("Regards, Neil Patel\nEnfield Council", "Neil Patel", "Enfield Council"),
    ("Many thanks,\nNeil\n\nNeil Patel | Team Manager | Enfield Council Children's Services | 020 7946 0000", "Neil Patel",
     "Enfield Council Children's Services"),
    (("Kind regards\nJane Doe\nDesignated Nurse for Safeguarding Children\nNorth Middlesex University Hospital NHS Trust\n"
      "Tel: 020 8887 2000"), "Jane Doe", "North Middlesex University Hospital NHS Trust"),
    ("Best wishes\nJo Bloggs\nHead of Safeguarding, Enfield CCG", "Jo Bloggs", "Enfield CCG"),
    ("Best wishes\nJo Bloggs\nMASH", "Jo Bloggs", "MASH"),
])
def test_agency_is_the_organisation_under_the_signers_name(signature, name, agency):
    from service.intake.parsing.referrer import agency_from_signature

    assert agency_from_signature(lines_from_text(signature), name) == agency


@pytest.mark.parametrize("signature", ["Thanks\nKaren Hargreaves", "Thanks\nJo Bloggs\nSocial Worker\n07700 900123",
                                       "Please log this.", ""])
def test_no_agency_is_guessed_from_a_signature_without_one(signature):
    from service.intake.parsing.referrer import agency_from_signature

    assert agency_from_signature(lines_from_text(signature), "Jo Bloggs") is None


@pytest.mark.parametrize("written,telephone", [("020 8379 6341", "020 8379 6341"), ("Tel: 07700 900123 (mobile)", "07700 900123 (mobile)"),
                                               ("ext 1234", None), ("N/A", None), ("020 7946 0000 / jo@example.org", "020 7946 0000")])
def test_telephone_is_kept_as_written_when_it_holds_a_number(written, telephone):
    from service.intake.parsing.referrer import telephone as read_telephone

    assert read_telephone([Line(written)]) == telephone


def test_a_bold_lead_in_a_paragraph_reads_as_its_label():
    from service.intake.parsing.blocks import to_lines
    from service.intake.parsing.html_text import html_blocks

    lines = to_lines(html_blocks("<p><b>Summary</b> The child was hurt.</p><p><b>Date of referral</b> 5/3/2014</p>"))
    split = split_fields(lines)
    assert split.fields[L.SUMMARY][0].text == "The child was hurt."
    assert split.fields[L.REFERRAL_DATE][0].text == "5/3/2014"


@pytest.mark.parametrize("data,charset,text", [
    ("Chloé “x”".encode("cp1252"), "iso-8859-1", "Chloé “x”"),  # ISO-8859-1 read as Windows-1252
    ("Chloé".encode(), "iso-8859-1", "Chloé"),  # mislabelled UTF-8
    ("Chloé".encode("latin-1"), "utf-8", "Chloé"),  # mislabelled Latin-1
    ("Chloé".encode(), "x-no-such-charset", "Chloé"),
    ("Summary: Chloé".encode("utf-16-le"), None, "Summary: Chloé"),  # UTF-16 without a byte-order mark
    ("Summary: Chloé".encode("utf-16-be"), "utf-16", "Summary: Chloé"),
    ("\ufeffSummary".encode("utf-16-le"), None, "Summary"),
])
def test_charsets_are_decoded_even_when_wrong_or_unknown(data, charset, text):
    from service.intake.parsing.mime_reader import decode_bytes

    assert decode_bytes(data, charset) == text
