"""The people a referral is about: names, roles, dates of birth, addresses.

Read from the form's subjects section, however it is written:

- one person a line or a segment: ``Child: Chloé Hussain, DOB 21/11/1998``,
  ``Freya Ahmed (child) - DOB: 16 June 2007``, ``Lisa Ahmed, mother, d.o.b.
  1/2/1980``, ``HUSSAIN, Chloe (child) born 21.11.98``, ``Mother – Jo Bloggs
  (DOB 15.04.1986), 5 High Street, Enfield EN1 1AA``;
- several in one line separated by semicolons (or by ``, Mother:``);
- key/value lines: ``Child's name: X`` / ``DOB: Y`` / ``Address: Z``;
- a table with a header row (columns Name, Relationship, DOB, Address, in any
  order, also Forename + Surname), from Word, HTML or tab-separated text.

An ``Address: ...`` line applies to every person listed since the previous
address line who has no address of their own (a household address given once
applies to everyone listed with it); an address given before anyone is listed
applies to the people after it. Nothing outside the subjects section is read,
so no one is invented.

Role: "child" or "adult" as the relationship states (child, son, sibling ...;
mother, carer, partner ...), otherwise by age on the reference date (the
referral date) from the date of birth or a stated age; else "unknown".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import labels
from .dates import age_on, find_dates
from .text import BREAK, LABEL, PERSON, TEXT, Line, Wrap, is_placeholder, paragraphs, squash

_CHILD_HEADS = (
    "child|children|son|daughter|sibling|siblings|brother|sister|baby|infant|young person|yp|twin|grandson"
    "|granddaughter|grandchild|stepson|stepdaughter|step-son|step-daughter|stepbrother|stepsister|step-brother"
    "|step-sister|half-sibling|half-brother|half-sister|newborn"
)
_ADULT_HEADS = (
    "mother|mum|mom|mummy|father|dad|daddy|parent|parents|carer|carers|caregiver|guardian|partner|boyfriend"
    "|girlfriend|husband|wife|stepfather|stepmother|stepdad|stepmum|step-father|step-mother|step-dad|step-mum"
    "|grandmother|grandfather|grandparent|grandma|grandad|granddad|nan|nana|nanny|aunt|auntie|aunty|uncle"
    "|adult|lodger|family friend|friend|foster carer|kinship carer|special guardian|adoptive parent"
    "|godmother|godfather|godparent"
)
_OTHER_HEADS = "cousin|niece|nephew|relative|perpetrator|suspect|family member|household member|visitor|neighbour"
_MODIFIER = (
    r"(?:(?:maternal|paternal|birth|biological|natural|step|half|adoptive|adopted|foster|former|ex|older|younger"
    r"|elder|eldest|youngest|oldest|twin|great|kinship|special|alleged|estranged|new|current|subject|index|deceased"
    r"|unborn|the|main|primary|main\s+subject|his|her|their)[\s-]+)"
)
_POSSESSOR = (
    r"(?:(?:mother|mum|father|dad|child|carer|parent|grandmother|grandfather|aunt|uncle|sibling|sister|brother"
    r"|partner|stepfather|stepmother)(?:'s|\u2019s|s'|s\u2019)?\s+)"
)
_NAMED_POSSESSOR = r"(?:[^\W\d_][\w\-]*(?:'s|\u2019s|s')\s+)"  # "Jayden's father"
_HEAD = f"(?P<head>{_CHILD_HEADS}|{_ADULT_HEADS}|{_OTHER_HEADS})"
_ANY_HEAD = f"(?:{_CHILD_HEADS}|{_ADULT_HEADS}|{_OTHER_HEADS})"
_RELATIONSHIP = re.compile(
    rf"^(?P<rel>{_MODIFIER}*(?:{_POSSESSOR}|{_NAMED_POSSESSOR})?{_MODIFIER}*{_HEAD}(?:'s)?)(?:\s*(?:\d{{1,2}}|[a-h]))?$",
    re.IGNORECASE,
)
_CHILD_SET = frozenset(_CHILD_HEADS.split("|"))
_AGE_STATING = frozenset({"child", "children", "baby", "infant", "young person", "yp", "newborn"})
_ADULT_SET = frozenset(_ADULT_HEADS.split("|"))

# "Mother's partner: X", "Child 1 - X", "Sibling – X"
_PREFIX = re.compile(r"^(?P<prefix>[^:;,()\u2013\u2014]{1,60}?)\s*(?::|\s[-\u2013\u2014]\s)\s*(?P<rest>.*)$")
_RELATION_NAME_KEY = re.compile(
    rf"^(?:(?P<a>{_MODIFIER}*{_POSSESSOR}?{_MODIFIER}*{_ANY_HEAD})(?:'s|s'|\u2019s)?(?:\s*\d{{1,2}})?\s+(?:full\s+)?names?"
    rf"|(?:full\s+)?names?\s+of\s+(?:the\s+)?(?P<b>{_MODIFIER}*{_ANY_HEAD}))$",
    re.IGNORECASE,
)
_ADDRESS_SEGMENT = re.compile(
    r"^(?:(?:home|current|family|household|usual|shared|their|all)\s+)?(?:address(?:es)?)(?:\s+for\s+all|\s+of\s+all)?"
    r"\s*(?::|\s[-\u2013]\s|\bis\b|\s)\s*(?P<addr>.+)$"
    r"|^(?:all\s+|both\s+|who\s+)?(?:(?:are\s+)?living|live|lives|reside|resides|residing|resident)\s+at\s*:?\s*"
    r"(?P<addr2>.+)$"
    # "Both of 14 Park Avenue, ...", "All at Flat 2, ...": a household address after the people it is for
    r"|^(?:both|all)\s+(?:of|at)\s+(?P<addr3>(?:\d|flat\b|apartment\b|unit\b).+)$",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
# Where an address starts: a house number, a flat, ... or a prison ("HMP Northgate, Prison Lane, ...").
_HOUSE = re.compile(r"^(?:\d+[A-Za-z]?(?:[-/]\d+)?\s+\S|(?:flat|apartment|apt|unit|room|house|maisonette|hmp|hmyoi|hm\s+prison)\b)",
                    re.IGNORECASE)
_OF_HOUSE = re.compile(r"^(?:of|at|now\s+(?:of|at)|living\s+at|lives\s+at)\s+(?=\d|flat\b|apartment\b|unit\b|hmp\b)", re.IGNORECASE)
_DOB_MARKER = re.compile(
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth|\bborn(?:\s+on)?|\bb\.|\bbirth\s*date)\s*[:\-\u2013]?\s*$",
    re.IGNORECASE,
)
_DEATH_MARKER = re.compile(
    r"(?:\bdied(?:\s+on)?|\bd\.o\.d\.?|\bdod|\bdate\s+of\s+death|\bdeceased|\bedd|\bdue(?:\s+date)?)\s*[:\-]?\s*$",
    re.IGNORECASE,
)
_DOB_UNKNOWN = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth)\s*[:\-]?\s*(?:unknown|not\s+known|n/?a|tbc|to\s+follow)\b", re.IGNORECASE
)
_DOB_WORD = re.compile(r"\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|born)\s*[:\-]?", re.IGNORECASE)
_AGE = re.compile(
    r"\(?\b(?:aged?\s*:?\s*(?P<a>\d{1,3})(?:\s*(?:yrs?|years?)(?:\s*old)?)?"
    r"|(?P<b>\d{1,2})\s*(?:yrs?|years?)(?:\s*old)?"
    r"|(?:aged?\s*)?(?P<c>\d{1,2})\s*(?:months?|mths?|weeks?|wks?|days?)(?:\s*old)?"
    r"|aged?\s+under\s+(?P<d>1|one))\b\)?",
    re.IGNORECASE,
)
_NOT_NAME_WORDS = frozenset((
    "the and was is are has have had were who with at live lives living lived of to in on for from "
    "by this that these they she he it its their there not see attached below above please family "
    "household known"
).split())
_WHOSE = r"(?:the\s+)?(?:child|children|subject|mother|mum|father|dad|parents?|above)(?:'s|s')?(?:\s+address)?"
_SAME_ADDRESS = re.compile(
    rf"^(?:as\s+above|same(?:\s+as\s+above)?|ditto|\"|\u201d|same\s+address|(?:same\s+)?as\s+(?:per\s+)?{_WHOSE}"
    rf"|same\s+(?:address\s+)?as\s+{_WHOSE})\.?$",
    re.IGNORECASE,
)
# "Jo Smith, DOB 1/2/1980, same address", "Jo Smith (same address)": this person lives with the one before.
_SAME_TAIL = re.compile(
    rf"[,;]?\s*\(?\s*(?:(?:at|of|lives\s+at)\s+)?(?:the\s+)?(?:same\s+address(?:\s+as\s+{_WHOSE})?|same\s+as\s+{_WHOSE}"
    rf"|as\s+above)\s*\)?\s*$",
    re.IGNORECASE,
)
# "(both at the child's address)", "All living at the same address": a household statement without the address.
_SAME_SEGMENT = re.compile(
    rf"^\(?\s*(?:(?:both|all|they(?:\s+all)?|both\s+parents)\s+)?(?:(?:are\s+)?(?:live|lives|living|reside|residing)\s+)?"
    rf"(?:at\s+)?(?:the\s+)?(?:same\s+address(?:\s+as\s+{_WHOSE})?|{_WHOSE}|(?:same\s+)?as\s+above)\s*\)?\.?$",
    re.IGNORECASE,
)
_NO_ADDRESS = re.compile(
    r"^(?:n\.?f\.?a\.?|no\s+fixed\s+(?:abode|address)|(?:address\s+)?(?:withheld|not\s+disclosed|confidential|not\s+given))$",
    re.IGNORECASE,
)
_PLURAL_HINT = re.compile(r"\((?:ren|s|es)\)\s*:?\s*$", re.IGNORECASE)  # "Child(ren)": one heading, maybe many
_PLURAL_HEADINGS = {"children": "child", "siblings": "sibling", "brothers": "brother", "sisters": "sister",
                    "child(ren)": "child"}
# Hints in a key, not part of it: "Address (inc. postcode)", "Child(ren)'s name(s)", "DOB (dd/mm/yyyy)".
_KEY_HINT = re.compile(
    r"\s*\((?:ren|s|es|inc(?:l|luding|\.)?\s*post\s*code|with\s+post\s*code|dd\W*mm\W*(?:yyyy|yy)|if\s+(?:known|different|applicable)"
    r"|deceased|if\s+not\s+the\s+same)\)",
    re.IGNORECASE,
)
_IGNORED_KEY = re.compile(
    r"^(?:known\s+as|also\s+known\s+as|aka|a\.k\.a\.?|preferred\s+name|alias|year\s+group|school|nursery|gender|sex"
    r"|ethnicity|ethnic\s+origin|religion|(?:first\s+)?language|nhs\s+(?:no|number)|upn|legal\s+status|gp|age)$",
    re.IGNORECASE,
)
# Words a heading of the subjects section is made of ("PARENTS / CARERS", "Details of child", "3. Referral").
_HEADING_WORDS = frozenset((
    "details detail of and the referral information section subject subjects family household member members parent "
    "parents carer carers child children adult adults people persons person other significant in involved young "
    "sibling siblings relative relatives about who is"
).split())


@dataclass
class _Person:
    name: str
    relationship: str | None = None
    dob: date | None = None
    age: int | None = None
    address: str | None = None
    same_address: bool = False  # "same address": lives with the person before
    no_address: bool = False  # "NFA": no household address applies either
    group: int | None = None  # people named together ("Grace and Hope Obi"): a following DOB is for each


@dataclass
class _NamePart:
    """A name given in parts: "Forename(s): X" and "Surname: Y" on separate lines or cells."""

    forename: str | None = None
    surname: str | None = None


@dataclass
class _Partial:
    """Details without a name: they belong to the person before, or (``ahead``) to the next one."""

    relationship: str | None = None
    dob: date | None = None
    age: int | None = None
    ahead: bool = False  # "Mother:" or "Child's name:" alone: the name follows
    plural: bool = False  # "Children:" alone: every person listed under it until one says otherwise


@dataclass
class _Address:
    text: str | None  # None with ``same``: "as above"
    same: bool = False
    specific: bool = False  # one person's ("Child's address", "Where does the child live?"), not the household's


_GENERIC = frozenset(("parent", "parents", "carer", "carers", "caregiver", "parent/carer", "parents/carers", "adult",
                      "adults", "family member", "household member"))


def _generic(relationship: str) -> bool:
    """A relationship that says only which group someone is in ("Parents", "Carer"), not who they are."""
    return squash(relationship).lower() in _GENERIC


def relationship_head(text: str | None) -> str | None:
    """The noun a relationship turns on: ``"mother's partner"`` -> ``"partner"``."""
    if not text:
        return None
    m = _RELATIONSHIP.match(text.strip())
    return m.group("head").lower() if m else None


# "Wayne Parry, 15/03/1984, ...", "2. Claire Ferris - DOB 02/11/1981 - mother": a name of two words or more,
# a separator, and a date soon after - a person of their own, however full the line before was. (One word
# before the date is more often a surname wrapped from the line before.)
_NAME_THEN_DATE = re.compile(
    r"^(?:\d{1,2}[.)]\s+)?[^\W\d_][\w'\u2019.-]*(?:\s+[^\W\d_][\w'\u2019.-]*){1,4}\s*[,(\u2013\u2014/-]"
    r"[^\n]{0,40}?\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b")


def _starts_person(text: str) -> bool:
    """A line that begins a new person or address, so it never continues the line before."""
    if is_person_line(text) or _ADDRESS_SEGMENT.match(text):
        return True
    if text[:1].isupper() or text[:1].isdigit():
        if _NAME_THEN_DATE.match(text):
            return True
    prefix = _PREFIX.match(_KEY_HINT.sub("", text))  # "Forename(s): X" too
    return bool(prefix and labels.match_column(prefix.group("prefix")))


def is_person_line(text: str) -> bool:
    """True for ``Mother: Jane Smith ...``: a relationship, a separator, then a name."""
    m = _PREFIX.match(text)
    if not m or not _RELATIONSHIP.match(m.group("prefix").strip()):
        return False
    rest = m.group("rest")
    return bool(rest) and rest[0].isupper()


def is_person_heading(text: str) -> bool:
    """True for a line that is only a relationship: ``CHILD 1``, ``MOTHER``, ``Mother's partner:``; also a
    numbered section heading naming one: ``SECTION 1 - CHILD DETAILS``, ``Part A: The child``."""
    if len(text) > 60:
        return False
    if _RELATIONSHIP.match(_key_text(_LIST_MARK.sub("", text).strip("*_ "))):
        return True
    bare = _unnumbered_heading(Line(text.strip("*_ "))).text
    return bare != text.strip("*_ ") and bool(_RELATIONSHIP.match(_key_text(bare)))


def relationship_in_key(text: str) -> str | None:
    """The relationship a name key states: ``"Mother's name"`` -> ``"Mother"``, ``"Name of child"`` -> ``"child"``."""
    m = _RELATION_NAME_KEY.match(_key_text(text))
    return (m.group("a") or m.group("b")) if m else None


# "Section 2 - Parents/carers", "Part A: The child", "3) The children": a numbered section heading whose
# words after the number are the heading (never a person's name, never "Section 2" as a segment of its own).
_SECTION_HEADING = re.compile(
    r"^\s*(?:(?:section|part|step)\s+(?:\d{1,2}|[A-Za-z])\b\s*[-\u2013\u2014:.)]?\s*|\d{1,2}[.)]\s+)"
    r"(?:the\s+)?(?P<rest>[^\W\d_][^:\d]{0,48}?)\s*:?\s*$", re.IGNORECASE)
_THE_HEADING = re.compile(r"^\s*the\s+(?P<rest>[^\W\d_][^:\d]{0,30}?)\s*:?\s*$", re.IGNORECASE)


def _unnumbered_heading(line: Line) -> Line:
    """A section heading line as the people parser reads it: "Section 1 - The child" -> "child"."""
    if not line.text or len(line.text) > 60 or line.kind == PERSON:
        return line
    m = _SECTION_HEADING.match(line.text) or _THE_HEADING.match(line.text)
    if not m:
        return line
    rest = m.group("rest").strip()
    if _RELATIONSHIP.match(_key_text(rest)):
        return dataclasses.replace(line, text=rest)
    if not _is_heading(rest):
        return line  # "2. Claire Ferris", "Section 3 - Summary": not a people heading
    # "CHILD DETAILS", "Details of the child": the one relationship among heading words
    named = {w for w in re.findall(r"[^\W\d_]+", rest.lower()) if w in _CHILD_SET | _ADULT_SET}
    return dataclasses.replace(line, text=named.pop() if len(named) == 1 else rest)


def parse_subjects(lines: Sequence[Line], ref: date | None, wrap: Wrap | None = None) -> list[dict]:
    """Subjects from the subjects section's lines, in the order given (see module docstring)."""
    items: list[object] = []
    lines = [_unnumbered_heading(line) for line in lines]
    for unit in _units(lines):
        if isinstance(unit, list):
            unit = _join_address_lines([part for line in unit for part in _inline_keys(_from_slashes(line))])
            for para in paragraphs(unit, wrap, _starts_person):
                for seg in _segments(para):
                    item = _parse_segment(seg, ref)
                    items.extend(item if isinstance(item, list) else [item] if item is not None else [])
        else:
            item = _from_columns(unit, ref, items)
            if item is not None:
                items.append(item)
    return [_as_dict(p, ref) for p in _assemble(items)]


