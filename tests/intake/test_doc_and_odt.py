"""Legacy Word (.doc) and OpenDocument text (.odt) referral forms are read like their .docx originals.

The fixtures in ``tests/intake/documents`` were converted by LibreOffice from
the .docx forms of the parse corpus and the sample referrals (and from two
forms built by ``make_fixtures.py``, which says how they were all made). Each
test email is the original .docx email with its attachment swapped for the
converted file, so everything but the document format is the same.
"""

from __future__ import annotations

import email
import io
import random
import struct
import time
import zipfile
from email import encoders, policy
from pathlib import Path

import pytest
from generated_sets import load_script

from service.intake.parsing import Limits, msdoc, parse_message
from service.intake.parsing.blocks import Para, Table
from service.intake.parsing.document_readers import Unreadable, read_docx, read_odt, sniff
from service.intake.parsing.limits import Budget

DOCS = Path(__file__).resolve().parent / "documents"
fixtures = load_script(DOCS / "make_fixtures.py")

MIME = {"doc": "application/msword", "odt": "application/vnd.oasis.opendocument.text"}
CASES = [(name, fmt) for name, (_, fmts) in fixtures.FROM_EMAILS.items() for fmt in fmts]
READERS = {"doc": msdoc.read_doc, "odt": read_odt}


def _read(fmt: str, data: bytes, limits: Limits | None = None):
    limits = limits or Limits()
    return READERS[fmt](data, limits, Budget(limits))


def _source(name: str) -> Path:
    path = fixtures.FROM_EMAILS[name][0]
    assert path.is_file(), f"{path} is missing"
    return path


def _swap_attachment(raw: bytes, data: bytes, fmt: str) -> bytes:
    """The email with its .docx attachment replaced by ``data``, named and typed as a .``fmt`` file."""
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    for part in msg.walk():
        filename = part.get_filename() or ""
        if filename.lower().endswith(".docx"):
            del part["Content-Transfer-Encoding"]
            part.set_payload(data)
            encoders.encode_base64(part)
            part.set_type(MIME[fmt])
            del part["Content-Disposition"]
            part.add_header("Content-Disposition", "attachment", filename=f"{filename[:-5]}.{fmt}")
            part.del_param("name")
            return msg.as_bytes()
    raise AssertionError("no .docx attachment")


def _email_with(data: bytes, filename: str, content_type: str = "application/octet-stream") -> bytes:
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    msg = MIMEMultipart()
    msg["From"] = "Helen Carter <helen.carter@example.nhs.uk>"
    msg["To"] = "lscb.business.manager@example.gov.uk"
    msg["Subject"] = "SCR referral"
    msg["Date"] = "Wed, 05 Mar 2014 09:00:00 +0000"
    msg["Message-ID"] = "<doc-odt-test@example.nhs.uk>"
    msg.attach(MIMEText("Dear Business Manager,\n\nPlease find attached our SCR referral.\n\nRegards,\nHelen Carter\n"))
    part = MIMEApplication(data, _subtype=content_type.split("/", 1)[1])
    part.add_header("Content-Disposition", "attachment", filename=filename)
    msg.attach(part)
    return msg.as_bytes()


def _shape(blocks) -> list:
    """Blocks as comparable values; empty paragraphs left out (converters add and drop them freely)."""
    out = []
    for b in blocks:
        if isinstance(b, Para):
            if b.text.strip():
                out.append(("P", b.text, b.emphasis))
        else:
            out.append(("T", [[_shape(cell) for cell in row] for row in b.rows]))
    return out


def _without_format(record: dict) -> dict:
    record = dict(record)
    record.pop("layout")
    record["source"] = {k: v for k, v in record["source"].items() if k != "found_in"}
    return record


# -- the same form in three formats -------------------------------------------------------------


@pytest.mark.parametrize("name,fmt", CASES, ids=[f"{n}.{f}" for n, f in CASES])
def test_a_converted_form_parses_to_the_same_record_as_its_docx_original(name: str, fmt: str):
    raw = _source(name).read_bytes()
    original = parse_message(raw)
    converted = parse_message(_swap_attachment(raw, (DOCS / f"{name}.{fmt}").read_bytes(), fmt))
    assert original["needs_person"] is None and original["layout"].startswith("docx_")
    assert converted["layout"] == original["layout"].replace("docx", fmt)  # the same table or paragraphs
    assert converted["source"]["found_in"].endswith(f".{fmt}")
    assert converted["unreadable"] == original["unreadable"] == []
    assert _without_format(converted) == _without_format(original)


