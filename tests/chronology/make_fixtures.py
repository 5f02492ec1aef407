"""Writes the chronology fixtures of tests/chronology/fixtures and what each should read as.

Run: .venv/bin/python tests/chronology/make_fixtures.py

Written apart from the reader (service/chronology): each fixture starts from a list of events with
their true dates (Python dates), which this script renders the way an agency might (its own
strftime patterns, column orders, merged cells, page breaks) with python-docx, openpyxl, fpdf2
and hand-written OpenDocument XML. expected.json holds the true values, never anything read back.
The people are invented.
"""

from __future__ import annotations

import json
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures"


def ev(d, text, *, t=None, who="", kind="", action="", comments="", precision="day", end=None, date_text=None,
       flags=(), rows=1, agency=None):
    """One event as the truth: ``d`` its date (or period start), ``text`` what happened."""
    return {"date": d.isoformat() if d else None, "end": (end or d).isoformat() if d else None, "time": t,
            "precision": precision, "event": text, "who": who, "kind": kind, "action": action,
            "comments": comments, "date_text": date_text, "flags": list(flags), "table_rows": rows,
            "agency": agency}


def expected_entry(agency, events, layout):
    return {"agency": agency, "layout": layout,
            "rows": [{"date": e["date"], "end": e["end"], "time": e["time"], "precision": e["precision"],
                      "event_contains": e["event"][:40], "action_contains": e["action"][:30],
                      "flags": sorted(e["flags"]), "agency": e["agency"] or agency} for e in events]}


# --- Word ------------------------------------------------------------------------------------
def _docx():
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    doc.styles["Normal"].font.size = Pt(9)
    return doc


def _table(doc, header, rows):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            lines = str(text).split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    return table


def police_word_standard():
    """The service's own template order; one event broken over two table rows; times in two styles."""
    agency = "Police"
    events = [
        ev(date(2023, 2, 27), "Call from neighbour reporting shouting at the flat", t="22:40", who="PC 1234 Response",
           action="Officers attended; no offences disclosed", comments="Child seen asleep"),
        ev(date(2023, 3, 6), "Domestic incident reported by mother; partner left before arrival", t="09:30",
           who="PC 5678", action="DASH risk assessment: medium. Referral to MASH",
           comments="Second call in a fortnight", rows=2, flags=["continued row merged"]),
        ev(date(2023, 3, 14), "Strategy meeting held with children's social care and health", t="10:00",
           who="DS Green, CAIT", action="Section 47 enquiry agreed; joint visit planned"),
        ev(date(2023, 3, 15), "Joint visit with social worker to the family home", t="14:00", who="DC Brown",
           action="Children spoken to alone"),
        ev(date(2023, 4, 2), "Partner arrested for breach of bail conditions", t="23:15", who="PC 9012",
           action="Charged; remanded"),
        ev(date(2023, 5, 18), "MARAC: case heard", t=None, who="MARAC coordinator",
           action="Actions for housing and health"),
    ]
    header = ["Date", "Time", "Agency", "Practitioner/role", "What happened", "Action/outcome", "Comments"]
    rows = []
    for e in events:
        d = date.fromisoformat(e["date"])
        t = (e["time"] or "").replace(":", "") if e["event"].startswith("Partner") else (e["time"] or "")
        if e["table_rows"] == 2:
            half = len(e["event"]) // 2
            cut = e["event"].rfind(" ", 0, half)
            rows.append([d.strftime("%d/%m/%Y"), t, agency, e["who"], e["event"][:cut], "DASH risk assessment: medium.",
                         e["comments"]])
            rows.append(["", "", "", "", e["event"][cut + 1:], "Referral to MASH", ""])
        else:
            rows.append([d.strftime("%d/%m/%Y"), t, agency, e["who"], e["event"], e["action"], e["comments"]])
    doc = _docx()
    doc.add_heading("Chronology of agency involvement", 1)
    _table(doc, header, rows)
    doc.save(OUT / "police_word_standard.docx")
    return "police_word_standard.docx", expected_entry(agency, events, "Word, template column order, a row continued")