_SLASHES = re.compile(r"\s+/\s+")
# "Name: Lola Benton   DOB: 05/05/2011   Relationship: subject": a person's keys along one line.
_INLINE_KEY = re.compile(r"\s+(?=(?:DOB|D\.O\.B\.?|Date of birth|Born|Relationship(?: to (?:the )?child)?|Role|Address|Age|Gender)\s*:)",
                         re.IGNORECASE)


_NAME_KEY_INSIDE = re.compile(r"\s+(?=(?:full\s+)?name\s*:)", re.IGNORECASE)


def _inline_keys(line: Line) -> list[Line]:
    """A line of "Key: value" pairs for one person, as one line per key (when it starts with a name key);
    a heading run into a "Name:" key ("PARENTS / CARERS Name: X") as the heading, then the key."""
    head = _NAME_KEY_INSIDE.search(line.text)
    if head and ":" not in line.text[:head.start()] and line.text[:head.start()].isupper() \
            and not re.match(r"(?i)\s*(?:full\s+)?name\s*:", line.text):  # (a heading in capitals, not "First name:")
        before, after = line.text[:head.start()].strip(), line.text[head.end():]
        rest = _inline_keys(Line(after, line.kind, line.emphasis, line.in_table, line.person, line.edge))
        if not is_person_heading(before) and labels.match_label(labels.strip_numbering(before), marked=True):
            return [BREAK, *rest]  # "SECTION 2 - PARENTS / CARERS": a section's heading, no one's relationship
        return [BREAK, Line(before, line.kind, line.emphasis, line.in_table, line.person, line.edge), *rest]
    if not re.match(r"(?i)\s*(?:full\s+)?name\s*:", line.text) or len(_INLINE_KEY.findall(line.text)) < 1:
        return [line]
    parts = [p.strip() for p in _INLINE_KEY.split(line.text) if p.strip()]
    return [Line(p, line.kind, line.emphasis, line.in_table, line.person, line.edge) for p in parts] + [BREAK]


