"""The hold on a decision taken by email counts working hours only."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.intake.working_hours import add_working_hours

LONDON = ZoneInfo("Europe/London")


def at(day: int, hh: int, mm: int = 0, month: int = 5) -> datetime:
    return datetime(2014, month, day, hh, mm, tzinfo=LONDON)


@pytest.mark.parametrize("start, hours, end", [
    (at(12, 9, 30), 2, at(12, 11, 30)),          # Monday morning
    (at(12, 16, 30), 2, at(13, 10, 30)),         # crosses the night
    (at(16, 16, 30), 2, at(19, 10, 30)),         # Friday afternoon to Monday
    (at(23, 16, 0), 2, at(27, 10, 0)),           # Monday 26 May 2014 was a bank holiday
    (at(12, 7, 0), 2, at(12, 11, 0)),            # before the day starts
    (at(17, 11, 0), 2, at(19, 11, 0)),           # a Saturday
    (at(12, 20, 0), 0.5, at(13, 9, 30)),         # in the evening
])
def test_only_working_hours_count(start, hours, end):
    assert add_working_hours(start, hours, LONDON, time(9), time(17)) == end


def test_a_hold_longer_than_a_working_day_runs_over_days():
    assert add_working_hours(at(12, 9), 10, LONDON, time(9), time(17)) == at(13, 11)
