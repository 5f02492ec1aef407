"""The line model shared by every reader, and text clean-up.

Every place a form can be (a Word table, a PDF page, an HTML body, a plain
text body) is turned into a list of :class:`Line` objects. The field splitter
only ever sees lines, so it does not care where they came from; the little it
needs to know about the source (was this a table's label cell? a value cell?
bold?) travels on the line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from .bilingual import english
from .labels import match_column, match_label

# Kinds of line.
TEXT = "text"  # ordinary line: may be a label, a value, or both ("Date: 1/2/2014")
LABEL = "label"  # a table cell known to hold only a label
VALUE = "value"  # a table cell that follows a label cell: never read as a label
PERSON = "person"  # one row of a people table, already split into columns


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a candidate text. ``text == ""`` marks a paragraph break."""

    text: str
    kind: str = TEXT
    emphasis: bool = False  # bold / heading / table header in the source
    in_table: bool = False  # came from a table cell
    person: Mapping[str, str] | None = None  # kind == PERSON: column -> cell text
    edge: int | None = None  # PDF: the column where the line's text ends on the page (None: its length)


BREAK = Line("")

# Soft hyphens, zero-width characters, and the bidirectional marks mail clients put round right-to-left names.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060"
                                    "\u2066\u2067\u2068\u2069\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Normalise a decoded text: NFC, unified line ends, no invisible characters.

    Keeps tabs and newlines (they carry structure); turns every other kind of
    space into a plain space and drops control characters and soft hyphens.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.translate(_INVISIBLE)
    text = _CONTROL.sub("", text)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def squash(text: str) -> str:
    """Collapse runs of white space (including tabs and newlines) to one space."""
    return " ".join(text.split())


# "Child's name ........ Ben Carter": dotted leaders (or an ellipsis run) between a label and its value.
_LEADERS = re.compile(r"^(?P<label>[^.\t]{1,80}?)\s*(?:\.{4,}|\u2026{2,}|(?:\. ){4,}\.?)\s*:?\s*(?P<value>.*)$")


def _leaders(line: str) -> str:
    m = _LEADERS.match(line)
    # Only before a known label: "He said..... nothing" in a narrative is left alone.
    if not m or not match_label(m.group("label").strip(" :"), marked=True):
        return line
    value = m.group("value").strip()
    return f"{m.group('label').rstrip(' :')}: {value}" if value else f"{m.group('label').rstrip(' :')}:"


def lines_from_text(text: str) -> list[Line]:
    """Split plain text into lines; blank lines become paragraph breaks.

    Tabs are kept inside a line (a tab after a label separates it from its
    value, as in text rendered from a table); other runs of space collapse.
    """
    out: list[Line] = []
    raws = clean(text).split("\n")
    i = 0
    while i < len(raws):
        table = _aligned_people_table(raws, i)
        if table:
            rows, i = table
            out.extend(Line(row) for row in rows)
            continue
        raw = raws[i]
        parts = [_SPACES.sub(" ", p).strip() for p in raw.split("\t")]
        line = _leaders(english("\t".join(p for p in parts if p)))
        out.append(Line(line) if line else BREAK)
        i += 1
    return out


_GAP = re.compile(r"\S+(?: \S+)*")  # a cell: words one space apart; two spaces or more between cells


def _aligned_people_table(raws: list[str], i: int) -> tuple[list[str], int] | None:
    """A people table typed with spaces ("Name    DOB    Relationship    Address" over aligned rows, a long
    address wrapped on to the next line under its column): its header and rows as tab-separated lines,
    and where the text goes on. None unless ``raws[i]`` is such a header."""
    head = raws[i]
    if "  " not in head or "name" not in head.lower() or "\t" in head or ":" in head or len(head) > 200 or re.search(r"\d", head):
        return None
    cells = [(m.start(), m.group(0)) for m in _GAP.finditer(head)]
    columns = [match_column(c) for _, c in cells]
    if len(cells) < 3 or sum(map(bool, columns)) < 3 or not {"name", "forename", "surname"} & set(columns):
        return None
    starts = [start for start, _ in cells]
    rows: list[list[str]] = []
    j = i + 1
    while j < len(raws) and raws[j].strip() and "\t" not in raws[j] and j - i <= 200:
        raw = raws[j]
        row = [""] * len(starts)
        for m in _GAP.finditer(raw):
            # the column whose start is nearest at or before the cell (a cell may start a little early)
            k = max((n for n, start in enumerate(starts) if start <= m.start() + 2), default=0)
            row[k] = f"{row[k]} {m.group(0)}".strip()
        if rows and not row[0]:  # a wrapped cell: the rest of the row above
            # an address's lines ("14 Mill Lane," / "Thornbury" / "TB2 4RS") are its parts, comma-separated
            rows[-1] = [f"{a.rstrip(' ,')}, {b}" if a and b and columns[k] == "address" else f"{a} {b}".strip()
                        for k, (a, b) in enumerate(zip(rows[-1], row))]
        else:
            rows.append(row)
        j += 1
    if not rows:
        return None
    return ["\t".join(c for _, c in cells)] + ["\t".join(r) for r in rows], j