def _from_slashes(line: Line) -> Line:
    """"Mother / Jane Smith / 01/02/1990 / 4 High Street" (or "Jane Smith / mother / ..."): fields separated by
    a spaced slash, the relationship first or second, as "Mother: Jane Smith, 01/02/1990, 4 High Street"."""
    parts = _SLASHES.split(line.text) if " / " in line.text else []
    if len(parts) < 3 or not all(p.strip() for p in parts):
        return line
    for rel_at, name_at in ((0, 1), (1, 0)):
        rel = parts[rel_at].strip().rstrip(":")
        if _RELATIONSHIP.match(rel):
            rest = [p.strip() for i, p in enumerate(parts) if i not in (rel_at, name_at)]
            text = f"{rel}: {parts[name_at].strip()}, " + ", ".join(rest)
            return Line(text, line.kind, line.emphasis, line.in_table, line.person, line.edge)
    return line


_ADDRESS_KEY_LINE = re.compile(r"(?i)^\s*(?:(?:home|current|child'?s?|family)\s+)?address(?:es)?\s*:\s*\S")


def _join_address_lines(unit: list[Line]) -> list[Line]:
    """"Address: 71 Victoria Street" / "Wellbrook" / "WB8 4QQ": the town and postcode on lines of their own
    belong to the address (a few words, no label, no list, no number but a postcode's; a postcode ends it)."""
    out: list[Line] = []
    open_address = False
    for line in unit:
        text = line.text.strip()
        if open_address and text and ":" not in text and "," not in text and len(text.split()) <= 3 \
                and (not re.search(r"\d", text) or _POSTCODE.fullmatch(text.upper())) and not is_person_heading(text):
            last = out[-1]
            out[-1] = Line(f"{last.text.rstrip(' ,')}, {text}", last.kind, last.emphasis, last.in_table, last.person,
                           last.edge)
            open_address = not _POSTCODE.search(text.upper())
            continue
        out.append(line)
        open_address = bool(_ADDRESS_KEY_LINE.match(text)) and not _POSTCODE.search(text.upper())
    return out


