"""From a document's tables (cells in rows) to chronology rows: find the header, map its columns,
read each row's date and time, join continued rows. Pure: every reader hands its tables here.

The header is the first row, within the first 15 of a table, in which a date column and at least
one column describing the event are recognised by their headings (any order, any of the synonyms
below; a heading's first line, a note may follow it). A row of sub-headings under it (the
service's own template: "Family contact" over "Child" and "Adult") is read with it: each column
is named by its group and sub-heading, and a field with several columns gets each one's text,
labelled ("Child: seen alone"). A table without a header continues the previous table's columns
when it has as many columns (a table broken over a page, or split in two in the document), else
it is not a chronology.
A row with no date and no time but some text continues the row above (a row broken over two
table rows); a row that repeats the header (printed at the top of each page) is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from .dates import as_date, from_serial, parse_time, parse_when, split_date_time
from .rows import ChronologyRow, Flag, Precision, Source, When

Cell = object  # str, or from a spreadsheet: date, datetime, time, int, float, None


@dataclass
class RawTable:
    """A table as a reader found it: ``rows`` are (row number as a person counts them, cells)."""

    part: str
    rows: list[tuple[int, list[Cell]]]
    merged_down: set[tuple[int, int]] = field(default_factory=set)  # (row number, column) filled from above
    serial_epoch: date | None = None  # spreadsheets: numbers in a date column are day serials
    agency_hint: str = ""  # "Agency: Police" written above the table


FIELDS = ("date", "time", "agency", "practitioner", "contact_type", "event", "action", "comments")

# Exact headings first (after lower-casing and dropping punctuation), then keywords in this order:
# "Agency response" is an action, not an agency; "Contact type" is a type, not the contact.
EXACT = {
    "date": "date", "dates": "date", "date time": "date", "date and time": "date", "date of contact": "date",
    "date of event": "date", "date s": "date", "when": "date", "date of incident": "date", "period": "date",
    "time": "time", "time of contact": "time", "approx time": "time",
    "agency": "agency", "source": "agency", "organisation": "agency", "organization": "agency",
    "agency source": "agency", "source of information": "agency", "service": "agency", "team": "agency",
    "agency service": "agency", "information source": "agency",
    "practitioner": "practitioner", "role": "practitioner", "worker": "practitioner", "staff": "practitioner",
    "practitioner role": "practitioner", "name and role": "practitioner", "professional": "practitioner",
    "by whom": "practitioner", "staff member": "practitioner", "author": "practitioner", "who": "practitioner",
    "contact type": "contact_type", "type of contact": "contact_type", "type": "contact_type",
    "nature of contact": "contact_type", "event type": "contact_type", "contact method": "contact_type",
    "what happened": "event", "event": "event", "details": "event", "details of contact": "event",
    "description": "event", "summary": "event", "details of event": "event", "contact": "event",
    "incident": "event", "detail": "event", "information": "event", "event contact": "event",
    "summary of contact": "event", "key events": "event", "event details": "event", "narrative": "event",
    "action": "action", "outcome": "action", "action outcome": "action", "agency response": "action",
    "response": "action", "action taken": "action", "decision": "action", "outcome action": "action",
    "actions": "action", "outcome of contact": "action", "action taken outcome": "action",
    "comments": "comments", "comment": "comments", "analysis": "comments", "notes": "comments",
    "analysis comment": "comments", "significance": "comments", "reflection": "comments",
    "comments analysis": "comments", "analysis of practice": "comments", "learning": "comments",
    "source of evidence": "comments", "evidence": "comments",
}
KEYWORDS = [
    ("action", ("response", "outcome", "action", "decision")),
    ("comments", ("analysis", "comment", "significance", "reflection", "notes", "learning")),
    ("contact_type", ("type", "method", "nature")),
    ("date", ("date", "when")),
    ("time", ("time",)),
    ("practitioner", ("practitioner", "role", "worker", "staff", "professional", "author", "officer")),
    ("event", ("details", "detail", "happened", "description", "summary", "narrative", "communication",
               "contact")),  # before agency: "Details of agency contact", "Communication within agency"
    ("agency", ("agency", "source", "organisation", "organization", "service")),
    ("event", ("event", "incident", "information")),
]
TEXT_FIELDS = ("event", "action", "comments", "contact_type")
MAX_HEADER_SEARCH = 15
MAX_HEADING = 60  # a longer cell is text, not a heading
MAX_CELL = 20_000  # characters kept of one cell


def heading_field(cell: Cell) -> str | None:
    """The field a column heading names; a heading's first line only (a note may follow it)."""
    if not isinstance(cell, str):
        return None
    first = next((line for line in cell.splitlines() if line.strip()), "")
    t = re.sub(r"[^a-z0-9]+", " ", first.lower()).strip()
    if not t or len(t) > MAX_HEADING:
        return None
    if t in EXACT:
        return EXACT[t]
    words = set(t.split())
    for name, keys in KEYWORDS:
        if words & set(keys):
            return name
    return None


