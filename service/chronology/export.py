"""The integrated chronology as a landscape Word document (header row repeated on every page) or
an Excel workbook (filter and frozen header). Both list the rows to check first, then every row in
order, with a per-agency summary. Text from agencies' documents is written as text: never as an
Excel formula, and with the control characters XML cannot hold taken out."""

from __future__ import annotations

import io
import re
from datetime import datetime
from xml.sax.saxutils import escape

from .integrate import Entry, Integrated

COLUMNS = ["No.", "Date", "Time", "Agency", "Practitioner / role", "What happened", "Action / outcome",
           "Comments", "Note", "Source"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text or "")


def note_of(e: Entry) -> str:
    r = e.row
    notes = []
    if r.needs_person:
        notes.append("to check: " + ", ".join(sorted(f.value for f in r.flags if f.needs_person)))
    if r.when.partial:
        notes.append(f"partial date ({r.when.precision.value}), placed at its start")
    if e.group:
        notes.append(f"same event, group {e.group} ({e.same_as})")
    notes += sorted(f.value for f in r.flags if not f.needs_person and f.value != "partial date")
    return "; ".join(notes)


def what_happened(e: Entry) -> str:
    r = e.row
    return f"{r.contact_type}: {r.event}" if r.contact_type and r.event else (r.contact_type or r.event)


def cells_of(e: Entry) -> list[str]:
    r = e.row
    return [str(e.number), r.when.label(), r.time.strftime("%H:%M") if r.time else "", r.agency,
            r.practitioner, what_happened(e), r.action, r.comments, note_of(e), r.source.label()]


def _period(chron: Integrated) -> str:
    first, last = chron.period
    if first or last:
        return (f"Scoping period: {first.strftime('%d/%m/%Y') if first else 'the start'} to "
                f"{last.strftime('%d/%m/%Y') if last else 'the end'}")
    first, last = chron.span
    return f"Period covered: {first:%d/%m/%Y} to {last:%d/%m/%Y}" if first and last else "No dated rows"


def summary_rows(chron: Integrated) -> list[list[str]]:
    return [[a.agency, str(a.rows), a.first.strftime("%d/%m/%Y") if a.first else "",
             a.last.strftime("%d/%m/%Y") if a.last else "", str(a.partial), str(a.to_check), ", ".join(a.files)]
            for a in chron.agencies]


SUMMARY_COLUMNS = ["Agency", "Rows", "From", "To", "Partial dates", "To check", "Files"]


# Word -------------------------------------------------------------------------------------------
WORD_WIDTHS = [0.9, 2.2, 1.1, 2.4, 2.6, 6.0, 4.2, 3.4, 2.6, 1.3]  # cm, on 26.7 cm of landscape A4