def _units(lines: Sequence[Line]) -> Iterator[list[Line] | dict[str, str]]:
    """Runs of text lines, and table rows as column -> text (Word/HTML tables, or tab-separated text)."""
    lines = _keyed_lines(lines)
    header: dict[int, str] | None = None
    relation: str | None = None  # the relationship the name column's header gives ("Mother's name")
    run: list[Line] = []
    key: str | None = None  # a table's key cell ("Child's name"), waiting for its value cell
    for line in lines:
        if line.kind == LABEL:
            key = labels.in_english(line.text.rstrip(" :"))
            continue
        if key and line.text and line.kind != PERSON:
            line = Line(f"{key}: {line.text}", line.kind, edge=line.edge)
            key = None
        if line.kind == PERSON and line.person is not None:
            if run:
                yield run
                run = []
            header = None
            yield dict(line.person)
            continue
        cells = [c.strip() for c in re.split(r"\t|\s\|\s", line.text)] if line.text else []
        if len(cells) >= 2:
            found = _text_header(cells)
            if found:
                if run:
                    yield run
                    run = []
                header = found
                relation = next((relationship_in_key(cells[i]) for i, col in found.items() if col == "name"), None)
                continue
            if header:
                row = {col: cells[i] for i, col in header.items() if i < len(cells)}
                yield {**row, "_relationship": relation} if relation else row
                continue
        elif header and not line.text:
            continue
        header = None
        run.append(line)
    if run:
        yield run


_EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,2}([^*_\n]+?)[*_]{1,2}(?![\w*])")


def _key_text(text: str) -> str:
    """A key as the people parser compares it: no hints, numbering, question form or trailing punctuation."""
    text = _KEY_HINT.sub("", text.replace("\u2019", "'"))
    text = labels.strip_numbering(text.strip())
    text = re.sub(r"^(?:what|which)\s+(?:is|are)\s+(?:the|their|his|her)\s+", "", text, flags=re.IGNORECASE)
    return text.strip().rstrip(" :?-\u2013\u2014").strip()


def _key_kind(text: str) -> str | None:
    """What a line that is only a key introduces: "address", another column, "relationship", or None."""
    if not text or len(text) > 60 or re.search(r"\d{3}|@", text):
        return None
    key = _key_text(text)
    if not key or re.search(r"[:\t|;,]", key) or len(key.split()) > 6:
        return None
    column = _column(key)
    if column:
        return column
    if _RELATIONSHIP.match(key) or _RELATION_NAME_KEY.match(key):
        return "relationship"
    return None


