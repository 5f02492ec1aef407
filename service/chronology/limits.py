"""Bounds on the work one document may cost, checked before anything is expanded or parsed.

A .docx, .xlsx or .odt is a zip: its members' declared uncompressed sizes are checked before any
is opened (a zip bomb is refused, not expanded), and each member is read with a cap in case a
size was declared falsely. XML with a DOCTYPE is refused (entity expansion). A PDF is refused
above a page count, and its page contents are expanded by pypdf, which caps each stream, before
pdfplumber lays the page out.
"""

from __future__ import annotations

import io
import zipfile
import zlib

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 25 * 1024 * 1024  # one XML part expanded (a 5,000-row sheet is about 2 MB)
MAX_EXPANDED_BYTES = 120 * 1024 * 1024  # all parts of one file expanded
MAX_MEMBERS = 5000
MAX_ROWS = 50_000  # rows with something in them, per file
MAX_COLUMNS = 60
MAX_TABLES = 500
MAX_PDF_PAGES = 300
MAX_PDF_SECONDS = 60.0


class ChronologyReadError(Exception):
    """A file could not be read as a chronology. The message names the problem, never the document's
    text (the caller adds the file's name for the person who asked)."""


def open_zip(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_FILE_BYTES:
        raise ChronologyReadError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise ChronologyReadError("corrupt file (not a readable zip package)") from exc
    if len(infos) > MAX_MEMBERS:
        raise ChronologyReadError(f"too many parts in the package ({len(infos)}; at most {MAX_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > MAX_EXPANDED_BYTES or any(i.file_size > MAX_MEMBER_BYTES for i in infos if i.filename.endswith(".xml")):
        raise ChronologyReadError("too large when expanded (possible zip bomb): "
                                  f"{total // (1024 * 1024)} MB declared, at most {MAX_EXPANDED_BYTES // (1024 * 1024)} MB")
    return zf


def read_member(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes (None if absent), never more than its declared size or the cap."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MEMBER_BYTES:
        raise ChronologyReadError("too large when expanded (possible zip bomb)")
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise ChronologyReadError("corrupt file (a damaged part)") from exc
    if len(data) > info.file_size:
        raise ChronologyReadError("corrupt file (a part larger than it says)")
    return data


def parse_xml(data: bytes):
    """XML parsed without entities, network or huge trees."""
    from lxml import etree

    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise ChronologyReadError("unsupported document (XML with a DOCTYPE)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                             load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ChronologyReadError("corrupt file (malformed XML)") from exc