def _row_xml(cells: list[str], fill: str | None, widths: list[float] | None) -> str:
    """One table row as WordprocessingML: each line of a cell its own paragraph."""
    out = ["<w:tr>"]
    for i, text in enumerate(cells):
        props = ""
        if widths:
            props += f'<w:tcW w:w="{round(widths[i] * 567)}" w:type="dxa"/>'
        if fill:
            props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
        out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>" if props else "<w:tc>")
        for line in clean(text).split("\n") or [""]:
            out.append(f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' if line else "<w:p/>")
        out.append("</w:tc>")
    out.append("</w:tr>")
    return "".join(out)


def to_docx(chron: Integrated, title: str = "Integrated chronology", now: datetime | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement, parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(8)
    doc.add_heading(clean(title), 0)
    doc.add_paragraph(_period(chron) + f". {len(chron.entries)} rows from {len(chron.agencies)} agencies; "
                      f"{len(chron.to_check)} to check; {chron.groups} events recorded by more than one agency"
                      + (f"; {chron.left_out} rows outside the scoping period left out" if chron.left_out else "")
                      + (f". Made {now:%d/%m/%Y %H:%M}" if now else "") + ".")

    def add_table(header: list[str], rows: list[list[str]], shade: list[str | None] | None = None,
                  widths: list[float] | None = None):
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        head = table.rows[0]
        tr_pr = head._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # repeated at the top of every page
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(head.cells, header):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        if widths:
            for cell, w in zip(head.cells, widths):
                cell.width = Cm(w)
        # The rows as XML in one parse: python-docx cell by cell costs seconds for a long chronology.
        body = "".join(_row_xml(row, shade[i] if shade else None, widths) for i, row in enumerate(rows))
        if body:
            holder = parse_xml(f'<w:tbl {nsdecls("w")}>{body}</w:tbl>')
            for tr in list(holder):
                table._tbl.append(tr)
        return table

    doc.add_heading("Agencies", 1)
    add_table(SUMMARY_COLUMNS, summary_rows(chron))
    if chron.to_check:
        doc.add_heading(f"Rows to check ({len(chron.to_check)})", 1)
        doc.add_paragraph("These rows are listed first: the reader could not read their date or time. Correct "
                          "them in the agency's return (the source column says where) and build again.")
    doc.add_heading("Chronology", 1)
    shade = ["F8D7DA" if e.row.needs_person else "FFF3CD" if e.group else None for e in chron.entries]
    add_table(COLUMNS, [cells_of(e) for e in chron.entries], shade, WORD_WIDTHS)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# Excel ------------------------------------------------------------------------------------------
XLSX_COLUMNS = ["No.", "Date", "Date as written", "Partial", "Time", "Agency", "Practitioner / role", "Contact type",
                "What happened", "Action / outcome", "Comments", "Group", "Note", "Source file", "Sheet / table",
                "Rows"]
WIDTHS = [6, 11, 18, 8, 7, 18, 18, 14, 50, 35, 30, 7, 30, 24, 14, 8]


def _put(ws, row: int, col: int, value):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = clean(value)
        cell.value = value
        if value.startswith(("=", "+", "-", "@")):
            cell.data_type = "s"  # text, never a formula
    else:
        cell.value = value
    return cell


def to_xlsx(chron: Integrated, title: str = "Integrated chronology", now: datetime | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Chronology"
    bold = Font(bold=True)
    for c, name in enumerate(XLSX_COLUMNS, start=1):
        _put(ws, 1, c, name).font = bold
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[c - 1]
    wrap = Alignment(wrap_text=True, vertical="top")
    red, amber = PatternFill("solid", fgColor="F8D7DA"), PatternFill("solid", fgColor="FFF3CD")
    for i, e in enumerate(chron.entries, start=2):
        r = e.row
        values = [e.number, r.when.start, r.when.text, "yes" if r.when.partial else "",
                  r.time.strftime("%H:%M") if r.time else "", r.agency, r.practitioner, r.contact_type, r.event,
                  r.action, r.comments, e.group or "", note_of(e), r.source.file, r.source.part,
                  ", ".join(str(n) for n in r.source.rows)]
        fill = red if r.needs_person else amber if e.group else None
        for c, v in enumerate(values, start=1):
            cell = _put(ws, i, c, v)
            cell.alignment = wrap
            if c == 2 and v is not None:
                cell.number_format = "dd/mm/yyyy"
            if fill:
                cell.fill = fill
    last = get_column_letter(len(XLSX_COLUMNS))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(chron.entries) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"

    agencies = wb.create_sheet("Agencies")
    for c, name in enumerate(SUMMARY_COLUMNS, start=1):
        _put(agencies, 1, c, name).font = bold
    for i, a in enumerate(chron.agencies, start=2):
        for c, v in enumerate([a.agency, a.rows, a.first, a.last, a.partial, a.to_check, ", ".join(a.files)], start=1):
            cell = _put(agencies, i, c, v)
            if c in (3, 4) and v is not None:
                cell.number_format = "dd/mm/yyyy"
    agencies.freeze_panes = "A2"
    for c, w in enumerate([26, 7, 11, 11, 12, 9, 40], start=1):
        agencies.column_dimensions[get_column_letter(c)].width = w
    about = wb.create_sheet("About")
    _put(about, 1, 1, clean(title)).font = bold
    _put(about, 2, 1, _period(chron))
    _put(about, 3, 1, f"{len(chron.entries)} rows; {len(chron.to_check)} to check (listed first); "
                      f"{chron.groups} events recorded by more than one agency (column Group)")
    if now:
        _put(about, 4, 1, f"Made {now:%d/%m/%Y %H:%M}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