def _column(key: str) -> str | None:
    """The people column a key names ("DOB", "Surname", "Where does the child live")."""
    column = labels.match_column(key)
    if column is None and re.search(r"^where\b.*\blive[sd]?\b", key, re.IGNORECASE):
        return "address"
    return column


def _keyed_lines(lines: Sequence[Line]) -> list[Line]:
    """Text lines put in "key: value" form: a key alone on its line takes the value under it (an address
    the lines under it, up to its postcode); "key<TAB>value" and "*key:* value" lose their decoration."""
    out: list[Line] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.kind != TEXT or not line.text:
            out.append(line)
            i += 1
            continue
        text = _EMPHASIS.sub(r"\1", line.text)
        left, tab, right = text.partition("\t")
        if tab and "\t" not in right and _key_kind(left) and right.strip():
            text = f"{_key_text(left)}: {right.strip()}"
        kind = _key_kind(text) if not text.rstrip().endswith((";", ",")) else None
        if kind and i + 1 < n and lines[i + 1].kind == TEXT and lines[i + 1].text:
            nxt = _EMPHASIS.sub(r"\1", lines[i + 1].text)
            if not _key_kind(nxt) and not _starts_person(nxt) and not labels.match_label(nxt.rstrip(" :"), marked=True):
                taken = [nxt]
                j = i + 2
                if kind == "address" and not _POSTCODE.search(nxt):
                    while j < n and len(taken) < 6 and lines[j].kind == TEXT and _address_part(lines[j].text):
                        taken.append(lines[j].text.strip())
                        j += 1
                        if _POSTCODE.search(taken[-1]):
                            break
                    if not _POSTCODE.search(taken[-1]):
                        taken, j = [nxt], i + 2  # not an address block after all
                value = ", ".join(t.strip().strip(",") for t in taken)
                out.append(Line(f"{_key_text(text)}: {value}", line.kind, line.emphasis, line.in_table, edge=line.edge))
                i = j
                continue
        out.append(Line(text, line.kind, line.emphasis, line.in_table, line.person, line.edge) if text != line.text else line)
        i += 1
    return out


def _address_part(text: str) -> bool:
    """A short line of an address written over several lines ("Enfield", "Middlesex", "EN2 0TH")."""
    text = text.strip()
    return (0 < len(text) <= 60 and ":" not in text and "\t" not in text and not find_dates(text)
            and not _starts_person(text) and not _AGE.search(text))


def is_people_header(text: str) -> bool:
    """A people table's header row as text cells: "Surname<TAB>Forename(s)<TAB>DOB<TAB>Address"."""
    return text.count("\t") >= 2 and _text_header([c.strip() for c in text.split("\t")]) is not None


# Columns of a table of professionals ("Name | Agency | Role"), not of the people a referral is about.
_PROFESSIONAL_COLUMN = re.compile(
    r"^(?:agency|agencies|organi[sz]ation|service|team|job\s+title|designation|profession|employer"
    r"|contact\s+(?:number|details)|e-?mail|telephone|tel|phone)$", re.IGNORECASE)


def is_professionals_header(text: str) -> bool:
    """The header row of a table of the professionals involved: "Name<TAB>Agency<TAB>Role", with a name
    column and an agency or contact column but no date of birth or age."""
    if text.count("\t") < 1:
        return False
    cells = [c.strip(" :") for c in text.split("\t")]
    cols = {labels.match_column(c) for c in cells}
    return (bool({"name", "forename", "surname"} & cols) and not {"dob", "age"} & cols
            and any(_PROFESSIONAL_COLUMN.match(c) for c in cells))


def _text_header(cells: list[str]) -> dict[int, str] | None:
    cols = [labels.match_column(c.rstrip(": ")) for c in cells]
    cols = [f"{c}{i}" if c == labels.ADDRESS_PART else c for i, c in enumerate(cols)]  # Street | Town | Postcode
    known = [c for c in cols if c]
    if len(known) >= 2 and len(set(known)) == len(known) and {"name", "forename", "surname"} & set(known):
        if not {"dob", "age"} & set(known) and any(_PROFESSIONAL_COLUMN.match(c.strip(" :")) for c in cells):
            return None  # the professionals involved: their agency, no date of birth
        return {i: c for i, c in enumerate(cols) if c}
    return None


# -- segments ---------------------------------------------------------------------------

_SEGMENT_BREAK = re.compile(
    rf"[,.]\s+(?={_MODIFIER}*{_POSSESSOR}?{_MODIFIER}*(?:{_CHILD_HEADS}|{_ADULT_HEADS})(?:\s*\d{{1,2}})?\s*:)",
    re.IGNORECASE,
)


# "Jacob Stone (child), DOB 1/2/2001, and his mother Rebecca Stone, DOB ...": a second person named by
# their relation to the first. The segment after the break reads "mother: Rebecca Stone, DOB ...".
_AND_RELATION = re.compile(
    rf"[,;]?\s+and\s+(?:his|her|their)\s+(?P<rel>{_MODIFIER}*(?:{_CHILD_HEADS}|{_ADULT_HEADS}))\s+(?=(?-i:[A-Z]))",
    re.IGNORECASE,
)


def _split_at_relations(seg: str) -> list[str]:
    """"A (child), DOB x, and his mother B, DOB y" -> ["A (child), DOB x", "mother: B, DOB y"]."""
    parts: list[str] = []
    start, prefix = 0, ""
    for m in _AND_RELATION.finditer(seg):
        parts.append(prefix + seg[start:m.start()])
        start, prefix = m.end(), f"{m.group('rel')}: "
    parts.append(prefix + seg[start:])
    return parts


