"""How time is counted (PROCESS.md, "How time is counted").

* Working day: Monday to Friday, not an England and Wales bank holiday.
  Bank holidays come from the maintained ``holidays`` package (England and
  Wales share one list), never from a hand-written table.
* "Within N working days of D" means by the end of the Nth working day after D.
* Month: calendar months; one month after 31 January is the last day of February.
* Week before X: 7 calendar days before X.

Pure: no clock, no I/O.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, datetime, time, timedelta
from functools import lru_cache


# Bank holidays already read from the package, by year (date -> name): handed in by
# :func:`know_bank_holidays` (the service keeps what the package said in its data folder, since
# loading the package costs a command a third of a second: it imports all its 250 countries).
_known: dict[int, dict[date, str]] = {}


def know_bank_holidays(by_year: "dict[int, dict[date, str]]") -> None:
    """Use these bank holidays (what the ``holidays`` package gives, kept) for these years."""
    _known.update({year: dict(days) for year, days in by_year.items()})
    _bank_holidays.cache_clear()


def bank_holidays_from_package(years: "range | list[int]") -> dict[int, dict[date, str]]:
    """England and Wales bank holidays for ``years`` from the ``holidays`` package, by year (date -> name)."""
    import holidays  # here: loading it (and its 250 countries) costs a command that counts no days

    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    out: dict[int, dict[date, str]] = {year: {} for year in years}
    for day, name in [*wales.items(), *england.items()]:  # England's name where both have the day
        out.setdefault(day.year, {})[day] = name
    return out


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    if year not in _known:
        _known.update(bank_holidays_from_package([year]))
    return frozenset(_known[year])


def bank_holiday_name(day: date) -> str | None:
    if day not in _bank_holidays(day.year):
        return None
    return _known[day.year].get(day)


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, n: int) -> date:
    """The Nth working day after ``start`` (``start`` itself never counts).

    ``n`` may be negative: the Nth working day before ``start``. ``n == 0``
    gives ``start`` if it is a working day, else the next working day.

    Whole weeks are jumped, then the bank holidays passed over are made up, so
    the cost does not grow with ``n`` (a deadline a year overdue costs the same
    as one due tomorrow).
    """
    if n == 0:
        return next_working_day(start, include_today=True)
    if n > 0:
        day = _add_weekdays(start, n)
        missed = _weekday_holidays(start + timedelta(days=1), day)
        while missed:
            previous, day = day, _add_weekdays(day, missed)
            missed = _weekday_holidays(previous + timedelta(days=1), day)
        return day
    day = _sub_weekdays(start, -n)
    missed = _weekday_holidays(day, start - timedelta(days=1))
    while missed:
        previous, day = day, _sub_weekdays(day, missed)
        missed = _weekday_holidays(day, previous - timedelta(days=1))
    return day


def _add_weekdays(day: date, n: int) -> date:
    """The Nth Monday-to-Friday day after ``day`` (n > 0), bank holidays not considered."""
    wd = day.weekday()
    if wd >= 5:  # from a weekend, count as from the Friday before
        day -= timedelta(days=wd - 4)
        wd = 4
    weeks, rest = divmod(n, 5)
    if rest and wd + rest >= 5:
        rest += 2  # over a weekend
    return day + timedelta(weeks=weeks, days=rest)


def _sub_weekdays(day: date, n: int) -> date:
    """The Nth Monday-to-Friday day before ``day`` (n > 0), bank holidays not considered."""
    wd = day.weekday()
    if wd >= 5:  # from a weekend, count as from the Monday after
        day += timedelta(days=7 - wd)
        wd = 0
    weeks, rest = divmod(n, 5)
    if rest and wd - rest < 0:
        rest += 2
    return day - timedelta(weeks=weeks, days=rest)


def _weekday_holidays(first: date, last: date) -> int:
    """Bank holidays falling Monday to Friday from ``first`` to ``last`` inclusive."""
    if last < first:
        return 0
    return sum(1 for year in range(first.year, last.year + 1) for h in _bank_holidays(year)
               if first <= h <= last and h.weekday() < 5)


def next_working_day(day: date, *, include_today: bool = False) -> date:
    if include_today and is_working_day(day):
        return day
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    first = lo + timedelta(days=1)
    weeks, rest = divmod((hi - lo).days, 7)
    weekdays = weeks * 5 + sum(1 for i in range(rest) if (first + timedelta(days=weeks * 7 + i)).weekday() < 5)
    return sign * (weekdays - _weekday_holidays(first, hi))


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = start.month - 1 + months
    year = start.year + index // 12
    month = index % 12 + 1
    last = _cal.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


# How people write a date on the command line or in a details file: ISO, or UK day-first.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


def parse_date(text: str) -> date | None:
    """``text`` as a date in one of DATE_FORMATS, or None."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


# Working hours: when people-facing mail goes ----------------------------------------
def is_working_time(at: datetime, start: time, end: time) -> bool:
    """``at`` (an aware datetime in the board's timezone) is on a working day, from ``start`` until ``end``."""
    return is_working_day(at.date()) and start <= at.time() < end


def next_working_time(at: datetime, start: time, end: time) -> datetime:
    """``at`` if it is working time, else the start of the next working hours (``at`` aware, in the board's
    timezone): when mail for people that is due at ``at`` goes."""
    if is_working_time(at, start, end):
        return at
    day = at.date()
    if not (is_working_day(day) and at.time() < start):
        day = next_working_day(day)
    return datetime.combine(day, start, at.tzinfo)

