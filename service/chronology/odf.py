"""Tables of an OpenDocument text (.odt) or spreadsheet (.ods), read from content.xml with lxml:
every top-level table, header rows included; a covered cell (merged) takes the text of the cell
above when it is covered from above, else stays empty; repeated rows and columns are capped.
A date cell of a spreadsheet gives its ``office:date-value``."""

from __future__ import annotations

from datetime import date, datetime

from .limits import MAX_COLUMNS, MAX_ROWS, MAX_TABLES, ChronologyReadError, open_zip, parse_xml, read_member
from .tables import RawTable
from .word import agency_in

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
MAX_REPEAT_ROWS = 200  # a repeated empty row at the end of a sheet claims a million


def _repeat(el, attr: str, cap: int) -> int:
    try:
        return max(1, min(int(el.get(TABLE + attr, "1")), cap))
    except ValueError:
        return 1


def _inline(el, parts: list[str], depth: int = 0) -> None:
    if depth > 40:
        return
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == TEXT + "s":
            parts.append(" " * min(int(child.get(TEXT + "c", "1") or 1), 100))
        elif tag == TEXT + "tab":
            parts.append(" ")
        elif tag == TEXT + "line-break":
            parts.append("\n")
        elif tag in (TEXT + "note", OFFICE + "annotation", TABLE + "table"):
            pass
        else:
            _inline(child, parts, depth + 1)
        if child.tail:
            parts.append(child.tail)


def paragraphs(el) -> list[str]:
    out = []
    for p in el.iter(TEXT + "p", TEXT + "h"):
        parts: list[str] = []
        _inline(p, parts)
        out.append("".join(parts))
    return out


def _cell_value(cell):
    if cell.get(OFFICE + "value-type") == "date" and cell.get(OFFICE + "date-value"):
        v = cell.get(OFFICE + "date-value")
        try:
            return datetime.fromisoformat(v) if "T" in v else date.fromisoformat(v)
        except ValueError:
            pass
    return "\n".join(t for t in paragraphs(cell) if t.strip())


def _rows(container):
    for el in container:
        if el.tag == TABLE + "table-row":
            yield el
        elif el.tag in (TABLE + "table-header-rows", TABLE + "table-rows", TABLE + "table-row-group"):
            yield from _rows(el)


def read_odf_tables(data: bytes) -> list[RawTable]:
    zf = open_zip(data)
    xml = read_member(zf, "content.xml")
    if xml is None:
        raise ChronologyReadError("not an OpenDocument file (no content.xml)")
    root = parse_xml(xml)
    body = root.find(OFFICE + "body")
    if body is None:
        return []
    tables: list[RawTable] = []
    agency = ""
    total = 0
    for el in body.iter(TABLE + "table", TEXT + "p", TEXT + "h"):
        if el.tag != TABLE + "table":
            if not tables and not agency and not any(a.tag == TABLE + "table" for a in el.iterancestors()):
                agency = agency_in("".join(paragraphs(el)[:1]))
            continue
        if any(a.tag == TABLE + "table" for a in el.iterancestors()):
            continue
        if len(tables) >= MAX_TABLES:
            raise ChronologyReadError(f"more than {MAX_TABLES} tables")
        name = el.get(TABLE + "name") or f"table {len(tables) + 1}"
        table = RawTable(f"table '{name}'", [])
        above: dict[int, object] = {}
        number = 0
        for tr in _rows(el):
            cells: list[object] = []
            merged_cols: list[int] = []
            for tc in tr:
                if tc.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                    continue
                value = _cell_value(tc) if tc.tag == TABLE + "table-cell" else None
                for _ in range(_repeat(tc, "number-columns-repeated", MAX_COLUMNS - len(cells))):
                    col = len(cells)
                    if value is None:  # covered: from above when the cell above spans rows
                        value_here = above.get(col, "") if col in above else ""
                        if value_here:
                            merged_cols.append(col)
                    else:
                        value_here = value
                        if int(tc.get(TABLE + "number-rows-spanned", "1") or 1) > 1:
                            above[col] = value
                        else:
                            above.pop(col, None)
                    cells.append(value_here)  # a cell spanning columns is followed by covered cells
                    if len(cells) >= MAX_COLUMNS:
                        break
                if len(cells) >= MAX_COLUMNS:
                    break
            empty = not any(c not in ("", None) for c in cells)
            for _ in range(_repeat(tr, "number-rows-repeated", 1 if empty else MAX_REPEAT_ROWS)):
                number += 1
                total += 1
                if total > MAX_ROWS:
                    raise ChronologyReadError(f"more than {MAX_ROWS} table rows")
                table.rows.append((number, list(cells)))
                for col in merged_cols:
                    table.merged_down.add((number, col))
        tables.append(table)
    for t in tables:
        t.agency_hint = agency
    return tables
