"""Working hours on working days: when people-facing mail may go (pure, no clock)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.domain.calendar import is_working_time

LONDON = ZoneInfo("Europe/London")
NINE, FIVE = time(9, 0), time(17, 0)


@pytest.mark.parametrize("at, expected", [
    (datetime(2014, 5, 19, 10, 0), True),  # Monday morning
    (datetime(2014, 5, 19, 9, 0), True),  # the first minute
    (datetime(2014, 5, 19, 17, 0), False),  # the end of the day is outside
    (datetime(2014, 5, 19, 8, 59), False),
    (datetime(2014, 5, 18, 4, 0), False),  # Sunday 04:00
    (datetime(2014, 5, 26, 11, 0), False),  # Spring bank holiday
])
def test_working_time_is_a_working_day_between_start_and_end(at, expected):
    assert is_working_time(at.replace(tzinfo=LONDON), NINE, FIVE) is expected

