"""The words at the top of a returned document (its title, "Agency: ..." line), for telling what it is
and whose it is: an IMR, a chronology, a summary or an action plan, from which agency.

Read within the same bounds as the chronology readers (:mod:`service.chronology.limits`): a zip's
declared sizes checked first, no DOCTYPE, a PDF preflighted. Never raises: a document whose
heading cannot be read has none. The text is returned to the caller only, never logged.
"""

from __future__ import annotations

import io

from .limits import ChronologyReadError, open_zip, parse_xml, read_member

MAX_LINES = 8
MAX_CHARS = 600


def _lines(texts, limit: int = MAX_LINES) -> str:
    out = []
    for text in texts:
        text = " ".join(str(text).split())
        if text:
            out.append(text[:200])
        if len(out) >= limit:
            break
    return "\n".join(out)[:MAX_CHARS]


def _docx(data: bytes) -> str:
    from .word import W, paragraph_text

    xml = read_member(open_zip(data), "word/document.xml")
    body = parse_xml(xml).find(W + "body") if xml else None
    if body is None:
        return ""
    texts = []
    for el in body:  # the paragraphs above the first table
        if el.tag == W + "tbl":
            break
        if el.tag == W + "p":
            texts.append(paragraph_text(el))
    return _lines(texts)


def _odf(data: bytes) -> str:
    from .odf import paragraphs

    xml = read_member(open_zip(data), "content.xml")
    return _lines(paragraphs(parse_xml(xml))) if xml else ""


def _xlsx(data: bytes) -> str:
    open_zip(data)  # the declared sizes, before openpyxl expands anything
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        texts = [wb.worksheets[0].title] if wb.worksheets else []
        for ws in wb.worksheets[:1]:
            for row in ws.iter_rows(min_row=1, max_row=6, max_col=12, values_only=True):
                texts.extend(v for v in row if isinstance(v, str))
        return _lines(texts)
    finally:
        wb.close()


def _pdf(data: bytes) -> str:
    from .pdf import preflight, quiet_pdfminer

    preflight(data)
    quiet_pdfminer()
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data), pages=[1]) as pdf:
        return _lines((pdf.pages[0].extract_text() or "").splitlines()) if pdf.pages else ""


def document_heading(data: bytes) -> str:
    """The first lines of the document's text above its first table (Word), of its first sheet (Excel),
    of its first page (PDF); "" when there are none or the document cannot be read."""
    from .read import kind_of

    try:
        kind = kind_of(data)
        return {"docx": _docx, "odt": _odf, "ods": _odf, "xlsx": _xlsx, "pdf": _pdf}[kind](data)
    except ChronologyReadError:
        return ""
    except Exception:  # noqa: BLE001 - a damaged document has no heading; what it is comes from elsewhere
        return ""
