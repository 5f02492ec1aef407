"""Make the .doc and .odt fixtures of test_doc_and_odt.py from .docx referral forms.

Run from the repository root (needs LibreOffice's ``soffice`` on the PATH; the
parser itself never runs it)::

    .venv/bin/python tests/intake/documents/make_fixtures.py

For each case, the .docx form is taken from an email of the parse corpus
(``tests/intake/corpus``, made by make_corpus.py) or of the sample referrals
(``tests/samples/referrals``), or built here (FORMTEXT form fields,
non-ASCII text), then converted with::

    soffice --headless --convert-to doc  FORM.docx --outdir DIR
    soffice --headless --convert-to odt  FORM.docx --outdir DIR

LibreOffice writes a .doc's whole text as one UTF-16 piece. Word writes
cp1252-representable text as "compressed" 8-bit pieces, and an edited file
has many pieces; ``*-pieces.doc`` is the LibreOffice file re-laid-out that
way (see :func:`relay_pieces`): same streams, same sizes, text split into
compressed and UTF-16 pieces, with every paragraph and character property
run moved to match. ``*-encrypted.doc`` has the FIB's fEncrypted flag set, as Word sets it
on a password-protected file (the FIB itself is never encrypted).

The .odt files are stored without their thumbnail image. Output is not
byte-for-byte reproducible (LibreOffice stamps dates), which is why the files
are committed rather than generated during the tests.
"""

from __future__ import annotations

import email
import io
import itertools
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from email import policy
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
CORPUS = REPO / "tests" / "intake" / "corpus"
SAMPLES = REPO / "tests" / "samples" / "referrals"

# fixture name -> (source email, formats)
FROM_EMAILS = {
    "sample-03-table": (SAMPLES / "sample-03-docx_table.eml", ("doc", "odt")),
    "sample-04-paragraphs": (SAMPLES / "sample-04-docx_paragraphs.eml", ("doc", "odt")),
    "sample-09-table": (SAMPLES / "sample-09-docx_table.eml", ("doc",)),
    "sample-10-paragraphs": (SAMPLES / "sample-10-docx_paragraphs.eml", ("doc",)),
    "nested-people-table": (CORPUS / "docx-nested-people-table.eml", ("doc", "odt")),
    "label-row-then-value-row": (CORPUS / "docx-label-row-then-value-row.eml", ("doc",)),
    "four-column-contact-row": (CORPUS / "docx-four-column-contact-row.eml", ("doc",)),
    "bold-label-paragraphs": (CORPUS / "docx-bold-label-paragraphs.eml", ("doc",)),
    "bold-lead-labels-inline": (CORPUS / "docx-bold-lead-labels-inline.eml", ("doc", "odt")),
    "paragraphs-with-people-table": (CORPUS / "docx-paragraphs-with-people-table.eml", ("doc",)),
    "content-controls-placeholder": (CORPUS / "docx-content-controls-placeholder.eml", ("doc",)),
    "key-value-rows-with-section-headings": (CORPUS / "docx-key-value-rows-with-section-headings.eml", ("doc",)),
}
BUILT = ("formtext-fields", "non-ascii")


def docx_from_email(path: Path) -> bytes:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    for part in msg.walk():
        if (part.get_filename() or "").lower().endswith(".docx"):
            return part.get_payload(decode=True)
    raise SystemExit(f"no .docx attachment in {path}")


# -- built forms ------------------------------------------------------------------------

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

FORMTEXT_VALUES = [
    ("Child and adult names, dates of birth and address:",
     "Child: Amelia Clarke, DOB 03/06/2012; Mother: Sarah Clarke, DOB 11/02/1990; Address: 7 Lavender Hill, Enfield, EN2 0QF"),
    ("Date of referral:", "12/05/2015"),
    ("Summary:", "Amelia (aged 2) was admitted with a fractured femur. The explanation given did not match the injury."),
    ("Request/Recommendations to the LSCB:", None),  # left at the field's blank default
    ("How the case meets the SCR criteria:", "Abuse is suspected and the child has been seriously harmed."),
    ("Name of referrer:", "Priya Shah"),
    ("Telephone:", "020 7946 0455"),
    ("Email:", "priya.shah@example.nhs.uk"),
]