def health_word_datetime():
    """"Date/Time" in one cell, "Contact type", "Details of contact", "Agency response", "Analysis";
    no agency column (an "Agency:" line above); the table broken in two with the header only on the first."""
    agency = "Health Visiting"
    events = [
        ev(date(2023, 3, 6), "New birth visit follow-up; mother low in mood", t="09:15", kind="Home visit",
           action="Edinburgh scale completed; GP informed", comments="Partner present throughout"),
        ev(date(2023, 3, 14), "Strategy meeting with police and social care", t="10:00", kind="Meeting",
           action="Health information shared", comments="Health visitor attended"),
        ev(date(2023, 3, 20), "Clinic attendance for weight check", t="14:30", kind="Clinic",
           action="Weight on the 9th centile"),
        ev(date(2023, 4, 12), "Did not attend the 12-week review", kind="DNA", action="Letter sent with new date"),
        ev(date(2023, 5, 9), "Telephone call to mother, no answer", t="11:00", kind="Telephone",
           action="Message left"),
    ]
    styles = ["%d/%m/%Y {t}", "%d %B %Y {t12}", "%A %dth %B %Y {t}", "%d/%m/%Y", "%d.%m.%Y {t}"]
    rows = []
    for e, style in zip(events, styles):
        d = date.fromisoformat(e["date"])
        t = e["time"] or ""
        t12 = ""
        if t:
            hh, mm = map(int, t.split(":"))
            t12 = f"{(hh - 1) % 12 + 1}.{mm:02d}{'pm' if hh >= 12 else 'am'}"
        text = d.strftime(style).replace("{t}", t).replace("{t12}", t12).strip()
        rows.append([text, e["kind"], e["event"], e["action"], e["comments"]])
    doc = _docx()
    doc.add_paragraph("Agency: Health Visiting")
    doc.add_paragraph("Chronology for the period 1 March 2023 to 31 May 2023")
    header = ["Date/Time", "Contact type", "Details of contact", "Agency response", "Analysis"]
    _table(doc, header, rows[:3])
    doc.add_page_break()
    t2 = doc.add_table(rows=0, cols=5)
    t2.style = "Table Grid"
    for row in rows[3:]:
        for cell, text in zip(t2.add_row().cells, row):
            cell.text = text
    doc.save(OUT / "health_word_datetime.docx")
    return "health_word_datetime.docx", expected_entry(agency, events, "Word, Date/Time and other headings, table in two")


def school_word_reordered():
    """The date in the second column, wordy dates, two events on one day under one merged date cell."""
    agency = "Education"
    events = [
        ev(date(2023, 3, 6), "Child arrived late and hungry; breakfast club offered", who="Class teacher",
           action="DSL informed"),
        ev(date(2023, 3, 9), "Bruise noticed on forearm during PE", who="PE teacher",
           action="Body map completed; referral to MASH"),
        ev(date(2023, 3, 9), "Mother called in; explanation given for the bruise", who="DSL",
           action="Recorded; shared with social worker", flags=["date from merged cell"]),
        ev(date(2023, 4, 20), "Attendance fell to 82% this term", who="Attendance officer",
           action="Attendance meeting offered"),
        ev(date(2023, 5, 4), "Child disclosed shouting at home", who="Teaching assistant",
           action="Logged on CPOMS; DSL spoke to social worker"),
    ]
    styles = ["%-dth %b %y", "%d.%m.%y", None, "%d %B %Y", "%d-%b-%Y"]
    doc = _docx()
    doc.add_paragraph("Chronology: Hilltop Primary School")
    header = ["Details", "Date", "Staff member", "Outcome", "Agency"]
    rows = []
    for e, style in zip(events, styles):
        d = date.fromisoformat(e["date"])
        rows.append([e["event"], d.strftime(style) if style else "", e["who"], e["action"], agency])
    table = _table(doc, header, rows)
    top, below = table.cell(2, 1), table.cell(3, 1)
    top.merge(below)  # one date cell over the two events of 9 March
    for p in list(top.paragraphs)[1:]:
        if not p.text.strip():
            p._element.getparent().remove(p._element)
    doc.save(OUT / "school_word_reordered.docx")
    return "school_word_reordered.docx", expected_entry(agency, events, "Word, date in the second column, merged date cell")


