"""The publication check: every place a draft report (Word .docx or PDF) names the people of a
case, their dates of birth, addresses, postcodes or schools.

What is matched, for each identifier the case holds:
- names: the whole name, each forename and the surname alone, known-as names, initials before
  the surname ("K. Mellor", "KJ Mellor"), possessives ("Mellor's", "James'"), any case, any
  spacing between the parts (none too) and inside them (hyphens, apostrophes, "Mc Donald"), a
  name broken over two lines with a hyphen, accents ignored;
- dates of birth in any format (06/03/2019, 6.3.19, 6th March 2019, March 6, 2019, 2019-03-06,
  and month-first 03/06/2019 when the day makes it unambiguous);
- addresses: the street with or without its number, the street's type abbreviated or not
  (Road/Rd), a house name, the street's own name alone; never the town alone (the board's own
  name often is one);
- postcodes, with or without the space: the case's own and any other UK postcode in the report;
- schools and settings: the name with or without "Primary", "School", "Academy" and the like,
  "St" or "Saint".
Where: a Word report's paragraphs in document order (table cells included) numbered from 1, its
headers, footers, footnotes, comments, tracked deletions (still in the file) and document
properties; a PDF's pages and lines, and its properties.

Found values go to the person who asked (the return value) and nowhere else: this module logs
only counts, and its exceptions name no value.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from .dates import _MONTH, _WEEKDAY, parse_day
from .limits import ChronologyReadError, open_zip, parse_xml, read_member

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 1000
MAX_UNITS = 200_000


class CheckError(Exception):
    """The report or the identifiers could not be used; the message quotes neither."""


@dataclass(frozen=True)
class Identifiers:
    names: tuple[str, ...] = ()
    known_as: tuple[str, ...] = ()
    dobs: tuple[date, ...] = ()
    addresses: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()

    @staticmethod
    def from_data(data: dict) -> "Identifiers":
        """From {"names": [...], "known_as": [...], "dobs": [...], "addresses": [...], "schools": [...]};
        "dob" and "others" (more names, e.g. practitioners') are taken too."""
        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key) or []
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CheckError(f"'{key}' must be a list of strings")
            return tuple(v.strip() for v in value if v.strip())

        dobs = []
        for i, text in enumerate(strings("dobs") + strings("dob"), start=1):
            d = parse_day(text)
            if d is None:
                raise CheckError(f"date of birth number {i} is not a date (use dd/mm/yyyy)")
            dobs.append(d)
        unknown = set(data) - {"names", "known_as", "dobs", "dob", "addresses", "schools", "others"}
        if unknown:
            raise CheckError(f"unknown keys in the identifiers: {', '.join(sorted(unknown))}")
        return Identifiers(strings("names") + strings("others"), strings("known_as"), tuple(dobs),
                           strings("addresses"), strings("schools"))

    def empty(self) -> bool:
        return not (self.names or self.known_as or self.dobs or self.addresses or self.schools)


@dataclass(frozen=True)
class Unit:
    """A piece of the report's text and where it is."""

    where: str  # "paragraph 12", "page 3", "header", "footnotes", "document properties"
    text: str
    page: int | None = None
    paragraph: int | None = None


@dataclass(frozen=True)
class Finding:
    kind: str  # name, date of birth, address, postcode, school
    text: str  # as written in the report
    where: str  # "paragraph 12", "page 3, line 4", ...
    context: str
    identifier: str  # which of the case's identifiers: "name 2", "address 1", "postcode (not in the case record)"
    page: int | None = None
    paragraph: int | None = None

    def as_data(self) -> dict:
        return {"kind": self.kind, "text": self.text, "where": self.where, "page": self.page,
                "paragraph": self.paragraph, "identifier": self.identifier, "context": self.context}


# Text of the report ------------------------------------------------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = [("word/header", "header"), ("word/footer", "footer"), ("word/footnotes.xml", "footnotes"),
          ("word/endnotes.xml", "endnotes"), ("word/comments.xml", "comments")]


def _deleted(p) -> str:
    return "".join(t.text or "" for t in p.iter(W + "delText"))


