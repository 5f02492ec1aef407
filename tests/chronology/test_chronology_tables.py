"""From cells to rows: headings in any order and wording, continued rows, repeated headers, flags."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pytest

from service.chronology.read import read_chronology
from service.chronology.rows import Flag
from service.chronology.tables import RawTable, header_map, heading_field, rows_of_tables


@pytest.mark.parametrize("heading, field", [
    ("Date/Time", "date"), ("Date and time", "date"), ("When", "date"), ("Contact type", "contact_type"),
    ("Type of contact", "contact_type"), ("Details of contact", "event"), ("What happened", "event"),
    ("Agency response", "action"), ("Action/Outcome", "action"), ("Analysis", "comments"),
    ("Comments / analysis", "comments"), ("Agency/Source", "agency"), ("Practitioner / role", "practitioner"),
    ("Name and role of worker", "practitioner"), ("Time", "time"), ("Outcome of contact", "action"),
    ("Details of agency contact", "event"), ("Summary of agency involvement", "event"), ("Source of information", "agency"),
    ("Date of contact/event", "date"), ("Agency", "agency"), ("Service", "agency"),
])
def test_headings_map_to_fields(heading, field):
    assert heading_field(heading) == field
    columns = header_map(["Date", "Details", heading] if field not in ("date", "event") else
                         [heading, "Details"] if field == "date" else ["Date", heading])
    assert columns is not None
    assert columns[field] == {"date": 0, "event": 1}.get(field, 2)


def test_a_row_without_a_date_column_or_text_column_is_no_header():
    assert header_map(["Date", "Time"]) is None
    assert header_map(["Name", "Details"]) is None


def _rows(*rows, **kw):
    table = RawTable("table 1", [(n, list(r)) for n, r in enumerate(rows, start=1)], **kw)
    return rows_of_tables([table], "f.docx")


def test_continued_rows_join_and_a_repeated_header_is_skipped():
    rows, notes = _rows(["Date", "Details", "Outcome"], ["01/03/2023", "First part of", "Done"],
                        ["", "the sentence", ""], ["", "and a third row", "again"],
                        ["Date", "Details", "Outcome"], ["02/03/2023", "Next", ""])
    assert notes == []
    assert [r.event for r in rows] == ["First part of the sentence and a third row", "Next"]
    assert rows[0].action == "Done again" and rows[0].source.rows == (2, 3, 4)
    assert Flag.CONTINUED_MERGED in rows[0].flags and not rows[1].flags


def test_a_row_with_no_date_and_nothing_above_is_kept_and_flagged():
    rows, _ = _rows(["Date", "Details"], ["", "Orphan"], ["01/03/2023", "Dated"])
    assert [(r.event, sorted(f.value for f in r.flags)) for r in rows] == [("Orphan", ["no date"]), ("Dated", [])]
    assert rows[0].needs_person


def test_a_time_that_cannot_be_read_is_flagged_and_not_applied():
    rows, _ = _rows(["Date", "Time", "Details"], ["01/03/2023", "teatime", "x"], ["02/03/2023", "n/a", "y"])
    assert rows[0].time is None and Flag.TIME_UNREADABLE in rows[0].flags
    assert rows[1].time is None and not rows[1].flags


def test_spreadsheet_values_dates_serials_and_times():
    rows, _ = _rows(["Date", "Time", "Details"], [datetime(2023, 3, 6, 14, 30), None, "a"],
                    [45000.5, None, "b"], [date(2023, 3, 7), 0.375, "c"], [7, None, "d"], serial_epoch=date(1899, 12, 30))
    assert [(r.when.start, r.time) for r in rows[:3]] == [
        (date(2023, 3, 6), time(14, 30)), (date(2023, 3, 15), time(12)), (date(2023, 3, 7), time(9))]
    assert rows[3].when.start is None and Flag.DATE_UNREADABLE in rows[3].flags  # 7: January 1900, not a plausible serial


def test_a_table_without_a_header_continues_the_previous_one_only_with_as_many_columns():
    first = RawTable("table 1", [(1, ["Date", "Details"]), (2, ["01/03/2023", "a"])])
    second = RawTable("table 2", [(1, ["02/03/2023", "b"])])
    third = RawTable("table 3", [(1, ["x", "y", "z"])])
    rows, notes = rows_of_tables([first, second, third], "f")
    assert [r.event for r in rows] == ["a", "b"]
    assert notes == ["table 3: no chronology header (a date column and a column for what happened)"]


def _odt(table_xml: str, kind: str = "text") -> bytes:
    content = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>'
               + table_xml + "</office:text></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}")
        zf.writestr("content.xml", content)
    return buf.getvalue()


def _c(text, extra=""):
    return f"<table:table-cell{extra}><text:p>{text}</text:p></table:table-cell>"


def test_odt_a_date_spanning_two_rows_is_carried_down_and_repeats_are_capped():
    xml = ("<table:table><table:table-row>" + _c("Date") + _c("Event") + "</table:table-row>"
           "<table:table-row>" + _c("06/03/2023", ' table:number-rows-spanned="2"') + _c("one") + "</table:table-row>"
           "<table:table-row><table:covered-table-cell/>" + _c("two") + "</table:table-row>"
           '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/><table:table-cell/></table:table-row>'
           "</table:table>")
    rows = read_chronology(_odt(xml), "x.odt").rows
    assert [(r.when.start, r.event) for r in rows] == [(date(2023, 3, 6), "one"), (date(2023, 3, 6), "two")]
    assert Flag.DATE_FROM_MERGED_CELL in rows[1].flags


def test_ods_date_cells_are_read_by_their_value():
    xml = ("<table:table><table:table-row>" + _c("Date") + _c("Event") + "</table:table-row><table:table-row>"
           '<table:table-cell office:value-type="date" office:date-value="2023-03-06"><text:p>Mon</text:p>'
           "</table:table-cell>" + _c("visit") + "</table:table-row></table:table>")
    data = _odt(xml, "spreadsheet")
    assert [r.when.start for r in read_chronology(data, "x.ods").rows] == [date(2023, 3, 6)]
