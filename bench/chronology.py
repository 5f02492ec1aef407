"""How fast chronologies are read and integrated: one 500-row chronology in each format, and an
integrated chronology built from 10 agencies (Word, Excel and SVG written), against floors.

Usage::

    python bench/chronology.py [--rows 500] [--agencies 10] [--rounds 3]

Generates the files in a temporary folder (python-docx, openpyxl, fpdf2, ODT XML written here, the
dates in several UK styles, a third of the rows with times, one in ten continued over two table
rows), then times ``read_path`` on each (median of ``--rounds``) and ``integrate`` + ``to_docx`` +
``to_xlsx`` + ``to_svg`` on 10 agencies' Excel and Word returns of ``--rows // 10 * 2`` rows each
(read included and reported apart). Exits 1 when a figure misses its floor.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.chronology.export import to_docx, to_xlsx  # noqa: E402
from service.chronology.integrate import integrate  # noqa: E402
from service.chronology.read import read_path  # noqa: E402
from service.chronology.timeline import to_svg  # noqa: E402

FLOOR_READ = 2.0  # seconds for 500 rows: Word, Excel, ODT
# A PDF is laid out by pdfminer (through pdfplumber), about 0.2 s a page of a ruled table here: a
# 500-row chronology is some 15 pages. Its floor is its own, and says so.
FLOOR_READ_PDF = 4.0
FLOOR_BUILD = 5.0  # seconds to integrate and write Word, Excel and SVG from 10 agencies
STYLES = ["%d/%m/%Y", "%d %B %Y", "%d.%m.%y", "%-d %b %Y"]
EVENTS = ["Home visit; children seen", "Telephone call to mother", "Strategy meeting held", "Did not attend clinic",
          "School reported lateness", "Referral received from police", "Core group meeting", "GP appointment attended"]


def events(n: int, seed: int) -> list[tuple[date, str, str, str]]:
    rnd = random.Random(seed)
    d = date(2021, 1, 4)
    out = []
    for i in range(n):
        d += timedelta(days=rnd.randint(0, 3))
        t = f"{rnd.randint(8, 18):02d}:{rnd.choice(['00', '15', '30', '45'])}" if i % 3 == 0 else ""
        out.append((d, t, rnd.choice(EVENTS) + f" (entry {i + 1})", rnd.choice(["Case closed", "Visit booked", "NFA"])))
    return out


def word(path: Path, rows, agency: str) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph(f"Agency: {agency}")
    table = doc.add_table(rows=1, cols=5)
    for c, h in zip(table.rows[0].cells, ["Date", "Time", "Practitioner", "Details of contact", "Outcome"]):
        c.text = h
    for i, (d, t, ev, out) in enumerate(rows):
        cells = table.add_row().cells
        values = [d.strftime(STYLES[i % 4]), t, "Worker", ev, out]
        if i % 10 == 9:  # continued over a second table row
            values[3] = ev[:10]
            for c, v in zip(cells, values):
                c.text = v
            cells = table.add_row().cells
            values = ["", "", "", ev[10:], ""]
        for c, v in zip(cells, values):
            c.text = v
    doc.save(path)


def excel(path: Path, rows, agency: str) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([f"Agency: {agency}"])
    ws.append([])
    ws.append(["Date", "Time", "Worker", "What happened", "Action/outcome"])
    for i, (d, t, ev, out) in enumerate(rows):
        ws.append([d if i % 2 else d.strftime(STYLES[i % 4]), t, "Worker", ev, out])
    wb.save(path)


def odt(path: Path, rows) -> None:
    def cell(v):
        v = v.replace("&", "&amp;").replace("<", "&lt;")
        return f"<table:table-cell><text:p>{v}</text:p></table:table-cell>"

    body = "".join("<table:table-row>" + cell(d.strftime("%d/%m/%Y")) + cell(ev) + cell(out) + "</table:table-row>"
                   for d, _, ev, out in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>'
               '<table:table>' + "<table:table-row>" + cell("Date") + cell("Event") + cell("Outcome") +
               "</table:table-row>" + body + "</table:table></office:text></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    path.write_bytes(buf.getvalue())


def pdf(path: Path, rows) -> None:
    from fpdf import FPDF

    doc = FPDF(orientation="L")
    doc.add_page()
    doc.set_font("Helvetica", size=8)
    with doc.table(col_widths=(25, 15, 120, 60), repeat_headings=1, line_height=5) as table:
        table.row(["Date", "Time", "What happened", "Outcome"])
        for d, t, ev, out in rows:
            table.row([d.strftime("%d/%m/%Y"), t, ev, out])
    doc.output(str(path))


def timed(fn, rounds: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``rounds`` calls, and the last result. The floors are held
    against CPU time: on shared cores, wall time says more about the neighbours than about this."""
    walls, cpus, result = [], [], None
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--agencies", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = events(args.rows, 1)
        files = {"docx": folder / "c.docx", "xlsx": folder / "c.xlsx", "odt": folder / "c.odt", "pdf": folder / "c.pdf"}
        word(files["docx"], rows, "Police")
        excel(files["xlsx"], rows, "Police")
        odt(files["odt"], rows)
        pdf(files["pdf"], rows)
        print(f"read one chronology of {args.rows} rows (median of {args.rounds}; floors on CPU time: {FLOOR_READ:.1f} s, "
              f"PDF {FLOOR_READ_PDF:.1f} s)")
        for kind, path in files.items():
            wall, seconds, res = timed(lambda p=path: read_path(p, "Police"), args.rounds)
            got = len(res.rows)
            good = seconds < (FLOOR_READ_PDF if kind == "pdf" else FLOOR_READ) and got == args.rows
            ok &= good
            pages = ""
            if kind == "pdf":
                from pypdf import PdfReader

                pages = f"  {len(PdfReader(path).pages)} pages"
            print(f"  {kind:5} CPU {seconds:5.2f} s (wall {wall:5.2f} s)  {got} rows  {path.stat().st_size // 1024} KB{pages}  "
                  f"{'ok' if good else 'MISSED'}")

        per = args.rows // args.agencies * 2
        paths = []
        for a in range(args.agencies):
            path = folder / f"agency{a}.{'xlsx' if a % 2 else 'docx'}"
            (excel if a % 2 else word)(path, events(per, 10 + a), f"Agency {a + 1}")
            paths.append(path)
        read_wall, read_s, results = timed(lambda: [read_path(p) for p in paths], args.rounds)

        def build():
            chron = integrate(results)
            return chron, to_docx(chron), to_xlsx(chron), to_svg(chron)

        build_wall, build_s, (chron, docx_bytes, xlsx_bytes, svg) = timed(build, args.rounds)
        total = read_s + build_s
        good = total < FLOOR_BUILD and len(chron.entries) == per * args.agencies
        ok &= good
        print(f"build from {args.agencies} agencies, {per} rows each ({len(chron.entries)} rows, "
              f"{chron.groups} groups; floor {FLOOR_BUILD:.1f} s)")
        print(f"  CPU: read {read_s:.2f} s + integrate and write Word ({len(docx_bytes) // 1024} KB), Excel "
              f"({len(xlsx_bytes) // 1024} KB) and SVG ({len(svg) // 1024} KB) {build_s:.2f} s = {total:.2f} s "
              f"(wall {read_wall + build_wall:.2f} s)  {'ok' if good else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