def _field_runs(instr: str, result: str) -> str:
    """A complex field (begin / instructions / separate / result / end) as runs of a paragraph."""
    esc = result.replace("&", "&amp;").replace("<", "&lt;")
    ff = ('<w:ffData><w:name w:val="Text1"/><w:enabled/><w:calcOnExit w:val="0"/><w:textInput/></w:ffData>'
          if "FORMTEXT" in instr else "")
    return (f'<w:r><w:fldChar w:fldCharType="begin">{ff}</w:fldChar></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t xml:space="preserve">{esc}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def formtext_docx() -> bytes:
    """A table form whose values are legacy FORMTEXT fields (one left blank), the email a HYPERLINK field."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    doc.add_paragraph("Enfield Safeguarding Children Board").runs[0].bold = True
    doc.add_paragraph("Referral of case for consideration under SCR processes").runs[0].bold = True
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in FORMTEXT_VALUES:
        cells = table.add_row().cells
        cells[0].text = label
        tc = cells[1]._tc
        for p in list(tc.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")):
            tc.remove(p)
        if label == "Email:":
            runs = _field_runs(f'HYPERLINK "mailto:{value}"', value)
        else:
            runs = _field_runs("FORMTEXT", value if value is not None else "\u2002" * 5)
        tc.append(parse_xml(f"<w:p {W_NS}>{runs}</w:p>"))
    return _save(doc)


NON_ASCII = {
    "names": "Child: Zoë Lefèvre, DOB 14/09/2009; Father: Łukasz Wiśniewski, DOB 02/01/1981; Address: 3 Rue Cottage, Enfield, EN1 3PU",
    "summary": "Zoë’s school raised concerns after she said her father “hit her with a belt”. "
               "The family owed £1,250 in rent arrears; the café where the mother works closed in June.",
    "request": "We recommend that the Board undertakes a Serious Case Review – our agency will contribute an IMR.",
    "criteria": "Abuse is known and the child has been seriously harmed; agencies’ work together is in question.",
}


def non_ascii_docx() -> bytes:
    """A table form with accented names, curly quotes, £ and a dash (cp1252), and Polish letters (not cp1252)."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("Référral of case for consideration under SCR processes").runs[0].bold = True
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    rows = [
        ("Child and adult names, dates of birth and address:", NON_ASCII["names"]),
        ("Date:", "5th March 2014"),
        ("Summary:", NON_ASCII["summary"]),
        ("Request/Recommendations to the LSCB:", NON_ASCII["request"]),
        ("How the case meets the SCR criteria:", NON_ASCII["criteria"]),
        ("Name of SCR Panel Member of the referring agency:", "Amélie O’Connor"),
        ("Telephone:", "020 7946 0388"),
        ("Email:", "amelie.oconnor@example.nhs.uk"),
    ]
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    return _save(doc)


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


BUILDERS = {"formtext-fields": formtext_docx, "non-ascii": non_ascii_docx}


# -- conversion ---------------------------------------------------------------------------


def convert(docx: bytes, fmt: str, workdir: Path) -> bytes:
    src = workdir / "form.docx"
    src.write_bytes(docx)
    out = workdir / f"form.{fmt}"
    out.unlink(missing_ok=True)
    subprocess.run(["soffice", "--headless", "--convert-to", fmt, str(src), "--outdir", str(workdir)],
                   check=True, capture_output=True, timeout=120)
    data = out.read_bytes()
    return strip_thumbnail(data) if fmt == "odt" else data


def strip_thumbnail(odt: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(odt))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename.startswith("Thumbnails/"):
                continue
            data = src.read(info.filename)
            if info.filename == "META-INF/manifest.xml":
                data = b"\n".join(ln for ln in data.split(b"\n") if b"Thumbnails/" not in ln)
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2015, 1, 1, 0, 0, 0)), data, compress_type=kind)
    return out.getvalue()


