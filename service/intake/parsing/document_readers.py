"""Reading attached documents: Word (.docx), OpenDocument text (.odt), PDF, Excel (.xlsx), RTF and Outlook .msg.

Legacy Word 97-2003 documents (.doc) are read by :mod:`.msdoc`.

Every reader either returns what it read or raises :class:`Unreadable` with a
short reason that names the problem, never the content (no personal data in
exception text). Expansion is bounded: zip members are checked against
:class:`~.limits.Limits` before anything is decompressed, PDFs are read to
``max_pdf_pages`` pages, and every reader charges the shared
:class:`~.limits.Budget`.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from datetime import date, timedelta
from email.utils import parseaddr

from .blocks import Block, Para, Table
from .labels import match_column
from .limits import MAX_NESTING, MAX_XML_BYTES, NESTED_TOO_DEEPLY, Budget, Limits
from .mail import Attachment, Mail
from .mime_reader import decode_bytes

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")


class Unreadable(Exception):
    """A document that cannot be read. ``str()`` is a short reason for a person, with no content in it."""


class NoTextLayer(Unreadable):
    """A PDF with no text at all: a scan, to be read by OCR (:mod:`.ocr`)."""


# ---------------------------------------------------------------------------
# What is it?
# ---------------------------------------------------------------------------


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff(data: bytes, filename: str | None, content_type: str) -> str:
    """The kind of document, from its bytes first, then its name and declared type.

    One of: docx, xlsx, odt, odf (OpenDocument other than text), pdf, msg,
    eml, doc, encrypted-office, ole, zip, rtf, html, text, image, calendar,
    other.
    """
    name = (filename or "").lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    ext = "odt" if ext == "ott" else ext  # an OpenDocument text template is read as a text document
    head = data[:1024]
    if b"%PDF" in head:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                odf = _odf_mimetype(zf) if "content.xml" in names else None
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            names, odf = set(), None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if odf in _ODF_TEXT or (odf is None and "content.xml" in names and ext == "odt"):
            return "odt"
        if odf is not None and odf.startswith(_ODF_PREFIX):
            return "odf"
        return ext if ext in ("docx", "docm", "xlsx", "odt") else "zip"
    if data.startswith(_OLE_MAGIC):
        if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
            return "encrypted-office"
        if _utf16("__substg1.0_") in data:
            return "msg"
        if _utf16("WordDocument") in data:
            return "doc"
        return ext if ext in ("msg", "doc", "xls") else "ole"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    if data.startswith(_IMAGE_MAGIC) or content_type.startswith("image/"):
        return "image"
    if ext in ("docx", "docm", "pdf", "msg", "doc", "xlsx", "xls", "rtf", "odt"):
        return ext  # the name says what it should be; its bytes do not match, so it is damaged
    if ext == "eml" or content_type in ("message/rfc822", "message/global"):
        return "eml"
    if ext in ("htm", "html") or content_type == "text/html":
        return "html"
    if ext == "ics" or content_type == "text/calendar":
        return "calendar"
    if ext in ("txt", "text", "csv") or content_type == "text/plain":
        return "text"
    return "other"


_ODF_PREFIX = "application/vnd.oasis.opendocument."
_ODF_TEXT = {_ODF_PREFIX + "text", _ODF_PREFIX + "text-template"}


def _odf_mimetype(zf: zipfile.ZipFile) -> str | None:
    """The ``mimetype`` member of an OpenDocument package (a few bytes; anything larger is ignored)."""
    try:
        info = zf.getinfo("mimetype")
        if info.file_size > 100 or info.compress_size > 200:
            return None
        return zf.read(info).decode("ascii", errors="replace").strip()
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        return None


# ---------------------------------------------------------------------------
# Zip containers (.docx, .xlsx, .odt)
# ---------------------------------------------------------------------------

_MAX_ZIP_MEMBERS = 5000
_BOMB_RATIO = 200  # expanded/compressed; real Office XML stays far below this
_BOMB_MIN_SIZE = 2 * 1024 * 1024


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise Unreadable("corrupt file (not a readable zip package)") from exc
    if len(infos) > _MAX_ZIP_MEMBERS:
        raise Unreadable("too many parts inside the document")
    if sum(i.file_size for i in infos) > limits.max_expanded_bytes:
        raise Unreadable("too large when expanded (possible zip bomb)")
    for info in infos:
        if info.flag_bits & 0x1:
            raise Unreadable("password-protected document")
        if info.file_size > _BOMB_MIN_SIZE and info.file_size > _BOMB_RATIO * max(info.compress_size, 1):
            raise Unreadable("too large when expanded (possible zip bomb)")
    return zf


def _read_member(zf: zipfile.ZipFile, name: str, budget: Budget) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES or not budget.take_expanded(info.file_size):
        raise Unreadable("too large when expanded (possible zip bomb)")
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise Unreadable("corrupt file (damaged zip member)") from exc
    if len(data) > info.file_size:
        raise Unreadable("corrupt file (zip member larger than declared)")
    return data


def _parse_xml(data: bytes):
    """Parse Office XML with python-docx's hardened lxml parser (no entity expansion, no huge trees)."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise Unreadable("unsupported document (XML with a DOCTYPE)")
    from docx.oxml.parser import parse_xml  # here: a run whose mail has no Office attachment needs none of it

    try:
        return parse_xml(data)
    except (SyntaxError, ValueError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise Unreadable("corrupt file (malformed XML)") from exc


# ---------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TRANSPARENT = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag", _W + "moveTo"}
_SKIP = {_W + "del", _W + "moveFrom", _MC_FALLBACK, _W + "instrText", _W + "delText", _W + "rPr", _W + "pPr"}
_MAX_DOCX_DEPTH = 12


def read_docx(data: bytes, limits: Limits, budget: Budget) -> list[Block]:
    """Paragraphs and tables of a Word document's body, in order.

    Uses python-docx's XML layer on ``word/document.xml`` directly, so that
    text in content controls, tracked insertions, fields and smart tags is
    read, macro-enabled and template variants open too, and nothing but the
    body is decompressed.
    """
    zf = _open_zip(data, limits)
    xml = _read_member(zf, "word/document.xml", budget)
    if xml is None:
        raise Unreadable("corrupt file (no document body)")
    root = _parse_xml(xml)
    body = root.find(_W + "body")
    if body is None:
        raise Unreadable("corrupt file (no document body)")
    return _docx_blocks(body, 0)


def _docx_blocks(container, depth: int) -> list[Block]:
    out: list[Block] = []
    if depth > _MAX_DOCX_DEPTH:
        return out
    for el in container.iterchildren():
        tag = el.tag
        if tag == _W + "p":
            boxes: list = []
            out.append(_docx_para(el, boxes))
            for box in boxes:  # a text box's paragraphs (and tables) follow the paragraph it is anchored in
                out.extend(_docx_blocks(box, depth + 1))
        elif tag == _W + "tbl":
            out.append(_docx_table(el, depth + 1))
        elif tag in _TRANSPARENT:
            out.extend(_docx_blocks(el, depth + 1))
    return out


def _docx_para(p, boxes: list | None = None) -> Para:
    """One paragraph's text; the content of text boxes anchored in it is put in ``boxes`` (read as
    paragraphs of their own), not run into its text."""
    parts: list[str] = []
    bold_chars = 0
    chars = 0
    bold_lead: int | None = None  # where a leading bold label ends ("Summary" bold, then the text)
    stack = [(p, False)]
    while stack:
        el, bold = stack.pop()
        tag = el.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == _W + "txbxContent":
            if boxes is not None:
                boxes.append(el)
            continue
        if tag == _W + "r":
            bold = _run_is_bold(el)
        if tag == _W + "t":
            text = el.text or ""
            visible = len(text.strip())
            if visible and not bold and chars and bold_chars == chars and bold_lead is None:
                bold_lead = len(parts)
            parts.append(text)
            chars += visible
            bold_chars += visible if bold else 0
        elif tag == _W + "tab":
            parts.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        stack.extend((child, bold) for child in reversed(list(el.iterchildren())))
    style = p.find(f"{_W}pPr/{_W}pStyle")
    heading = style is not None and (style.get(_W + "val") or "").lower().startswith(("heading", "title"))
    if bold_lead is not None:
        parts.insert(bold_lead, "\t")
    return Para("".join(parts), emphasis=heading or (chars > 0 and bold_chars == chars))


def _run_is_bold(run) -> bool:
    b = run.find(f"{_W}rPr/{_W}b")
    return b is not None and (b.get(_W + "val") or "true").lower() not in ("0", "false", "off")


def _docx_table(tbl, depth: int) -> Table:
    table = Table()
    for tr in _docx_children(tbl, "tr"):
        row = []
        for tc in _docx_children(tr, "tc"):
            row.append(_docx_blocks(tc, depth + 1))
        table.rows.append(row)
    return table


def _docx_children(el, name: str):
    for child in el.iterchildren():
        if child.tag == _W + name:
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _docx_children(child, name)


# ---------------------------------------------------------------------------
# OpenDocument text (.odt, .ott)
# ---------------------------------------------------------------------------

_ODF_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODF_STYLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_ODF_FO_NS = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_ODF_DRAW_NS = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_ODF_FORM_NS = "{urn:oasis:names:tc:opendocument:xmlns:form:1.0}"
_ODF_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_ODF_PARAS = {_ODF_TEXT_NS + "p", _ODF_TEXT_NS + "h"}
# Containers of paragraphs and tables that are read through: sections, lists, indexes' bodies.
_ODF_TRANSPARENT = {_ODF_TEXT_NS + n for n in (
    "section", "list", "list-item", "list-header", "numbered-paragraph", "table-of-content", "index-body",
    "index-title", "illustration-index", "alphabetical-index", "user-index", "object-index", "table-index",
    "bibliography",
)}
# Never read: tracked deletions, notes, comments, form definitions, index templates.
_ODF_SKIP = {_ODF_TEXT_NS + n for n in (
    "tracked-changes", "note", "note-body", "table-of-content-source", "index-title-template",
    "alphabetical-index-source", "illustration-index-source", "user-index-source", "object-index-source",
    "table-index-source", "bibliography-source", "sequence-decls", "variable-decls", "user-field-decls",
    "dde-connection-decls",
)} | {_ODF_OFFICE_NS + "annotation", _ODF_OFFICE_NS + "forms", _ODF_DRAW_NS + "image"}
_ODF_ROW_GROUPS = {_ODF_TABLE_NS + n for n in ("table-header-rows", "table-rows", "table-row-group")}
_ODF_MAX_DEPTH = 40  # elements within elements, all kinds together
_ODF_MAX_COLUMNS = 50  # cells per row, repeats included (as for .xlsx)
_ODF_MAX_ROWS = 5000  # rows per table, repeats included
_ODF_MAX_SPACES = 100  # one text:s element


def read_odt(data: bytes, limits: Limits, budget: Budget) -> list[Block]:
    """Paragraphs and tables of an OpenDocument text's body (``content.xml``), in order.

    Same blocks as :func:`read_docx`: headings and all-bold paragraphs are
    emphasised, a leading bold label is followed by a tab, table rows are
    lists of cells (repeated cells and rows repeated up to a cap, covered
    cells of a merge left out), and simple form controls give their values.
    """
    zf = _open_zip(data, limits)
    xml = _read_member(zf, "content.xml", budget)
    if xml is None:
        raise Unreadable("corrupt file (no document body)")
    root = _parse_xml(xml)
    body = root.find(f"{_ODF_OFFICE_NS}body/{_ODF_OFFICE_NS}text")
    if body is None:
        raise Unreadable("corrupt file (no document body)")
    reader = _OdtReader(_odt_bold_styles(root), _odt_controls(body))
    return reader.blocks(body, 0)


def _odt_bold_styles(root) -> dict[str, bool]:
    """Automatic style name -> bold or not, for the styles that say (directly or through a parent)."""
    declared: dict[str, tuple[bool | None, str | None]] = {}
    styles = root.find(_ODF_OFFICE_NS + "automatic-styles")
    for st in styles.iterchildren(_ODF_STYLE_NS + "style") if styles is not None else ():
        props = st.find(_ODF_STYLE_NS + "text-properties")
        weight = props.get(_ODF_FO_NS + "font-weight") if props is not None else None
        bold = None if weight is None else (weight == "bold" or (weight.isdigit() and int(weight) >= 600))
        declared[st.get(_ODF_STYLE_NS + "name") or ""] = (bold, st.get(_ODF_STYLE_NS + "parent-style-name"))
    out: dict[str, bool] = {}
    for name in declared:
        seen, current = set(), name
        while current in declared and current not in seen:
            seen.add(current)
            bold, parent = declared[current]
            if bold is not None:
                out[name] = bold
                break
            current = parent
    return out


def _odt_controls(body) -> dict[str, str]:
    """Form control id -> its text value (text boxes and the like; check boxes and lists are not read)."""
    forms = body.find(_ODF_OFFICE_NS + "forms")
    out: dict[str, str] = {}
    if forms is None:
        return out
    for el in forms.iter(_ODF_FORM_NS + "text", _ODF_FORM_NS + "textarea", _ODF_FORM_NS + "formatted-text",
                         _ODF_FORM_NS + "date", _ODF_FORM_NS + "time", _ODF_FORM_NS + "number"):
        ident = el.get(_ODF_XML_ID) or el.get(_ODF_FORM_NS + "id")
        value = el.get(_ODF_FORM_NS + "current-value") or el.get(_ODF_FORM_NS + "value")
        if ident and value and len(out) < 1000:
            out[ident] = value
    return out


class _OdtReader:
    def __init__(self, bold_styles: dict[str, bool], controls: dict[str, str]):
        self.bold_styles, self.controls = bold_styles, controls

    def blocks(self, container, depth: int) -> list[Block]:
        out: list[Block] = []
        if depth > _ODF_MAX_DEPTH:
            return out
        for el in container.iterchildren():
            tag = el.tag
            if tag in _ODF_PARAS:
                out.append(self.para(el))
            elif tag == _ODF_TABLE_NS + "table":
                out.append(self.table(el, depth + 1))
            elif tag in _ODF_TRANSPARENT:
                out.extend(self.blocks(el, depth + 1))
        return out

    def para(self, p) -> Para:
        self.parts: list[str] = []
        self.chars = self.bold_chars = 0
        self.bold_lead: int | None = None
        self.inline(p, self.bold_of(p, False), 0)
        parts = self.parts
        if self.bold_lead is not None:
            parts.insert(self.bold_lead, "\t")
        heading = p.tag == _ODF_TEXT_NS + "h"
        return Para("".join(parts), emphasis=heading or (self.chars > 0 and self.bold_chars == self.chars))

    def bold_of(self, el, inherited: bool) -> bool:
        return self.bold_styles.get(el.get(_ODF_TEXT_NS + "style-name") or "", inherited)

    def add(self, text: str, bold: bool) -> None:
        visible = len(text.strip())
        if visible and not bold and self.chars and self.bold_chars == self.chars and self.bold_lead is None:
            self.bold_lead = len(self.parts)
        self.parts.append(text)
        self.chars += visible
        self.bold_chars += visible if bold else 0

    def inline(self, el, bold: bool, depth: int) -> None:
        """The text in a paragraph element: its own text, then each child's and the text after it."""
        if el.text:
            self.add(el.text, bold)
        if depth > _ODF_MAX_DEPTH:
            return
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _ODF_SKIP:
                pass
            elif tag == _ODF_TEXT_NS + "s":
                try:
                    count = int(child.get(_ODF_TEXT_NS + "c") or 1)
                except ValueError:
                    count = 1
                self.add(" " * max(1, min(count, _ODF_MAX_SPACES)), bold)
            elif tag == _ODF_TEXT_NS + "tab":
                self.add("\t", bold)
            elif tag == _ODF_TEXT_NS + "line-break":
                self.add("\n", bold)
            elif tag == _ODF_DRAW_NS + "control":
                value = self.controls.get(child.get(_ODF_DRAW_NS + "control") or "")
                if value:
                    self.add(value, bold)
            elif tag in _ODF_PARAS:  # a paragraph in a frame or text box within this one
                self.add("\n", bold)
                self.inline(child, self.bold_of(child, bold), depth + 1)
                self.add("\n", bold)
            else:  # spans, links, fields, frames, ...
                self.inline(child, self.bold_of(child, bold), depth + 1)
            if child.tail:
                self.add(child.tail, bold)

    def table(self, tbl, depth: int) -> Table:
        table = Table()
        for row in self.rows(tbl, depth):
            cells: list[list[Block]] = []
            for cell in row.iterchildren(_ODF_TABLE_NS + "table-cell"):  # covered cells (merged away) left out
                blocks = self.blocks(cell, depth + 1)
                repeat = min(_odf_repeat(cell, "number-columns-repeated"), _ODF_MAX_COLUMNS - len(cells))
                cells.extend(list(blocks) for _ in range(max(repeat, 0)))
                if len(cells) >= _ODF_MAX_COLUMNS:
                    break
            filled = any(isinstance(b, Table) or (isinstance(b, Para) and b.text.strip()) for c in cells for b in c)
            # An empty row repeated (the rest of a sheet-like table) adds nothing: once is enough.
            repeat = _odf_repeat(row, "number-rows-repeated") if filled else 1
            for _ in range(min(repeat, _ODF_MAX_ROWS - len(table.rows))):
                table.rows.append([list(c) for c in cells])
            if len(table.rows) >= _ODF_MAX_ROWS:
                break
        return table

    def rows(self, container, depth: int):
        if depth > _ODF_MAX_DEPTH:
            return
        for el in container.iterchildren():
            if el.tag == _ODF_TABLE_NS + "table-row":
                yield el
            elif el.tag in _ODF_ROW_GROUPS:
                yield from self.rows(el, depth + 1)


def _odf_repeat(el, attr: str) -> int:
    try:
        return max(1, int(el.get(_ODF_TABLE_NS + attr) or 1))
    except ValueError:
        return 1


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------

_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DATE_FORMAT_IDS = set(range(14, 23)) | {45, 46, 47}


def read_xlsx(data: bytes, limits: Limits, budget: Budget) -> list[Block]:
    """Each worksheet as a table of its cells' text; date-formatted numbers as dd/mm/yyyy."""
    zf = _open_zip(data, limits)
    shared = _xlsx_shared_strings(zf, budget)
    date_styles = _xlsx_date_styles(zf, budget)
    sheets = sorted(
        (n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
        key=lambda n: int(re.search(r"\d+", n.rsplit("/", 1)[1]).group()),
    )
    blocks: list[Block] = []
    for name in sheets[:20]:
        root = _parse_xml(_read_member(zf, name, budget) or b"<x/>")
        table = Table()
        for row in root.iter(_S + "row"):
            cells: dict[int, str] = {}
            for c in row.iter(_S + "c"):
                col = _xlsx_column(c.get("r") or "")
                cells[col if col >= 0 else len(cells)] = _xlsx_value(c, shared, date_styles)
            if cells:
                width = max(cells) + 1
                table.rows.append([[Para(cells.get(i, ""))] for i in range(min(width, 50))])
        blocks.append(table)
    return blocks


def _xlsx_shared_strings(zf: zipfile.ZipFile, budget: Budget) -> list[str]:
    xml = _read_member(zf, "xl/sharedStrings.xml", budget)
    if not xml:
        return []
    root = _parse_xml(xml)
    return ["".join(t.text or "" for t in si.iter(_S + "t")) for si in root.iter(_S + "si")]


def _xlsx_date_styles(zf: zipfile.ZipFile, budget: Budget) -> set[int]:
    xml = _read_member(zf, "xl/styles.xml", budget)
    if not xml:
        return set()
    root = _parse_xml(xml)
    custom = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "")
        for f in root.iter(_S + "numFmt")
    }
    date_ids = set(_DATE_FORMAT_IDS)
    for fid, code in custom.items():
        bare = re.sub(r'"[^"]*"|\[[^\]]*\]', "", code).lower()
        if "d" in bare and "y" in bare:
            date_ids.add(fid)
    xfs = root.find(_S + "cellXfs")
    out = set()
    if xfs is not None:
        for i, xf in enumerate(xfs.iter(_S + "xf")):
            if int(xf.get("numFmtId", "0") or 0) in date_ids:
                out.add(i)
    return out


