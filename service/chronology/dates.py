"""UK dates as agencies write them in chronologies: days, partial dates and ranges; times. Pure.

Days: 06/03/2023, 6/3/23, 06.03.2023, 06-03-2023, 2023-03-06, 6 March 2023, 6th Mar 23,
Monday 6th March 2023, 06-Mar-2023, March 6, 2023. Day-first always (a UK document): 03/05/2023
is 3 May. Two-digit years are 2000-2068, else 1969-1999. An Excel number in a date column is a day serial when it falls 1950-2100.
Periods: "March 2023", "Mar-23", "03/2023", "early/mid/late March 2023" (the month), "w/c 6 March
2023" and "week commencing 06/03/23" (the week), "Q1 2023", "Spring 2022" (March-May; Summer
June-August, Autumn September-November, Winter December and the next two months), "2022".
Ranges: "3-5 May 2023", "30 April - 2 May 2023", "03/05/2023 to 05/05/2023", "March-April 2023",
"between 3 and 5 May 2023".
Anything else is :attr:`Precision.UNKNOWN`: the row keeps the text and is flagged.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta

from .rows import Precision, When

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)"
_ORD = r"(?:st|nd|rd|th)?"
_SEP = r"\s*(?:-|–|—|to|until|till)\s*"

SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
MAX_TEXT = 200  # a date cell longer than this is not a date


def year_of(text: str) -> int | None:
    y = int(text)
    if len(text) == 2:
        return 2000 + y if y <= 68 else 1900 + y
    if len(text) == 4 and 1900 <= y <= 2100:
        return y
    return None


def _day(y: int | None, m: int | None, d: int) -> date | None:
    if y is None or m is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


# One day --------------------------------------------------------------------------------
_NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDY = re.compile(rf"{_WEEKDAY}?(\d{{1,2}}){_ORD}(?:\s+of)?[\s\-]*({_MONTH})[\s\-,]*(\d{{4}}|\d{{2}})", re.I)
_US_WORDY = re.compile(rf"{_WEEKDAY}?({_MONTH})\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})", re.I)


def parse_day(text: str) -> date | None:
    """One whole day written in ``text`` (nothing else but spaces and a trailing full stop), or None."""
    t = text.strip().rstrip(".").strip()
    if m := _ISO.fullmatch(t):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.fullmatch(t):
        return _day(year_of(m[3]), int(m[2]), int(m[1]))
    if m := _WORDY.fullmatch(t):
        return _day(year_of(m[3]), MONTHS.get(m[2].lower().rstrip(".")), int(m[1]))
    if m := _US_WORDY.fullmatch(t):
        return _day(year_of(m[3]), MONTHS.get(m[1].lower().rstrip(".")), int(m[2]))
    return None


# Periods --------------------------------------------------------------------------------
_MONTH_YEAR = re.compile(rf"(?:(?:early|mid|late|end of|beginning of|start of)[\s\-]+)?({_MONTH})[\s\-,/']*(\d{{4}}|\d{{2}})", re.I)
_NUM_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WEEK = re.compile(r"(?:w/?c|w\.c\.|wc|week\s+(?:commencing|beginning|starting)|w/b|wb|week\s+of)\.?:?\s*(.+)", re.I)
_QUARTER = re.compile(r"q([1-4])\s*(\d{4})", re.I)
_SEASON = re.compile(r"(spring|summer|autumn|fall|winter)\s*(?:term\s*)?(\d{4})", re.I)
_YEAR = re.compile(r"(?:during\s+|in\s+)?(\d{4})")
_BETWEEN = re.compile(r"between\s+(.+?)\s+and\s+(.+)", re.I)
_DAY_RANGE = re.compile(rf"(\d{{1,2}}){_ORD}{_SEP}(\d{{1,2}}){_ORD}(?:\s+of)?\s+({_MONTH})[\s,]*(\d{{4}}|\d{{2}})", re.I)
_MONTH_RANGE = re.compile(rf"({_MONTH}){_SEP}({_MONTH})[\s,]*(\d{{4}}|\d{{2}})", re.I)


def _month(text: str) -> tuple[date, date] | None:
    t = text.strip().rstrip(".")
    m = _MONTH_YEAR.fullmatch(t)
    if m:
        y, mo = year_of(m[2]), MONTHS.get(m[1].lower().rstrip("."))
    elif (m := _NUM_MONTH_YEAR.fullmatch(t)) or (m := _ISO_MONTH.fullmatch(t)):
        a, b = int(m[1]), int(m[2])
        y, mo = (b, a) if m.re is _NUM_MONTH_YEAR else (a, b)
        y = y if 1900 <= y <= 2100 else None
    else:
        return None
    if y is None or mo is None or not 1 <= mo <= 12:
        return None
    return date(y, mo, 1), month_end(y, mo)


def _point(text: str) -> tuple[date, date, Precision] | None:
    """A day or a month: one end of a range."""
    d = parse_day(text)
    if d:
        return d, d, Precision.DAY
    mo = _month(text)
    return (mo[0], mo[1], Precision.MONTH) if mo else None


def _range(text: str) -> tuple[date, date] | None:
    t = text.strip().rstrip(".")
    if m := _DAY_RANGE.fullmatch(t):
        y, mo = year_of(m[4]), MONTHS.get(m[3].lower().rstrip("."))
        a, b = _day(y, mo, int(m[1])), _day(y, mo, int(m[2]))
        return (a, b) if a and b and a <= b else None
    if m := _MONTH_RANGE.fullmatch(t):
        y = year_of(m[3])
        a, b = MONTHS.get(m[1].lower().rstrip(".")), MONTHS.get(m[2].lower().rstrip("."))
        if y is None or a is None or b is None:
            return None
        return (date(y, a, 1), month_end(y, b)) if a <= b else (date(y, a, 1), month_end(y + 1, b))
    parts = None
    if m := _BETWEEN.fullmatch(t):
        parts = (m[1], m[2])
    else:
        pieces = re.split(r"\s+(?:-|–|—|to|until|till)\s+|(?<=\d)\s*[–—]\s*(?=\d)", t, maxsplit=1)
        if len(pieces) == 2:
            parts = (pieces[0], pieces[1])
        else:  # 03/05/2023-05/05/2023
            m = re.fullmatch(r"(\S+\d)\s*-\s*(\d\S+)", t)
            parts = (m[1], m[2]) if m else None
    if not parts:
        return None
    first, last = _point(parts[0]), _point(parts[1])
    if first is None and last is not None:  # "30 April - 2 May 2023": the first end takes the second's year
        head = re.sub(r"(?<=\d)(?:st|nd|rd|th)$", "", parts[0].strip(), flags=re.I)
        borrowed = f"{head} {calendar.month_name[last[0].month]}" if head.isdigit() else head
        first = _point(f"{borrowed} {last[0].year}")
        if first and first[0] > last[1] and first[0].month > last[0].month:  # 30 Dec - 2 Jan 2023
            first = _point(f"{parts[0]} {last[0].year - 1}")
    if first is None or last is None or first[0] > last[1]:
        return None
    return first[0], last[1]


def parse_when(text: str) -> When:
    """The date or period written in ``text`` (a date cell, time removed). Never raises."""
    raw = " ".join(str(text).split())
    t = raw.strip(" .,;:()[]")
    if not t or len(t) > MAX_TEXT:
        return When.unknown(raw)
    if d := parse_day(t):
        return When.day(d, raw)
    if m := _WEEK.fullmatch(t):
        d = parse_day(m[1])
        if d:
            return When(raw, Precision.WEEK, d, d + timedelta(days=6))
        return When.unknown(raw)
    if mo := _month(t):
        return When(raw, Precision.MONTH, *mo)
    if m := _QUARTER.fullmatch(t):
        q, y = int(m[1]), int(m[2])
        return When(raw, Precision.QUARTER, date(y, 3 * q - 2, 1), month_end(y, 3 * q))
    if m := _SEASON.fullmatch(t):
        first, y = SEASONS[m[1].lower()], int(m[2])
        last_y, last_m = (y + 1, 2) if first == 12 else (y, first + 2)
        return When(raw, Precision.SEASON, date(y, first, 1), month_end(last_y, last_m))
    if r := _range(t):
        return When(raw, Precision.RANGE, *r)
    if (m := _YEAR.fullmatch(t)) and 1900 <= int(m[1]) <= 2100:
        y = int(m[1])
        return When(raw, Precision.YEAR, date(y, 1, 1), date(y, 12, 31))
    return When.unknown(raw)


# Excel serials ------------------------------------------------------------------------------
EXCEL_1900 = date(1899, 12, 30)
EXCEL_1904 = date(1904, 1, 1)


def from_serial(value: float, epoch: date = EXCEL_1900) -> date | None:
    """An Excel date serial as a date, if it falls between 1950 and 2100 (a smaller number in a date
    column is a count or a typing slip, not a date)."""
    if not 1 <= value < 80000:
        return None
    d = epoch + timedelta(days=int(value))
    return d if 1950 <= d.year <= 2100 else None


# Times --------------------------------------------------------------------------------------
_TIME = re.compile(r"(?:at\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|hrs|hours|h)?", re.I)
_TIME_IN = re.compile(r"(?:^|\s|,|@|at\s)(\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.|hrs|hours|h)?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|\d{4}\s*hrs)\s*$", re.I)


def parse_time(text: str) -> time | None:
    """A time of day: 14:30, 14.30, 2.30pm, 2pm, 1430hrs, 1430 (four digits), "approx 14:00", the start
    of "14:00-15:30". None if not one."""
    t = " ".join(str(text).split()).strip(" .,")
    t = re.sub(r"^(?:approx(?:imately)?\.?|c\.|circa|about|around)\s*", "", t, flags=re.I)
    if m := re.fullmatch(r"(.+?)\s*(?:-|–|to)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|hrs)?", t, re.I):
        t = m[1]  # 14:00-15:30: when it began
    if not t:
        return None
    if m := re.fullmatch(r"(\d{2})(\d{2})\s*(?:hrs|hours|h)?", t, re.I):
        h, mi, ampm = int(m[1]), int(m[2]), None
    elif m := _TIME.fullmatch(t):
        if m[2] is None and m[3] is None:
            return None  # a bare number is not a time
        h, mi, ampm = int(m[1]), int(m[2] or 0), (m[3] or "").lower().replace(".", "")
    else:
        return None
    if ampm in ("am", "pm"):
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= h <= 23 and 0 <= mi <= 59):
        return None
    return time(h, mi)


def split_date_time(text: str) -> tuple[str, str]:
    """A "Date/Time" cell as (date text, time text): "06/03/2023 14:30" -> ("06/03/2023", "14:30")."""
    t = " ".join(str(text).split())
    m = _TIME_IN.search(t)
    if m and m.start(1) > 0:
        head = t[: m.start(1)].rstrip(" ,@").removesuffix(" at").rstrip(" ,")
        if head and (head[-1].isdigit() or head[-1].isalpha()):
            return head, m[1]
    return t, ""


def as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
