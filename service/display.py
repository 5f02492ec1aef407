"""How values are shown to a person on a screen: one formatter for date-times; how to run this program.

Imports nothing heavy: the command line uses it before (or without) building the app.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

MINUTE = "%Y-%m-%d %H:%M"


def board_time(value: Any, tz: tzinfo, fmt: str = MINUTE) -> str:
    """A date-time as the board reads it: in its time zone, to the minute (``2014-05-12 09:30``).

    Takes a datetime or its ISO text; a naive one is UTC (what the database keeps). A date stays
    a date (``2014-05-12``); None is empty.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if len(value) == 10:  # a date: 2014-05-12
            return value
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(tz).strftime(fmt)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def this_command() -> str:
    """How to run this very program again, whether or not it is on PATH (after `make demo` it is not)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name.startswith("review-clerk"):
        found = argv0 if os.sep in argv0 else shutil.which(argv0)
        if found:
            return str(Path(found).absolute())
    return f"{sys.executable} -m service"