def _xlsx_column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    if not letters:
        return -1
    n = 0
    for ch in letters.group():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _xlsx_value(c, shared: list[str], date_styles: set[int]) -> str:
    kind = c.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(_S + "t"))
    v = c.find(_S + "v")
    text = v.text if v is not None and v.text else ""
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return ""
    if kind in (None, "n") and text and int(c.get("s", "0") or 0) in date_styles:
        try:
            d = date(1899, 12, 30) + timedelta(days=int(float(text)))  # Excel's day 0
            return d.strftime("%d/%m/%Y")
        except (ValueError, OverflowError):
            return text
    return text


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def read_pdf(data: bytes, limits: Limits, budget: Budget) -> tuple[str, list[str]]:
    """The text layer of up to ``max_pdf_pages`` pages (laid out: see :func:`.text.lines_from_layout`),
    and "label: value" lines of filled-in form fields."""
    from pypdf import PdfReader  # imported when first needed, like extract_msg below
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise Unreadable("password-protected PDF")
            except (DependencyError, NotImplementedError) as exc:
                raise Unreadable("encrypted PDF (unsupported encryption)") from exc
        texts: list[str] = []
        for i, page in enumerate(reader.pages):
            if i >= limits.max_pdf_pages:
                break
            text = _without_footer(_page_text(page))
            if not budget.take_expanded(len(text)):
                raise Unreadable("too large when expanded")
            texts.append(text)
        fields = _pdf_form_lines(reader, limits.max_pdf_pages)
    except Unreadable:
        raise
    except FileNotDecryptedError as exc:
        raise Unreadable("password-protected PDF") from exc
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError,
            AssertionError, ZeroDivisionError, OverflowError, RecursionError, UnicodeError) as exc:
        raise Unreadable("corrupt PDF") from exc
    text = "\n".join(texts)
    if not text.strip() and not fields:
        raise NoTextLayer("PDF has no text layer (scanned image?)")
    return text, fields


