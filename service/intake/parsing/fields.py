"""Split a candidate text into labelled fields.

A label is recognised where a form puts one:

- ``Label: value`` (or ``Label<TAB>value``, or ``Label - value`` for exact
  wordings) at the start of a line;
- a line that is only a label (``Summary:``, ``Summary``), its value on the
  following lines, possibly with the label itself broken over two or three
  lines ("... using the criteria in" / "Working Together 2013:");
- ``Tel 020 ...`` / ``Email a@b`` / ``Date 5/3/2014`` with no separator,
  when what follows is evidently a phone number, address or date;
- a table's label cell (see :mod:`.blocks`).

A field runs until the next label. Single-line fields (date, names, phone,
email, agency) take one line; anything after that which is not a label is
outside the form. A sign-off ("Kind regards") ends the form; after it only
a core label (subjects, summary, request, criteria) or the form's date starts
fields again, so a signature's "Tel:" never overrides the form's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import labels as L
from .dates import find_dates
from .people import is_people_header, is_person_heading, is_person_line, is_professionals_header
from .text import BREAK, EMAIL_RE, LABEL, PERSON, VALUE, Line, is_signoff

_HINT = re.compile(
    r"\((?:\s*(?:dd|d)\W*mm\W*(?:yyyy|yy)\s*|if\s+known|if\s+applicable|optional|please\s+specify|required)\)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?;,]['\")\u2019\u201d]*$")
_NOT_A_LABEL_START = frozenset((
    "the this that these those we i a an they she he it there our their his her my you if when as "
    "in on at"
).split())
_RESTARTS = L.CORE | {L.REFERRAL_DATE}  # labels that start the form again after a sign-off
_COUNTED = frozenset({L.SUBJECTS, L.REFERRAL_DATE, L.SUMMARY, L.REQUEST, L.CRITERIA, L.NAME, L.AGENCY, L.TELEPHONE, L.EMAIL})


@dataclass
class Split:
    """The fields found in one candidate text."""

    fields: dict[str, list[Line]] = field(default_factory=dict)  # field -> its value lines
    found: list[tuple[str, Line]] = field(default_factory=list)  # (field, label line), in order
    before: list[Line] = field(default_factory=list)  # lines before the first label
    after: list[Line] = field(default_factory=list)  # lines after the form (sign-off, signature)

    @property
    def recognised(self) -> set[str]:
        out = set()
        for key, _ in self.found:
            key = {L.SUBJECT_KEY: L.SUBJECTS, L.CONTACT: L.TELEPHONE, L.REASON: L.CRITERIA}.get(key, key)
            if key in _COUNTED:
                out.add(key)
        return out

    @property
    def score(self) -> int:
        """How much of a form this is: distinct fields labelled."""
        return len(self.recognised)

    @property
    def filled(self) -> int:
        """Fields with a value: a blank template (or a PDF's page text whose values are in its form
        fields) has its labels but not its answers."""
        return sum(1 for key, lines in self.fields.items()
                   if (key in _COUNTED or key == L.SUBJECT_KEY) and any(ln.text for ln in lines))

    @property
    def is_form(self) -> bool:
        """Enough labels to be a referral form rather than a note that mentions one."""
        core = len(self.recognised & L.CORE)
        return core >= 2 or (core >= 1 and self.score >= 3)


@dataclass(frozen=True)
class _Hit:
    field: str
    value: str | None  # text on the label's own line after the separator
    consumed: int  # lines the label took (more than one when it was broken over lines)
    text: str  # the label's line(s), as written
    rest: str | None = None  # a further label on the same line: "Referrer: K Smith  Tel: 020 ..."
    sep: str | None = None  # what separated label and value on the line


def split_fields(lines: Sequence[Line]) -> Split:
    """Split ``lines`` into fields. Never raises for any input."""
    return _Splitter(lines).run()


class _Splitter:
    def __init__(self, lines: Sequence[Line]):
        self.lines = list(lines)
        self.out = Split()
        self.current: str | None = None
        self.section: str | None = None  # "subjects" / "referrer": resolves bare "Name:" / "Address:"
        self.trailer = False  # after a sign-off
        self.columns = False  # labels sit in a left-hand column (a label then a tab then its value)
        self.previous: Line | None = None  # the line before the label being taken

    def run(self) -> Split:
        i = 0
        n = len(self.lines)
        while i < n:
            line = self.lines[i]
            if line.kind == PERSON:
                if self.current != L.SUBJECTS:
                    self._start(L.SUBJECTS, line, None)
                self._add(L.SUBJECTS, line)
                i += 1
                continue
            if not line.text:
                if self.current:
                    self._add(self.current, BREAK)
                i += 1
                continue
            if line.kind == VALUE:
                if self.current and self.current != L.IGNORE:
                    self._add(self.current, line)
                i += 1
                continue
            if line.kind != LABEL and line.text.count("\t") >= 2 and is_professionals_header(line.text):
                self.current = L.IGNORE  # a table of the professionals involved: its rows are no one's subjects
                i += 1
                continue
            if line.kind != LABEL and is_people_header(line.text):  # "Family name<TAB>Given name(s)<TAB>DOB": a
                if self.current != L.SUBJECTS:                       # header row, whatever its first cell says
                    self.out.found.append((L.SUBJECT_KEY, line))
                    self.previous = self._line_before(i)
                    heading = self._person_heading_before()  # "1. Child(ren)" just above the table
                    self._start(L.SUBJECTS, line, None)
                    if heading:
                        self._add(L.SUBJECTS, heading)
                self._add(L.SUBJECTS, line)
                i += 1
                continue
            hit = self._recognise(i)
            # (Three cells or more are a table's row, not a wrapped label beside its value.)
            if self.columns and self.current and line.text.count("\t") == 1 and (
                hit is None or (hit.sep == "\t" and self._resolve(hit.field) == self.current)
            ):
                hit, line = None, self._label_column_continued(line)
            if hit and self._accept(hit):
                # A PDF laid out in two columns: labels on the left, values on the right.
                self.columns = hit.sep == "\t" and line.edge is not None
                self.previous = self._line_before(i)
                self._take(hit, line)
                i += hit.consumed
                if hit.rest:
                    self.lines.insert(i, Line(hit.rest, emphasis=line.emphasis, in_table=line.in_table, edge=line.edge))
                    n += 1
                continue
            self._text(line)
            i += 1
        return self.out

    # -- one line that is not a label ------------------------------------------------

    def _text(self, line: Line) -> None:
        if line.kind != LABEL and is_signoff(line.text):
            self.trailer = True
            self.current = None
        if self.trailer:
            self.out.after.append(line)
            return
        cur = self.current
        if cur in (L.NAME, L.AGENCY) and self._continues_value(cur, line):
            return
        if cur == L.CONTACT and self._has_value(cur) and (
                EMAIL_RE.search(line.text) or re.fullmatch(r"(?:(?:tel|telephone|phone|mobile|mob|email|e-mail)\.?:?\s*)?"
                                                           r"[+(]?\d[\d ()-]{5,}\d", line.text.strip(), re.IGNORECASE)):
            self._add(cur, line)  # "Contact details of referrer" over a telephone line, then an email line
            return
        if cur in L.SINGLE_LINE and self._has_value(cur):
            cur = self.current = None
        # "Children:", "Mother:" - or a heading in bold: "Child" over "Freddie Walsh, born ..."
        person_heading = (line.text.rstrip().endswith(":") or line.emphasis) and is_person_heading(line.text)
        if (cur is None or cur in L.SINGLE_LINE) and (is_person_line(line.text) or person_heading):
            # "Mother: Jane Smith, DOB ..." with no subjects label before it: the person is the label.
            cur = self.current = L.SUBJECTS
            self.section = "subjects"
            self.out.fields.setdefault(L.SUBJECTS, [])
            self.out.found.append((L.SUBJECT_KEY, line))
        if cur is None:
            (self.out.after if self.out.found else self.out.before).append(line)
        elif cur != L.IGNORE:
            self._add(cur, line)

    def _continues_value(self, key: str, line: Line) -> bool:
        """A one-line value that ends mid-list ("Dr A Raman, GP Partner and Safeguarding Lead,") was
        wrapped: ``line`` is the rest of it, joined on to it. True when it was."""
        values = self.out.fields.get(key, [])
        last = values[-1] if values else None
        if last is None or not last.text or not re.search(r"(?:[,&/]|\band)$", last.text.rstrip()):
            return False
        if len(line.text) > 80 or is_person_line(line.text):
            return False
        values[-1] = Line(f"{last.text.rstrip()} {line.text.strip()}", last.kind, last.emphasis, last.in_table,
                          last.person, last.edge)
        return True

    # -- labels ------------------------------------------------------------------------

    def _label_column_continued(self, line: Line) -> Line:
        """In a two-column form a label can wrap too: "Request/Recommendations to" / "the LSCB<TAB>...".
        The left-hand cell of such a line is the rest of the label; the value goes on."""
        left, _, right = line.text.partition("\t")
        if len(left.split()) > 6 or re.search(r"\d", left) or not right:
            return line
        return Line(right, line.kind, line.emphasis, line.in_table, line.person, line.edge)

    def _accept(self, hit: _Hit) -> bool:
        if self.trailer and hit.field not in _RESTARTS:
            return False
        # "Date: ..." inside a summary, once the form's date is known, is narrative.
        return not (
            self.current in L.NARRATIVE | {L.SUBJECTS} and hit.field in L.SINGLE_LINE and self._has_value(hit.field)
        )

    def _take(self, hit: _Hit, line: Line) -> None:
        self.trailer = False
        key = self._resolve(hit.field)
        self.out.found.append((key, line))
        if key == L.REFERRER_SECTION:
            self.section, self.current = "referrer", None
            return
        if key == L.SUBJECT_KEY:
            # The key itself says who or what ("Mother's name", "DOB"): keep it with the value.
            if self.current != L.SUBJECTS:
                heading = self._person_heading_before()
                self._start(L.SUBJECTS, line, None)
                if heading:
                    self._add(L.SUBJECTS, heading)
            key_tab_value = hit.sep == "\t" and line.text.count("\t") == 1  # a key cell and its value cell
            question = hit.sep == "? "  # "Where do they live? 11 Church Street": the key put as a question
            if hit.consumed == 1 and not key_tab_value and not question:
                self._add(L.SUBJECTS, line)  # as written: a table's header row stays a header row
            else:
                text = hit.text if hit.value is None else f"{hit.text.rstrip(' :')}: {hit.value}"
                self._add(L.SUBJECTS, Line(text, emphasis=line.emphasis, in_table=line.in_table))
            return
        self._start(key, line, hit.value)

    def _line_before(self, i: int) -> Line | None:
        """The last line with text before line ``i`` (a table's heading row stands between empty lines)."""
        for j in range(i - 1, max(-1, i - 4), -1):
            if self.lines[j].text:
                return self.lines[j]
        return None

    def _person_heading_before(self) -> Line | None:
        """"CHILD 1" / "MOTHER" just before the first key line ("Name: ..."): the heading of the person the
        keys describe, which was read as text outside the form. Taken back into the subjects."""
        prev = self.previous
        for kept in (self.out.after, self.out.before):
            if prev is not None and kept and kept[-1] is prev and is_person_heading(prev.text):
                return kept.pop()
        return None

    def _start(self, key: str, line: Line, value: str | None) -> None:
        self.current = key
        if key == L.SUBJECTS:
            self.section = "subjects"
        elif key in (L.NAME, L.AGENCY, L.TELEPHONE, L.EMAIL, L.CONTACT):
            self.section = "referrer"
        elif key != L.IGNORE:
            self.section = None
        if key == L.IGNORE:
            return
        lines = self.out.fields.setdefault(key, [])
        if lines and lines[-1].text:
            lines.append(BREAK)  # a repeated label continues its field as a new paragraph
        if value:
            lines.append(Line(value, in_table=line.in_table, edge=line.edge))
        elif key == L.SUBJECTS and _SECTION_NUMBER.match(line.text) and is_person_heading(_strip_label(line.text)):
            lines.append(Line(_strip_label(line.text)))  # "SECTION 1 - CHILD DETAILS": whose keys follow

    def _add(self, key: str, line: Line) -> None:
        self.out.fields.setdefault(key, []).append(line)

    def _has_value(self, key: str) -> bool:
        return any(ln.text for ln in self.out.fields.get(key, ()))

    def _resolve(self, key: str) -> str:
        if key == L.BARE_NAME:
            if self.section == "referrer":
                return L.NAME
            if self.section == "subjects" or L.SUBJECTS not in self.out.fields:
                return L.SUBJECT_KEY
            return L.NAME
        if key == L.BARE_ADDRESS:
            return L.IGNORE if self.section == "referrer" else L.SUBJECT_KEY
        return key

    def _recognise(self, i: int) -> _Hit | None:
        line = self.lines[i]
        text = line.text
        if line.kind == LABEL:
            m = L.match_label(_strip_label(text), marked=True)
            if m is None and is_person_heading(_strip_label(text)):
                # "Father" / "Mother's partner" in a label cell: a person of the subjects, named in the value cell.
                return _Hit(L.SUBJECT_KEY, None, 1, text)
            # An unknown label cell still ends the field before it.
            return _Hit(m.field if m else L.IGNORE, None, 1, text)
        return _inline(text) or self._whole_line(i) or _unseparated(text)

    def _whole_line(self, i: int) -> _Hit | None:
        line = self.lines[i]
        text = line.text
        stripped = _strip_label(text)
        if not stripped or len(stripped) > 250:
            return None
        marked = line.emphasis or _presented_as_label(text)
        m = L.match_label(stripped, marked=marked)
        # A heading of form furniture ("Professionals involved") is taken unmarked only standing alone, as
        # the first line of a block (a PDF's text keeps no bold): never in the middle of a paragraph.
        alone = i == 0 or not self.lines[i - 1].text.strip()
        if m and not marked and (m.how != "exact" or (m.field == L.IGNORE and not alone)
                                 or (self._continues_sentence(i) and not self._value_below(i, m.field))):
            m = None
        if m and not _label_shaped(stripped, m):
            m = None
        if m and _undecorated(text).endswith(":"):
            return _Hit(m.field, None, 1, text)
        if m or L.is_label_prefix(stripped) or (len(stripped.split()) <= 12 and not _TERMINAL.search(text)):
            longer = self._continued(i, stripped, complete=m is not None)
            if longer:
                return longer
        return _Hit(m.field, None, 1, text) if m else None

    def _continues_sentence(self, i: int) -> bool:
        """The line before ``i`` runs on into it (a wrapped sentence), so ``i`` is no label."""
        if i == 0:
            return False
        prev = self.lines[i - 1].text
        if not prev or _TERMINAL.search(prev) or prev.endswith(":"):
            return False
        text = self.lines[i].text
        return len(prev) >= 50 or (text.endswith(".") and len(text.split()) <= 2)

    def _value_below(self, i: int, key: str) -> bool:
        """The line after ``i`` is nothing but a value of the kind ``key`` asks for (a date under "Date",
        a number under "Phone"), so ``i`` is that value's label whatever the line before it."""
        if i + 1 >= len(self.lines):
            return False
        below = self.lines[i + 1].text.strip()
        if key == L.REFERRAL_DATE:
            dates = find_dates(below)
            return len(dates) == 1 and dates[0].value is not None and len(below) - (dates[0].end - dates[0].start) <= 3
        if key in (L.TELEPHONE, L.CONTACT):
            return bool(re.fullmatch(r"[+(]?\d[\d ()-]{5,}\d", below))
        if key == L.EMAIL:
            return bool(EMAIL_RE.fullmatch(below))
        return False

    def _continued(self, i: int, start: str, *, complete: bool) -> _Hit | None:
        """A label broken over up to three lines, the last perhaps carrying the value.

        The joined text must be a known wording exactly; or, when the first
        line was no label on its own, a label by the rules that ends in a colon
        ("Please explain how this case meets the criteria for a Serious Case" /
        "Review:").
        """
        parts = [start]
        for k in (1, 2):
            if i + k >= len(self.lines):
                return None
            nxt = self.lines[i + k]
            if not nxt.text or nxt.kind != self.lines[i].kind or len(nxt.text) > 200:
                return None
            head, sep, tail = nxt.text.partition(":")
            joined = " ".join(parts + [_strip_label(head)])
            m = L.match_label(joined, marked=True)
            if m and m.how != "exact" and sep and L.match_label(_strip_label(head), marked=True):
                return None  # the next line is a label of its own
            broken_label = (  # a label by the rules, broken before its colon: only plain words, no values
                sep and not complete and m is not None and m.how == "rule" and len(head.split()) <= 12
                and not re.search(r"[:\d;]", " ".join(parts) + head)
            )
            if m and _label_shaped(joined, m) and (m.how == "exact" or broken_label):
                label_text = " ".join([self.lines[i].text] + [self.lines[i + j].text for j in range(1, k)] + [head])
                return _Hit(m.field, tail.strip() or None, k + 1, label_text)
            if sep:
                return None
            parts.append(_strip_label(nxt.text))
        return None


_SECTION_NUMBER = re.compile(r"^\s*(?:section|part|step)\s+(?:\d{1,2}|[A-Za-z])\b", re.IGNORECASE)


def _undecorated(text: str) -> str:
    return text.strip().strip("*_").strip()


def _presented_as_label(text: str) -> bool:
    """Set out as a prompt: ends with a colon or question mark, or is a heading in capitals."""
    bare = _undecorated(text)
    if bare.endswith((":", "?")):
        return True
    letters = [c for c in bare if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(bare.split()) <= 16


def _strip_label(text: str) -> str:
    text = _HINT.sub(" ", text)
    return text.strip().strip("*_").strip().rstrip(" :.?-\u2013\u2014*").strip()


def _label_shaped(text: str, m: L.LabelMatch) -> bool:
    """Reject rule/fuzzy matches that read like a sentence ("The agencies involved:")."""
    if m.how == "exact":
        return True
    text = L.strip_numbering(text)
    words = text.split()
    if not words or words[0].lower() in _NOT_A_LABEL_START:
        return False
    return ". " not in text


def _inline(text: str) -> _Hit | None:
    """``Label: value``, ``Label<TAB>value``, ``Label - value`` on one line (the first separator first)."""
    found = [(text.find(sep), sep, marked) for sep, marked in _SEPARATORS]
    for pos, sep, marked in sorted(f for f in found if 0 < f[0] <= 250):
        left = _strip_label(text[:pos])
        right = text[pos + len(sep):].strip().strip("*_").strip()
        if not left:
            continue
        m = L.match_label(left, marked=marked)
        if not m or (not marked and m.how != "exact") or not _label_shaped(left, m):
            continue
        if right.startswith("//"):  # "http://..." is not a label
            continue
        rest = None
        if m.field in _RUN_ON_FIELDS and right:
            right, rest = _run_on(right)
        return _Hit(m.field, right or None, 1, text[:pos], rest, sep)
    return None


_SEPARATORS = ((":", True), ("\t", True), ("? ", True), (" - ", False), (" \u2013 ", False), (" \u2014 ", False))


_RUN_ON_FIELDS = L.SINGLE_LINE | {L.BARE_NAME}


def _run_on(value: str) -> tuple[str, str | None]:
    """Split a one-line value at a further label: ``"K Smith  Tel: 020 ..."`` -> ``("K Smith", "Tel: 020 ...")``."""
    for colon in re.finditer(":", value[:300]):  # a one-line value is short; do not scan an essay
        before = value[:colon.start()]
        starts = [w.start() for w in re.finditer(r"\S+", before)][1:]  # the value keeps at least a word
        best = None
        for k in range(1, min(4, len(starts)) + 1):
            m = L.match_label(_strip_label(before[starts[-k]:]), marked=True)
            if m and m.field in _RUN_ON_FIELDS and m.how == "exact":
                best = starts[-k]  # the longest exact wording: "Email address", not "address"
        if best is not None:
            return value[:best].rstrip(" ,;|/-\t"), value[best:]
    return value, None


def _unseparated(text: str) -> _Hit | None:
    """``Tel 020 8379 6341``, ``Email a@b.org``, ``Date 05/03/2014``: no separator, unmistakable value."""
    words = text.split(" ")
    for k in range(1, min(5, len(words))):
        left = " ".join(words[:k])
        right = " ".join(words[k:]).strip()
        m = L.match_label(left.rstrip(".:"), marked=False)
        if not m or m.how == "fuzzy" or not right:
            continue
        if m.field in (L.TELEPHONE, L.CONTACT) and re.match(r"[+(]?\d", right) and len(re.findall(r"\d", right)) >= 6:
            return _Hit(m.field, right, 1, left)
        if m.field == L.EMAIL and EMAIL_RE.match(right):
            return _Hit(m.field, right, 1, left)
        if m.field == L.REFERRAL_DATE:
            dates = find_dates(right)
            if dates and dates[0].value and len(right) - (dates[0].end - dates[0].start) <= 12:
                return _Hit(m.field, right, 1, left)
    return None
