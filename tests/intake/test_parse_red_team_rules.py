"""General rules behind the red-team fixes (tests/intake/unseen), checked on wordings of their own."""

from service.intake.parsing import parse_message

HEAD = (b"From: Sam Reid <sam.reid@example.org>\r\nTo: board@example.gov.uk\r\nSubject: Referral\r\n"
        b"Date: Tue, 03 Feb 2015 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")


def _parse(body: str) -> dict:
    return parse_message(HEAD + body.replace("\n", "\r\n").encode("utf-8"))


def _people(record: dict) -> list[tuple]:
    return [(s["name"], s["role"], s["relationship"], s["date_of_birth"], s["address"]) for s in record["subjects"]]


def test_questions_answered_on_their_own_line_are_labels_and_values():
    r = _parse(
        "What is the child's name? Mia Lowe\n"
        "What is the child's date of birth? 12/05/2010\n"
        "Where does the family live? 4 Elm Road, Enfield EN1 1AA\n"
        "What has happened? Mia was found alone at home for three days.\n"
        "What would you like the Board to do? Consider a rapid review.\n"
        "How does the case meet the criteria for a serious case review? Serious harm; agencies did not share.\n"
        "Who is making this referral? Sam Reid\n"
        "Telephone number? 020 8000 2222\n"
        "Email address? sam.reid@example.org\n"
    )
    assert r["kind"] == "referral" and r["missing"] == ["referral_date"]
    assert _people(r) == [("Mia Lowe", "child", "child", "2010-05-12", "4 Elm Road, Enfield EN1 1AA")]
    assert r["summary"] == "Mia was found alone at home for three days."
    assert r["request"] == "Consider a rapid review."
    assert r["referrer"]["telephone"] == "020 8000 2222"


def test_a_question_in_the_narrative_is_not_a_label():
    r = _parse(
        "Child's name: Mia Lowe\nDOB: 12/05/2010\n\nDate of referral: 03/02/2015\n\n"
        "Summary:\nWhy did nobody visit? The school had closed the case.\n\n"
        "Request: An SCR.\n\nCriteria: Serious harm.\n\nReferrer: Sam Reid\n"
    )
    assert r["summary"] == "Why did nobody visit? The school had closed the case."


def test_a_second_person_named_by_relation_on_the_same_line_is_a_person_of_their_own():
    r = _parse(
        "Who is this referral about? Leo Hart (child), DOB 01/03/2012, and her father Tom Hart, DOB 02/04/1980\n"
        "Address: 9 Oak Lane, Enfield EN3 4BB\n\n"
        "Date of referral: 03/02/2015\n\nSummary: An account.\n\nRequest: An SCR.\n\nCriteria: Serious harm.\n\n"
        "Referrer: Sam Reid\n"
    )
    assert _people(r) == [
        ("Leo Hart", "child", "child", "2012-03-01", "9 Oak Lane, Enfield EN3 4BB"),
        ("Tom Hart", "adult", "father", "1980-04-02", "9 Oak Lane, Enfield EN3 4BB"),
    ]


def _children_line(value: str) -> list[tuple]:
    r = _parse(
        f"Names of children: {value}\nDOB: 05/09/2013\nAddress: 2 Ash Close, Enfield EN2 7CC\n"
        "Mother: Kay Lund, DOB 01/01/1990\n\n"
        "Date of referral: 03/02/2015\n\nSummary: An account.\n\nRequest: An SCR.\n\nCriteria: Serious harm.\n\n"
        "Referrer: Sam Reid\n"
    )
    return [(s["name"], s["role"], s["date_of_birth"], s["address"]) for s in r["subjects"]]


def test_children_named_together_on_one_line_are_each_a_person_with_the_dob_and_address_after_them():
    mother = ("Kay Lund", "adult", "1990-01-01", "2 Ash Close, Enfield EN2 7CC")
    for value, names in [
        ("Ivy Lund and Rex Lund", ["Ivy Lund", "Rex Lund"]),
        ("Ivy Lund & Rex Lund", ["Ivy Lund", "Rex Lund"]),
        ("Ivy and Rex Lund", ["Ivy Lund", "Rex Lund"]),
        ("Ivy, Rex and Zac Lund", ["Ivy Lund", "Rex Lund", "Zac Lund"]),
        ("Ivy and Rex de Vries", ["Ivy de Vries", "Rex de Vries"]),
    ]:
        assert _children_line(value) == [(n, "child", "2013-09-05", "2 Ash Close, Enfield EN2 7CC") for n in names] + [
            mother], value