_PAGE_NUMBER = re.compile(r"\bpage\s+\d{1,3}\s+(?:of|/)\s+\d{1,3}\b", re.IGNORECASE)


def _without_footer(text: str) -> str:
    """A page's text without its footer: the last lines, when one of them numbers the page ("Page 1 of 2"),
    from that line on (a form's reference, the Partnership's own address and inbox are not the referral's)."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for i in filled[-3:]:
        if _PAGE_NUMBER.search(lines[i]):
            return "\n".join(lines[:i])
    return text


def _page_text(page) -> str:
    """The page laid out in columns (gaps between table cells kept); plain extraction if that fails."""
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is stricter about odd fonts and matrices
        return page.extract_text() or ""


def _pdf_form_lines(reader, max_pages: int = 200) -> list[str]:
    """"label: value" lines of the filled-in text and choice fields, in page order.

    The label is the page's own text beside the field (to its left on the same row, else just
    above it), as a person reads the form; then the field's tooltip (/TU); then its name. Fillable
    forms made in Acrobat name their fields "Text7", so the name is the last resort."""
    try:
        fields = reader.get_fields() or {}
    except Exception:  # a broken AcroForm must not hide the page text
        return []
    placed = _placed_form_values(reader, max_pages)
    out, seen = [], set()
    person = None
    for label, value, name in placed:
        if label is _HEADING:
            if person is not None:
                person = None
            out.extend(["", value])
            continue
        seen.add(name)
        numbered = _NUMBERED_PERSON_FIELD.match(label)
        if numbered and match_column(numbered.group("col")):
            # "Subject 2 - date of birth": a key of person 2, each person's keys a block of their own
            if person is not None and numbered.group("n") != person:
                out.append("")
            person = numbered.group("n")
            out.append(f"{numbered.group('col').strip()}: {value}")
            continue
        if person is not None:
            out.append("")
            person = None
        out.append(f"{label}: {value}")
    for name, f in list(fields.items())[:500]:
        if name in seen:
            continue
        value = _field_value(f)
        if value is None:
            continue
        label = f.get("/TU") or name
        out.append(f"{label}: {value}")
    return out


_NUMBERED_PERSON_FIELD = re.compile(
    r"^(?:subject|person|individual|family\s+member|household\s+member)\s*(?P<n>\d{1,2})\s*(?:[-\u2013:.,]\s*|\s+)(?P<col>[^\d].*)$",
    re.IGNORECASE)


def _field_value(f) -> str | None:
    value = f.get("/V") if hasattr(f, "get") else None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = ", ".join(value)  # a multi-select list
    if not isinstance(value, str) or not value.strip() or f.get("/FT") == "/Btn":
        return None
    return re.sub(r"\r\n?|\n", "\n", value).strip()


def _placed_form_values(reader, max_pages: int) -> list[tuple[str, str, str]]:
    """(label on the page, value, field name) for each filled-in widget, top to bottom."""
    out = []
    try:
        for page_no, page in enumerate(reader.pages):
            if page_no >= max_pages:
                break
            annots = page.get("/Annots")
            if not annots:
                continue
            widgets = []
            for ref in list(annots.get_object() if hasattr(annots, "get_object") else annots)[:500]:
                w = ref.get_object()
                if w.get("/Subtype") != "/Widget":
                    continue
                field = w if "/T" in w else (w.get("/Parent").get_object() if w.get("/Parent") else w)
                ft = field.get("/FT") or w.get("/FT")
                if ft not in ("/Tx", "/Ch"):
                    continue
                value = _field_value({"/V": field.get("/V"), "/FT": ft})
                rect = w.get("/Rect")
                if value is None or not rect or len(rect) != 4:
                    continue
                (x0, x1), (y0, y1) = sorted(float(v) for v in rect[0::2]), sorted(float(v) for v in rect[1::2])
                widgets.append((x0, y0, x1, y1, value, _qualified_name(field), field.get("/TU")))
            if not widgets:
                continue
            texts = _page_text_positions(page)
            widgets.sort(key=lambda w: (-w[3], w[0]))
            labelled: list[tuple[float, float, float, str]] = []  # (x0, x1, y0, label) of the widgets above
            used: set[int] = set()
            for x0, y0, x1, y1, _value, _name, _tip in widgets:
                others = [(w[0], w[2]) for w in widgets if w[2] <= x0 + 1 and min(y1, w[3]) - max(y0, w[1]) > 2]
                _label_beside(texts, x0, y0, x1, y1, others, used)
            bottom = None  # the lowest edge of the row of fields above
            for x0, y0, x1, y1, value, name, tip in widgets:
                if bottom is not None and y1 < bottom - 1:
                    # A heading between two rows of fields ("Section 2 - Parents/carers"): a line of its own.
                    out.extend((_HEADING, t[2], "") for i, t in sorted(enumerate(texts), key=lambda it: (-it[1][1], it[1][0]))
                               if i not in used and y1 + 3 < t[1] < bottom - 1 and _heading_like(t[2]))
                bottom = y0 if bottom is None or y1 < bottom - 1 else min(bottom, y0)
                others = [(w[0], w[2]) for w in widgets if w[2] <= x0 + 1 and min(y1, w[3]) - max(y0, w[1]) > 2]
                label = _label_beside(texts, x0, y0, x1, y1, others)
                if label is None:
                    # A grid of fields under column headings ("Surname", "Forename(s)", ...): the column's
                    # label is the one found for the field at its top, straight above with the same width.
                    label = next((lab for lx0, lx1, ly0, lab in reversed(labelled)
                                  if abs(lx0 - x0) < 2 and abs(lx1 - x1) < 2 and ly0 >= y1 - 1), None)
                label = label or tip or name
                labelled.append((x0, x1, y0, str(label)))
                out.append((str(label), value, name))
    except Exception:  # positions are a refinement: the fields' own names remain
        return []
    return out


def _qualified_name(field) -> str:
    """A field's full name as pypdf's get_fields() gives it: its parents' names and its own, joined by
    dots ("child.name" for a widget "name" under a field "child"), as forms built in Acrobat group them."""
    names, node = [], field
    for _ in range(20):
        if node is None:
            break
        if node.get("/T") is not None:
            names.append(str(node.get("/T")))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(names))


def _page_text_positions(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each piece of the page's own text (not the fields' appearances)."""
    items: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text and text.strip() and len(items) < 5000:
            items.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return items