# -- re-laid-out and flagged copies of a LibreOffice .doc -----------------------------------


def _streams(doc: bytes) -> tuple[bytes, str, bytes]:
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(doc))
    wd = ole.openstream("WordDocument").read()
    name = "1Table" if struct.unpack_from("<H", wd, 0x0A)[0] & 0x0200 else "0Table"
    return wd, name, ole.openstream(name).read()


def _rewrite(doc: bytes, streams: dict[str, bytes]) -> bytes:
    import olefile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.doc"
        path.write_bytes(doc)
        ole = olefile.OleFileIO(str(path), write_mode=True)
        for name, data in streams.items():
            ole.write_stream(name, data)
        ole.close()
        return path.read_bytes()


def _fib_fc_lcb(wd: bytes, index: int) -> tuple[int, int, int]:
    csw = struct.unpack_from("<H", wd, 0x20)[0]
    pos = 0x22 + 2 * csw
    cslw = struct.unpack_from("<H", wd, pos)[0]
    pos = pos + 2 + 4 * cslw + 2
    at = pos + 8 * index
    fc, lcb = struct.unpack_from("<II", wd, at)
    return at, fc, lcb


def _cb_fc_lcb(wd: bytes) -> int:
    csw = struct.unpack_from("<H", wd, 0x20)[0]
    pos = 0x22 + 2 * csw
    cslw = struct.unpack_from("<H", wd, pos)[0]
    return struct.unpack_from("<H", wd, pos + 2 + 4 * cslw)[0]