def _segments(paragraph: str) -> list[str]:
    """One paragraph -> one segment per person (or address)."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(paragraph):
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(paragraph[start:i])
            start = i + 1
    out.append(paragraph[start:])
    pieces: list[str] = []
    for seg in out:
        for part in _split_at_relations(seg):
            pieces.extend(_SEGMENT_BREAK.split(part))
    return [squash(p) for p in pieces if squash(p)]


# -- one person -------------------------------------------------------------------------


_LIST_MARK = re.compile(
    r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-hA-H][.)]|[-*\u2022\u00b7\u25aa\u25cf\u2013]|\d{1,2}[a-hA-H][.)]?(?=\s+[^:]{1,40}:))\s+"
)


def _is_heading(seg: str) -> bool:
    """A heading inside the subjects section ("PARENTS / CARERS", "Details of child"), not a person."""
    if re.search(r"[\d:@]", seg):
        return False
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", seg)]
    heads = _CHILD_SET | _ADULT_SET
    return bool(words) and all(w in _HEADING_WORDS or w in heads for w in words)


def _without_key_hints(seg: str) -> str:
    """"Address (inc. postcode): X" -> "Address: X"; "Mother (deceased): X" -> "Mother: X"."""
    head, colon, tail = seg.partition(":")
    if not colon or len(head) > 80:
        return seg
    cleaned = _KEY_HINT.sub("", head)
    bracket = re.fullmatch(r"\s*(?P<bare>[^()]+?)\s*\([^()]*\)\s*", cleaned)
    if bracket and _key_kind(bracket.group("bare")):  # "Mother (deceased)", not "Zoë Reid (child) - DOB"
        cleaned = bracket.group("bare")
    return cleaned + colon + tail


def _parse_segment(segment: str, ref: date | None) -> object | None:
    seg = _without_key_hints(_LIST_MARK.sub("", segment).strip(" ;,."))
    if not seg or is_placeholder(seg):
        return None
    bare = _key_text(seg)
    if bare.lower() in _PLURAL_HEADINGS:  # "Children:", "Siblings": a heading for everyone listed under it
        return _Partial(relationship=_PLURAL_HEADINGS[bare.lower()], ahead=True, plural=True)
    if _PLURAL_HINT.search(seg) and _RELATIONSHIP.match(bare) and len(bare) <= 30:  # "1. Child(ren)", "Sibling(s):"
        return _Partial(relationship=bare.lower(), ahead=True, plural=True)
    if _RELATIONSHIP.match(bare):  # "MOTHER", "Child 2": a heading for the person after it
        return _Partial(relationship=bare, ahead=True)
    if _SAME_SEGMENT.match(seg):
        return _Address(None, same=True)
    keyed_alone = _RELATION_NAME_KEY.match(bare)
    if keyed_alone and bare == seg.rstrip(" :?"):
        return _Partial(relationship=keyed_alone.group("a") or keyed_alone.group("b"), ahead=True)
    if _is_heading(seg):
        return None
    m = _ADDRESS_SEGMENT.match(seg)
    if m:
        key = seg[:m.start("addr")] if m.group("addr") else ""
        return _address_item(m.group("addr") or m.group("addr2") or m.group("addr3"), key)

    relationship: str | None = None
    name_given = False
    same = False
    prefix = _PREFIX.match(seg)
    if prefix:
        key = _key_text(prefix.group("prefix"))
        rest = prefix.group("rest")
        rel = _RELATIONSHIP.match(key)
        keyed = _RELATION_NAME_KEY.match(key)
        column = _column(key)
        if _IGNORED_KEY.match(key):
            return None
        if key.lower() in _PLURAL_HEADINGS and rest.strip(" .,;-"):  # "Children: Amira Haddad, aged 6" + more lines
            heading = _Partial(relationship=_PLURAL_HEADINGS[key.lower()], ahead=True, plural=True)
            first = _parse_segment(rest, ref)
            return [heading, *(first if isinstance(first, list) else [first] if first is not None else [])]
        if (rel or keyed) and not rest.strip(" .,;-"):
            return _Partial(relationship=key if rel else (keyed.group("a") or keyed.group("b")), ahead=True)
        if (rel or keyed) and is_placeholder(rest):  # "Father: not known"
            return None
        if column == "forename" and not rel:
            return _NamePart(forename=squash(rest)) if not is_placeholder(rest) else None
        if column == "surname" and not rel:
            return _NamePart(surname=squash(rest)) if not is_placeholder(rest) else None
        if rel:
            relationship, seg = key, rest
        elif keyed:
            relationship, seg, name_given = (keyed.group("a") or keyed.group("b")), rest, True
        elif column == "name":
            seg, name_given = rest, True
        elif rest.strip() and (_is_heading(key) or re.search(r"\bparental\s+responsibility\b", key, re.IGNORECASE)
                               or any(_RELATIONSHIP.match(k) for k in re.split(r"\s*/\s*", key))):
            seg, name_given = rest, True  # "Parent/carer: X", "Person with parental responsibility: X"
        elif column == "dob":
            dob, _ = _take_dob(rest, ref)
            return _Partial(dob=dob) if dob else None
        elif column == "relationship":
            rel_text = rest.strip(" .")
            return _Partial(relationship=rel_text) if rel_text and not is_placeholder(rel_text) else None
        elif column == "address":
            return _address_item(rest, key)
        elif column == "age":
            age = _age_of(rest)
            return _Partial(age=age) if age is not None else None

    tail = _SAME_TAIL.search(seg)
    if tail and tail.start() > 0:
        same, seg = True, seg[:tail.start()]
    dob, seg = _take_dob(seg, ref)
    age, seg = _take_age(seg)
    seg, bracketed = _take_brackets(seg)
    for inner in bracketed:
        # "Carer: Pat Bennett (grandmother)", "Parents: Tunde Obi (father), ...": the bracket is more exact.
        if (relationship is None or _generic(relationship)) and _RELATIONSHIP.match(inner):
            relationship = inner
    # With a date of birth or a relationship the segment is evidently a person, so a name
    # typed in lower case is still a name; with nothing else it must look like one.
    strict = not (name_given or dob or relationship or age is not None)

    parts = [p.strip(" .:") for p in re.split(r",|\s[-\u2013\u2014|]\s|\t|\s\|\s", seg)]
    parts = [p for p in parts if p]
    name: str | None = None
    address: str | None = None
    no_address = False
    i = 0
    together = _names_together(parts) if not strict else None
    if together:
        names, i = together
        name = " and ".join(names)
    while i < len(parts):
        part = parts[i]
        if address is None and name is not None and _OF_HOUSE.match(part):  # "Isla Grant, DOB ..., of 4 Abbey Gardens"
            part = parts[i] = _OF_HOUSE.sub("", part, count=1)
        if address is None and (_HOUSE.match(part) or _POSTCODE.search(part) or re.match(r"(?i)address\b", part)):
            rest = ", ".join(parts[i:])
            address = _clean_address(rest)
            # "address withheld", "NFA": this person's address is not given, and no household's applies
            no_address = address is None and bool(_NO_ADDRESS.match(re.sub(r"(?i)^address\s*[:\-]?\s*", "", rest)))
            break
        if address is None and _NO_ADDRESS.match(part) and name is not None:
            no_address = True
            break
        if relationship is None and _RELATIONSHIP.match(part):
            relationship = part
        elif name is None and _name_like(part, strict=strict):
            name = part
            # "HUSSAIN, Chloe": surname in capitals, then forenames.
            if i + 1 < len(parts) and _is_caps(part) and _name_like(parts[i + 1], strict=True) and not _RELATIONSHIP.match(parts[i + 1]) and not _is_caps(parts[i + 1]):
                name = f"{part}, {parts[i + 1]}"
                i += 1
        i += 1

    if name is None:
        if dob or relationship or age is not None:
            return _Partial(relationship=relationship, dob=dob, age=age)
        return _Address(address) if address else None  # a bare household address
    if not (dob or relationship or age is not None or address) and not _name_like(name, strict=True):
        return None
    if together:  # "Grace Obi and Hope Obi": each is a person, and what follows is for each
        group = id(together)
        return [_Person(name=squash(n), relationship=relationship, dob=dob, age=age, address=address, same_address=same,
                        group=group) for n in together[0]]
    return _Person(name=squash(name), relationship=relationship, dob=dob, age=age, address=address, same_address=same,
                   no_address=no_address)


def _names_together(parts: Sequence[str]) -> tuple[list[str], int] | None:
    """Several people named in one value: ``"Grace Obi and Hope Obi"``, ``"Amy & Ben"``, ``"Amy, Ben and Cara
    Jones"`` (a surname given once, after the last forename, is everyone's). The names and how many of
    ``parts`` (the segment split at commas) they take; None unless the list ends in "and" / "&"."""
    names: list[str] = []
    for k, part in enumerate(parts[:8]):
        pieces = [p.strip() for p in re.split(r"^(?:and|&)\s+|\s+(?:and|&)\s+", part) if p.strip()]
        if not pieces or not all(_name_like(p, strict=True) for p in pieces):
            return None
        names.extend(pieces)
        if len(pieces) > 1 or re.match(r"(?:and|&)\s", part):  # "... and Cara Jones" ends the list
            break
    else:
        return None
    if len(names) < 2:
        return None
    last = names[-1].split()
    if len(last) >= 2 and all(len(n.split()) == 1 for n in names[:-1]):
        start = len(last) - 1  # the surname: the last word, with its particles ("de Souza", "van der Berg")
        while start > 1 and last[start - 1][:1].islower():
            start -= 1
        names = [f"{n} {' '.join(last[start:])}" for n in names[:-1]] + [names[-1]]
    return names, k + 1


def _address_item(text: str | None, key: str = "") -> _Address | None:
    """An address line's value: an address, "as above", or nothing (NFA, placeholders)."""
    text = squash(text or "").strip(" ,;.:")
    if _SAME_ADDRESS.match(text) or _SAME_SEGMENT.match(text):
        return _Address(None, same=True)
    addr = _clean_address(text)
    if not addr:
        return None
    specific = bool(re.search(rf"\b(?:{_CHILD_HEADS}|{_ADULT_HEADS})\b", key, re.IGNORECASE)) and not re.search(
        r"\b(?:all|family|household|everyone|both)\b", key, re.IGNORECASE)
    return _Address(addr, specific=specific)


