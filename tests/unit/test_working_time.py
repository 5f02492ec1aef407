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



def test_the_next_working_time_is_now_in_hours_else_the_next_working_morning():
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from service.domain.calendar import next_working_time

    tz, start, end = ZoneInfo("Europe/London"), time(9), time(17)
    assert next_working_time(datetime(2014, 5, 12, 10, 0, tzinfo=tz), start, end) == datetime(2014, 5, 12, 10, 0,
                                                                                               tzinfo=tz)
    assert next_working_time(datetime(2014, 5, 12, 7, 0, tzinfo=tz), start, end) == datetime(2014, 5, 12, 9, 0,
                                                                                              tzinfo=tz)
    # Friday evening before the spring bank holiday weekend: Tuesday morning.
    assert next_working_time(datetime(2014, 5, 23, 18, 0, tzinfo=tz), start, end) == datetime(2014, 5, 27, 9, 0,
                                                                                               tzinfo=tz)
