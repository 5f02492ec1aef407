"""Working-day arithmetic jumps whole weeks; it must agree with counting day by day.

The reference below walks one day at a time (as the first release did); the service's
functions must give the same answer for any start, any count, across weekends and every
England and Wales bank holiday, forwards and backwards.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain import calendar as wd

DAYS = st.dates(min_value=date(2005, 1, 1), max_value=date(2035, 12, 31))


def walk(start: date, n: int) -> date:
    if n == 0:
        return wd.next_working_day(start, include_today=True)
    step, left, day = (1 if n > 0 else -1), abs(n), start
    while left:
        day += timedelta(days=step)
        if wd.is_working_day(day):
            left -= 1
    return day


def count(start: date, end: date) -> int:
    lo, hi, sign = (start, end, 1) if end >= start else (end, start, -1)
    return sign * sum(1 for i in range(1, (hi - lo).days + 1) if wd.is_working_day(lo + timedelta(days=i)))


@settings(max_examples=400, deadline=None)
@given(DAYS, st.integers(min_value=-600, max_value=600))
def test_adding_working_days_agrees_with_walking_day_by_day(start, n):
    assert wd.add_working_days(start, n) == walk(start, n)


@settings(max_examples=400, deadline=None)
@given(DAYS, st.integers(min_value=-800, max_value=800))
def test_counting_working_days_agrees_with_walking_day_by_day(start, days):
    end = start + timedelta(days=days)
    assert wd.working_days_between(start, end) == count(start, end)


def test_christmas_and_new_year_are_passed_over():
    # Friday 19 Dec 2014 + 5 working days: 22, 23, 24, (25, 26 holidays), 29, 30.
    assert wd.add_working_days(date(2014, 12, 19), 5) == date(2014, 12, 30)
    assert wd.add_working_days(date(2014, 12, 30), -5) == date(2014, 12, 19)