def housing_partial_dates():
    """Partial dates: a month, a week, a season, a range, a year, a quarter; one exact day."""
    agency = "Housing"
    events = [
        ev(date(2022, 1, 1), "Family placed in temporary accommodation", precision="year", end=date(2022, 12, 31),
           date_text="2022", flags=["partial date"]),
        ev(date(2022, 3, 1), "Complaints of damp and mould in the flat", precision="season", end=date(2022, 5, 31),
           date_text="Spring 2022", flags=["partial date"]),
        ev(date(2023, 3, 1), "Rent arrears letter sent", precision="month", end=date(2023, 3, 31),
           date_text="March 2023", flags=["partial date"]),
        ev(date(2023, 3, 6), "Repairs team visits; no answer at the door", precision="week", end=date(2023, 3, 12),
           date_text="w/c 6 March 2023", flags=["partial date"]),
        ev(date(2023, 3, 14), "Housing officer told of the strategy meeting outcome", action="Priority transfer considered"),
        ev(date(2023, 5, 3), "Emergency move arranged after the MARAC", precision="range", end=date(2023, 5, 5),
           date_text="3-5 May 2023", flags=["partial date"]),
    ]
    doc = _docx()
    doc.add_paragraph("Agency: Housing")
    header = ["When", "Officer", "What happened", "Action taken"]
    rows = [[e["date_text"] or date.fromisoformat(e["date"]).strftime("%d/%m/%Y"), "Housing officer", e["event"],
             e["action"]] for e in events]
    _table(doc, header, rows)
    doc.save(OUT / "housing_partial_dates.docx")
    return "housing_partial_dates.docx", expected_entry(agency, events, "Word, partial dates and a range")


def probation_continued():
    """Three events, the second broken over two table rows (the date only on the first)."""
    agency = "Probation"
    events = [
        ev(date(2023, 3, 1), "Supervision appointment attended", who="Probation officer", action="Next in 2 weeks"),
        ev(date(2023, 3, 16), "Supervision: partner denied living at the address; told of the section 47 enquiry "
                              "and reminded of his licence conditions", who="Probation officer",
           action="Home visit arranged", rows=2, flags=["continued row merged"]),
        ev(date(2023, 4, 3), "Recalled to custody after arrest", who="Senior probation officer", action="Recall"),
    ]
    doc = _docx()
    header = ["Date", "Source", "Event", "Outcome", "Worker"]
    rows = []
    for e in events:
        d = date.fromisoformat(e["date"]).strftime("%d/%m/%Y")
        if e["table_rows"] == 2:
            first, second = e["event"].split("; ", 1)
            rows.append([d, agency, first + ";", "", e["who"]])
            rows.append(["", "", second, e["action"], ""])
        else:
            rows.append([d, agency, e["event"], e["action"], e["who"]])
    _table(doc, header, rows)
    doc.save(OUT / "probation_continued.docx")
    return "probation_continued.docx", expected_entry(agency, events, "Word, a row continued over two table rows")