_HEADING = object()  # a heading line among a form's fields (no value)


def _heading_like(text: str) -> bool:
    """A short line of words without a colon: "Section 1 - The child", "Parents/carers", "Referrer"."""
    words = text.split()
    return 0 < len(words) <= 8 and ":" not in text and not any(ch.isdigit() for ch in text.split("-")[-1])


def _label_beside(texts: list[tuple[float, float, str]], x0: float, y0: float, x1: float, y1: float,
                  others: list[tuple[float, float]] = (), used: set[int] | None = None) -> str | None:
    """The text to the left of a field on its row (after any field to its left), else the nearest text
    just above it (a label over its own box before one over the box to its left).

    A label beside a field has its baseline within the field's height; a label above it (forms that put
    labels over their boxes) sits on or just over the box's top edge, so it is never taken as the label
    "to the left" of the next box along."""
    start = max((ox1 for ox0, ox1 in others if ox1 <= x0 + 1), default=float("-inf"))
    left = [(i, t) for i, t in enumerate(texts) if y0 - 3 <= t[1] <= y1 - 1 and start - 2 <= t[0] < x0 - 2]
    if left:
        row_y = max(left, key=lambda it: it[1][0])[1][1]
        row = sorted((it for it in left if abs(it[1][1] - row_y) < 3), key=lambda it: it[1][0])
        if used is not None:
            used.update(i for i, _ in row)
        return " ".join(t[2] for _, t in row) or None
    above = [(i, t) for i, t in enumerate(texts) if y1 - 2 <= t[1] <= y1 + 24 and x0 - 40 <= t[0] <= x1]
    if above:
        over = [it for it in above if it[1][0] >= x0 - 4] or above
        i, t = min(over, key=lambda it: (it[1][1], it[1][0]))
        if used is not None:
            used.add(i)
        return t[2]
    return None


