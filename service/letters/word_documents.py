"""Word documents: formal letters from editable .docx templates, and the chronology template.

Letters are ``mail_templates/letters/<name>.docx``, written in Word with
Jinja tags (``{{ letter.date | long_date }}``, ``{%p if ... %}``) and
rendered by docxtpl with the same rules as the emails: an unknown variable
is an error (``StrictUndefined``) and every value is XML-escaped, so a name
like ``<script>`` or ``Smith & Sons`` prints as written. A problem is
reported with the document, the part (body, header, footer) and the
paragraph, which is what a person editing in Word can find.

The chronology template is the table from the procedure, built with
python-docx for each agency, for it to fill in and return with its IMR.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from jinja2 import Environment, TemplateError, TemplateSyntaxError, UndefinedError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INK = RGBColor(0x00, 0x50, 0x6E)


class LetterProblem(Exception):
    """A letter template cannot be rendered; ``str()`` names the document, part and paragraph."""


def render_docx(path: Path, context: dict[str, Any], env: Environment, shown_as: str) -> bytes:
    """Render one .docx template. Raises LetterProblem.

    The template is read and its parts compiled once per process (and again when the file changes):
    :class:`CompiledLetter`. Anything that one cannot do, or any problem in it, goes the whole way through
    docxtpl, which says where the problem is."""
    if not path.exists():
        raise LetterProblem(f"letter template {shown_as} is missing")
    try:
        compiled = _compiled(path, env)
    except Exception:  # noqa: BLE001 - docxtpl reads it again below and says what is wrong
        compiled = None
    if compiled is not None:
        try:
            return compiled.render(context)
        except Exception:  # noqa: BLE001 - rendered again below, which names the paragraph
            pass
    return _render_with_docxtpl(path, context, env, shown_as)


def _render_with_docxtpl(path: Path, context: dict[str, Any], env: Environment, shown_as: str) -> bytes:
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(str(path))
        tpl.render(context, jinja_env=env, autoescape=True)
    except TemplateError as exc:
        where = _where(tpl, exc) if "tpl" in locals() else ""
        what = exc.message if isinstance(exc, (UndefinedError, TemplateSyntaxError)) and exc.message else str(exc)
        raise LetterProblem(f"letter template {shown_as}{where}: {what}") from None
    except Exception as exc:  # noqa: BLE001 - a damaged file: say which and what
        raise LetterProblem(f"letter template {shown_as} cannot be read: {exc.__class__.__name__}: {exc}") from None
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


_COMPILED: dict[str, tuple[tuple[int, int], Environment, "CompiledLetter"]] = {}
# The core properties docxtpl renders as templates (python-docx's names).
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _compiled(path: Path, env: Environment) -> "CompiledLetter | None":
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    found = _COMPILED.get(str(path))
    if found is not None and found[0] == stamp and found[1] is env:
        return found[2]
    compiled = CompiledLetter.read(path, env)
    if compiled is not None:
        _COMPILED[str(path)] = (stamp, env, compiled)
    return compiled


class CompiledLetter:
    """A Word letter template read once: its body, headers, footers and core properties as compiled Jinja
    templates (after docxtpl's own preparation of the XML), and every other part already compressed. Each
    letter renders those templates exactly as docxtpl does and writes a new package around them, instead of
    opening, parsing and re-compressing the whole template each time (three quarters of a letter's cost)."""

    def __init__(self, tpl, env: Environment, body: Any, document_name: str, document_xml: bytes, base: bytes,
                 parts: dict[str, Any], properties: dict[str, Any], core_xml: bytes):
        self.tpl, self.env, self._body, self.document_name = tpl, env, body, document_name
        self.document_xml, self.base, self.parts = document_xml, base, parts
        self.properties, self.core_xml = properties, core_xml

    @classmethod
    def read(cls, path: Path, env: Environment) -> "CompiledLetter | None":
        """None for a template this cannot render the way docxtpl does (footnotes, pictures to replace)."""
        import zipfile

        from docxtpl import DocxTemplate

        tpl = DocxTemplate(str(path))
        tpl.render_init()
        docx = tpl.docx
        env.autoescape = True  # as docxtpl's render(autoescape=True) sets it
        package = docx.part.package
        if any(p.content_type.endswith(".footnotes+xml") for p in package.parts):
            return None
        body = env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(tpl.get_xml())))
        parts: dict[str, Any] = {}  # zip name -> (template, encoding)
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for _key, part in tpl.get_headers_footers(uri):
                xml = tpl.get_part_xml(part)
                src = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
                parts[str(part.partname).lstrip("/")] = (env.from_string(src), tpl.get_headers_footers_encoding(xml),
                                                         _static(src))
        core = docx.core_properties
        properties = {name: env.from_string(getattr(core, name) or "") for name in _PROPERTIES}
        static_core = all(_static(getattr(core, name) or "") for name in _PROPERTIES)
        document_name = str(docx.part.partname).lstrip("/")
        changed = {document_name, "docProps/core.xml", *parts}
        base = io.BytesIO()
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as out:
            names = src.namelist()
            if "docProps/core.xml" not in names or document_name not in names:
                return None
            core_xml = src.read("docProps/core.xml")
            document_xml = src.read(document_name)
            for name in names:
                if name not in changed:
                    out.writestr(name, src.read(name))
            letter = cls(tpl, env, body, document_name, document_xml, b"", parts, properties, core_xml)
            # A header, footer or the document's properties with no template tags in them come out the same
            # for every letter: rendered once, here, into the package every letter starts from.
            for name, (template, encoding, static) in list(parts.items()):
                if static:
                    out.writestr(name, letter._part(template, encoding, {}))
                    del parts[name]
            if static_core:
                out.writestr("docProps/core.xml", letter._core({}))
                letter.core_xml = None
        letter.base = base.getvalue()
        return letter

    def render(self, context: dict[str, Any]) -> bytes:
        import zipfile

        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        from docx.oxml.ns import nsmap

        tpl = self.tpl
        tree = tpl.fix_tables(self._finish(self._body.render(context)))
        for n, element in enumerate(tree.xpath("//wp:docPr", namespaces=nsmap), 1001):  # as fix_docpr_ids
            element.attrib["id"] = str(n)
        document = parse_xml(self.document_xml)
        document.replace(document.body, tree)
        written = {self.document_name: serialize_part_xml(document)}
        for name, (template, encoding, _static) in self.parts.items():
            written[name] = self._part(template, encoding, context)
        if self.core_xml is not None:
            written["docProps/core.xml"] = self._core(context)
        buf = io.BytesIO(self.base)
        buf.seek(0, io.SEEK_END)
        with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as out:
            for name, data in written.items():
                out.writestr(name, data)
        return buf.getvalue()

    def _part(self, template: Any, encoding: str, context: dict[str, Any]) -> bytes:
        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        return serialize_part_xml(parse_xml(self._finish(template.render(context)).encode(encoding)))

    def _core(self, context: dict[str, Any]) -> bytes:
        from docx.opc.coreprops import CoreProperties
        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        core = parse_xml(self.core_xml)
        properties = CoreProperties(core)
        for name, template in self.properties.items():  # as docxtpl's render_properties
            setattr(properties, name, template.render(context))
        return serialize_part_xml(core)

    def _finish(self, xml: str) -> str:
        """What docxtpl does to a part's XML after Jinja (render_xml_part)."""
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if not any(c in xml for c in "\t\a\n\f"):  # resolve_listing turns only these into Word's own marks
            return xml
        return self.tpl.resolve_listing(xml)