def _take_dob(seg: str, ref: date | None) -> tuple[date | None, str]:
    seg = _DOB_UNKNOWN.sub(" ", seg)
    found = find_dates(seg, ref)
    chosen = None
    cut: list[tuple[int, int]] = []
    for f in found:
        offset = max(0, f.start - 25)
        before = seg[offset:f.start]
        death = _DEATH_MARKER.search(before)
        marker = _DOB_MARKER.search(before)
        start = offset + (death or marker).start() if (death or marker) else f.start  # cut the marker too
        cut.append((start, f.end))
        if death:
            continue
        if chosen is None or (marker and chosen[1] is False):
            chosen = (f.value, bool(marker))
    for start, end in reversed(cut):
        seg = seg[:start] + " " + seg[end:]
    seg = _DOB_WORD.sub(" ", seg)
    return (chosen[0] if chosen else None), seg


def _take_age(seg: str) -> tuple[int | None, str]:
    m = _AGE.search(seg)
    if not m:
        return None, seg
    age = _age_match(m)
    return age, seg[:m.start()] + " " + seg[m.end():]


def _age_match(m: re.Match[str]) -> int | None:
    if m.group("a"):
        return int(m.group("a"))
    if m.group("b"):
        return int(m.group("b"))
    return 0  # months, weeks, days, "under 1"


def _age_of(text: str) -> int | None:
    m = _AGE.search(text) or re.match(r"\s*(\d{1,3})\b", text)
    if not m:
        return None
    return _age_match(m) if m.re is _AGE else int(m.group(1))


def _take_brackets(seg: str) -> tuple[str, list[str]]:
    inner = [squash(x) for x in re.findall(r"[(\[]([^()\[\]]*)[)\]]", seg)]
    return re.sub(r"[(\[][^()\[\]]*[)\]]", " ", seg), [x for x in inner if x]


