"""One file in, its chronology rows out: which reader by the file's content (not its name), then
tables.py for the rows. :func:`read_chronology` is the one entry point."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .limits import MAX_FILE_BYTES, ChronologyReadError, open_zip
from .rows import ReadResult
from .tables import rows_of_tables, with_agency

KINDS = ("docx", "xlsx", "odt", "ods", "pdf")


def kind_of(data: bytes) -> str:
    """docx, xlsx, odt, ods or pdf, from the bytes; raises for anything else."""
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        zf = open_zip(data)
        names = set(zf.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "mimetype" in names:
            try:
                mime = zf.read("mimetype")[:100]
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise ChronologyReadError("corrupt file (a damaged part)") from exc
            if mime.endswith(b"opendocument.text"):
                return "odt"
            if mime.endswith(b"opendocument.spreadsheet"):
                return "ods"
        raise ChronologyReadError("a zip package that is not a Word, Excel or OpenDocument file")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ChronologyReadError("an old Word or Excel file (.doc, .xls): save it as .docx or .xlsx")
    raise ChronologyReadError("not a Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods) or PDF file")


def read_chronology(data: bytes, name: str, agency: str = "") -> ReadResult:
    """The rows of the chronology in ``data`` (a file called ``name``). ``agency`` is used for rows
    whose document names none (no agency column, no "Agency:" line). Raises ChronologyReadError."""
    if len(data) > MAX_FILE_BYTES:
        raise ChronologyReadError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    kind = kind_of(data)
    if kind == "docx":
        from .word import read_word_tables as reader
    elif kind == "xlsx":
        from .excel import read_excel_tables as reader
    elif kind in ("odt", "ods"):
        from .odf import read_odf_tables as reader
    else:
        from .pdf import read_pdf_tables as reader
    tables = reader(data)
    rows, notes = rows_of_tables(tables, name)
    if not rows:
        raise ChronologyReadError(f"no chronology table found in this {kind} file (a table needs a date "
                                  "column and a column for what happened, with headings)")
    if agency:
        rows = with_agency(rows, agency)
    return ReadResult(name, tuple(rows), tuple(notes))


def read_path(path: Path, agency: str = "") -> ReadResult:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ChronologyReadError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return read_chronology(path.read_bytes(), path.name, agency)