# --- Excel -----------------------------------------------------------------------------------
def csc_excel_row4():
    """Title merged over the top, "Agency:" on row 2, header on row 4; dates as Excel dates, a bare
    serial number and text; one date merged over two rows; times as Excel times and as text."""
    from openpyxl import Workbook

    agency = "Children's Social Care"
    events = [
        ev(date(2023, 3, 7), "MASH referral received from police", t="11:20", who="MASH social worker",
           kind="Referral", action="Strategy discussion to be convened"),
        ev(date(2023, 3, 14), "Strategy meeting held with police and health visitor", t="10:00",
           who="Team manager", kind="Meeting", action="Section 47 enquiries to start"),
        ev(date(2023, 3, 15), "Joint visit with police; children seen alone", t="14:00", who="Social worker",
           kind="Home visit", action="Safety plan agreed with mother"),
        ev(date(2023, 3, 21), "Child and family assessment started", who="Social worker", kind="Assessment",
           action="Due in 45 working days"),
        ev(date(2023, 4, 5), "Initial child protection conference", t="13:30", who="Chair, IRO",
           kind="Conference", action="Child protection plan: emotional abuse"),
        ev(date(2023, 4, 5), "Core group members agreed after the conference", who="Social worker",
           kind="Meeting", action="First core group in 10 working days", flags=["date from merged cell"]),
        ev(date(2023, 5, 18), "MARAC attended", t="09:30", who="Social worker", kind="Meeting",
           action="Emergency move supported"),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "Chronology"
    ws["A1"] = "Multi-agency chronology return"
    ws.merge_cells("A1:F1")
    ws["A2"] = "Agency: Children's Social Care"
    header = ["Date", "Time", "Worker", "Contact type", "Details", "Outcome"]
    for col, text in enumerate(header, start=1):
        ws.cell(row=4, column=col, value=text)
    r = 5
    for i, e in enumerate(events):
        d = date.fromisoformat(e["date"])
        if i == 2:
            value = (d - date(1899, 12, 30)).days  # a bare serial: the cell has no date format
        elif i == 3:
            value = d.strftime("%d/%m/%Y")  # typed as text
        elif i == 5:
            value = None  # under the merged cell above
        else:
            value = datetime(d.year, d.month, d.day)
        if value is not None:
            ws.cell(row=r, column=1, value=value)
            if isinstance(value, datetime):
                ws.cell(row=r, column=1).number_format = "dd/mm/yyyy"
        if e["time"]:
            hh, mm = map(int, e["time"].split(":"))
            ws.cell(row=r, column=2, value=time(hh, mm) if i % 2 == 0 else e["time"])
        ws.cell(row=r, column=3, value=e["who"])
        ws.cell(row=r, column=4, value=e["kind"])
        ws.cell(row=r, column=5, value=e["event"])
        ws.cell(row=r, column=6, value=e["action"])
        r += 1
    ws.merge_cells(start_row=9, start_column=1, end_row=10, end_column=1)  # the two events of 5 April
    wb.create_sheet("Notes")["A1"] = "Prepared for the review panel"
    wb.save(OUT / "csc_excel_row4.xlsx")
    return "csc_excel_row4.xlsx", expected_entry(agency, events, "Excel, header on row 4, merged cells, serials and text dates")


def ambulance_unreadable_dates():
    """Dates a reader cannot take: "TBC", 31 February, a date with question marks. Kept and flagged."""
    from openpyxl import Workbook

    agency = "Ambulance Service"
    events = [
        ev(date(2023, 2, 10), "999 call: child with a head injury, conveyed to A&E", t="18:05",
           who="Paramedic crew", action="Safeguarding referral made"),
        ev(None, "Second call, date not recorded on the return", date_text="TBC", precision="unknown", who="Call handler",
           action="Advice given", flags=["date unreadable"]),
        ev(None, "Crew attended a fall at home", date_text="31/02/2023", precision="unknown", who="Paramedic crew",
           action="No conveyance", flags=["date unreadable"]),
        ev(None, "Welfare concern call from a neighbour", date_text="??/04/2023", precision="unknown", who="Call handler",
           action="Passed to police", flags=["date unreadable"]),
        ev(date(2023, 5, 2), "Mother conveyed to hospital after an assault", t="01:40", who="Paramedic crew",
           action="Police informed"),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "Return"
    ws.append(["Date", "Time", "Agency", "Role", "Incident", "Action"])
    for e in events:
        d = e["date_text"] or date.fromisoformat(e["date"]).strftime("%d/%m/%Y")
        ws.append([d, e["time"] or "", agency, e["who"], e["event"], e["action"]])
    wb.save(OUT / "ambulance_unreadable_dates.xlsx")
    return "ambulance_unreadable_dates.xlsx", expected_entry(agency, events, "Excel, unreadable dates kept and flagged")


# --- OpenDocument ----------------------------------------------------------------------------
def _odt(body_xml: str) -> bytes:
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3">
<office:body><office:text>{body_xml}</office:text></office:body></office:document-content>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype", (2023, 1, 1, 0, 0, 0)), "application/vnd.oasis.opendocument.text")
        zf.writestr(zipfile.ZipInfo("content.xml", (2023, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("META-INF/manifest.xml", (2023, 1, 1, 0, 0, 0)), manifest, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def gp_odt():
    """An ODT table with a header-rows element, a cell spanning two columns, spaces as text:s."""
    agency = "GP Practice"
    events = [
        ev(date(2023, 3, 2), "Mother seen for low mood; sertraline started", who="GP", action="Review in 4 weeks"),
        ev(date(2023, 3, 22), "Child seen with a chest infection; old bruising noted", who="GP",
           action="Discussed with the practice safeguarding lead"),
        ev(date(2023, 4, 3), "Safeguarding lead told of the child protection plan", who="Practice safeguarding lead",
           action="Alert added to the records"),
        ev(date(2023, 4, 28), "Mother did not attend her review", who="Practice nurse", action="Letter sent"),
    ]

    def cell(text, extra=""):
        return f'<table:table-cell{extra}><text:p>{_esc(text)}</text:p></table:table-cell>'

    rows = []
    for i, e in enumerate(events):
        d = date.fromisoformat(e["date"]).strftime("%-d %B %Y")
        if i == 3:  # what happened and the action in one cell spanning both columns
            rows.append("<table:table-row>" + cell(d) + cell(e["who"]) +
                        cell(e["event"] + ". " + e["action"], ' table:number-columns-spanned="2"') +
                        "<table:covered-table-cell/></table:table-row>")
            e["action"] = ""
        else:
            rows.append("<table:table-row>" + cell(d) + cell(e["who"]) + cell(e["event"]) + cell(e["action"]) +
                        "</table:table-row>")
    head = "<table:table-header-rows><table:table-row>" + "".join(
        cell(h) for h in ("Date", "Practitioner", "Event", "Action")) + "</table:table-row></table:table-header-rows>"
    body = ('<text:p>Agency:<text:s/>GP Practice</text:p>'
            '<table:table table:name="Chronology"><table:table-column table:number-columns-repeated="4"/>'
            + head + "".join(rows) + "</table:table>")
    (OUT / "gp_odt.odt").write_bytes(_odt(body))
    return "gp_odt.odt", expected_entry(agency, events, "ODT table, header rows, a spanned cell")


# --- PDF -------------------------------------------------------------------------------------
def camhs_pdf():
    """A text PDF (fpdf2): a ruled table over two pages with its header repeated on the second."""
    from fpdf import FPDF

    agency = "CAMHS"
    events = []
    d = date(2023, 1, 9)
    for i in range(28):
        when = date.fromordinal(d.toordinal() + 4 * i)
        events.append(ev(when, f"Session {i + 1}: therapeutic work with the child on feelings and safety",
                         t=f"{9 + i % 8:02d}:{(i * 15) % 60:02d}", who="CAMHS practitioner",
                         action="Next session booked" if i % 3 else "Progress shared with the social worker"))
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 8, "Chronology return for the serious case review", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "Agency: CAMHS", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(25, 15, 35, 110, 80), repeat_headings=1, line_height=6) as table:
        table.row(["Date", "Time", "Practitioner", "What happened", "Action/outcome"])
        for e in events:
            table.row([date.fromisoformat(e["date"]).strftime("%d/%m/%Y"), e["time"], e["who"], e["event"], e["action"]])
    pdf.set_creation_date(datetime(2023, 6, 1))
    pdf.output(str(OUT / "camhs_pdf.pdf"))
    return "camhs_pdf.pdf", expected_entry(agency, events, "text PDF, ruled table over two pages")


def yos_pdf_unruled():
    """A text PDF with no ruling lines: columns only by alignment, the header on the first page only,
    some cells over two lines, a page number in the footer."""
    from fpdf import FPDF
    from fpdf.enums import VAlign

    class Paged(FPDF):
        def footer(self):
            self.set_y(-12)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    agency = "Youth Offending Service"
    events = []
    for i in range(30):
        when = date(2023, 1, 3) + __import__("datetime").timedelta(days=5 * i)
        two = i % 4 == 1
        text = f"Supervision {i + 1} with the young person" + (" at the office;" if two else "")
        events.append(ev(when, text + (" mother attended and raised worries about school" if two else ""),
                         t="15:30" if i % 3 == 0 else None, who="YOS officer", action="Next appointment made",
                         rows=2 if two else 1, flags=["continued row merged"] if two else []))
    pdf = Paged(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 8, "Agency: Youth Offending Service", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(col_widths=(28, 16, 30, 130, 60), borders_layout="NONE", line_height=5, repeat_headings=0,
                   v_align=VAlign.T, first_row_as_headings=True) as table:
        table.row(["Date", "Time", "Worker", "What happened", "Outcome"])
        for e in events:
            text = e["event"].replace("; ", ";\n") if e["table_rows"] == 2 else e["event"]
            table.row([date.fromisoformat(e["date"]).strftime("%d/%m/%Y"), e["time"] or "", e["who"], text, e["action"]])
    pdf.set_creation_date(datetime(2023, 6, 1))
    pdf.output(str(OUT / "yos_pdf_unruled.pdf"))
    return "yos_pdf_unruled.pdf", expected_entry(agency, events, "text PDF without ruling lines, columns by alignment")


def earlyhelp_service_template():
    """The service's own chronology template (service/letters/word_documents.py, as sent with the Chair's
    letter), filled in: a heading over sub-headings ("Family contact": Child, Adult), the child's
    details in a table above, blank rows left at the end."""
    import io

    from docx import Document

    from service.letters.word_documents import chronology_template

    agency = "Early Help"
    events = [
        ev(date(2023, 2, 20), "Seen at the family hub; seen alone, views recorded", action="Family support offered",
           comments="Source of evidence"),
        ev(date(2023, 3, 8), "Mother asked for help with housing", action="Signposted to housing options"),
        ev(date(2023, 3, 14), "Told of the strategy meeting by social care", action="Case stepped up to CSC"),
        ev(date(2023, 4, 11), "Home visit; child not seen", action="Visit rebooked"),
    ]
    # which of the template's columns each event is written in: 1 Child, 2 Adult, 3 within agency, 4 external
    where = [1, 2, 4, 1]
    doc = Document(io.BytesIO(chronology_template("SCR-2023-01", agency, "Enfield LSCB")))
    details, table = doc.tables[0], doc.tables[1]
    details.rows[0].cells[1].text = "Kai Jordan Mellor"
    details.rows[0].cells[3].text = "14/02/2019"
    for r, (e, col) in enumerate(zip(events, where)):
        cells = table.rows[2 + r].cells
        cells[0].text = date.fromisoformat(e["date"]).strftime("%d/%m/%Y")
        cells[col].text = e["event"]
        cells[5].text = e["action"]
        cells[6].text = "Case notes" if r % 2 == 0 else ""
        e["comments"] = ""
    doc.save(OUT / "earlyhelp_service_template.docx")
    return ("earlyhelp_service_template.docx",
            expected_entry(agency, events, "the service's own template: heading over sub-headings, details above"))


LAYOUTS = [police_word_standard, health_word_datetime, school_word_reordered, housing_partial_dates,
           probation_continued, csc_excel_row4, ambulance_unreadable_dates, gp_odt, camhs_pdf, yos_pdf_unruled,
           earlyhelp_service_template]


def main(out: Path | None = None) -> None:
    """Writes every fixture to ``out`` (default: tests/chronology/fixtures)."""
    global OUT
    OUT = Path(out) if out else HERE / "fixtures"
    OUT.mkdir(exist_ok=True)
    expected = {}
    for make in LAYOUTS:
        name, entry = make()
        expected[name] = entry
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parents[1]))  # the service's own template
    from report_fixtures import main as reports

    reports(OUT)
    print(f"wrote {len(expected)} chronologies and the reports to {OUT}")


if __name__ == "__main__":
    main()
