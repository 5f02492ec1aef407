"""Tables of a Word .docx, read from its XML: every top-level table in document order, a merged
cell's text in its first column (horizontal) or carried down (vertical, ``w:vMerge``), tracked
deletions left out. A paragraph "Agency: NAME" before the tables names the agency."""

from __future__ import annotations

import re

from .limits import MAX_COLUMNS, MAX_ROWS, MAX_TABLES, ChronologyReadError, open_zip, parse_xml, read_member
from .tables import RawTable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {W + "del", W + "delText", W + "instrText", W + "moveFrom", W + "rPr", W + "pPr", W + "tcPr", W + "trPr",
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
# "Agency: Police" on its own line, or after other text ("Serious case review SCR-1   Agency: Police")
AGENCY_LINE = re.compile(r"^\s*(?:agency|organisation|organization|agency name|name of agency|service)\s*[:\-]\s*"
                         r"(.{2,80}?)\s*$|(?:^|\s)(?:agency|organisation|organization|name of agency)\s*:\s*(.{2,80}?)\s*$",
                         re.I)


def agency_in(line: str) -> str:
    m = AGENCY_LINE.search(line)
    return (m[1] or m[2]).strip() if m else ""


def paragraph_text(p) -> str:
    parts: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag == W + "tab":
                parts.append(" ")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
            elif tag == W + "p":
                continue  # a text box's own paragraph
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def cell_text(tc) -> str:
    return "\n".join(t for t in (paragraph_text(p) for p in tc.iter(W + "p")) if t.strip())


def _int(el, attr: str, default: int = 1) -> int:
    try:
        return max(1, min(int(el.get(W + attr, default)), MAX_COLUMNS))
    except (TypeError, ValueError):
        return default


def _table(tbl, part: str, budget: list[int]) -> RawTable:
    table = RawTable(part, [])
    above: dict[int, str] = {}
    for number, tr in enumerate((tr for tr in tbl if tr.tag == W + "tr"), start=1):
        budget[0] += 1
        if budget[0] > MAX_ROWS:
            raise ChronologyReadError(f"more than {MAX_ROWS} table rows")
        cells: list[str] = []
        for tc in tr.iter(W + "tc"):
            if tc.getparent() is not tr and tc.getparent().tag != W + "sdtContent":
                continue
            props = tc.find(W + "tcPr")
            span = 1
            merged = False
            if props is not None:
                gs = props.find(W + "gridSpan")
                span = _int(gs, "val") if gs is not None else 1
                vm = props.find(W + "vMerge")
                merged = vm is not None and vm.get(W + "val", "continue") == "continue"
            col = len(cells)
            if merged:
                text = above.get(col, "")
                if text:
                    table.merged_down.add((number, col))
            else:
                text = cell_text(tc)
            above[col] = text
            cells.append(text)
            cells += [""] * (span - 1)
            if len(cells) >= MAX_COLUMNS:
                break
        table.rows.append((number, cells[:MAX_COLUMNS]))
    return table


def read_word_tables(data: bytes) -> list[RawTable]:
    zf = open_zip(data)
    xml = read_member(zf, "word/document.xml")
    if xml is None:
        raise ChronologyReadError("not a Word document (no word/document.xml)")
    body = parse_xml(xml).find(W + "body")
    if body is None:
        return []
    tables: list[RawTable] = []
    agency = ""
    budget = [0]
    for el in body.iter(W + "tbl", W + "p"):
        if el.tag == W + "p":
            if not tables and not agency and _in_table(el) is False:
                agency = agency_in(paragraph_text(el))
            continue
        if _in_table(el.getparent()):
            continue  # a table inside a table's cell: its text is part of that cell
        if len(tables) >= MAX_TABLES:
            raise ChronologyReadError(f"more than {MAX_TABLES} tables")
        tables.append(_table(el, f"table {len(tables) + 1}", budget))
    for t in tables:
        t.agency_hint = agency
    return tables


def _in_table(el) -> bool:
    while el is not None:
        if el.tag == W + "tbl":
            return True
        el = el.getparent()
    return False