# ---------------------------------------------------------------------------
# RTF
# ---------------------------------------------------------------------------

_RTF_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|[\r\n]+|([^\\{}\r\n]+)", re.DOTALL)
_RTF_SKIP_DESTINATIONS = {
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"header", b"footer", b"headerl", b"headerr",
    b"footerl", b"footerr", b"object", b"themedata", b"colorschememapping", b"latentstyles", b"datastore",
    b"listtable", b"listoverridetable", b"rsidtbl", b"generator", b"xmlnstbl", b"mmathPr", b"fldinst",
}


def read_rtf(data: bytes, budget: Budget) -> str:
    """Plain text of an RTF document; table cells separated by tabs, rows by new lines."""
    if not budget.take_expanded(len(data)):
        raise Unreadable("too large when expanded")
    codepage = "cp1252"
    m = re.search(rb"\\ansicpg(\d+)", data[:2048])
    if m:
        codepage = f"cp{int(m.group(1))}"
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skip = False
    uc = 1
    pending_skip = 0
    for tok in _RTF_TOKEN.finditer(data):
        word, arg, hexbyte, sym, brace, text = tok.groups()
        if brace == b"{":
            stack.append((skip, uc))
            if len(stack) > 200:
                raise Unreadable("corrupt RTF (nested too deeply)")
            continue
        if brace == b"}":
            skip, uc = stack.pop() if stack else (False, 1)
            continue
        if pending_skip and (text or hexbyte):
            if text:
                drop = min(pending_skip, len(text))
                text = text[drop:]
                pending_skip -= drop
            else:
                pending_skip -= 1
                continue
        if word:
            if word in _RTF_SKIP_DESTINATIONS:
                skip = True
            elif skip:
                continue
            elif word in (b"par", b"line", b"row", b"sect", b"page"):
                out.append("\n")
            elif word in (b"tab", b"cell"):
                out.append("\t")
            elif word == b"uc" and arg:
                uc = int(arg)
            elif word == b"u" and arg:
                out.append(chr(int(arg) % 65536))
                pending_skip = uc
            continue
        if skip:
            continue
        if sym == b"*":
            skip = True
        elif sym in (b"\\", b"{", b"}"):
            out.append(sym.decode())
        elif sym == b"~":
            out.append(" ")
        elif hexbyte:
            out.append(bytes([int(hexbyte, 16)]).decode(codepage, errors="replace"))
        elif text:
            out.append(text.decode(codepage, errors="replace"))
    return "".join(out)


