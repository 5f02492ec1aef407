"""Tables of a text PDF (one with a text layer; a scan has none and is refused as such): pdfplumber
finds each page's tables from their ruling lines, and, on a page with none, from the alignment of
the words. A table broken over pages continues the columns of the one before it (see tables.py).

Before pdfplumber lays anything out, pypdf opens the file and expands each page's content stream
with its own caps on a stream's size (a compression bomb ends as a clear error), and the pages are
counted against :data:`MAX_PDF_PAGES`."""

from __future__ import annotations

import io
import time as clock

from .limits import MAX_EXPANDED_BYTES, MAX_FILE_BYTES, MAX_PDF_PAGES, MAX_PDF_SECONDS, MAX_ROWS, ChronologyReadError
from .tables import RawTable
from .word import AGENCY_LINE

TEXT_SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text", "snap_tolerance": 3,
                 "intersection_tolerance": 5, "text_x_tolerance": 2}


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


def read_pdf_tables(data: bytes) -> list[RawTable]:
    preflight(data)
    import pdfplumber

    tables: list[RawTable] = []
    started = clock.monotonic()
    any_text = False
    total = 0
    agency = ""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                if clock.monotonic() - started > MAX_PDF_SECONDS:
                    raise ChronologyReadError(f"reading took more than {MAX_PDF_SECONDS:.0f} s (stopped at page {number})")
                any_text = any_text or bool(page.chars)
                if number == 1:
                    for line in (page.extract_text() or "").splitlines()[:20]:
                        if m := AGENCY_LINE.match(line):
                            agency = m[1].strip()
                            break
                found = page.extract_tables() or (page.extract_tables(TEXT_SETTINGS) if page.chars else [])
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
