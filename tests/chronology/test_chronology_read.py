"""Every row of every fixture layout is read, with its date, time, agency, text and flags; hostile
files end in a clear error, fast."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from service.chronology.limits import ChronologyReadError
from service.chronology.read import read_chronology, read_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_there_are_at_least_eight_layouts(expected):
    assert len(expected) >= 8
    kinds = {name.rsplit(".", 1)[1] for name in expected}
    assert kinds == {"docx", "xlsx", "odt", "pdf"}


@pytest.mark.parametrize("name", sorted((FIXTURES / "expected.json").exists() and __import__("json").loads(
    (FIXTURES / "expected.json").read_text())))
def test_every_row_is_read_as_written(name, expected):
    want = expected[name]["rows"]
    got = read_path(FIXTURES / name).rows
    assert len(got) == len(want), [r.as_data()["event"] for r in got]
    for n, (row, w) in enumerate(zip(got, want), start=1):
        d = row.as_data()
        where = f"{name} row {n}"
        assert (d["date"], d["date_end"], d["precision"]) == (w["date"], w["end"], w["precision"]), where
        assert d["time"] == w["time"], where
        assert d["agency"] == w["agency"], where
        assert _norm(w["event_contains"]) in _norm(d["event"]), where
        assert _norm(w["action_contains"]) in _norm(d["action"]), where
        assert d["flags"] == w["flags"], where
        assert row.source.file == name and row.source.rows, where


def test_a_row_continued_over_two_table_rows_is_one_row_with_both_row_numbers():
    rows = read_path(FIXTURES / "probation_continued.docx").rows
    continued = rows[1]
    assert continued.source.rows == (3, 4)
    assert "licence conditions" in continued.event and continued.action == "Home visit arranged"


def test_an_unreadable_date_is_kept_flagged_with_its_text():
    rows = read_path(FIXTURES / "ambulance_unreadable_dates.xlsx").rows
    flagged = [r for r in rows if r.needs_person]
    assert [r.when.text for r in flagged] == ["TBC", "31/02/2023", "??/04/2023"]


def test_the_pdf_table_over_two_pages_is_read_whole():
    rows = read_path(FIXTURES / "camhs_pdf.pdf").rows
    assert {r.source.part for r in rows} == {"page 1", "page 2"}
    assert [r.event.split(":")[0] for r in rows] == [f"Session {i}" for i in range(1, 29)]


def test_the_agency_given_fills_only_rows_that_name_none():
    rows = read_chronology((FIXTURES / "gp_odt.odt").read_bytes(), "gp.odt", agency="Other").rows
    assert {r.agency for r in rows} == {"GP Practice"}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<" + b" " * (150 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    started = time.monotonic()
    with pytest.raises(ChronologyReadError, match="zip bomb"):
        read_chronology(bomb, "bomb.docx")
    assert time.monotonic() - started < 2


def test_xml_with_entities_is_refused():
    doc = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><w:document xmlns:w="x">&a;</w:document>'
    with pytest.raises(ChronologyReadError, match="DOCTYPE"):
        read_chronology(_zip({"word/document.xml": doc}), "x.docx")


def test_a_sheet_reaching_the_last_row_costs_only_its_values():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Date", "What happened"])
    ws.append(["06/03/2023", "Visit"])
    ws.cell(row=1_048_576, column=16_000, value="far away")
    buf = io.BytesIO()
    wb.save(buf)
    started = time.monotonic()
    rows = read_chronology(buf.getvalue(), "far.xlsx").rows
    assert time.monotonic() - started < 5
    assert [r.event for r in rows] == ["Visit"]


def test_too_many_rows_is_a_clear_error(monkeypatch):
    from service.chronology import limits, word

    monkeypatch.setattr(word, "MAX_ROWS", 3)
    with pytest.raises(ChronologyReadError, match="more than 3 table rows"):
        read_path(FIXTURES / "police_word_standard.docx")
    assert limits.MAX_ROWS >= 10_000


@pytest.mark.parametrize("data, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Word or Excel"),
    (b"hello", "not a Word"),
    (b"PK\x03\x04 not really", "corrupt"),
    (b"%PDF-1.4\n garbage", "not a readable PDF"),
])
def test_other_files_are_refused_with_a_reason(data, message):
    with pytest.raises(ChronologyReadError, match=message):
        read_chronology(data, "x")


def test_a_document_without_a_chronology_table_says_so_without_quoting_it():
    with pytest.raises(ChronologyReadError) as exc:
        read_path(FIXTURES / "report_planted.docx")
    assert "no chronology table" in str(exc.value)
    assert "Mellor" not in str(exc.value) and "Kai" not in str(exc.value)


def test_a_pdf_without_a_text_layer_is_refused():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    with pytest.raises(ChronologyReadError, match="no text layer"):
        read_chronology(bytes(pdf.output()), "scan.pdf")


def test_the_generator_writes_what_is_committed(tmp_path, expected, report_expected):
    import json
    import sys

    sys.path.insert(0, str(FIXTURES.parent))
    from make_fixtures import main

    main(tmp_path)
    assert json.loads((tmp_path / "expected.json").read_text()) == expected
    assert json.loads((tmp_path / "report_expected.json").read_text()) == report_expected
    for name in expected:  # and the fresh files read the same as the committed ones
        assert [r.as_data() for r in read_path(tmp_path / name).rows] == [r.as_data() for r in read_path(FIXTURES / name).rows]


def _pdf_with_stream(stream: bytes) -> bytes:
    """A one-page PDF whose content stream is ``stream``, compressed (written here, byte by byte)."""
    import zlib

    packed = zlib.compress(stream, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_compression_bomb_is_refused_fast():
    bomb = _pdf_with_stream(b" " * 90_000_000)
    assert len(bomb) < 200_000
    started = time.monotonic()
    with pytest.raises(ChronologyReadError, match="compression bomb"):
        read_chronology(bomb, "bomb.pdf")
    assert time.monotonic() - started < 10


def test_a_pdf_without_ruling_lines_is_read_by_alignment_over_its_pages():
    rows = read_path(FIXTURES / "yos_pdf_unruled.pdf").rows
    assert {r.source.part for r in rows} == {"page 1", "page 2"}
    assert not any("Page" in r.event or "Page" in r.action for r in rows)  # the footer is no row's text
    two = rows[1]
    assert two.event.endswith("at the office; mother attended and raised worries about school")
    assert len(two.source.rows) == 2


def test_a_ruled_box_above_an_unruled_chronology_does_not_hide_it():
    from datetime import date, timedelta

    from fpdf import FPDF

    pdf = FPDF(orientation="L")
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    with pdf.table(col_widths=(40, 100)) as box:  # ruled: the agency's details
        box.row(["Completed by", "Team manager"])
        box.row(["Return date", "01/06/2023"])
    pdf.ln(6)
    with pdf.table(col_widths=(25, 15, 110, 80), borders_layout="NONE", line_height=6) as table:
        table.row(["Date", "Time", "What happened", "Outcome"])
        for i in range(5):
            table.row([(date(2023, 3, 1) + timedelta(days=3 * i)).strftime("%d/%m/%Y"), "", f"Appointment {i + 1}", "ok"])
    rows = read_chronology(bytes(pdf.output()), "boxed.pdf").rows
    assert [r.event for r in rows] == [f"Appointment {i}" for i in range(1, 6)]
    assert rows[-1].when.start == date(2023, 3, 13)


def test_reading_logs_no_text_of_the_document_even_at_debug(caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    logging.getLogger("pdfminer").setLevel(logging.DEBUG)  # as a service run at DEBUG would have it
    for name in ("camhs_pdf.pdf", "yos_pdf_unruled.pdf", "csc_excel_row4.xlsx", "police_word_standard.docx",
                 "gp_odt.odt"):
        rows = read_path(FIXTURES / name).rows
        for r in rows:
            for text in (r.event, r.action, r.practitioner):
                if len(text) > 4:
                    assert text not in caplog.text, name
