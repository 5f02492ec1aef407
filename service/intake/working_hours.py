"""When a span of working hours ends. Pure: no clock, no settings object, no I/O.

Working hours are the board's (``[working_hours]`` start and end, in the board's time zone) on
working days (Monday to Friday except England and Wales bank holidays,
:func:`service.domain.calendar.is_working_day`). Used for the hold on a decision taken by email.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from service.domain.calendar import is_working_day


def add_working_hours(start: datetime, hours: float, tz: ZoneInfo, day_start: time, day_end: time) -> datetime:
    """The moment ``hours`` working hours after ``start`` have passed (UTC). Time outside working hours
    does not count: 2 working hours from 16:30 on a Friday end at 10:30 on Monday (09:00-17:00)."""
    if start.tzinfo is None:
        raise ValueError("start needs a time zone")
    left = timedelta(hours=hours)
    at = start.astimezone(tz)
    for _ in range(3700):  # ten years of days: a bound, never reached with the settings' limits
        day = at.date()
        opens = datetime.combine(day, day_start, tz)
        closes = datetime.combine(day, day_end, tz)
        if is_working_day(day) and at < closes:
            at = max(at, opens)
            if at + left <= closes:
                return (at + left).astimezone(timezone.utc)
            left -= closes - at
        at = datetime.combine(day + timedelta(days=1), day_start, tz)
    raise ValueError("no working hours found")