def header_map(cells: list[Cell]) -> dict[str, int] | None:
    """Columns of a header row (field -> its first column), or None if ``cells`` is not a chronology header."""
    header = _header([_text(c) for c in cells], None)
    return {name: cols[0] for name, cols in header.fields.items()} if header else None


@dataclass
class Header:
    """A table's columns: each field's columns (several when the header groups them, as the
    service's own template does under "Family contact": Child, Adult) with their labels."""

    fields: dict[str, list[int]]
    labels: dict[int, str]
    rows: int  # 1, or 2 for a heading over sub-headings
    texts: list[list[str]]  # the header rows' cells, lower case, to skip where they repeat


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _header(top: list[str], sub: list[str] | None) -> Header | None:
    """The header of ``top`` (and the sub-heading row ``sub`` under it, if given)."""
    names: list[tuple[int, str, str]] = []  # (column, heading, label)
    group = ""
    for i, head in enumerate(top):
        head = _first_line(head)
        below = _first_line(sub[i]) if sub is not None and i < len(sub) else ""
        if head:
            group = head
        if below and below != head:
            heading, label = (f"{head or group} {below}", below)
        else:
            heading, label = head, head
        if heading:
            names.append((i, heading, label))
    fields: dict[str, list[int]] = {}
    labels: dict[int, str] = {}
    for i, heading, label in names:
        name = heading_field(heading)
        if name is None:
            continue
        if name in ("date", "time") and name in fields:
            continue  # one date column: the first
        fields.setdefault(name, []).append(i)
        labels[i] = label
    if "date" in fields and any(f in fields for f in TEXT_FIELDS):
        texts = [[t.lower() for t in top]] + ([[t.lower() for t in sub]] if sub is not None else [])
        return Header(fields, labels, 2 if sub is not None else 1, texts)
    return None


def _is_sub_heading(top: list[str], sub: list[str], date_col: int) -> bool:
    """Whether ``sub`` is a row of sub-headings under ``top``: its date cell empty or the heading
    carried down a merged cell, no date in it, and headings under the top row's spans."""
    date_cell = sub[date_col] if date_col < len(sub) else ""
    if date_cell and _first_line(date_cell) != _first_line(top[date_col]):
        return False
    if any(parse_when(t).known for t in sub if t):
        return False
    under_spans = sum(1 for i, t in enumerate(sub) if t and i < len(top) and not top[i])
    headings = sum(1 for i, t in enumerate(sub) if t and (i >= len(top) or _first_line(t) != _first_line(top[i]))
                   and heading_field(t))
    return under_spans >= 1 or headings >= 2