# ---------------------------------------------------------------------------
# Outlook .msg
# ---------------------------------------------------------------------------


def read_msg(data: bytes, depth: int) -> Mail:
    """An Outlook message file as a :class:`Mail`, attachments included (embedded messages read too)."""
    import extract_msg  # imported when first needed: heavy, and most messages never need it
    from extract_msg.enums import ErrorBehavior

    try:
        msg = extract_msg.openMsg(data, errorBehavior=ErrorBehavior.SUPPRESS_ALL, strict=False)
    except Exception as exc:  # extract_msg raises many types for damaged files
        raise Unreadable("corrupt Outlook message (.msg)") from exc
    try:
        return _msg_to_mail(msg, depth)
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable("corrupt Outlook message (.msg)") from exc
    finally:
        try:
            msg.close()
        except Exception:
            pass


def _msg_to_mail(msg, depth: int) -> Mail:
    def attr(name: str):
        try:
            return getattr(msg, name, None)
        except Exception:
            return None

    sender_text = str(attr("sender") or "")
    display, address = parseaddr(sender_text)
    if "@" not in address:  # a name only ("Helen Carter"), no SMTP address
        display, address = display or sender_text.strip(), ""
    date = attr("date")
    mail = Mail(
        subject=str(attr("subject") or ""),
        sender=address.lower() or None,
        sender_display=display or None,
        date=date.isoformat() if hasattr(date, "isoformat") else None,
        message_id=(str(attr("messageId")) if attr("messageId") else None),
    )
    body = attr("body")
    if body:
        mail.plain.append(str(body))
    html = attr("htmlBody")
    if html:
        mail.html.append(decode_bytes(html, None) if isinstance(html, bytes) else str(html))
    for att in list(attr("attachments") or [])[:100]:
        try:
            data = att.data
            name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or getattr(att, "name", None)
            mimetype = (getattr(att, "mimetype", None) or "application/octet-stream").lower()
            hidden = bool(getattr(att, "hidden", False))
        except Exception:
            continue
        mail.attachment_count += 1
        if isinstance(data, bytes):
            mail.attachments.append(Attachment(name, mimetype, data=data, inline=hidden))
        elif data is not None and hasattr(data, "attachments") and depth + 1 <= MAX_NESTING:
            inner = _msg_to_mail(data, depth + 1)
            mail.attachment_count += inner.attachment_count
            mail.truncated |= inner.truncated
            mail.attachments.append(Attachment(name or "embedded message", "application/vnd.ms-outlook", message=inner, message_format="msg"))
        elif data is not None and hasattr(data, "attachments"):  # an embedded message too deep to read
            mail.truncated = True
            mail.unreadable.append({"part": f"attachment: {name or 'embedded message'}", "reason": NESTED_TOO_DEEPLY})
    return mail
