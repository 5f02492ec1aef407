"""UK dates, partial dates, ranges and times as agencies write them."""

from __future__ import annotations

from datetime import date, time

import pytest

from service.chronology.dates import from_serial, parse_time, parse_when, split_date_time
from service.chronology.rows import Precision

D = date


@pytest.mark.parametrize("text, start", [
    ("06/03/2023", D(2023, 3, 6)), ("6/3/23", D(2023, 3, 6)), ("06.03.2023", D(2023, 3, 6)),
    ("06-03-2023", D(2023, 3, 6)), ("2023-03-06", D(2023, 3, 6)), ("6 March 2023", D(2023, 3, 6)),
    ("6th Mar 23", D(2023, 3, 6)), ("Monday 6th March 2023", D(2023, 3, 6)), ("06-Mar-2023", D(2023, 3, 6)),
    ("March 6, 2023", D(2023, 3, 6)), ("6th of March 2023", D(2023, 3, 6)), ("03/05/2023", D(2023, 5, 3)),
    ("1/1/99", D(1999, 1, 1)),
])
def test_it_reads_a_day_in_uk_styles_day_first(text, start):
    w = parse_when(text)
    assert (w.precision, w.start, w.end, w.partial) == (Precision.DAY, start, start, False)


@pytest.mark.parametrize("text, precision, start, end", [
    ("March 2023", Precision.MONTH, D(2023, 3, 1), D(2023, 3, 31)),
    ("Mar-23", Precision.MONTH, D(2023, 3, 1), D(2023, 3, 31)),
    ("02/2024", Precision.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
    ("late March 2023", Precision.MONTH, D(2023, 3, 1), D(2023, 3, 31)),
    ("w/c 6 March 2023", Precision.WEEK, D(2023, 3, 6), D(2023, 3, 12)),
    ("week commencing 06/03/23", Precision.WEEK, D(2023, 3, 6), D(2023, 3, 12)),
    ("Q2 2023", Precision.QUARTER, D(2023, 4, 1), D(2023, 6, 30)),
    ("Spring 2022", Precision.SEASON, D(2022, 3, 1), D(2022, 5, 31)),
    ("Winter 2022", Precision.SEASON, D(2022, 12, 1), D(2023, 2, 28)),
    ("2022", Precision.YEAR, D(2022, 1, 1), D(2022, 12, 31)),
    ("3-5 May 2023", Precision.RANGE, D(2023, 5, 3), D(2023, 5, 5)),
    ("3rd to 5th May 2023", Precision.RANGE, D(2023, 5, 3), D(2023, 5, 5)),
    ("30 April - 2 May 2023", Precision.RANGE, D(2023, 4, 30), D(2023, 5, 2)),
    ("30 Dec - 2 Jan 2023", Precision.RANGE, D(2022, 12, 30), D(2023, 1, 2)),
    ("03/05/2023 to 05/05/2023", Precision.RANGE, D(2023, 5, 3), D(2023, 5, 5)),
    ("03/05/2023-05/05/2023", Precision.RANGE, D(2023, 5, 3), D(2023, 5, 5)),
    ("March-April 2023", Precision.RANGE, D(2023, 3, 1), D(2023, 4, 30)),
    ("between 3 and 5 May 2023", Precision.RANGE, D(2023, 5, 3), D(2023, 5, 5)),
])
def test_it_reads_a_partial_date_as_its_period_from_its_start(text, precision, start, end):
    w = parse_when(text)
    assert (w.precision, w.start, w.end, w.partial) == (precision, start, end, True)


@pytest.mark.parametrize("text", ["TBC", "31/02/2023", "??/03/2023", "unknown", "5 May - 3 May 2023", "13/13/2023",
                                  "", "x" * 500, "1-3 2023"])
def test_it_keeps_the_text_of_a_date_it_cannot_read(text):
    w = parse_when(text)
    assert w.precision is Precision.UNKNOWN and w.start is None and not w.known
    assert w.text == " ".join(text.split())


@pytest.mark.parametrize("text, expected", [
    ("14:30", time(14, 30)), ("14.30", time(14, 30)), ("2.30pm", time(14, 30)), ("2pm", time(14)),
    ("1430", time(14, 30)), ("1430hrs", time(14, 30)), ("12am", time(0)), ("12pm", time(12)),
    ("approx 14:00", time(14)), ("c. 9.15am", time(9, 15)), ("14:00-15:30", time(14)), ("10am to 11am", time(10)),
    ("25:00", None), ("9", None), ("13pm", None), ("", None), ("9-5", None),
])
def test_it_reads_times(text, expected):
    assert parse_time(text) == expected


def test_it_splits_a_date_time_cell():
    assert split_date_time("06/03/2023 14:30") == ("06/03/2023", "14:30")
    assert split_date_time("6 March 2023 2.30pm") == ("6 March 2023", "2.30pm")
    assert split_date_time("06/03/2023 at 09:15") == ("06/03/2023", "09:15")
    assert split_date_time("06/03/2023") == ("06/03/2023", "")


def test_excel_serials_are_dates_only_within_1900_to_2100():
    assert from_serial(45000) == D(2023, 3, 15)
    assert from_serial(45000.75) == D(2023, 3, 15)
    assert from_serial(0) is None and from_serial(3_000_000) is None
