"""Legacy Word 97-2003 documents (.doc, the Word Binary File Format of [MS-DOC]) as paragraphs and tables.

Pure Python: the OLE container is opened with ``olefile``; everything else is
read here from the spec.

- The FIB at the start of the ``WordDocument`` stream says which table stream
  (``0Table`` / ``1Table``) holds the document's tables, and where in it the
  piece table (Clx -> PlcPcd) is. Each piece is a run of character positions
  stored either as cp1252 bytes ("compressed", at fc/2) or as UTF-16LE.
- Only the main document is read (as the .docx reader reads only the body):
  not headers, footers, footnotes, comments or text boxes.
- Paragraph properties (PlcBtePapx -> PapxFkp) say which paragraphs are in a
  table, at what depth, and which mark ends a cell or a row; from them the
  tables are rebuilt as :class:`~.blocks.Table` rows of cells, the same blocks
  the .docx reader makes. Character properties (PlcBteChpx -> ChpxFkp) give
  bold (for :class:`~.blocks.Para` emphasis, as in .docx) and tracked
  deletions (dropped, as ``w:del`` is in .docx).
- Fields (``\\x13`` instructions ``\\x14`` result ``\\x15``) are read as their
  result: a legacy FORMTEXT form field's value, a hyperlink's display text.

Every failure is :class:`~.document_readers.Unreadable` with a fixed reason that names
the problem, never the content.
"""

from __future__ import annotations

import io
import re
import struct
from bisect import bisect_right
from dataclasses import dataclass

from .blocks import Block, Para, Table
from .document_readers import Unreadable
from .limits import MAX_TEXT_CHARS, Budget, Limits

# Reasons (fixed phrases: they are shown to a person and must hold no content).
# A ".doc" that is not a Word file at all (no OLE compound document, or one without a WordDocument stream).
NOT_A_DOC = "corrupt Word .doc file (not a Word document)"
CORRUPT = "corrupt Word .doc file"
ENCRYPTED = "password-protected document"
TOO_OLD = "unsupported Word 6/95 .doc format"
TOO_LARGE = "too large when expanded"

_WORD_IDENT = 0xA5EC
_NFIB_WORD97 = 0x00C0  # Word 6 and 95 files have 101..105 and a different FIB
_F_ENCRYPTED = 0x0100
_F_WHICH_TBL_STM = 0x0200
_F_OBFUSCATED = 0x8000

# Indexes of (fc, lcb) pairs in FibRgFcLcb97.
_PLCF_BTE_CHPX = 12
_PLCF_BTE_PAPX = 13
_CLX = 33

_MAX_PIECES = 100_000
_MAX_FKPS = 20_000
_MAX_TABLE_DEPTH = 8
_MAX_CHARS = 2 * MAX_TEXT_CHARS  # characters of the main document examined

# Paragraph properties (sprm codes).
_SPRM_P_IN_TABLE = 0x2416
_SPRM_P_TTP = 0x2417
_SPRM_P_ITAP = 0x6649
_SPRM_P_INNER_CELL = 0x244B
_SPRM_P_INNER_TTP = 0x244C
_SPRM_T_DEF_TABLE = 0xD608
_SPRM_P_CHG_TABS = 0xC615
# Character properties.
_SPRM_C_BOLD = 0x0835
_SPRM_C_RMARK_DEL = 0x0800

# Characters other than the tab that mean something (or nothing) in the text stream.
_SPECIAL = re.compile(r"[\x00-\x08\x0a-\x1f]")
_FIELD_BEGIN, _FIELD_SEPARATE, _FIELD_END = "\x13", "\x14", "\x15"
_PARA_END = "\r"
_CELL_END = "\x07"
_PAGE_BREAK = "\x0c"
_LINE_BREAKS = "\x0b\x0e\n"  # line break, column break, stray line feed
_NB_HYPHEN = "\x1e"


@dataclass(frozen=True)
class _ParaProps:
    in_table: bool = False
    ttp: bool = False  # the mark ends a table row (depth 1)
    itap: int | None = None  # table depth, when given
    inner_cell: bool = False  # the mark ends a cell of a nested table
    inner_ttp: bool = False  # the mark ends a row of a nested table
    istd: int = 0  # paragraph style; 1..9 are the built-in headings

    @property
    def depth(self) -> int:
        if self.itap is not None:
            return max(0, min(self.itap, _MAX_TABLE_DEPTH))
        return 1 if self.in_table else 0


_NO_PARA_PROPS = _ParaProps()