def docx_units(data: bytes) -> list[Unit]:
    from .word import paragraph_text

    try:
        zf = open_zip(data)
        xml = read_member(zf, "word/document.xml")
        if xml is None:
            raise CheckError("not a Word document (no word/document.xml)")
        units: list[Unit] = []
        body = parse_xml(xml)
        for n, p in enumerate(body.iter(W + "p"), start=1):
            units.append(Unit(f"paragraph {n}", paragraph_text(p), paragraph=n))
            if (gone := _deleted(p)):
                units.append(Unit(f"paragraph {n} (tracked deletion)", gone, paragraph=n))
            if len(units) > MAX_UNITS:
                raise CheckError(f"more than {MAX_UNITS} paragraphs")
        for name in sorted(zf.namelist()):
            label = next((lab for prefix, lab in _PARTS if name.startswith(prefix)), None)
            if label is None:
                continue
            root = parse_xml(read_member(zf, name) or b"<x/>")
            for n, p in enumerate(root.iter(W + "p"), start=1):
                text = paragraph_text(p) + ("\n" + _deleted(p) if _deleted(p) else "")
                if text.strip():
                    units.append(Unit(f"{label} ({name.rsplit('/', 1)[-1]}), paragraph {n}", text))
        core = read_member(zf, "docProps/core.xml")
        if core:
            for el in parse_xml(core):
                if isinstance(el.tag, str) and (el.text or "").strip():
                    units.append(Unit(f"document properties ({el.tag.rsplit('}', 1)[-1]})", el.text))
    except ChronologyReadError as exc:
        raise CheckError(str(exc)) from exc
    return units


def pdf_units(data: bytes) -> list[Unit]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise CheckError("encrypted PDF (save it without a password)")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise CheckError(f"PDF of more than {MAX_PDF_PAGES} pages")
        units = []
        for n, page in enumerate(reader.pages, start=1):
            units.append(Unit(f"page {n}", page.extract_text() or "", page=n))
        meta = reader.metadata or {}
        for key in ("/Title", "/Subject", "/Author", "/Keywords"):
            value = meta.get(key)
            if isinstance(value, str) and value.strip():
                units.append(Unit(f"document properties ({key[1:].lower()})", value))
    except CheckError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a damaged or hostile file
        raise CheckError(f"not a readable PDF ({type(exc).__name__})") from exc
    return units


def report_units(data: bytes) -> list[Unit]:
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        units = pdf_units(data)
        if not any(u.text.strip() for u in units if u.page):
            raise CheckError("the PDF has no text layer (a scan?): check the Word version")
        return units
    if data[:4] == b"PK\x03\x04":
        return docx_units(data)
    raise CheckError("not a Word (.docx) or PDF file")


# Patterns ---------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """``text`` without accents, one character for one (so positions stay those of ``text``)."""
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c))
        out.append(base[0] if len(base) == 1 else ch)
    return "".join(out)


_B = r"(?<![A-Za-z0-9])"
_E = r"(?![A-Za-z0-9])"
_POSS = r"(?:['’]s?)?"
_GAP = r"[\s\u00a0]*"  # between a name's parts: any spacing, even none ("KaiMellor" from a PDF's text layer)
_HYPHENATED = r"(?:-[ \t]*\r?\n[ \t]*)?"  # a word broken at a line's end: "Mel-\nlor"


def _token(token: str) -> str:
    """One name, spacing and punctuation inside it free: O'Brien, O Brien, OBrien; Smith-Jones, Smith Jones;
    broken over two lines with a hyphen."""
    token = fold(token)
    out = []
    for i, ch in enumerate(token):
        if ch in "-'’‘` ":
            out.append(r"(?:\s*[-'’‘`]\s*|\s+)?")
        else:
            if out and len(token) >= 4 and token[i - 1] not in "-'’‘` ":
                out.append(_HYPHENATED)
            out.append(re.escape(ch))
            nxt = token[i + 1] if i + 1 < len(token) else ""
            prefix = token[: i + 1]
            if nxt.isupper() and prefix in ("Mc", "Mac", "O", "De", "Le", "Di", "Van"):
                out.append(r"\s?")
    return "".join(out)


def _phrase(tokens: list[str]) -> str:
    return _GAP.join(_token(t) for t in tokens)


