"""The publication check finds every planted identifier in a Word and a PDF report, nothing in a
clean one, and never writes a found value to a log."""

from __future__ import annotations

import io
import logging
from datetime import date
from pathlib import Path

import pytest

from service.chronology.report_check import CheckError, Identifiers, Unit, check_report, check_units

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def ids(report_expected):
    return Identifiers.from_data(report_expected["identifiers"])


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


@pytest.mark.parametrize("name", ["report_planted.docx", "report_planted.pdf"])
def test_every_planted_identifier_is_found_where_it_was_planted(name, ids, report_expected):
    findings = check_report((FIXTURES / name).read_bytes(), ids)
    want = report_expected[name]["found"]
    assert len(want) >= 11
    for w in want:
        hits = [f for f in findings if f.kind == w["kind"] and _same(f.text, w["text"])]
        assert hits, w
        if "paragraph" in w:
            assert any(f.paragraph == w["paragraph"] and f.where == f"paragraph {w['paragraph']}" for f in hits), w
        elif "page" in w:
            assert any(f.page == w["page"] and f.where.startswith(f"page {w['page']}, line ") for f in hits), w
        else:
            assert any(w["where"] in f.where for f in hits), w
    assert len(findings) == len(want)  # and nothing else


@pytest.mark.parametrize("name", ["report_clean.docx", "report_clean.pdf"])
def test_nothing_is_found_in_a_clean_report(name, ids):
    assert check_report((FIXTURES / name).read_bytes(), ids) == []


def _find(text: str, **identifiers) -> list[str]:
    return [f.text for f in check_units([Unit("paragraph 1", text, paragraph=1)], Identifiers.from_data(identifiers))]


@pytest.mark.parametrize("text, found", [
    ("seen by Siobhan O'Brien", ["Siobhan O'Brien"]),
    ("seen by SIOBHAN OBRIEN", ["SIOBHAN OBRIEN"]),
    ("seen by Siobhan O Brien", ["Siobhan O Brien"]),
    ("O’Brien’s account", ["O’Brien’s"]),
    ("S. O'Brien and S O'Brien", ["S. O'Brien", "S O'Brien"]),
    ("Mrs  o'brien", ["o'brien"]),
    ("Siobhan\nO'Brien", ["Siobhan\nO'Brien"]),
    ("Siobhán", ["Siobhán"]),
    ("Brienne and Obrienne", []),
    ("SiobhanO'Brien in a text layer", ["SiobhanO'Brien"]),
    ("Siob-\nhan and O'Bri-\nen", ["Siob-\nhan", "O'Bri-\nen"]),
])
def test_name_variants(text, found):
    assert _find(text, names=["Siobhan O'Brien"]) == found


def test_hyphenated_and_mc_names():
    assert _find("Lee Smith Jones, Smith-Jones's, Mc Donald", names=["Lee Smith-Jones", "Amy McDonald"]) == [
        "Lee Smith Jones", "Smith-Jones's", "Mc Donald"]


@pytest.mark.parametrize("text", ["14/02/2019", "14/2/19", "14.02.2019", "14-02-2019", "2019-02-14", "14 February 2019",
                                  "14th Feb 2019", "Thursday 14th of February 2019", "February 14, 2019", "02/14/2019"])
def test_a_date_of_birth_in_any_format(text):
    assert _find(f"born {text} in London", dobs=["14/02/2019"]) == [text]


def test_other_dates_are_not_a_date_of_birth():
    assert _find("on 15/02/2019 and 14/03/2019 and 02/01/2019", dobs=["14/02/2019"]) == []


def test_addresses_by_street_with_or_without_number_and_any_postcode():
    address = ["Flat 3, 27 Larchwood Road, Enfield, EN3 7QX"]
    assert _find("lived at 27, Larchwood Road", addresses=address) == ["27, Larchwood Road"]
    assert _find("moved to larchwood rd.", addresses=address) == ["larchwood rd."]
    assert _find("near the Larchwood estate", addresses=address) == ["Larchwood"]
    assert _find("en3 7qx and N1 9GU", addresses=address) == ["en3 7qx", "N1 9GU"]
    assert _find("Enfield Safeguarding Children Board; a flat; the road", addresses=address) == []


def test_postcode_findings_say_whether_the_case_holds_them():
    units = [Unit("paragraph 1", "EN3 7QX or N1 9GU", paragraph=1)]
    found = check_units(units, Identifiers.from_data({"addresses": ["1 High Street, EN3 7QX"]}))
    assert [f.identifier for f in found] == ["address 1", "postcode (not in the case record)"]


def test_schools_with_or_without_their_type_and_saints():
    schools = ["Hilltop Primary School", "St Mary's C of E Junior School"]
    assert _find("Hilltop Primary School, hilltop school and Hilltop", schools=schools) == [
        "Hilltop Primary School", "hilltop school", "Hilltop"]
    assert _find("Saint Marys Junior and St. Mary's", schools=schools) == ["Saint Marys Junior", "St. Mary's"]
    assert _find("a primary school and a junior school", schools=schools) == []


def test_tracked_deletions_headers_and_properties_of_a_word_report_are_checked(tmp_path):
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document()
    p = doc.add_paragraph("The child ")
    deleted = parse_xml('<w:del xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" '
                        'w:author="x"><w:r><w:delText>Tanya Mellor</w:delText></w:r></w:del>')
    p._p.append(deleted)
    doc.sections[0].footer.paragraphs[0].text = "EN3 7QX"
    doc.core_properties.subject = "Review of Tanya"
    buf = io.BytesIO()
    doc.save(buf)
    found = check_report(buf.getvalue(), Identifiers.from_data({"names": ["Tanya Mellor"]}))
    assert [(f.where.split(" (")[0] if "properties" not in f.where else f.where, f.text) for f in found] == [
        ("paragraph 1", "Tanya Mellor"), ("footer", "EN3 7QX"), ("document properties (subject)", "Tanya")]
    assert "tracked deletion" in found[0].where


def test_no_found_value_is_logged(report_expected, ids, caplog):
    caplog.set_level(logging.DEBUG)
    findings = check_report((FIXTURES / "report_planted.docx").read_bytes(), ids)
    assert findings
    logged = caplog.text + " ".join(str(vars(r)) for r in caplog.records)
    for f in findings:
        assert f.text not in logged
    for value in ("Mellor", "Ashworth", "Larchwood", "EN3", "2019", "Hilltop", "KJ"):
        assert value not in logged


def test_bad_identifiers_are_refused_without_their_value():
    with pytest.raises(CheckError) as exc:
        Identifiers.from_data({"dobs": ["31/02/2019"]})
    assert "31/02" not in str(exc.value) and "date of birth number 1" in str(exc.value)
    with pytest.raises(CheckError, match="unknown keys"):
        Identifiers.from_data({"nmes": ["x"]})
    with pytest.raises(CheckError, match="no identifiers"):
        check_report((FIXTURES / "report_clean.docx").read_bytes(), Identifiers())
    assert Identifiers.from_data({"dob": "14/02/2019"}).dobs == (date(2019, 2, 14),)


def test_a_file_that_is_not_a_report_is_refused():
    with pytest.raises(CheckError, match="not a Word"):
        check_report(b"hello", Identifiers.from_data({"names": ["A B"]}))