def read_doc(data: bytes, limits: Limits, budget: Budget) -> list[Block]:
    """Paragraphs and tables of the main document of a Word 97-2003 file, in order."""
    if len(data) > limits.max_expanded_bytes or not budget.take_expanded(len(data)):
        raise Unreadable(TOO_LARGE)
    import olefile  # imported when first needed, like the other readers' libraries

    try:
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError, ... for damaged containers
        raise Unreadable(NOT_A_DOC) from exc
    try:
        return _Doc(ole, len(data), budget).blocks()
    except Unreadable:
        raise
    except (struct.error, IndexError, ValueError, KeyError, OSError, EOFError, OverflowError, UnicodeError,
            RecursionError, TypeError, AttributeError, ZeroDivisionError) as exc:
        raise Unreadable(CORRUPT) from exc
    finally:
        ole.close()


class _Doc:
    def __init__(self, ole, size: int, budget: Budget):
        self.ole, self.size, self.budget = ole, size, budget

    def stream(self, name: str) -> bytes:
        if not self.ole.exists(name):
            raise Unreadable(CORRUPT if name != "WordDocument" else NOT_A_DOC)
        if self.ole.get_size(name) > self.size:  # a stream cannot be larger than the file holding it
            raise Unreadable(CORRUPT)
        data = self.ole.openstream(name).read()
        if not self.budget.take_expanded(len(data)):
            raise Unreadable(TOO_LARGE)
        return data

    def blocks(self) -> list[Block]:
        wd = self.stream("WordDocument")
        if len(wd) < 0x22 or _u16(wd, 0) != _WORD_IDENT:
            raise Unreadable(CORRUPT)
        if _u16(wd, 2) < _NFIB_WORD97:
            raise Unreadable(TOO_OLD)
        flags = _u16(wd, 0x0A)
        if flags & (_F_ENCRYPTED | _F_OBFUSCATED):
            raise Unreadable(ENCRYPTED)
        fib = _Fib(wd)
        table = self.stream("1Table" if flags & _F_WHICH_TBL_STM else "0Table")

        text, pieces = _main_text(wd, table, fib)
        try:
            para_runs = _papx_runs(wd, table, *fib.fc_lcb(_PLCF_BTE_PAPX))
        except (struct.error, IndexError, ValueError):
            para_runs = None  # no paragraph properties: tables are rebuilt from the cell marks alone
        try:
            char_runs = _chpx_runs(wd, table, *fib.fc_lcb(_PLCF_BTE_CHPX))
        except (struct.error, IndexError, ValueError):
            char_runs = []
        return _Walker(text, pieces, para_runs, _char_spans(pieces, char_runs, len(text))).run()


class _Fib:
    """The parts of the File Information Block that are read."""

    def __init__(self, wd: bytes):
        csw = _u16(wd, 0x20)
        pos = 0x22 + 2 * csw
        cslw = _u16(wd, pos)
        rglw = pos + 2
        if cslw < 4:
            raise Unreadable(CORRUPT)
        self.ccp_text = _i32(wd, rglw + 12)
        pos = rglw + 4 * cslw
        self.cb_fc_lcb = _u16(wd, pos)
        self.fc_lcb_at = pos + 2
        self.wd = wd
        if self.ccp_text < 0 or self.cb_fc_lcb <= _CLX:
            raise Unreadable(CORRUPT)

    def fc_lcb(self, index: int) -> tuple[int, int]:
        if index >= self.cb_fc_lcb:
            return 0, 0
        at = self.fc_lcb_at + 8 * index
        return _u32(self.wd, at), _u32(self.wd, at + 4)


@dataclass(frozen=True)
class _Piece:
    cp: int  # where the piece starts in the text read
    length: int
    fc: int  # byte offset of its first character in the WordDocument stream
    step: int  # bytes per character: 1 (cp1252) or 2 (UTF-16LE)