def _static(source: str) -> bool:
    """A template source with no tags or comments in it: it renders as itself, whatever the context."""
    return not any(mark in source for mark in ("{{", "{%", "{#"))


def _where(tpl, exc: TemplateError) -> str:
    """", body, paragraph 12 ('Dear {{ recipient.nme }},')" - docxtpl puts each paragraph on its own line."""
    lineno = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:  # runtime errors (undefined values) carry the line in the traceback
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    part = getattr(tpl, "current_rendering_part", None)
    if part is None or not lineno:
        return ""
    try:
        xml = tpl.get_xml() if part is tpl.docx._part else tpl.get_part_xml(part)
        lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml)).splitlines()
        text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()
    except Exception:  # noqa: BLE001 - locating is a courtesy
        text = ""
    name = str(getattr(part, "partname", "")).rsplit("/", 1)[-1].removesuffix(".xml")
    kind = "body" if name == "document" else re.sub(r"\d+$", "", name) or "body"
    shown = f" ({text[:80]!r})" if text else ""
    return f", {kind}, paragraph {max(lineno - 1, 1)}{shown}"


# The chronology template (procedure, appendix "Chronology") -------------------------------
HEADER_FIELDS = (
    "Child's full name", "DOB", "Language/s spoken at home", "Ethnic origin", "Religion",
    "Legal status of child", "Dates of any period subject to child protection plan",
    "Dates covered by chronology",
)
# (group heading, column heading, the procedure's note under it)
COLUMNS = (
    (None, "Date", ""),
    ("Family contact", "Child", "Specify if views recorded & if seen alone"),
    ("Family contact", "Adult", "Specify if views recorded"),
    ("Communication", "Within agency", "Specify phone, written or meeting"),
    ("Communication", "External to agency", "Specify phone, written or meeting"),
    (None, "Response for outcome", ""),
    (None, "Source of evidence", ""),
    (None, "Comment", ""),
)
WIDTHS_CM = (2.4, 3.7, 3.4, 3.4, 3.4, 3.4, 3.0, 4.0)
BLANK_ROWS = 12


