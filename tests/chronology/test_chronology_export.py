"""The integrated chronology as Word, Excel and an SVG timeline."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from service.chronology.export import to_docx, to_xlsx
from service.chronology.integrate import integrate
from service.chronology.rows import ChronologyRow, ReadResult, Source, When
from service.chronology.timeline import to_svg

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def chron(all_read):
    return integrate(all_read)


def test_word_is_landscape_with_the_header_row_repeated_and_every_row(chron):
    from docx import Document

    doc = Document(io.BytesIO(to_docx(chron, "Integrated chronology: test")))
    sec = doc.sections[0]
    assert sec.page_width > sec.page_height
    main = doc.tables[-1]
    assert len(main.rows) == len(chron.entries) + 1
    head = main.rows[0]._tr
    assert head.find(f"{W}trPr/{W}tblHeader") is not None
    assert [c.text for c in main.rows[0].cells][:4] == ["No.", "Date", "Time", "Agency"]
    first = [c.text for c in main.rows[1].cells]
    assert first[1] == "TBC" and first[3] == "Ambulance Service" and "to check: date unreadable" in first[8]
    agencies = doc.tables[0]
    assert len(agencies.rows) == len(chron.agencies) + 1
    assert all(tc.find(f"{W}p") is not None for tc in main._tbl.iter(f"{W}tc"))  # Word needs a paragraph in each
    texts = [row.cells[5].text for row in main.rows[1:]]
    assert any(t.startswith("Home visit: ") for t in texts)  # contact type before what happened


def test_excel_has_a_filter_a_frozen_header_and_real_dates(chron, expected):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx(chron)))
    ws = wb["Chronology"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:P{len(chron.entries) + 1}"
    assert ws.max_row == len(chron.entries) + 1
    assert ws["B2"].value is None and ws["C2"].value == "TBC"  # a row to check first, its text kept
    dated = [ws.cell(row=r, column=2).value for r in range(5, ws.max_row + 1)]
    assert all(d is not None for d in dated) and dated == sorted(dated)
    assert [c.value for c in wb["Agencies"][1]][:2] == ["Agency", "Rows"]
    assert sum(wb["Agencies"].cell(row=r, column=2).value for r in range(2, wb["Agencies"].max_row + 1)) == sum(
        len(e["rows"]) for e in expected.values())


def test_text_that_looks_like_a_formula_stays_text():
    row = ChronologyRow(when=When.day(__import__("datetime").date(2023, 1, 2)), agency="=HYPERLINK(\"x\")",
                        event="+cmd|' /C calc'!A0\x07", source=Source("f", "t", (1,)))
    from openpyxl import load_workbook

    data = to_xlsx(integrate([ReadResult("f", (row,))]))
    ws = load_workbook(io.BytesIO(data))["Chronology"]
    assert ws["F2"].data_type == "s" and ws["F2"].value == '=HYPERLINK("x")'
    assert ws["I2"].value == "+cmd|' /C calc'!A0"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
    to_docx(integrate([ReadResult("f", (row,))]))  # the control character does not break Word either


def test_the_timeline_is_one_page_of_svg_with_a_lane_per_agency_and_no_row_text(chron):
    svg = to_svg(chron, "Contacts by agency")
    root = etree.fromstring(svg.encode())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("viewBox") == "0 0 1123 794"
    texts = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    for a in chron.agencies:
        assert f"{a.agency} ({a.rows})" in texts
    exact = [e for e in chron.entries if e.row.when.known and not e.row.needs_person and not e.row.when.partial]
    assert len(list(root.iter(f"{ns}circle"))) == len(exact)
    assert "3 rows without a readable date are not drawn" in texts
    for e in chron.entries:
        assert e.row.event not in svg
    dashed = [ln for ln in root.iter(f"{ns}line") if ln.get("stroke-dasharray")]
    assert len(dashed) == chron.groups


def test_the_timeline_shows_a_silence_of_four_weeks_or_more():
    from datetime import date

    rows = tuple(ChronologyRow(when=When.day(d), agency="A", event="x", source=Source("f", "t", (i,)))
                 for i, d in enumerate([date(2023, 1, 2), date(2023, 1, 9), date(2023, 3, 20)], start=1))
    svg = to_svg(integrate([ReadResult("f", rows)]))
    assert "no contact 69 days" in svg


def test_an_empty_chronology_still_draws_a_page():
    assert "No dated rows" in to_svg(integrate([]))


def test_lines_of_a_cell_stay_lines_in_word():
    from datetime import date

    from docx import Document

    row = ChronologyRow(when=When.day(date(2023, 1, 2)), agency="A", event="first line\nsecond <line> & more",
                        source=Source("f", "t", (1,)))
    doc = Document(io.BytesIO(to_docx(integrate([ReadResult("f", (row,))]))))
    cell = doc.tables[-1].rows[1].cells[5]
    assert [p.text for p in cell.paragraphs] == ["first line", "second <line> & more"]


@pytest.mark.parametrize("days, agencies", [(0, 1), (20, 3), (400, 12), (7300, 60)])
def test_the_timeline_fits_one_page_whatever_the_period_and_number_of_agencies(days, agencies):
    from datetime import date, timedelta

    rows = tuple(ChronologyRow(when=When.day(date(2010, 1, 1) + timedelta(days=days * i // 9)), agency=f"Agency {a}",
                               event="x", source=Source("f", "t", (i,))) for a in range(agencies) for i in range(10))
    root = etree.fromstring(to_svg(integrate([ReadResult("f", rows)])).encode())
    ns = "{http://www.w3.org/2000/svg}"
    ys = [float(c.get("cy")) for c in root.iter(f"{ns}circle")]
    xs = [float(c.get("cx")) for c in root.iter(f"{ns}circle")]
    assert len(ys) == 10 * agencies
    assert 0 < min(ys) and max(ys) < 794 and 0 < min(xs) and max(xs) <= 1123
    ticks = [t for t in root.iter(f"{ns}text") if t.get("font-size") == "9" and t.get("text-anchor") == "middle"]
    assert 0 < len(ticks) <= 40 or days == 0