def _main_text(wd: bytes, table: bytes, fib: _Fib) -> tuple[str, list[_Piece]]:
    """The main document's characters (up to ``_MAX_CHARS``) and the pieces they came from."""
    fc_clx, lcb_clx = fib.fc_lcb(_CLX)
    clx = table[fc_clx:fc_clx + lcb_clx]
    if lcb_clx == 0 or len(clx) != lcb_clx:
        raise Unreadable(CORRUPT)
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc: property modifiers for pieces, skipped
        if i + 3 > len(clx):
            raise Unreadable(CORRUPT)
        cb = struct.unpack_from("<h", clx, i + 1)[0]
        if cb < 0:  # a negative size would walk backwards, or stand still for ever
            raise Unreadable(CORRUPT)
        i += 3 + cb
    if i >= len(clx) or clx[i] != 0x02:
        raise Unreadable(CORRUPT)
    lcb = _u32(clx, i + 1)
    plc = clx[i + 5:i + 5 + lcb]
    if len(plc) != lcb or lcb < 16 or (lcb - 4) % 12:
        raise Unreadable(CORRUPT)
    n = (lcb - 4) // 12
    if n > _MAX_PIECES:
        raise Unreadable(CORRUPT)
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    end_cp = min(fib.ccp_text, _MAX_CHARS)
    parts: list[str] = []
    pieces: list[_Piece] = []
    done = 0
    for k in range(n):
        start, stop = cps[k], min(cps[k + 1], end_cp)
        if start >= end_cp:
            break
        if stop <= start:
            continue
        if start != done:  # pieces must cover the text in order
            raise Unreadable(CORRUPT)
        fc_compressed = _u32(plc, 4 * (n + 1) + 8 * k + 2)
        count = stop - start
        if fc_compressed & 0x40000000:
            fc, step = (fc_compressed & 0x3FFFFFFF) // 2, 1
            raw = wd[fc:fc + count]
            chunk = raw.decode("cp1252", errors="replace")
        else:
            fc, step = fc_compressed & 0x3FFFFFFF, 2
            raw = wd[fc:fc + 2 * count]
            chunk = raw.decode("utf-16-le", errors="replace")
        if len(raw) != count * step:
            raise Unreadable(CORRUPT)  # a piece beyond the end of the stream: truncated or damaged
        pieces.append(_Piece(done, count, fc, step))
        parts.append(chunk)
        done = stop
    if done < end_cp:
        raise Unreadable(CORRUPT)
    return "".join(parts), pieces


# ---------------------------------------------------------------------------
# Formatted disk pages: paragraph and character properties, by file position
# ---------------------------------------------------------------------------


def _fkp_pages(wd: bytes, table: bytes, fc: int, lcb: int):
    """The 512-byte FKP pages a PlcBte points at, in order."""
    if lcb < 12 or (lcb - 4) % 8:
        return
    plc = table[fc:fc + lcb]
    if len(plc) != lcb:
        return
    n = (lcb - 4) // 8
    for pn in struct.unpack_from(f"<{n}I", plc, 4 * (n + 1))[:_MAX_FKPS]:
        at = (pn & 0x3FFFFF) * 512
        page = wd[at:at + 512]
        if len(page) == 512:
            yield page


def _papx_runs(wd: bytes, table: bytes, fc: int, lcb: int) -> tuple[list[int], list[int], list[_ParaProps]] | None:
    """Paragraph properties by the file positions of the paragraphs' text; None when there are none."""
    starts: list[int] = []
    ends: list[int] = []
    props: list[_ParaProps] = []
    for page in _fkp_pages(wd, table, fc, lcb):
        crun = page[511]
        if not 0 < crun <= 101:
            continue
        rgfc = struct.unpack_from(f"<{crun + 1}I", page, 0)
        cache: dict[int, _ParaProps] = {}
        for j in range(crun):
            b_offset = page[4 * (crun + 1) + 13 * j]
            if b_offset not in cache:
                cache[b_offset] = _para_props(page, 2 * b_offset) if b_offset else _NO_PARA_PROPS
            starts.append(rgfc[j])
            ends.append(rgfc[j + 1])
            props.append(cache[b_offset])
    if not starts:
        return None
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[k] for k in order], [ends[k] for k in order], [props[k] for k in order]


def _para_props(page: bytes, at: int) -> _ParaProps:
    cb = page[at]
    if cb == 0:
        size, start = 2 * page[at + 1], at + 2
    else:
        size, start = 2 * cb - 1, at + 1
    grpprl = page[start:start + size]
    if len(grpprl) < 2:
        return _NO_PARA_PROPS
    values = {"istd": _u16(grpprl, 0)}
    for sprm, operand in _sprms(grpprl[2:]):
        if sprm == _SPRM_P_IN_TABLE:
            values["in_table"] = operand[0] != 0
        elif sprm == _SPRM_P_TTP:
            values["ttp"] = operand[0] != 0
        elif sprm == _SPRM_P_ITAP and len(operand) == 4:
            values["itap"] = max(0, struct.unpack("<i", operand)[0])
        elif sprm == _SPRM_P_INNER_CELL:
            values["inner_cell"] = operand[0] != 0
        elif sprm == _SPRM_P_INNER_TTP:
            values["inner_ttp"] = operand[0] != 0
    return _ParaProps(**values)


