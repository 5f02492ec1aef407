"""UK dates as people write them: day first, in any common style.

Understood: ``05/03/2014``, ``5/3/14``, ``05-03-2014``, ``05.03.14``,
``2014-03-05`` (ISO), ``5th March 2014``, ``5 Mar. 2014``, ``5-Mar-14``,
``Wednesday 5th of March, 2014``, ``March 5th 2014`` and ``Mar 5, 2014``
(a month name first is unambiguous); Welsh month names (``3 Chwefror 2025``) too. Numeric dates are always day first; an
impossible date (``31/02/2014``, or a US-style ``12/25/2014``) is no date at
all rather than a guess.

Two-digit years are placed in the century that keeps them from being in the
future relative to a reference date (the referral or message date): for a date
of birth any future date is impossible; a referral date may be up to a year
ahead (a form dated the next day, a clock out by a year at New Year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    # Welsh (forms from boards in Wales): Ionawr, Chwefror, Mawrth, Ebrill, Mai, Mehefin, Gorffennaf, Awst,
    # Medi, Hydref, Tachwedd, Rhagfyr
    "ion": 1, "chw": 2, "maw": 3, "ebr": 4, "mai": 5, "meh": 6, "gor": 7, "aws": 8, "med": 9, "hyd": 10,
    "tac": 11, "rha": 12,
}
_MONTH = (
    r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>\d{{4}}|'?\d{{2}})"

_PATTERNS = [
    # 2014-03-05, 2014/03/05
    re.compile(r"(?<![\d/.-])(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?![\d/-]|\.\d)"),
    # 05/03/2014, 5-3-14, 05.03.14 (same separator both times)
    re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})\s?([-/.])\s?(?P<m>\d{1,2})\s?\2\s?(?P<y>\d{4}|\d{2})(?![\d/-]|\.\d)"),
    # 5th March 2014, 5 Mar. 14, 05-Mar-2014, 5th of March, 2014
    re.compile(
        r"(?<![\d])(?P<d>\d{1,2})" + _ORD + r"(?:\s+of)?[\s\-/.]*" + _MONTH.format(g="mon")
        + r",?[\s\-/.]*" + _YEAR.format(g="y") + r"(?!\d)",
        re.IGNORECASE,
    ),
    # March 5th 2014, Mar 5, 2014
    re.compile(
        r"\b" + _MONTH.format(g="mon") + r"\s+(?P<d>\d{1,2})" + _ORD + r",?\s+" + _YEAR.format(g="y") + r"(?!\d)",
        re.IGNORECASE,
    ),
]


_WEEKDAY_BEFORE = re.compile(
    r"\b(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    value: date | None  # None: looked like a date but is impossible (31/02/2014)


def _year(text: str, month: int, day: int, ref: date | None, allow_future_days: int) -> int | None:
    digits = text.lstrip("'")
    year = int(digits)
    if len(digits) == 4:
        return year
    ref = ref or date.today()
    year += 2000
    try:
        candidate = date(year, month, day)
    except ValueError:
        return year  # invalid either way; the caller rejects it
    if (candidate - ref).days > allow_future_days:
        year -= 100
    return year


def find_dates(text: str, ref: date | None = None, *, allow_future_days: int = 0) -> list[FoundDate]:
    """Every date-shaped span of ``text``, in order, without overlaps.

    ``ref`` places two-digit years (see module docstring); ``allow_future_days``
    is how far after ``ref`` such a year may land before it is put a century
    earlier. Impossible dates are returned with ``value=None`` so that callers
    can still remove them from the text they came from.
    """
    spans: list[tuple[int, int, re.Match[str]]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            spans.append((m.start(), m.end(), m))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    found: list[FoundDate] = []
    last_end = -1
    for start, end, m in spans:
        if start < last_end:
            continue
        weekday = _WEEKDAY_BEFORE.search(text, max(0, start - 12), start)
        if weekday and weekday.start() >= last_end:
            start = weekday.start()  # "Wed 5th March": the weekday belongs to the date
        found.append(FoundDate(start, end, _to_date(m, ref, allow_future_days)))
        last_end = end
    return found


def _to_date(m: re.Match[str], ref: date | None, allow_future_days: int) -> date | None:
    groups = m.groupdict()
    try:
        day = int(groups["d"])
        month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else int(groups["m"])
        year = _year(groups["y"], month, day, ref, allow_future_days)
        if year is None or not 1880 <= year <= 2200:
            return None
        return date(year, month, day)
    except (ValueError, KeyError, TypeError):
        return None


def parse_date(text: str | None, ref: date | None = None, *, allow_future_days: int = 0) -> date | None:
    """The first date written in ``text``, or None (no date, or an impossible one)."""
    if not text:
        return None
    for found in find_dates(text, ref, allow_future_days=allow_future_days):
        return found.value
    return None


def age_on(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (birthdays on 29 February count on 1 March)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years