def chronology_template(reference: str, agency: str, board: str) -> bytes:
    """The chronology table from the procedure, headed for one agency, to fill in."""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(1.5))
    sec.top_margin = sec.bottom_margin = Cm(1.5)
    _base_font(doc)
    marking = sec.header.paragraphs[0]
    marking.text = "OFFICIAL-SENSITIVE (when completed)"
    marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.runs[0].bold = True
    marking.runs[0].font.size = Pt(8)
    foot = sec.footer.paragraphs[0]
    foot.text = f"{board} - serious case review {reference} - chronology from {agency}"
    foot.runs[0].font.size = Pt(8)

    title = doc.add_paragraph()
    run = title.add_run("Chronology")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(16), INK
    sub = doc.add_paragraph()
    sub.add_run(f"Serious case review {reference}").bold = True
    sub.add_run(f"   Agency: {agency}")
    note = doc.add_paragraph(
        "Record each contact with the child and family in date order. Note each occasion on which the child "
        "was seen, whether the child was seen alone, and whether the child's wishes and feelings were sought "
        "or expressed (procedure 5.2.2). Add rows as needed and return the completed chronology with your "
        "Individual Management Review, quoting the reference above.")
    note.runs[0].font.size = Pt(9)

    head = doc.add_table(rows=0, cols=4)
    head.style = "Table Grid"
    pairs = list(HEADER_FIELDS)
    for i in range(0, len(pairs), 2):
        cells = head.add_row().cells
        for j, label in enumerate(pairs[i:i + 2]):
            cells[j * 2].text = f"{label}:"
            cells[j * 2].paragraphs[0].runs[0].bold = True
            _shade(cells[j * 2], "E8F0F3")
    _widths(head, (4.6, 8.8, 4.6, 8.7))
    for row in head.rows:
        row.height = Cm(0.75)
    doc.add_paragraph()

    table = doc.add_table(rows=2 + BLANK_ROWS, cols=len(COLUMNS))
    table.style = "Table Grid"
    top, second = table.rows[0].cells, table.rows[1].cells
    i = 0
    while i < len(COLUMNS):
        group, heading, hint = COLUMNS[i]
        if group is None:
            merged = top[i].merge(second[i])
            _heading(merged, heading, hint)
            i += 1
            continue
        span = 1
        while i + span < len(COLUMNS) and COLUMNS[i + span][0] == group:
            span += 1
        merged = top[i].merge(top[i + span - 1])
        _heading(merged, group, "")
        for k in range(span):
            _heading(second[i + k], COLUMNS[i + k][1], COLUMNS[i + k][2])
        i += span
    _widths(table, WIDTHS_CM)
    for r in (table.rows[0], table.rows[1]):
        _repeat_header(r)
    for r in table.rows[2:]:
        r.height = Cm(1.1)
    buf = io.BytesIO()
    doc.core_properties.title = f"Chronology - {reference}"
    doc.core_properties.author = board
    doc.save(buf)
    return buf.getvalue()


def _base_font(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")


def _heading(cell, text: str, hint: str) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(text)
    r.bold = True
    r.font.size = Pt(9)
    if hint:
        h = cell.add_paragraph()
        h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        hr = h.add_run(hint)
        hr.italic = True
        hr.font.size = Pt(8)
    _shade(cell, "D5E4EA")


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _widths(table, widths_cm) -> None:
    """Fixed column widths that Word and LibreOffice both honour (the grid and every cell)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for c, w in zip(row.cells, widths_cm, strict=False):
            c.width = Cm(w)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