@pytest.mark.parametrize("name,fmt", CASES, ids=[f"{n}.{f}" for n, f in CASES])
def test_a_converted_form_gives_the_same_paragraphs_and_tables_as_the_docx(name: str, fmt: str):
    docx = fixtures.docx_from_email(_source(name))
    assert _shape(_read(fmt, (DOCS / f"{name}.{fmt}").read_bytes())) == _shape(read_docx(docx, Limits(), Budget(Limits())))


def test_doc_tables_are_rows_of_cells_like_docx_and_nested_tables_stay_in_their_cell():
    blocks = _read("doc", (DOCS / "nested-people-table.doc").read_bytes())
    table = next(b for b in blocks if isinstance(b, Table))
    assert [len(row) for row in table.rows] == [2] * 8
    label, value = table.rows[0]
    assert label[0].text == "Child and adult names, dates of birth and address:"
    nested = next(b for b in value if isinstance(b, Table))
    assert [[c[0].text for c in row] for row in nested.rows][:2] == [
        ["Name", "Relationship to child", "D.O.B.", "Address"],
        ["Jayden Okoro", "Child", "21/11/2010", "14 Chase Side, Enfield, EN2 6NS"],
    ]


def test_bold_lead_labels_in_a_doc_are_set_off_by_a_tab_as_in_docx():
    blocks = _read("doc", (DOCS / "bold-lead-labels-inline.doc").read_bytes())
    texts = [b.text for b in blocks if isinstance(b, Para)]
    assert "Referring panel member\t Helen Carter" in texts
    assert all(b.emphasis for b in blocks[:3])


# -- form fields -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["doc", "odt"])
def test_formtext_field_results_are_the_values_and_their_instructions_are_dropped(fmt: str):
    data = (DOCS / f"formtext-fields.{fmt}").read_bytes()
    got = parse_message(_email_with(data, f"Referral form.{fmt}", MIME[fmt]))
    values = dict(fixtures.FORMTEXT_VALUES)
    assert got["needs_person"] is None and got["layout"] in (f"{fmt}_table", f"{fmt}_paragraphs")
    assert got["summary"] == values["Summary:"]
    assert got["criteria_statement"] == values["How the case meets the SCR criteria:"]
    assert got["referral_date"] == "2015-05-12"
    assert got["referrer"]["name"] == "Priya Shah"
    assert got["referrer"]["telephone"] == "020 7946 0455"
    assert got["referrer"]["email"] == "priya.shah@example.nhs.uk"  # a HYPERLINK field's result
    assert [s["name"] for s in got["subjects"]] == ["Amelia Clarke", "Sarah Clarke"]
    assert got["request"] is None and "request" in got["missing"]  # the field left at its blank default
    text = repr(_shape(_read(fmt, data)))
    assert "FORMTEXT" not in text and "HYPERLINK" not in text and "mailto" not in text

    docx = parse_message(_email_with(fixtures.formtext_docx(), "Referral form.docx"))
    assert _without_format(got) == _without_format(docx)


def test_a_field_instruction_is_dropped_and_its_result_kept_even_when_fields_nest():
    text = "Name: \x13 FORMTEXT \x13 REF x \x14inner\x15\x14Jo Bloggs\x15 end\r"
    walker = msdoc._Walker(text, [msdoc._Piece(0, len(text), 0, 2)], None, [(0, len(text), False, False)])
    assert [b.text for b in walker.run()] == ["Name: Jo Bloggs end"]


# -- text encodings: compressed (cp1252) and UTF-16 pieces ----------------------------------------


def _pieces(data: bytes) -> list:
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(data))
    doc = msdoc._Doc(ole, len(data), Budget(Limits()))
    wd = doc.stream("WordDocument")
    table = doc.stream("1Table")
    return msdoc._main_text(wd, table, msdoc._Fib(wd))[1]


def test_non_ascii_text_is_read_from_compressed_and_utf16_pieces():
    relaid = (DOCS / "non-ascii-pieces.doc").read_bytes()
    steps = [p.step for p in _pieces(relaid)]
    assert 1 in steps and 2 in steps and len(steps) > 5  # cp1252 pieces and UTF-16 pieces (for "Ł", "ś")
    assert {p.step for p in _pieces((DOCS / "non-ascii.doc").read_bytes())} == {2}  # LibreOffice: one UTF-16 piece

    for name in ("non-ascii.doc", "non-ascii-pieces.doc", "non-ascii.odt"):
        fmt = name.rsplit(".", 1)[1]
        got = parse_message(_email_with((DOCS / name).read_bytes(), name, MIME[fmt]))
        assert got["needs_person"] is None, name
        assert got["summary"] == fixtures.NON_ASCII["summary"], name  # ’ “ ” £ é ë
        assert got["request"] == fixtures.NON_ASCII["request"], name  # –
        assert [s["name"] for s in got["subjects"]] == ["Zoë Lefèvre", "Łukasz Wiśniewski"], name
        assert got["referrer"]["name"] == "Amélie O’Connor", name