def _chpx_runs(wd: bytes, table: bytes, fc: int, lcb: int) -> list[tuple[int, int, bool, bool]]:
    """(start, end, bold, deleted) by file position, sorted; only runs with either set."""
    runs: list[tuple[int, int, bool, bool]] = []
    for page in _fkp_pages(wd, table, fc, lcb):
        crun = page[511]
        if not 0 < crun <= 101:
            continue
        rgfc = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for j in range(crun):
            at = 2 * page[4 * (crun + 1) + j]
            if not at:
                continue
            bold = deleted = False
            for sprm, operand in _sprms(page[at + 1:at + 1 + page[at]]):
                if sprm == _SPRM_C_BOLD:
                    bold = operand[0] in (1, 0x81)  # on, or the opposite of a (not bold) style
                elif sprm == _SPRM_C_RMARK_DEL:
                    deleted = operand[0] != 0
            if bold or deleted:
                runs.append((rgfc[j], rgfc[j + 1], bold, deleted))
    runs.sort()
    return runs


def _sprms(grpprl: bytes):
    """(sprm, operand) pairs of a property list; stops at anything it cannot size."""
    i = 0
    while i + 2 <= len(grpprl):
        sprm = _u16(grpprl, i)
        i += 2
        spra = sprm >> 13
        if spra in (0, 1):
            size = 1
        elif spra in (2, 4, 5):
            size = 2
        elif spra == 3:
            size = 4
        elif spra == 7:
            size = 3
        elif sprm == _SPRM_T_DEF_TABLE:
            if i + 2 > len(grpprl):
                return
            size = _u16(grpprl, i) + 1
        elif sprm == _SPRM_P_CHG_TABS:
            if i >= len(grpprl) or grpprl[i] == 255:
                return
            size = grpprl[i] + 1
        else:
            if i >= len(grpprl):
                return
            size = grpprl[i] + 1
        operand = grpprl[i:i + size]
        if len(operand) < size:
            return
        yield sprm, operand
        i += size


