"""Bank holidays as the ``holidays`` package gives them, kept in the data folder between commands.

Loading the package costs every command that counts a working day about a third of a second: it imports
all of its 250 countries to find the United Kingdom. So the first command works out England and Wales'
bank holidays for :data:`YEARS` from the package and keeps them in ``<data_dir>/bank-holidays.json``
together with the package's version; later commands read that small file instead. A new version of the
package (a bank holiday announced, a correction) makes the file stale: it is worked out again. A year
outside the file is asked of the package as before. Nothing here is a hand-written table: the file is
the package's own answer, and a test checks the two agree.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from service.domain.calendar import bank_holidays_from_package, know_bank_holidays
from service.files import write_private

log = logging.getLogger("review_clerk.calendar")

FILE = "bank-holidays.json"
YEARS = range(2005, 2046)  # the oldest referral dates the tests and boards use, to twenty years on


def _package_version() -> str:
    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


def load(data_dir: Path) -> bool:
    """Hand the kept bank holidays to the domain's calendar, working them out (and keeping them) first when
    the file is missing, damaged or from another version of the package. True when they came from the file."""
    path = Path(data_dir) / FILE
    wanted = _package_version()
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("holidays_version") == wanted and kept.get("years") == [YEARS.start, YEARS.stop - 1]:
            know_bank_holidays({int(year): {date.fromisoformat(d): name for d, name in days.items()}
                                for year, days in kept["days"].items()})
            return True
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing or damaged: worked out again below
    by_year = bank_holidays_from_package(YEARS)
    know_bank_holidays(by_year)
    text = json.dumps({"holidays_version": wanted, "years": [YEARS.start, YEARS.stop - 1],
                       "days": {str(y): {d.isoformat(): n for d, n in sorted(days.items())}
                                for y, days in by_year.items()}}, indent=0, sort_keys=True)
    try:
        if path.parent.is_dir():  # owner-only, like everything in the data folder; renamed into place
            write_private(path, text.encode("utf-8"))
    except OSError as exc:  # a read-only data folder: the package is asked each time, as before
        log.warning("bank holidays not kept in the data folder", extra={"error": exc.__class__.__name__})
    return False