def test_a_doc_with_many_compressed_pieces_reads_as_its_docx():
    relaid = (DOCS / "sample-03-table-pieces.doc").read_bytes()
    assert {p.step for p in _pieces(relaid)} == {1} and len(_pieces(relaid)) > 5
    docx = fixtures.docx_from_email(_source("sample-03-table"))
    assert _shape(_read("doc", relaid)) == _shape(read_docx(docx, Limits(), Budget(Limits())))


# -- documents that cannot be read ---------------------------------------------------------------

_FIXED_DOC_REASONS = {msdoc.NOT_A_DOC, msdoc.CORRUPT, msdoc.ENCRYPTED, msdoc.TOO_OLD, msdoc.TOO_LARGE}


def test_a_password_protected_doc_goes_to_a_person_with_a_fixed_reason():
    data = (DOCS / "sample-03-table-encrypted.doc").read_bytes()
    got = parse_message(_email_with(data, "referral.doc", MIME["doc"]))
    assert got["is_referral"] and got["needs_person"] and got["subjects"] == []
    assert got["unreadable"] == [{"part": "attachment: referral.doc", "reason": "password-protected document"}]
    assert "password-protected document" in got["needs_person"]


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_a_truncated_doc_goes_to_a_person_with_a_fixed_reason(fraction: float):
    data = (DOCS / "sample-03-table.doc").read_bytes()
    cut = data[: int(len(data) * fraction)]
    with pytest.raises(Unreadable) as err:
        _read("doc", cut)
    assert str(err.value) in _FIXED_DOC_REASONS
    got = parse_message(_email_with(cut, "referral.doc", MIME["doc"]))
    assert got["needs_person"] and got["subjects"] == [] and got["unreadable"][0]["reason"] in _FIXED_DOC_REASONS