def find_header(rows: list[tuple[int, list[Cell]]]) -> tuple[Header, int] | None:
    """The header within the first rows of a table, and the index of the first row after it."""
    for i, (_, cells) in enumerate(rows[:MAX_HEADER_SEARCH]):
        top = [_text(c) for c in cells]
        one = _header(top, None)
        if one is None:
            continue
        if i + 1 < len(rows):
            sub = [_text(c) for c in rows[i + 1][1]]
            if _is_sub_heading(top, sub, one.fields["date"][0]):
                two = _header(top, sub)
                if two is not None:
                    return two, i + 2
        return one, i + 1
    return None


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M") if cell.time() != time(0) else cell.strftime("%d/%m/%Y")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, time):
        return cell.strftime("%H:%M")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell)[:MAX_CELL]
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _read_date(cell: Cell, epoch: date | None) -> tuple[When, time | None, str]:
    """A date cell: the date, a time found in it, and the time text that was not a time."""
    d = as_date(cell)
    if d is not None:
        t = cell.time() if isinstance(cell, datetime) and cell.time() != time(0) else None
        return When.day(d), t, ""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and epoch is not None:
        d = from_serial(float(cell), epoch)
        if d is not None:
            frac = float(cell) % 1
            t = None
            if frac:
                minutes = round(frac * 24 * 60)
                t = time(min(minutes // 60, 23), minutes % 60)
            return When.day(d), t, ""
        return When.unknown(_text(cell)), None, ""
    text = _text(cell)
    when = parse_when(text)
    if when.known:
        return when, None, ""
    date_text, time_text = split_date_time(text)
    if time_text:
        when = parse_when(date_text)
        if when.known:
            t = parse_time(time_text)
            return (when, t, "") if t else (when, None, time_text)
    return When.unknown(" ".join(text.split())), None, ""


def _read_time(cell: Cell) -> tuple[time | None, bool]:
    """A time cell: (the time, whether something was written that is not a time)."""
    if cell is None or cell == "":
        return None, False
    if isinstance(cell, datetime):
        return cell.time(), False
    if isinstance(cell, time):
        return cell, False
    if isinstance(cell, float) and 0 <= cell < 1:
        minutes = round(cell * 24 * 60)
        return time(min(minutes // 60, 23), minutes % 60), False
    text = _text(cell)
    t = parse_time(text)
    if t is None and text.lower().strip(" .") in ("n/a", "na", "unknown", "not known", "-", "--", "tbc", "not recorded"):
        return None, False
    return t, t is None and bool(text)


@dataclass
class _Pending:
    when: When
    time: time | None
    values: dict[str, str]
    rows: list[int]
    flags: set[Flag]


def rows_of_tables(tables: list[RawTable], file: str, default_agency: str = "") -> tuple[list[ChronologyRow], list[str]]:
    """Every chronology row of ``tables`` in document order, and notes on tables that were not read."""
    out: list[ChronologyRow] = []
    notes: list[str] = []
    header: Header | None = None
    width = 0
    for table in tables:
        start = 0
        found = find_header(table.rows)
        if found:
            header, start = found
            width = len(table.rows[start - 1][1])
        elif header is None or not table.rows or max(len(c) for _, c in table.rows) != width:
            if table.rows:
                notes.append(f"{table.part}: no chronology header (a date column and a column for what happened)")
            continue
        agency = table.agency_hint or default_agency
        out += _table_rows(table, table.rows[start:], header, file, agency)
    return out, notes


def _table_rows(table: RawTable, rows, header: Header, file: str, agency: str) -> list[ChronologyRow]:
    out: list[ChronologyRow] = []
    pending: _Pending | None = None
    columns = {name: cols[0] for name, cols in header.fields.items()}

    def cell(cells: list[Cell], name: str) -> Cell:
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def text_of(cells: list[Cell], name: str) -> str:
        """A field's text; from several columns, each labelled: "Child: seen alone"."""
        cols = header.fields.get(name, [])
        if len(cols) <= 1:
            return _text(cell(cells, name))
        parts = [(header.labels[i], _text(cells[i])) for i in cols if i < len(cells)]
        return "\n".join(f"{label}: {text}" for label, text in parts if text)

    def flush() -> None:
        nonlocal pending
        if pending is None:
            return
        v = pending.values
        flags = set(pending.flags)
        if pending.when.partial:
            flags.add(Flag.PARTIAL_DATE)
        out.append(ChronologyRow(
            when=pending.when, time=pending.time, agency=v.get("agency") or agency,
            practitioner=v.get("practitioner", ""), contact_type=v.get("contact_type", ""),
            event=v.get("event", ""), action=v.get("action", ""), comments=v.get("comments", ""),
            source=Source(file, table.part, tuple(pending.rows)), flags=frozenset(flags)))
        pending = None

    for number, cells in rows:
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue
        if any([t.lower() for t in texts] == h[: len(texts)] for h in header.texts):
            continue  # the header again, at the top of a page
        date_cell, time_cell = cell(cells, "date"), cell(cells, "time")
        values = {name: text_of(cells, name) for name in FIELDS[2:]}
        if not _text(date_cell) and not _text(time_cell):
            if pending is not None:  # a row broken over two table rows
                for name, text in values.items():
                    if text:
                        before = pending.values.get(name, "")
                        # a sentence broken over two table rows goes on after a space
                        pending.values[name] = f"{before} {text}" if before and name != "agency" else before or text
                pending.rows.append(number)
                pending.flags.add(Flag.CONTINUED_MERGED)
                continue
            flush()
            pending = _Pending(When(text="", precision=Precision.UNKNOWN), None, values, [number], {Flag.DATE_MISSING})
            continue
        flush()
        when, t, bad_time = _read_date(date_cell, table.serial_epoch)
        flags: set[Flag] = set()
        if not when.known:
            flags.add(Flag.DATE_MISSING if not when.text else Flag.DATE_UNREADABLE)
        if time_cell is not None and "time" in columns and columns["time"] != columns["date"]:
            t2, bad = _read_time(time_cell)
            if t2 is not None:
                t = t2
            elif bad:
                flags.add(Flag.TIME_UNREADABLE)
        elif bad_time:
            flags.add(Flag.TIME_UNREADABLE)
        if (number, columns["date"]) in table.merged_down:
            flags.add(Flag.DATE_FROM_MERGED_CELL)
        pending = _Pending(when, t, values, [number], flags)
    flush()
    return out


def with_agency(rows: list[ChronologyRow], agency: str) -> list[ChronologyRow]:
    """Rows whose agency is blank get ``agency``."""
    return [r if r.agency else replace(r, agency=agency) for r in rows]


__all__ = ["RawTable", "rows_of_tables", "header_map", "with_agency"]