def _char_spans(pieces: list[_Piece], runs: list[tuple[int, int, bool, bool]], n: int) -> list[tuple[int, int, bool, bool]]:
    """(start, end, bold, deleted) by character position, covering the whole text in order."""
    starts = [r[0] for r in runs]
    spans: list[tuple[int, int, bool, bool]] = []

    def emit(a: int, b: int, bold: bool, deleted: bool) -> None:
        if b <= a:
            return
        if spans and spans[-1][1] == a and spans[-1][2:] == (bold, deleted):
            spans[-1] = (spans[-1][0], b, bold, deleted)
        else:
            spans.append((a, b, bold, deleted))

    for piece in pieces:
        lo, hi = piece.fc, piece.fc + piece.length * piece.step
        cp = piece.cp
        k = max(bisect_right(starts, lo) - 1, 0)
        while k < len(runs) and runs[k][0] < hi:
            start, end, bold, deleted = runs[k]
            k += 1
            if end <= lo:
                continue
            a = piece.cp + (max(start, lo) - lo) // piece.step
            b = piece.cp + -(-(min(end, hi) - lo) // piece.step)
            if a < cp:
                continue
            emit(cp, a, False, False)
            emit(a, b, bold, deleted)
            cp = b
        emit(cp, piece.cp + piece.length, False, False)
    if not spans or spans[-1][1] < n:
        emit(spans[-1][1] if spans else 0, n, False, False)
    return spans


# ---------------------------------------------------------------------------
# Text to blocks
# ---------------------------------------------------------------------------


class _Walker:
    """Reads the text in order: fields to their results, paragraphs and table cells to blocks."""

    def __init__(self, text: str, pieces: list[_Piece], para_runs, spans):
        self.text, self.pieces, self.para_runs, self.spans = text, pieces, para_runs, spans
        self.piece_cps = [p.cp for p in pieces]
        self.tables = _Tables()
        self._new_para()
        self.last_cell_end = -2  # position of the last cell mark (for the fallback without properties)

    def _new_para(self) -> None:
        self.parts: list[str] = []
        self.chars = self.bold_chars = 0
        self.bold_lead: int | None = None

    def run(self) -> list[Block]:
        text = self.text
        fields: list[bool] = []  # open fields: False while in their instructions, True in their result
        hidden = 0  # how many open fields are in their instructions
        for a, b, bold, deleted in self.spans:
            if deleted:
                continue
            pos = a
            for m in _SPECIAL.finditer(text, a, b):
                i = m.start()
                if i > pos and not hidden:
                    self._add(text[pos:i], bold)
                pos = i + 1
                ch = text[i]
                if ch == _FIELD_BEGIN:
                    fields.append(False)
                    hidden += 1
                elif ch == _FIELD_SEPARATE:
                    if fields and not fields[-1]:
                        fields[-1] = True
                        hidden -= 1
                elif ch == _FIELD_END:
                    if fields and not fields.pop():
                        hidden -= 1
                elif ch == _CELL_END:  # no field spans a cell: whatever is open was damaged
                    fields.clear()
                    hidden = 0
                    self._end_para(ch, i)
                elif hidden:
                    continue
                elif ch in (_PARA_END, _PAGE_BREAK):
                    self._end_para(ch, i)
                elif ch in _LINE_BREAKS:
                    self._add("\n", bold)
                elif ch == _NB_HYPHEN:
                    self._add("-", bold)
                # anything else (pictures, drawn objects, note marks, optional hyphens) has no text
            if b > pos and not hidden:
                self._add(text[pos:b], bold)
        if self.parts:
            self.tables.add(self._para(0), 0, False, False)
        return self.tables.finish()

    def _add(self, s: str, bold: bool) -> None:
        visible = len(s.strip())
        if visible and not bold and self.chars and self.bold_chars == self.chars and self.bold_lead is None:
            self.bold_lead = len(self.parts)  # a leading bold label ends here ("Summary" bold, then the text)
        self.parts.append(s)
        self.chars += visible
        self.bold_chars += visible if bold else 0

    def _para(self, istd: int) -> Para:
        parts = self.parts
        if self.bold_lead is not None:
            parts.insert(self.bold_lead, "\t")
        heading = 1 <= istd <= 9
        para = Para("".join(parts), emphasis=heading or (self.chars > 0 and self.bold_chars == self.chars))
        self._new_para()
        return para

    def _end_para(self, mark: str, cp: int) -> None:
        props = self._props_at(cp)
        if props is None or (mark == _CELL_END and props.depth == 0):
            self._end_para_by_marks(mark, cp)
            return
        para = self._para(props.istd)
        depth = props.depth
        if depth <= 1:
            row_end = props.ttp
            cell_end = mark == _CELL_END and not row_end
        else:
            row_end = props.inner_ttp
            cell_end = props.inner_cell and not row_end
        self.tables.add(para, depth, cell_end, row_end)

    def _end_para_by_marks(self, mark: str, cp: int) -> None:
        """Without paragraph properties: a cell mark ends a cell; one straight after another ends the row."""
        para = self._para(0)
        if mark == _CELL_END:
            row_end = self.last_cell_end == cp - 1 and not para.text
            self.last_cell_end = cp
            self.tables.add(para, 1, not row_end, row_end)
        else:
            self.tables.add(para, 1 if self.tables.in_row() else 0, False, False)

    def _props_at(self, cp: int) -> _ParaProps | None:
        if self.para_runs is None:
            return None
        k = bisect_right(self.piece_cps, cp) - 1
        piece = self.pieces[k]
        fc = piece.fc + (cp - piece.cp) * piece.step
        starts, ends, props = self.para_runs
        j = bisect_right(starts, fc) - 1
        if j >= 0 and fc < ends[j]:
            return props[j]
        return _NO_PARA_PROPS


class _Tables:
    """Builds the block list, with tables (nested to a bounded depth) from paragraphs and their table depth."""

    def __init__(self):
        self.out: list[Block] = []
        self.open: list[tuple[Table, list, list]] = []  # (table, current row's cells, current cell's blocks)

    def in_row(self) -> bool:
        return bool(self.open) and bool(self.open[-1][1] or self.open[-1][2])

    def add(self, para: Para, depth: int, cell_end: bool, row_end: bool) -> None:
        while len(self.open) > depth:
            self._close()
        while len(self.open) < depth:
            self.open.append((Table(), [], []))
        if not self.open:
            self.out.append(para)
            return
        table, row, cell = self.open[-1]
        if row_end:  # the row-end mark holds no text of its own
            if cell:
                row.append(list(cell))
            table.rows.append(list(row))
            row.clear()
            cell.clear()
            return
        cell.append(para)
        if cell_end:
            row.append(list(cell))
            cell.clear()

    def _close(self) -> None:
        table, row, cell = self.open.pop()
        if cell:
            row.append(list(cell))
        if row:
            table.rows.append(list(row))
        (self.open[-1][2] if self.open else self.out).append(table)

    def finish(self) -> list[Block]:
        while self.open:
            self._close()
        return self.out


def _u16(b: bytes, at: int) -> int:
    return struct.unpack_from("<H", b, at)[0]


def _u32(b: bytes, at: int) -> int:
    return struct.unpack_from("<I", b, at)[0]


def _i32(b: bytes, at: int) -> int:
    return struct.unpack_from("<i", b, at)[0]