STREET_TYPES = {
    "road": ["road", "rd"], "street": ["street", "st"], "avenue": ["avenue", "ave", "av"], "close": ["close", "cl"],
    "drive": ["drive", "dr"], "lane": ["lane", "ln"], "court": ["court", "ct"], "gardens": ["gardens", "gdns"],
    "crescent": ["crescent", "cres"], "place": ["place", "pl"], "terrace": ["terrace", "terr", "tce"],
    "square": ["square", "sq"], "grove": ["grove", "gr"], "park": ["park", "pk"], "way": ["way"], "walk": ["walk"],
    "mews": ["mews"], "hill": ["hill"], "rise": ["rise"], "row": ["row"], "estate": ["estate", "est"],
    "parade": ["parade", "pde"], "green": ["green", "grn"], "view": ["view"], "house": ["house", "ho"],
}
_ABBREV = {a: full for full, abbrevs in STREET_TYPES.items() for a in abbrevs}
COMMON_STREET_NAMES = set("""high church station park main mill london new old green north south east west school
victoria queens queen kings king manor bridge market chapel castle grange the long back hall farm""".split())
SCHOOL_WORDS = set("""primary secondary junior juniors infant infants nursery school academy college high c of e ce
church england rc catholic community free pre preschool pre-school children's childrens centre center
upper lower middle grammar federation trust and""".split())
POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})(?![A-Za-z0-9])", re.I)
_DATES = [
    re.compile(_B + r"\d{4}-\d{1,2}-\d{1,2}" + _E),
    re.compile(_B + r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:\d{4}|\d{2})" + _E),
    re.compile(_B + rf"{_WEEKDAY}?\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?[\s\-]*{_MONTH}[\s\-,]*(?:\d{{4}}|\d{{2}})" + _E, re.I),
    re.compile(_B + rf"{_WEEKDAY}?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}" + _E, re.I),
]


@dataclass
class _Pattern:
    kind: str
    identifier: str
    rx: re.Pattern


@dataclass
class Matcher:
    patterns: list[_Pattern] = field(default_factory=list)
    dobs: tuple[date, ...] = ()
    postcodes: dict[str, str] = field(default_factory=dict)  # normalised postcode -> identifier


def _name_patterns(name: str, label: str) -> list[_Pattern]:
    tokens = [t for t in re.split(r"\s+", name.strip()) if t]
    if not tokens:
        return []
    out = [_Pattern("name", label, re.compile(_B + _phrase(tokens) + _POSS + _E, re.I))]
    surname = tokens[-1]
    if len(tokens) > 1:
        first = tokens[0]
        out.append(_Pattern("name", label, re.compile(_B + _phrase([first, surname]) + _POSS + _E, re.I)))
        initials = r"(?:[A-Z](?:\.\s*|\s+)|[A-Z]{1,3}\s+)(?:[A-Z](?:\.\s*|\s+))*"  # capitals: "a Mellor" is no initial
        out.append(_Pattern("name", label, re.compile(r"(?<![A-Za-z0-9.])" + initials + _token(surname) + _POSS + _E)))
    for t in tokens:
        if len(t.strip(".'’")) >= 2:
            out.append(_Pattern("name", label, re.compile(_B + _token(t) + _POSS + _E, re.I)))
    return out


def _street_pattern(part: str) -> tuple[str, str] | None:
    """(pattern of the street with or without its number, pattern of the street's own name) for
    a part such as "27 Larchwood Road"; None for a part without a street type."""
    words = part.split()
    number = ""
    if words and re.fullmatch(r"\d+[A-Za-z]?", words[0]):
        number, words = words[0], words[1:]
    if len(words) < 2 or words[-1].lower().rstrip(".") not in _ABBREV:
        return None
    kind = _ABBREV[words[-1].lower().rstrip(".")]
    types = "|".join(re.escape(a) for a in STREET_TYPES[kind])
    name = _phrase(words[:-1])
    full = (rf"(?:{re.escape(number)}\s*,?\s*)?" if number else "") + name + rf"{_GAP}(?:{types})\.?"
    return full, name


def _address_patterns(address: str, label: str) -> tuple[list[_Pattern], dict[str, str]]:
    out: list[_Pattern] = []
    postcodes: dict[str, str] = {}
    for m in POSTCODE.finditer(address):
        postcodes[(m[1] + m[2]).upper()] = label
    rest = POSTCODE.sub("", address)
    parts = [p.strip() for p in re.split(r"[,\n;]+", rest) if p.strip()]
    if len(parts) >= 2:
        parts = parts[:-1]  # the town: never alone (see the module's docstring)
    for part in parts:
        if re.fullmatch(r"(?i)(?:flat|apartment|apt|unit|room|house)\s*\S{1,5}", part) or part.isdigit():
            continue
        street = _street_pattern(part)
        if street:
            full, name = street
            out.append(_Pattern("address", label, re.compile(_B + full + _E, re.I)))
            words = re.sub(r"^\d+[A-Za-z]?\s+", "", part).split()[:-1]
            if len(" ".join(words)) >= 5 and " ".join(words).lower() not in COMMON_STREET_NAMES:
                out.append(_Pattern("address", label, re.compile(_B + name + _E, re.I)))
        elif len(part) >= 5 and not re.search(r"\d", part):  # a house or block name: "Rose Cottage"
            out.append(_Pattern("address", label, re.compile(_B + _phrase(part.split()) + _E, re.I)))
    return out, postcodes


