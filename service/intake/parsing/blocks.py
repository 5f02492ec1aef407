"""Paragraphs and tables, as read from Word, HTML or a spreadsheet, turned into lines.

Readers of structured documents produce a list of :class:`Para` and
:class:`Table` blocks; :func:`to_lines` turns them into the line model of
:mod:`.text`, keeping what the table structure tells us:

- a row ``label | value`` (also ``label | value | label | value``) gives a
  label line and value lines, so a value is never mistaken for a label;
- a row holding only a label, followed by a row holding its value, the same;
- a header row of labels over a row of values is paired column by column;
- a table whose header row names people columns (Name / Relationship / DOB /
  Address, any order) gives one person line per row, from that row on, until
  a row starts the form again;
- a table of one cell is only a box round its content, which is read as if it
  stood alone;
- any other row is read as text, cells separated by tabs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import labels
from .people import is_person_heading, relationship_in_key
from .bilingual import english
from .text import BREAK, LABEL, PERSON, TEXT, VALUE, Line, lines_from_text, squash


@dataclass
class Para:
    text: str
    emphasis: bool = False


@dataclass
class Table:
    rows: list[list[list[Block]]] = field(default_factory=list)  # rows -> cells -> blocks


Block = Para | Table

MAX_TABLE_DEPTH = 8


def to_lines(blocks: list[Block], depth: int = 0) -> list[Line]:
    """Lines for a sequence of blocks, in document order."""
    out: list[Line] = []
    for block in blocks:
        if isinstance(block, Para):
            out.extend(_para_lines(block))
        elif depth < MAX_TABLE_DEPTH:
            wrapped = _only_cell(block)
            # A one-cell table is a box drawn round its content (an e-mail template, a bordered
            # form), not a table of labels and values: read what is inside as if it stood alone.
            out.extend(to_lines(wrapped, depth + 1) if wrapped is not None else _table_lines(block, depth))
            out.append(BREAK)
    return out


def _only_cell(table: Table) -> list[Block] | None:
    cells = [cell for row in table.rows for cell in row if not _is_empty(cell)]
    return cells[0] if len(cells) == 1 else None


def _para_lines(para: Para, kind: str = TEXT, in_table: bool = False) -> list[Line]:
    return [
        Line(line.text, kind=kind, emphasis=para.emphasis, in_table=in_table) if line.text else BREAK
        for line in lines_from_text(english(para.text))
    ]


def _cell_text(cell: list[Block]) -> str:
    # Paragraphs joined by a line break first, so that a bilingual label written on two lines is seen as one.
    return squash(english("\n".join(b.text for b in cell if isinstance(b, Para))))


def _cell_emphasis(cell: list[Block]) -> bool:
    paras = [b for b in cell if isinstance(b, Para) and b.text.strip()]
    return bool(paras) and all(p.emphasis for p in paras)


def _cell_lines(cell: list[Block], kind: str, depth: int, *, keep_labels: bool = False) -> list[Line]:
    """A cell's lines. In a value cell, a nested table's lines are values too - except people rows,
    and (``keep_labels``, for the subjects) its key cells such as "Name" / "DOB"."""
    out: list[Line] = []
    for block in cell:
        if isinstance(block, Para):
            out.extend(_para_lines(block, kind, in_table=True))
        elif depth + 1 < MAX_TABLE_DEPTH:
            nested = _table_lines(block, depth + 1)
            if kind == VALUE:
                keep = (PERSON, LABEL) if keep_labels else (PERSON,)
                nested = [ln if ln.kind in keep or not ln.text else Line(ln.text, VALUE, in_table=True) for ln in nested]
            out.extend(nested)
    return out


def _is_empty(cell: list[Block]) -> bool:
    return not _cell_text(cell) and not any(isinstance(b, Table) for b in cell)


def _label_of(cell: list[Block]) -> labels.LabelMatch | None:
    text = _cell_text(cell)
    if not text or len(text) > 250 or any(isinstance(b, Table) for b in cell):
        return None
    return labels.match_label(text.rstrip(" :.?-\u2013"), marked=True)


def _stacked(cell: list[Block]) -> tuple[str, list[str]] | None:
    """A cell holding a known label on its first line and its value on the lines under it."""
    if not cell or not all(isinstance(b, Para) for b in cell):
        return None
    lines = [squash(t) for b in cell for t in english(b.text).split("\n")]
    lines = [t for t in lines if t]
    if len(lines) < 2 or len(lines[0]) > 80:
        return None
    head = lines[0].rstrip(" :.?-\u2013")
    if labels.match_label(head, marked=True) is None and not is_person_heading(head):  # "Father<br>Lee Nash"
        return None
    if lines[1].startswith("(") or labels.match_label(lines[1].rstrip(" :.?-\u2013"), marked=True):
        return None  # "Date of birth<br>(dd/mm/yyyy)" is a header with its hint; two labels are two labels
    return lines[0].rstrip(" :"), lines[1:]


def _looks_like_label(cell: list[Block]) -> bool:
    """An unknown label: short, and presented as one (trailing colon or bold)."""
    text = _cell_text(cell)
    return 0 < len(text.split()) <= 12 and (text.endswith((":", "?")) or _cell_emphasis(cell))


def _label_only(cell: list[Block]) -> bool:
    """True when a lone cell holds a label and nothing else (its value is in the next row)."""
    text = _cell_text(cell)
    return ":" not in text.rstrip(" :") and "\t" not in text


def _people_header(row: list[list[Block]]) -> dict[int, str] | None:
    """Column index -> people column, when ``row`` is a people table's header row."""
    columns: dict[int, str] = {}
    unknown = 0
    for i, cell in enumerate(row):
        text = _cell_text(cell)
        if not text:
            continue
        col = labels.match_column(text.rstrip(" :"))
        if col == labels.ADDRESS_PART:
            columns[i] = f"{col}{i}"  # Street | Town | Postcode: parts of one address, in column order
        elif col is None:
            unknown += 1  # "Gender", "School": columns we do not read
        elif col in columns.values():
            return None
        else:
            columns[i] = col
    names = {"name", "forename", "surname"} & set(columns.values())
    return columns if names and len(columns) >= 2 and unknown <= len(columns) else None