def test_a_surname_first_name_is_not_a_list():
    assert _children_line("LUND, Ivy")[0][0] == "LUND, Ivy"


def test_a_relationship_heading_before_the_first_key_lines_is_that_persons_relationship():
    for heading in ("SIBLING 1", "Young person", "Father"):
        r = _parse(
            f"Referral\n\n{heading}\nFirst name: Ola\nLast name: Berg\nDate of birth: 07/07/2008\n\n"
            "Mother\nFull name: Ida Berg\nDOB: 08/08/1985\nAddress: same as above\n\n"
            "Date of referral: 03/02/2015\n\nSummary: An account.\n\nRequest: An SCR.\n\nCriteria: Serious harm.\n\n"
            "Referrer: Sam Reid\n"
        )
        assert [(s["name"], s["relationship"]) for s in r["subjects"]] == [
            ("Ola Berg", heading.lower().replace(" 1", "")), ("Ida Berg", "mother")], heading


def test_the_relationship_in_a_name_columns_header_is_each_rows_relationship():
    tail = ("Date of referral: 03/02/2015\n\nSummary: An account.\n\nRequest: An SCR.\n\nCriteria: Serious harm.\n\n"
            "Referrer: Sam Reid\n")
    text = _parse("Name of father\tDate of birth\tAddress\nTom Hart\t02/04/1980\t9 Oak Lane, Enfield EN3 4BB\n\n" + tail)
    assert [(s["name"], s["relationship"], s["role"]) for s in text["subjects"]] == [("Tom Hart", "father", "adult")]
    html = (HEAD.replace(b"text/plain", b"text/html")
            + b"<table><tr><th>Sibling's name</th><th>DOB</th></tr><tr><td>Leo Hart</td><td>01/03/2012</td></tr>"
              b"<tr><td>Mia Hart</td><td>01/03/2014</td></tr></table>"
            + b"".join(b"<p>" + p.encode() + b"</p>" for p in tail.split("\n") if p))
    r = parse_message(html)
    assert [(s["name"], s["relationship"]) for s in r["subjects"]] == [("Leo Hart", "sibling"), ("Mia Hart", "sibling")]


def test_a_bare_date_label_after_a_long_address_line_is_still_the_date_label_when_a_date_is_under_it():
    r = _parse(
        "Family\nOla Berg (son), 6 yrs\nIda Berg (mother)\nAddress\nFlat 7, Riverside Court, 112 Longwater Road, Enfield EN3 9ZZ\n"
        "Date\n4th February 2015\nSummary\nAn account.\nRecommendation\nAn SCR.\nCriteria\nSerious harm.\n"
        "Referrer\nSam Reid\nPhone\n020 8000 2222\n"
    )
    assert r["referral_date"] == "2015-02-04"
    assert [s["name"] for s in r["subjects"]] == ["Ola Berg", "Ida Berg"]
    assert r["referrer"]["telephone"] == "020 8000 2222"


def test_a_name_role_agency_line_wrapped_after_a_comma_is_read_whole():
    r = _parse(
        "Hi,\n\nPlease find below a referral from our practice regarding one of our younger patients today.\n\n"
        "Child's name: Mia Lowe\nDOB: 12/05/2010\n\nDate: 3/2/15\n\nSummary: An account.\n\nRequest: An SCR.\n\n"
        "Criteria: Serious harm.\n\n"
        "Name/role/agency: Dr Jo Amos, Named Nurse for Safeguarding,\nNorth Enfield Health Centre\n"
        "Tel: 020 8000 2222\n\nRegards\nJo Amos\n"
    )
    assert (r["referrer"]["name"], r["referrer"]["agency"]) == ("Dr Jo Amos", "North Enfield Health Centre")
    assert r["referrer"]["telephone"] == "020 8000 2222"


def test_a_sentence_of_the_covering_note_is_never_the_agency():
    r = _parse(
        "Hi,\n\nPlease find below a referral from the Health Centre regarding one of our younger patients.\n\n"
        "Child's name: Mia Lowe\nDOB: 12/05/2010\n\nDate: 3/2/15\n\nSummary: An account.\n\nRequest: An SCR.\n\n"
        "Criteria: Serious harm.\n\nReferrer: Jo Amos\nTel: 020 8000 2222\n\nRegards\nJo Amos\n"
    )
    assert r["referrer"]["agency"] is None
