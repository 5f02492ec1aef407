"""A chronology row as read from an agency's document: pure data, no I/O.

A row keeps where it came from (file, sheet or table, row numbers) so that a person can go back
to the document, and carries flags for what the reader could not do with certainty (a date it
could not read, rows it joined). Dates may be partial: a month, a week, a season, a year or a
range; ``When.start`` is the first day of the period, which is where the row is ordered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt
from datetime import date
from enum import Enum


class Precision(str, Enum):
    """How much of a date the document gave."""

    DAY = "day"
    RANGE = "range"  # "3-5 May 2023", "03/05/2023 to 05/05/2023"
    WEEK = "week"  # "w/c 6 March 2023"
    MONTH = "month"  # "March 2023", "early March 2023"
    QUARTER = "quarter"  # "Q1 2023"
    SEASON = "season"  # "Spring 2022"
    YEAR = "year"  # "2022"
    UNKNOWN = "unknown"  # the date could not be read


@dataclass(frozen=True)
class When:
    """A date or a period. ``start`` and ``end`` are None only when the date could not be read."""

    text: str
    precision: Precision
    start: date | None = None
    end: date | None = None

    @property
    def known(self) -> bool:
        return self.start is not None

    @property
    def partial(self) -> bool:
        """A period rather than one day (placed at its start, marked as partial)."""
        return self.known and self.precision is not Precision.DAY

    def label(self) -> str:
        """The date for a person: the day as dd/mm/yyyy, a period as the document wrote it with its start."""
        if self.start is None:
            return self.text or "(no date)"
        if self.precision is Precision.DAY:
            return self.start.strftime("%d/%m/%Y")
        return f"{self.text} (from {self.start.strftime('%d/%m/%Y')})"

    @staticmethod
    def day(d: date, text: str = "") -> "When":
        return When(text or d.strftime("%d/%m/%Y"), Precision.DAY, d, d)

    @staticmethod
    def unknown(text: str) -> "When":
        return When(text, Precision.UNKNOWN)


class Flag(str, Enum):
    """What the reader says about a row. The first three need a person; the others are notes."""

    DATE_UNREADABLE = "date unreadable"  # a date was written but could not be read
    DATE_MISSING = "no date"  # no date, and no row above to continue
    TIME_UNREADABLE = "time unreadable"
    CONTINUED_MERGED = "continued row merged"  # table rows without a date joined to the row above
    DATE_FROM_MERGED_CELL = "date from merged cell"  # a date cell merged over several rows
    PARTIAL_DATE = "partial date"

    @property
    def needs_person(self) -> bool:
        return self in (Flag.DATE_UNREADABLE, Flag.DATE_MISSING, Flag.TIME_UNREADABLE)


@dataclass(frozen=True)
class Source:
    """Where a row is in its document: the file's name, the sheet, table or page, and row numbers
    as a person counts them (1 for the first row of the sheet or table, header included)."""

    file: str
    part: str
    rows: tuple[int, ...]

    def label(self) -> str:
        rows = f"row {self.rows[0]}" if len(self.rows) == 1 else f"rows {self.rows[0]}-{self.rows[-1]}"
        return f"{self.file}, {self.part}, {rows}"


@dataclass(frozen=True)
class ChronologyRow:
    """One event in an agency's chronology."""

    when: When
    source: Source
    time: dt.time | None = None
    agency: str = ""
    practitioner: str = ""
    contact_type: str = ""
    event: str = ""  # what happened
    action: str = ""  # action or outcome, the agency's response
    comments: str = ""  # comments, analysis
    flags: frozenset[Flag] = field(default_factory=frozenset)

    @property
    def needs_person(self) -> bool:
        return any(f.needs_person for f in self.flags)

    def text(self) -> str:
        """Everything written about the event, for matching duplicates."""
        return " ".join(t for t in (self.contact_type, self.event, self.action) if t)

    def as_data(self) -> dict:
        return {
            "date": self.when.start.isoformat() if self.when.start else None,
            "date_end": self.when.end.isoformat() if self.when.end else None,
            "date_text": self.when.text,
            "precision": self.when.precision.value,
            "partial": self.when.partial,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "agency": self.agency,
            "practitioner": self.practitioner,
            "contact_type": self.contact_type,
            "event": self.event,
            "action": self.action,
            "comments": self.comments,
            "source": {"file": self.source.file, "part": self.source.part, "rows": list(self.source.rows)},
            "flags": sorted(f.value for f in self.flags),
        }


@dataclass(frozen=True)
class ReadResult:
    """What one file gave: its rows in document order, and notes about parts not read (a sheet with
    no chronology table, say). Notes never quote the document's text."""

    file: str
    rows: tuple[ChronologyRow, ...]
    notes: tuple[str, ...] = ()