_PEOPLE_KEYS = (labels.SUBJECT_KEY, labels.BARE_NAME, labels.BARE_ADDRESS)


def _ends_people(row: list[list[Block]]) -> bool:
    """A row after people rows that starts the form again: a label of another field, or a full-width heading."""
    cells = [c for c in row if not _is_empty(c)]
    if len(cells) == 1 and len(row) > 1:
        return True
    first = _label_of(cells[0]) if cells else None
    return first is not None and first.field not in _PEOPLE_KEYS


def _table_lines(table: Table, depth: int) -> list[Line]:
    rows = [row for row in table.rows if row and not all(_is_empty(c) for c in row)]
    out: list[Line] = []
    value_row_due: labels.LabelMatch | None = None  # the previous row was a label on its own
    people: dict[int, str] | None = None  # column map while inside a people table
    relation: str | None = None  # the relationship the name column's header gives ("Mother's name")
    i = 0
    while i < len(rows):
        row = rows[i]
        if people is not None and not _ends_people(row):
            person = {col: _cell_text(row[j]) for j, col in people.items() if j < len(row)}
            if relation:
                person["_relationship"] = relation
            out.append(Line(_cell_text(row[0]), PERSON, in_table=True, person=person))
            i += 1
            continue
        cells = [c for c in row if not _is_empty(c)]
        stacked = [_stacked(c) for c in cells]
        if cells and all(stacked):
            # Each cell a label with its value under it in the same cell ("Child's name<br>Freddie Nash"),
            # not a people table's header.
            for label, value in stacked:
                out.append(Line(label, LABEL, in_table=True))
                out.extend(Line(v, VALUE, in_table=True) for v in value)
                out.append(BREAK)
            value_row_due = None
            people = None
            i += 1
            continue
        people = _people_header(row)
        if people is not None:
            # "Child's name" / "Mother's name" over the names: the relationship of everyone in the column.
            relation = next((relationship_in_key(_cell_text(row[j])) for j, col in people.items() if col == "name"), None)
            i += 1
            continue
        matches = [_label_of(c) for c in cells]

        # Header row of labels over a row of values: pair them column by column.
        if len(cells) >= 2 and all(matches) and i + 1 < len(rows):
            below = rows[i + 1]
            below_cells = [c for c in below if not _is_empty(c)]
            if len(below) == len(row) and below_cells and not any(_label_of(c) for c in below_cells):
                for top, bottom in zip(row, below):
                    if not _is_empty(top):
                        out.append(Line(_cell_text(top), LABEL, in_table=True))
                        out.extend(_cell_lines(bottom, VALUE, depth))
                        out.append(BREAK)
                i += 2
                value_row_due = None
                continue

        if len(cells) == 1:
            is_label = matches[0] is not None and _label_only(cells[0])
            if value_row_due and not is_label:
                out.extend(_cell_lines(cells[0], VALUE, depth, keep_labels=value_row_due.field == labels.SUBJECTS))
            else:
                out.extend(_cell_lines(cells[0], TEXT, depth))
            out.append(BREAK)
            value_row_due = matches[0] if is_label else None
            i += 1
            continue

        value_row_due = None
        out.extend(_row_lines(cells, matches, depth))
        i += 1
    return out


def _row_lines(cells: list[list[Block]], matches: list[labels.LabelMatch | None], depth: int) -> list[Line]:
    """One row: label cells with the value cell after each (``label | value | label | value``), the rest as text."""
    out: list[Line] = []
    loose: list[list[Block]] = []
    j = 0
    while j < len(cells):
        cell = cells[j]
        if j + 1 < len(cells) and (matches[j] or _looks_like_label(cell) or is_person_heading(_cell_text(cell))):
            out.extend(_flush(loose, depth))
            loose = []
            out.append(Line(_cell_text(cell), LABEL, emphasis=_cell_emphasis(cell), in_table=True))
            keep = matches[j] is not None and matches[j].field == labels.SUBJECTS
            out.extend(_cell_lines(cells[j + 1], VALUE, depth, keep_labels=keep))
            out.append(BREAK)
            j += 2
        else:
            loose.append(cell)
            j += 1
    return out + _flush(loose, depth)


def _flush(cells: list[list[Block]], depth: int) -> list[Line]:
    """Cells that are not label/value pairs: one tab-separated line if all are one-liners."""
    if not cells:
        return []
    simple = all(
        all(isinstance(b, Para) for b in c) and "\n" not in "\n".join(b.text.strip() for b in c if isinstance(b, Para))
        for c in cells
    )
    if simple:
        text = "\t".join(_cell_text(c) for c in cells)
        return [Line(text, TEXT, emphasis=all(_cell_emphasis(c) for c in cells), in_table=True), BREAK]
    out: list[Line] = []
    for c in cells:
        out.extend(_cell_lines(c, TEXT, depth))
        out.append(BREAK)
    return out