def relay_pieces(doc: bytes, piece_chars: int = 97) -> bytes:
    """The same document with its text stored as Word stores it: pieces of about ``piece_chars``
    characters, cp1252 ("compressed") where every character allows, UTF-16LE where not, laid out
    one after another in the space the single UTF-16 piece took; property runs moved to match."""
    wd, table_name, table = _streams(doc)
    wd, table = bytearray(wd), bytearray(table)
    _, fc_clx, lcb_clx = _fib_fc_lcb(wd, 33)
    clx = table[fc_clx:fc_clx + lcb_clx]
    assert clx[0] == 2, "expected a Clx without property modifiers"
    lcb = struct.unpack_from("<I", clx, 1)[0]
    n = (lcb - 4) // 12
    assert n == 1, "expected LibreOffice's single piece"
    cp_end = struct.unpack_from("<I", clx, 5 + 4)[0]
    fc0 = struct.unpack_from("<I", clx, 5 + 8 + 2)[0]
    assert not fc0 & 0x40000000
    text = wd[fc0:fc0 + 2 * cp_end].decode("utf-16-le")

    bounds = list(range(0, cp_end, piece_chars)) + [cp_end]
    pieces = []  # (cp, length, compressed)
    for a, b in itertools.pairwise(bounds):
        try:
            text[a:b].encode("cp1252")
            pieces.append((a, b - a, True))
        except UnicodeEncodeError:
            pieces.append((a, b - a, False))
    area = bytearray(2 * cp_end)
    at = 0
    new_fc: dict[int, int] = {}  # cp -> new byte offset of the piece holding it
    for cp, length, compressed in pieces:
        raw = text[cp:cp + length].encode("cp1252" if compressed else "utf-16-le")
        area[at:at + len(raw)] = raw
        new_fc[cp] = fc0 + at
        at += len(raw)
    wd[fc0:fc0 + 2 * cp_end] = area

    def moved(fc: int) -> int:
        """An old file position (in the single UTF-16 piece) in the new layout."""
        if not fc0 <= fc <= fc0 + 2 * cp_end:
            return fc
        cp = (fc - fc0) // 2
        if cp == cp_end:  # just past the text: the end of the piece holding the last character
            p = pieces[-1]
            return new_fc[p[0]] + p[1] * (1 if p[2] else 2)
        p = next(p for p in pieces if p[0] <= cp < p[0] + p[1])
        return new_fc[p[0]] + (cp - p[0]) * (1 if p[2] else 2)

    # The property runs: every FC in every FKP page. The pieces are contiguous, so a run spanning
    # several of them still covers one range of file positions.
    for index in (12, 13):  # PlcBteChpx, PlcBtePapx
        _, fc, lcb_bte = _fib_fc_lcb(wd, index)
        m = (lcb_bte - 4) // 8
        pns = struct.unpack_from(f"<{m}I", table, fc + 4 * (m + 1))
        for pn in pns:
            base = (pn & 0x3FFFFF) * 512
            page = wd[base:base + 512]
            crun = page[511]
            rgfc = list(struct.unpack_from(f"<{crun + 1}I", page, 0))
            struct.pack_into(f"<{crun + 1}I", page, 0, *[moved(f) for f in rgfc])
            wd[base:base + 512] = page

    # The piece table.
    plc = struct.pack(f"<{len(pieces) + 1}I", *[p[0] for p in pieces], cp_end)
    for cp, length, compressed in pieces:
        fc = new_fc[cp] * 2 | 0x40000000 if compressed else new_fc[cp]
        plc += struct.pack("<HIH", 0, fc, 0)
    new_clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    # Streams keep their sizes, so the larger piece table is written where the old one was and over
    # the font table after it (LibreOffice puts SttbfFfn there), which the reader never looks at;
    # the FIB then says there is no font table.
    end = fc_clx + len(new_clx)
    for index in range(_cb_fc_lcb(wd)):
        at, fc, lcb_other = _fib_fc_lcb(wd, index)
        if index != 33 and lcb_other and fc < end and fc + lcb_other > fc_clx:
            if index != 15:
                raise ValueError(f"the new piece table would overwrite structure {index}")
            struct.pack_into("<I", wd, at + 4, 0)
    table[fc_clx:end] = new_clx
    at, _, _ = _fib_fc_lcb(wd, 33)
    struct.pack_into("<I", wd, at + 4, len(new_clx))
    return _rewrite(doc, {"WordDocument": bytes(wd), table_name: bytes(table)})


def mark_encrypted(doc: bytes) -> bytes:
    wd, _, _ = _streams(doc)
    wd = bytearray(wd)
    flags = struct.unpack_from("<H", wd, 0x0A)[0] | 0x0100
    struct.pack_into("<H", wd, 0x0A, flags)
    return _rewrite(doc, {"WordDocument": bytes(wd)})


def main() -> None:
    if not shutil.which("soffice"):
        raise SystemExit("LibreOffice (soffice) is needed to make the fixtures")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = {name: (docx_from_email(path), fmts) for name, (path, fmts) in FROM_EMAILS.items()}
        sources.update({name: (BUILDERS[name](), ("doc", "odt")) for name in BUILT})
        for name, (docx, fmts) in sources.items():
            for fmt in fmts:
                data = convert(docx, fmt, work)
                (HERE / f"{name}.{fmt}").write_bytes(data)
                print(f"{name}.{fmt}: {len(data)} bytes")
        doc = (HERE / "non-ascii.doc").read_bytes()
        (HERE / "non-ascii-pieces.doc").write_bytes(relay_pieces(doc))
        doc = (HERE / "sample-03-table.doc").read_bytes()
        (HERE / "sample-03-table-pieces.doc").write_bytes(relay_pieces(doc))
        (HERE / "sample-03-table-encrypted.doc").write_bytes(mark_encrypted(doc))


if __name__ == "__main__":
    sys.exit(main())