def lines_from_layout(text: str) -> list[Line]:
    """Lines of a PDF's text laid out in columns (pypdf's layout mode).

    A wide gap separates table cells: it becomes a tab, as in text rendered
    from a table. Each line remembers where on the page it ends, so that text
    wrapped in a narrow right-hand column can be joined again.
    """
    out: list[Line] = []
    for raw in clean(text).split("\n"):
        raw = raw.rstrip()
        if not raw.strip():
            out.append(BREAK)
            continue
        cells = re.findall(r"\S+(?: {1,3}\S+)*", raw)  # four spaces or more: a gap between cells
        out.append(Line(_leaders(english("\t".join(squash(c) for c in cells))), edge=len(raw)))
    return _label_rows_over_value_rows(out)


def _label_rows_over_value_rows(lines: list[Line]) -> list[Line]:
    """Boxed fields side by side, each label over its value ("Name<TAB>Agency" then "Jo Bell<TAB>Kelby Police"):
    one "label: value" line per box. Only where every cell above is a known label (not a people table's
    header row, whose rows are read as a table) and the row below has as many cells, none a label."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        cells = line.text.split("\t") if line.text else []
        below = lines[i + 1] if i + 1 < len(lines) else None
        values = below.text.split("\t") if below is not None and below.text else []
        if (2 <= len(cells) <= 4 and len(values) == len(cells) and all(match_label(c, marked=True) for c in cells)
                and not any(match_label(v) for v in values) and sum(map(bool, map(match_column, cells))) < 2):
            out.extend(Line(f"{c}: {v}", edge=below.edge) for c, v in zip(cells, values))
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def line_edge(line: Line | str) -> int:
    """Where a line ends: its recorded page column, else its length."""
    if isinstance(line, str):
        return len(squash(line))
    return line.edge if line.edge is not None else len(squash(line.text))


# ---------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?][\"'\u2019\u201d)\]]*$")
_BULLET = re.compile(r"^(?:[-*\u2022\u25aa\u25cf\u2013\u2014o]\s|\(?\d{1,2}[.)]\s|\(?[a-z][.)]\s)")


_QUOTE_MARKS = re.compile(r"^(?:\s?>)+\s?")


@dataclass(frozen=True)
class Wrap:
    """How a source wraps lines, so that wrapped lines can be joined again.

    ``width`` is the longest line seen in the source (in characters); a line
    is taken to have been wrapped when the next line's first word would not
    have fitted on it. ``slack`` widens that test for proportional fonts (PDF),
    where character counts only approximate the printed width.
    """

    width: int
    slack: float = 1.0
    prose: int | None = None  # PDF: how wide the page's prose runs (its tables and footers aside)

    @classmethod
    def for_plain_text(cls, lines: Iterable[Line | str]) -> Wrap | None:
        """The wrap of a plain-text body, or None when it is evidently not hard-wrapped.

        Mail clients hard-wrap at 70-80 columns; a body whose longest line is
        much longer than that was not wrapped, and every line is a paragraph.
        """
        # Measured without "> " quote markers: a quoted form is read with them removed.
        texts = [_QUOTE_MARKS.sub("", ln if isinstance(ln, str) else ln.text) for ln in lines]
        width = max((len(t) for t in texts), default=0)
        if not 40 <= width <= 100:
            return None
        # Evidence, not just short lines: several lines stop near the width mid-sentence
        # although the next line's first word would not have fitted.
        wrapped = sum(
            1
            for a, b in pairwise(texts)
            if a and b and len(a) >= width - 12 and not _TERMINAL.search(a)
            and len(a) + 1 + len(b.split(" ", 1)[0]) > width
        )
        return cls(width) if wrapped >= 2 else None

    @classmethod
    def for_pdf(cls, lines: Iterable[Line | str]) -> Wrap | None:
        lines = list(lines)
        width = max((line_edge(ln) for ln in lines), default=0)
        # The prose's width: the second widest line without a table's tabs (the widest may be a footer).
        edges = sorted((line_edge(ln) for ln in lines if "\t" not in (ln if isinstance(ln, str) else ln.text)),
                       reverse=True)
        prose = edges[1] if len(edges) >= 2 else None
        return cls(width, slack=0.85, prose=prose if prose and prose >= 40 else None) if width >= 30 else None


def joins_next(line: str, following: str, wrap: Wrap | None, edge: int | None = None) -> bool:
    """True when ``following`` continues the paragraph that ``line`` (ending at column ``edge``) is part of."""
    if wrap is None or not line or not following:
        return False
    if _BULLET.match(following):
        return False
    end = len(line) if edge is None else edge
    first_word = following.split(" ", 1)[0]
    if _TERMINAL.search(line):
        # A PDF's sentence that ends at the very end of a full line of prose, the next sentence's first word
        # too long for that line: the paragraph goes on (a new paragraph, or a label, starts its own line).
        prose = wrap.prose
        return bool(prose) and end >= prose * 0.9 and end + 1 + len(first_word) > prose \
            and following[:1].isupper() and len(following.split()) >= 4 and ":" not in following[:40] \
            and "\t" not in following
    would_fit = end + 1 + len(first_word) <= wrap.width * wrap.slack
    if not would_fit:
        return True
    if line.endswith(":"):  # "... as follows:" then a list
        return False
    # A lower-case start after a nearly full line is a continuation too: new
    # paragraphs do not start in lower case.
    return following[0].islower() and end >= wrap.width * 0.6


def paragraphs(lines: Iterable[Line | str], wrap: Wrap | None = None,
               starts_paragraph: Callable[[str], bool] | None = None) -> list[str]:
    """Group lines into paragraphs: each line is one, unless it was wrapped.

    Blank lines always end a paragraph, as does a line for which
    ``starts_paragraph`` is true. White space inside a paragraph (tabs
    included) is normalised.
    """
    out: list[str] = []
    current: list[str] = []
    last_edge = 0
    for item in lines:
        line = squash(item if isinstance(item, str) else item.text)
        if not line:
            if current:
                out.append(" ".join(current))
                current = []
            continue
        if current and joins_next(current[-1], line, wrap, last_edge) and not (starts_paragraph and starts_paragraph(line)):
            current.append(line)
        else:
            if current:
                out.append(" ".join(current))
            current = [line]
        last_edge = line_edge(item) if not isinstance(item, str) and item.edge is not None else len(line)
    if current:
        out.append(" ".join(current))
    return out


# ---------------------------------------------------------------------------
# Recognisable pieces
# ---------------------------------------------------------------------------

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

_SIGNOFF = re.compile(
    r"^(?:(?:kind|best|warm|warmest|many|with\s+(?:kind|best|many))\s+)?(?:regards|thanks|thank\s+you|wishes)"
    r"(?:[,.!]?\s+[\w'\-]+){0,3}[\s,.!]*$"  # "Kind regards", "Thanks Karen", "Regards, Neil Patel"
    r"|^(?:yours\s+(?:sincerely|faithfully|truly)|cheers|thx|best)[\s,.!]*$"
    r"|^--\s*$|^sent\s+from\s+my\b",
    re.IGNORECASE,
)


def is_signoff(text: str) -> bool:
    """ "Kind regards,", "Thanks", "Yours sincerely", "-- ", "Sent from my iPhone": the end of what a person wrote."""
    return bool(_SIGNOFF.match(text.strip()))


# ---------------------------------------------------------------------------
# Placeholders: answers that say nothing
# ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"""^[\s\[\(<{]*(?:
        n\s*/?\s*a | not\s+applicable | none | nil | tbc | tba | tbd | to\s+follow
        | not\s+known | unknown | not\s+yet\s+known | unk | awaited
        | -+ | \.+ | \?+ | x+ | _+ | \*+
        | enter\s+text(?:\s+here)? | insert\s+text | type\s+here | text
        | click\s+(?:or\s+tap\s+)?here\s+to\s+enter\s+(?:text|a\s+date)
        | please\s+(?:enter|complete|specify|state)(?:\s+\w+){0,3}
        | dd\s*/\s*mm\s*/\s*(?:yy){1,2}
    )[\s\]\)>}.:]*$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_placeholder(text: str | None) -> bool:
    """True for empty answers and answers that only hold a form's prompt or "N/A"."""
    text = squash(text or "")
    return not text or bool(_PLACEHOLDER.match(text))