def _school_patterns(school: str, label: str) -> list[_Pattern]:
    words = school.replace(",", " ").split()
    own = [w for w in words if w.lower().strip(".'’") not in SCHOOL_WORDS]
    if not own:
        return []

    def token(w: str) -> str:
        if w.lower().rstrip(".") in ("st", "saint"):
            return r"(?:St\.?|Saint)"
        return _token(w)

    words = sorted(SCHOOL_WORDS - {"and"}, key=len, reverse=True)
    tail = r"(?:[\s\u00a0]+(?:" + "|".join(re.escape(w) for w in words) + r"))*"
    phrase = r"[\s\u00a0]+".join(token(w) for w in own)
    return [_Pattern("school", label, re.compile(_B + phrase + _POSS + tail + _E, re.I))]


def matcher_for(ids: Identifiers) -> Matcher:
    m = Matcher(dobs=ids.dobs)
    for i, name in enumerate(ids.names, start=1):
        m.patterns += _name_patterns(name, f"name {i}")
    for i, name in enumerate(ids.known_as, start=1):
        m.patterns.append(_Pattern("name", f"known as {i}", re.compile(_B + _token(name) + _POSS + _E, re.I)))
    for i, address in enumerate(ids.addresses, start=1):
        patterns, postcodes = _address_patterns(address, f"address {i}")
        m.patterns += patterns
        m.postcodes.update(postcodes)
    for i, school in enumerate(ids.schools, start=1):
        m.patterns += _school_patterns(school, f"school {i}")
    return m


def _dob_of(text: str, dobs: tuple[date, ...]) -> int | None:
    d = parse_day(text)
    if d in dobs:
        return dobs.index(d) + 1
    m = re.fullmatch(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})", text.strip())
    if m and int(m[3]) > 12:  # month first, unambiguous: 02/14/2019
        d = parse_day(f"{m[3]}/{m[1]}/{m[4]}")
        if d in dobs:
            return dobs.index(d) + 1
    return None


def _context(text: str, start: int, end: int) -> str:
    a, b = max(0, start - 40), min(len(text), end + 40)
    return ("…" if a else "") + " ".join(text[a:b].split()) + ("…" if b < len(text) else "")


def _where(unit: Unit, text: str, start: int) -> str:
    if unit.page is not None:
        return f"page {unit.page}, line {text.count(chr(10), 0, start) + 1}"
    return unit.where


def check_units(units: list[Unit], ids: Identifiers) -> list[Finding]:
    m = matcher_for(ids)
    findings: list[Finding] = []
    for unit in units:
        text = unit.text
        folded = fold(text)
        spans: list[tuple[int, int, str, str]] = []
        for p in m.patterns:
            for hit in p.rx.finditer(folded):
                if hit.end() > hit.start():
                    spans.append((hit.start(), hit.end(), p.kind, p.identifier))
        if m.dobs:
            for rx in _DATES:
                for hit in rx.finditer(folded):
                    n = _dob_of(hit.group(), m.dobs)
                    if n:
                        spans.append((hit.start(), hit.end(), "date of birth", f"date of birth {n}"))
        for hit in POSTCODE.finditer(folded):
            code = (hit[1] + hit[2]).upper()
            spans.append((hit.start(), hit.end(), "postcode",
                          m.postcodes.get(code, "postcode (not in the case record)")))
        # The longest match wins where matches overlap ("Tanya Mellor" rather than "Tanya" and "Mellor").
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        last_end = -1
        for start, end, kind, ident in spans:
            if start < last_end:
                continue
            last_end = end
            findings.append(Finding(kind, text[start:end], _where(unit, text, start), _context(text, start, end),
                                    ident, unit.page, unit.paragraph))
    log.info("publication check done", extra={"units": len(units), "findings": len(findings)})
    return findings


def check_report(data: bytes, ids: Identifiers) -> list[Finding]:
    """Every identifier of ``ids`` found in the report ``data`` (Word or PDF), in document order.
    Raises CheckError for a file it cannot read."""
    if ids.empty():
        raise CheckError("no identifiers to look for: give names, dates of birth, addresses or schools")
    return check_units(report_units(data), ids)
