"""Tables of a text PDF (one with a text layer; a scan has none and is refused as such): pdfplumber
finds each page's tables from their ruling lines. A page without any is read by the alignment of
its words under a header line: the line whose phrases are a chronology's headings sets where each
column starts, every later line is a row whose words go to the column they start in, and a line
with nothing in the date or time column continues the row above (a cell's text over several lines).
A page without a header goes on in the columns of the page before it. A table broken over pages
continues the columns of the one before it (see tables.py).

Before pdfplumber lays anything out, pypdf opens the file and expands each page's content stream
with its own caps on a stream's size (a compression bomb ends as a clear error), and the pages are
counted against :data:`MAX_PDF_PAGES`."""

from __future__ import annotations

import io
import logging
import re
import time as clock

from .limits import MAX_EXPANDED_BYTES, MAX_FILE_BYTES, MAX_PDF_PAGES, MAX_PDF_SECONDS, MAX_ROWS, ChronologyReadError
from .tables import RawTable, header_map
from .word import agency_in

LINE_TOLERANCE = 2.0  # points: words whose tops differ by less are on one line
COLUMN_TOLERANCE = 3.0  # points: a word may start this far left of its column's heading
PAGE_NUMBER = re.compile(r"(?i)^(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?$")


def _lines(words: list[dict]) -> list[list[dict]]:
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(w["top"] - lines[-1][0]["top"]) <= LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _phrases(line: list[dict]) -> list[tuple[float, str]]:
    """A header line's words joined into headings: words closer than about a space and a half."""
    out: list[list] = []
    for w in line:
        gap = max(3.0, 0.45 * (w["bottom"] - w["top"]))
        if out and w["x0"] - out[-1][2] <= gap:
            out[-1][1] += " " + w["text"]
            out[-1][2] = w["x1"]
        else:
            out.append([w["x0"], w["text"], w["x1"]])
    return [(x0, text) for x0, text, _ in out]


def aligned_table(words: list[dict], part: str, starts: list[float] | None) -> tuple[RawTable | None, list[float] | None]:
    """A table from word positions (see the module's docstring); returns it and the column starts."""
    lines = _lines(words)
    first = 0
    for i, line in enumerate(lines):
        phrases = _phrases(line)
        if header_map([t for _, t in phrases]):
            starts, first = [x for x, _ in phrases], i
            break
    else:
        if starts is None:
            return None, None
    table = RawTable(part, [])
    for n, line in enumerate(lines[first:], start=first + 1):
        if PAGE_NUMBER.match(" ".join(w["text"] for w in line)):
            continue
        cells = [""] * len(starts)
        for w in line:
            col = max((i for i, x in enumerate(starts) if w["x0"] >= x - COLUMN_TOLERANCE), default=0)
            cells[col] = f"{cells[col]} {w['text']}" if cells[col] else w["text"]
        table.rows.append((n, cells))
    return table, starts


def preflight(data: bytes) -> int:
    """Checks a PDF can be laid out within bounds; returns its page count."""
    if len(data) > MAX_FILE_BYTES:
        raise ChronologyReadError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ChronologyReadError("encrypted PDF (save it without a password)")
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise ChronologyReadError(f"PDF of {pages} pages; at most {MAX_PDF_PAGES} are read")
        expanded = 0
        for page in reader.pages:
            contents = page.get_contents()
            expanded += len(contents.get_data()) if contents is not None else 0
            if expanded > MAX_EXPANDED_BYTES:
                raise ChronologyReadError("too large when expanded (possible compression bomb)")
    except ChronologyReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise ChronologyReadError(f"not a readable PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a damaged or hostile file
        if type(exc).__name__ == "LimitReachedError":  # pypdf's cap on one expanded stream
            raise ChronologyReadError("too large when expanded (possible compression bomb)") from exc
        raise ChronologyReadError(f"not a readable PDF ({type(exc).__name__})") from exc
    return pages


def quiet_pdfminer() -> None:
    """pdfminer logs every text operator it runs at DEBUG, the document's words with them: never
    below WARNING, whatever the service's log level."""
    pdfminer = logging.getLogger("pdfminer")
    if pdfminer.getEffectiveLevel() < logging.WARNING:
        pdfminer.setLevel(logging.WARNING)


def _extract_tables(page) -> list[list[list[str | None]]]:
    """``page.extract_tables()``, the same cells and text, without its cost: pdfplumber tests every
    character of the page against every row of every table (a 35-row page of 3,000 characters: 100,000
    tests); here the characters are sorted by their middle once and each row takes its band by bisection."""
    from bisect import bisect_left

    from pdfplumber import utils
    from pdfplumber.table import TableSettings

    tset = TableSettings.resolve(None)
    tables = page.find_tables(tset)
    if not tables:
        return []
    chars = page.chars
    h_mid = [(c["x0"] + c["x1"]) / 2 for c in chars]
    by_v = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars))
    vs = [v for v, _ in by_v]
    kwargs = tset.text_settings or {}
    out = []
    for table in tables:
        rows = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            band = sorted(i for _, i in by_v[bisect_left(vs, top):bisect_left(vs, bottom)])
            in_row = [i for i in band if x0 <= h_mid[i] < x1]
            cells: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    cells.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                mine = [chars[i] for i in in_row
                        if cx0 <= h_mid[i] < cx1 and ctop <= (chars[i]["top"] + chars[i]["bottom"]) / 2 < cbottom]
                cells.append(utils.extract_text(mine, **kwargs) if mine else "")
            rows.append(cells)
        out.append(rows)
    return out


def read_pdf_tables(data: bytes) -> list[RawTable]:
    preflight(data)
    quiet_pdfminer()
    import pdfplumber

    tables: list[RawTable] = []
    started = clock.monotonic()
    any_text = False
    total = 0
    agency = ""
    starts: list[float] | None = None  # columns of the last page read by word alignment
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                if clock.monotonic() - started > MAX_PDF_SECONDS:
                    raise ChronologyReadError(f"reading took more than {MAX_PDF_SECONDS:.0f} s (stopped at page {number})")
                any_text = any_text or bool(page.chars)
                if number == 1:
                    for line in (page.extract_text() or "").splitlines()[:20]:
                        if agency := agency_in(line):
                            break
                found = _extract_tables(page)
                ruled_header = any(header_map(r) for rows in found for r in rows[:15])
                # A page whose ruled tables hold no chronology header (none at all, or a ruled box of
                # the agency's details above an unruled chronology) is read by alignment too.
                if page.chars and not ruled_header and (not found or starts is None):
                    table, starts = aligned_table(page.extract_words(x_tolerance=1.5), f"page {number}", starts)
                    if table is not None:
                        total += len(table.rows)
                        tables.append(table)
                for i, rows in enumerate(found, start=1):
                    total += len(rows)
                    if total > MAX_ROWS:
                        raise ChronologyReadError(f"more than {MAX_ROWS} table rows")
                    part = f"page {number}" + (f" table {i}" if len(found) > 1 else "")
                    tables.append(RawTable(part, [(n, [c or "" for c in r]) for n, r in enumerate(rows, start=1)]))
                page.flush_cache()
    except ChronologyReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for a damaged file
        raise ChronologyReadError(f"not a readable PDF ({type(exc).__name__})") from exc
    if not any_text:
        raise ChronologyReadError("the PDF has no text layer (a scan?): ask for the Word or Excel file")
    for t in tables:
        t.agency_hint = agency
    return tables