def test_damaged_docs_never_raise_anything_but_unreadable():
    rng = random.Random(20240601)
    originals = [(DOCS / n).read_bytes() for n in ("sample-03-table.doc", "nested-people-table.doc", "non-ascii-pieces.doc")]
    for i in range(300):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 8)):
            # Mostly where the reader looks: the FIB, the FKP pages and the table stream (the file's second half).
            at = rng.choice([rng.randrange(512, 2048), rng.randrange(len(data) // 2, len(data)), rng.randrange(len(data))])
            data[at] = rng.randrange(256)
        try:
            blocks = _read("doc", bytes(data))
        except Unreadable as exc:
            assert str(exc) in _FIXED_DOC_REASONS
        else:
            assert isinstance(blocks, list)


def test_a_doc_that_is_not_a_word_file_or_is_too_old_is_unreadable():
    with pytest.raises(Unreadable, match=r"not a Word document"):
        _read("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    data = bytearray((DOCS / "sample-03-table.doc").read_bytes())
    wd, _, _ = fixtures._streams(bytes(data))
    old = bytearray(wd)
    struct.pack_into("<H", old, 2, 104)  # Word 95
    with pytest.raises(Unreadable, match="Word 6/95"):
        _read("doc", fixtures._rewrite(bytes(data), {"WordDocument": bytes(old)}))


def test_a_doc_is_charged_to_the_expansion_budget():
    data = (DOCS / "sample-03-table.doc").read_bytes()
    with pytest.raises(Unreadable, match="too large"):
        _read("doc", data, Limits(max_expanded_bytes=len(data) + 1000))
    budget = Budget(Limits())
    msdoc.read_doc(data, Limits(), budget)
    assert budget.expanded_bytes > len(data)


def test_without_paragraph_properties_cell_marks_still_make_rows():
    text = "Intro\rName:\x07Jo Bloggs\x07\x07Date:\x07\x0712/05/2015\x07\x07After\r"
    walker = msdoc._Walker(text, [msdoc._Piece(0, len(text), 0, 2)], None, [(0, len(text), False, False)])
    blocks = walker.run()
    assert isinstance(blocks[0], Para) and blocks[0].text == "Intro"
    table = blocks[1]
    assert [c[0].text for c in table.rows[0]] == ["Name:", "Jo Bloggs"]
    assert blocks[-1].text == "After"


# -- OpenDocument limits and kinds ---------------------------------------------------------------


def _odt(content: bytes, mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
    return out.getvalue()


_ODT_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
             b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
             b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
             b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>')
_ODT_TAIL = b"</office:text></office:body></office:document-content>"


def test_a_zip_bomb_odt_is_refused_before_it_is_expanded():
    bomb = _odt(_ODT_HEAD + b"<text:p>" + b"A" * (150 * 1024 * 1024) + b"</text:p>" + _ODT_TAIL)
    started = time.perf_counter()
    got = parse_message(_email_with(bomb, "referral.odt", MIME["odt"]))
    assert time.perf_counter() - started < 3
    assert got["needs_person"] and "zip bomb" in got["unreadable"][0]["reason"]


def test_repeated_odt_cells_and_rows_are_capped():
    row = (b'<table:table-row table:number-rows-repeated="1000000">'
           b'<table:table-cell table:number-columns-repeated="1000000"><text:p>x</text:p></table:table-cell>'
           b'</table:table-row>')
    empty = (b'<table:table-row table:number-rows-repeated="1048576">'
             b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    data = _odt(_ODT_HEAD + b"<table:table>" + row + empty + b"</table:table>" + _ODT_TAIL)
    started = time.perf_counter()
    blocks = _read("odt", data)
    assert time.perf_counter() - started < 5
    table = blocks[0]
    assert len(table.rows) <= 5000 and max(len(r) for r in table.rows) <= 50


def test_odt_spaces_tabs_line_breaks_spans_and_simple_form_controls():
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        b'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        b'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        b'xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
        b'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        b'<office:automatic-styles><style:style style:name="T1" style:family="text">'
        b'<style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles>'
        b'<office:body><office:text>'
        b'<office:forms><form:form><form:text form:id="c1" xml:id="c1" form:current-value="Jo Bloggs"/></form:form></office:forms>'
        b'<text:tracked-changes><text:changed-region><text:deletion><text:p>deleted words</text:p></text:deletion></text:changed-region></text:tracked-changes>'
        b'<text:h>Referral</text:h>'
        b'<text:p><text:span text:style-name="T1">Summary</text:span> one<text:s text:c="3"/>two<text:tab/>three'
        b'<text:line-break/>four<text:note><text:note-body><text:p>a footnote</text:p></text:note-body></text:note></text:p>'
        b'<text:list><text:list-item><text:p>Name: <draw:control draw:control="c1"/></text:p></text:list-item></text:list>'
        b'<table:table><table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>Wide</text:p></table:table-cell>'
        b'<table:covered-table-cell/></table:table-row></table:table>'
        + _ODT_TAIL
    )
    blocks = _read("odt", _odt(content))
    assert [(b.text, b.emphasis) for b in blocks if isinstance(b, Para)] == [
        ("Referral", True), ("Summary\t one   two\tthree\nfour", False), ("Name: Jo Bloggs", False)]
    assert [[c[0].text for c in row] for row in blocks[-1].rows] == [["Wide"]]
    assert "deleted" not in repr(_shape(blocks)) and "footnote" not in repr(_shape(blocks))


def test_opendocument_kinds_are_sniffed_from_the_package():
    body = _ODT_HEAD + b"<text:p>x</text:p>" + _ODT_TAIL
    assert sniff(_odt(body), "form.odt", "") == "odt"
    assert sniff(_odt(body, b"application/vnd.oasis.opendocument.text-template"), "form.ott", "") == "odt"
    assert sniff(_odt(body), "attachment.bin", "") == "odt"
    assert sniff(_odt(body, b"application/vnd.oasis.opendocument.spreadsheet"), "sheet.ods", "") == "odf"
    assert sniff(b"not a zip", "form.odt", "") == "odt"  # named .odt, damaged: read and found corrupt
    got = parse_message(_email_with(_odt(body, b"application/vnd.oasis.opendocument.spreadsheet"), "sheet.ods"))
    assert got["unreadable"][0]["reason"] == "unsupported format (OpenDocument other than text)"
    got = parse_message(_email_with(b"PK\x03\x04 damaged", "referral.odt", MIME["odt"]))
    assert got["needs_person"] and "corrupt" in got["unreadable"][0]["reason"]


def test_a_piece_table_with_a_negative_modifier_size_is_corrupt_not_an_endless_loop():
    import struct

    from service.intake.parsing import msdoc

    class Fib:  # just what the piece-table reader asks of a FIB
        ccp_text = 10

        @staticmethod
        def fc_lcb(index):
            return 0, 6

    table = b"\x01" + struct.pack("<h", -3) + b"\x00\x00\x00"  # Prc whose size would stand still
    with pytest.raises(msdoc.Unreadable):
        msdoc._main_text(b"", table, Fib())