def _name_like(text: str, *, strict: bool) -> bool:
    words = text.split()
    if not words or len(words) > 7 or len(text) > 80:
        return False
    if re.search(r"[\d@]", text) or not re.search(r"[^\W\d_]", text):
        return False
    if is_placeholder(text):
        return False
    lower = {w.lower().strip(".,'") for w in words}
    if lower & _NOT_NAME_WORDS:
        return False
    if strict:
        return all(w[0].isupper() or w.lower() in {"de", "la", "van", "von", "der", "bin", "al", "el", "da", "di", "le", "du"} or not w[0].isalpha() for w in words)
    return True


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _clean_address(text: str | None) -> str | None:
    if not text:
        return None
    text = squash(text).strip(" ,;.:")
    text = re.sub(r"^(?:address(?:es)?)\s*[:\-]?\s*", "", text, flags=re.IGNORECASE)
    return None if is_placeholder(text) or _NO_ADDRESS.match(text) else text


def _from_columns(row: Mapping[str, str], ref: date | None, items: list[object]) -> object | None:
    name = squash(row.get("name", "") or " ".join(filter(None, (row.get("forename", ""), row.get("surname", "")))))
    rel = squash(row.get("relationship", "")) or None
    dob = _take_dob(row["dob"], ref)[0] if row.get("dob") else None  # "EDD 02/06/2025" is no date of birth
    age = _age_of(row.get("age", "") or "") if row.get("age") else None
    if age is None and row.get("dob") and not dob:
        age = _age_of(row["dob"])
    rel = rel or (squash(row.get("_relationship", "")) or None)
    parts = sorted((int(k[len(labels.ADDRESS_PART):]), squash(v)) for k, v in row.items()
                   if k.startswith(labels.ADDRESS_PART) and k[len(labels.ADDRESS_PART):].isdigit() and squash(v or ""))
    address = squash(row.get("address", "")) or (", ".join(v for _, v in parts) if parts else None)
    no_address = bool(address and _NO_ADDRESS.match(address))
    if address and _SAME_ADDRESS.match(address):
        previous = next((x for x in reversed(items) if isinstance(x, _Person) and x.address), None)
        address = previous.address if previous else None
    elif address:
        address = _clean_address(address)
    if rel and is_placeholder(rel):
        rel = None
    if not name or is_placeholder(name):
        return None
    return _Person(name=name, relationship=rel, dob=dob, age=age, address=address, no_address=no_address)


# -- assembly ---------------------------------------------------------------------------


def _assemble(items: Iterable[object]) -> list[_Person]:
    people: list[_Person] = []
    group_start = 0
    leading: str | None = None  # an address given before the people it belongs to
    leading_from = 0
    pending: _Partial | None = None
    households: list[str] = []  # addresses given for no one in particular
    part: _NamePart | None = None  # a forename waiting for its surname, or the other way round

    def add(person: _Person) -> None:
        nonlocal pending
        if pending is not None:
            own = person.relationship
            person.relationship = own or pending.relationship
            if not pending.plural or own:
                pending = None
        people.append(person)

    def flush_part() -> None:
        nonlocal part
        if part is not None:
            add(_Person(name=squash(" ".join(filter(None, (part.forename, part.surname))))))
            part = None

    for item in items:
        if isinstance(item, _NamePart):
            if part is not None and (item.forename and part.forename or item.surname and part.surname):
                flush_part()  # a second forename: the first person had no surname
            part = part or _NamePart()
            part.forename = part.forename or item.forename
            part.surname = part.surname or item.surname
            if part.forename and part.surname:
                flush_part()
            continue
        if not (isinstance(item, _Partial) and not item.ahead and part is None):
            flush_part()
        if isinstance(item, _Person):
            add(item)
        elif isinstance(item, _Partial) and item.ahead:
            pending = item
        elif isinstance(item, _Partial) and people:
            last = people[-1]
            for person in [p for p in people if last.group is not None and p.group == last.group] or [last]:
                person.relationship = person.relationship or item.relationship
                person.dob = person.dob or item.dob
                person.age = person.age if person.age is not None else item.age
        elif isinstance(item, _Address):
            group = people[group_start:]
            if item.same:
                for person in group:
                    person.same_address = person.same_address or not person.address
            elif group:
                for person in group:
                    if not person.no_address:  # "address withheld" stays without one
                        person.address = person.address or item.text
            else:
                leading, leading_from = item.text, len(people)
            if item.text and not item.specific:
                households.append(item.text)
            group_start = len(people)
    flush_part()
    if leading:
        for person in people[leading_from:]:
            person.address = person.address or leading
    _fill_addresses(people, households)
    return people


def _fill_addresses(people: list[_Person], households: list[str]) -> None:
    """"Same address" takes the address of the person before; a household address given once
    (the only one given for no one in particular) applies to everyone without an address of their own."""
    household = households[0] if len(set(households)) == 1 else None
    for _ in range(2):
        previous: str | None = None
        for person in people:
            if person.address is None and person.same_address and previous:
                person.address = previous
            previous = person.address or previous
        if household:
            for person in people:
                if person.address is None and not person.no_address:
                    person.address = household


def _as_dict(p: _Person, ref: date | None) -> dict:
    relationship = _normal_relationship(p.relationship)
    return {
        "name": p.name,
        "role": _role(relationship, p.dob, p.age, ref),
        "relationship": relationship,
        "date_of_birth": p.dob.isoformat() if p.dob else None,
        "address": p.address,
    }


def _normal_relationship(text: str | None) -> str | None:
    if not text:
        return None
    rel = squash(text.replace("\u2019", "'")).lower().strip(" .:-")
    rel = re.sub(r"\s+(?:\d{1,2}|[a-h])$", "", rel)  # "child 1", "sibling b"
    rel = re.sub(r"'s$", "", rel)  # "Mother's" (from "Mother's DOB")
    return rel or None


def _role(relationship: str | None, dob: date | None, age: int | None, ref: date | None) -> str:
    head = relationship_head(relationship)
    if head in _CHILD_SET and head not in _AGE_STATING:
        # "half-brother", "son": who they are to the child, not their age - an adult by date of birth is one.
        years = age_on(dob, ref) if dob and ref else age
        return "adult" if years is not None and years >= 18 else "child"
    if head in _CHILD_SET:
        return "child"
    if head in _ADULT_SET:
        return "adult"
    if dob and ref:
        return "child" if age_on(dob, ref) < 18 else "adult"
    if age is not None:
        return "child" if age < 18 else "adult"
    return "unknown"
