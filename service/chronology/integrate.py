"""Many agencies' rows -> one integrated chronology. Pure.

Order: rows a person must fix first (a date that could not be read, no date, a time that could not
be read), in the order they were read; then every other row by date, a partial date at the start
of its period and before the exact days of that date, untimed before timed, then by time, agency
and the order read. Rows of different agencies on the same day that record the same event (the
same kind of meeting named by both, or most of their words in common) are grouped: the group
keeps the place of its first row and its other rows follow it. A scoping period keeps the rows
whose date or period overlaps it, and every row a person must fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from .rows import ChronologyRow, ReadResult

# The same meeting or event, however each agency words it.
SAME_EVENT = [
    ("strategy meeting", r"strategy\s+(?:meeting|discussion)"),
    ("child protection conference", r"(?:initial|review)?\s*(?:child\s+protection|cp)\s+(?:case\s+)?conference|\bicpc\b|\brcpc\b"),
    ("core group", r"core\s+group"),
    ("MARAC", r"\bmarac\b"),
    ("joint visit", r"joint\s+(?:home\s+)?visit"),
    ("child in need meeting", r"\bcin\s+(?:review|meeting)|child\s+in\s+need\s+(?:review|meeting)"),
    ("looked after review", r"\blac\s+review|looked\s+after\s+(?:child\s+)?review"),
    ("professionals meeting", r"professionals'?\s+meeting"),
    ("MASH referral", r"\bmash\b"),
    ("section 47", r"\bs\.?\s?47\b|section\s+47"),
]
_SAME = [(name, re.compile(p, re.I)) for name, p in SAME_EVENT]
STOP = set("""a an the and or of to in on at for with by from was were is are be been had has have
he she they it his her their them this that as not no but into out up after before during
visit visited call called seen saw spoke told said agreed held attended""".split())
LEAD_WORDS = 6  # a row is about the named event it names in its first words
# Words just before an event's name that make the row news of it, not a record of it.
HEARSAY = re.compile(r"\b(?:told|informed|aware|notified|outcome|minutes|feedback|update[ds]?|invited|invitation|"
                     r"following|after|result|results|letter|email|report(?:ed)?\s+back)\b[^.;]*$", re.I)
NAMED_SIMILAR = 0.2  # enough words in common for two untimed rows naming the same kind of event
MIN_SHARED = 3  # and at least this many words: "strategy meeting" alone is not enough
SIMILAR = 0.5  # share of words in common (Jaccard) that makes two rows the same event
MAX_PAIRWISE = 200  # rows on one day beyond which only the named events are matched
HOURS_APART = 3  # two timed rows further apart than this are not the same event


@dataclass(frozen=True)
class Entry:
    """A row in the integrated chronology: its number, its duplicate group (None if none) and why."""

    number: int
    row: ChronologyRow
    group: int | None = None
    same_as: str = ""  # what matched: "strategy meeting" or "similar text"


@dataclass(frozen=True)
class AgencySummary:
    agency: str
    rows: int
    first: date | None
    last: date | None
    partial: int
    to_check: int
    files: tuple[str, ...]


@dataclass(frozen=True)
class Integrated:
    entries: tuple[Entry, ...]
    agencies: tuple[AgencySummary, ...]
    period: tuple[date | None, date | None]  # the scoping period asked for
    groups: int
    left_out: int  # rows outside the scoping period

    @property
    def to_check(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.row.needs_person)

    @property
    def span(self) -> tuple[date | None, date | None]:
        """The period to draw: the scoping period, else from the first row's date to the last's."""
        dated = [e.row.when for e in self.entries if e.row.when.known]
        first = self.period[0] or (min(w.start for w in dated) if dated else None)
        last = self.period[1] or (max(w.end for w in dated) if dated else None)
        return first, last


def _words(row: ChronologyRow) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", row.text().lower()) if w not in STOP and len(w) > 1}


def _names(rx: re.Pattern, text: str) -> bool:
    """Whether ``text`` names the event itself, not news of it ("told of the strategy meeting")."""
    return any(not HEARSAY.search(text[max(0, m.start() - 30):m.start()]) for m in rx.finditer(text))


def _named(row: ChronologyRow) -> tuple[set[str], set[str]]:
    """Named events the row records, anywhere, and those it is about: named in its contact type or
    in the first words of what happened ("MARAC: case heard", "Attended strategy meeting")."""
    text = row.text()
    anywhere = {name for name, rx in _SAME if _names(rx, text)}
    head = " ".join(row.event.split()[:LEAD_WORDS])
    about = {name for name, rx in _SAME if name in anywhere and (_names(rx, head) or rx.search(row.contact_type))}
    return anywhere, about


def _minutes(t: time | None) -> int | None:
    return None if t is None else t.hour * 60 + t.minute


def _same_event(a: ChronologyRow, b: ChronologyRow, wa: set[str], wb: set[str], na, nb, pairwise: bool) -> str:
    if a.agency.casefold() == b.agency.casefold():
        return ""
    ma, mb = _minutes(a.time), _minutes(b.time)
    if ma is not None and mb is not None and abs(ma - mb) > HOURS_APART * 60:
        return ""
    overlap = len(wa & wb) / len(wa | wb) if wa and wb else 0.0
    # A named event both mention is the same one when both give a time near each other, when both
    # are about it, or when they share more than the name ("told of the strategy meeting's outcome"
    # is another event).
    timed = ma is not None and mb is not None
    common = (na[0] & nb[0]) if timed or overlap >= NAMED_SIMILAR else (na[1] & nb[1])
    if common:
        return sorted(common)[0]
    if pairwise and overlap >= SIMILAR and len(wa & wb) >= MIN_SHARED:
        return "similar text"
    return ""


def _sort_key(item: tuple[int, ChronologyRow]):
    i, r = item
    w = r.when
    return (w.start, 1 if not w.partial else 0, r.time is not None, r.time or time(0), r.agency.casefold(), i)


def integrate(results: list[ReadResult], start: date | None = None, end: date | None = None) -> Integrated:
    """One chronology from every file's rows; ``start``/``end`` the scoping period (either may be None)."""
    if start and end and start > end:
        raise ValueError("the scoping period ends before it starts")
    rows: list[ChronologyRow] = [r for res in results for r in res.rows]
    kept: list[ChronologyRow] = []
    left_out = 0
    for r in rows:
        if r.needs_person or not r.when.known:
            kept.append(r)
        elif (start and r.when.end < start) or (end and r.when.start > end):
            left_out += 1
        else:
            kept.append(r)
    check = [r for r in kept if r.needs_person or not r.when.known]
    dated = sorted(((i, r) for i, r in enumerate(kept) if not (r.needs_person or not r.when.known)), key=_sort_key)

    # Duplicates: among exact-day rows of the same date, union the pairs that match.
    parent = list(range(len(dated)))
    reason: dict[int, str] = {}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_day: dict[date, list[int]] = {}
    for k, (_, r) in enumerate(dated):
        if not r.when.partial:
            by_day.setdefault(r.when.start, []).append(k)
    for ks in by_day.values():
        if len(ks) < 2:
            continue
        pairwise = len(ks) <= MAX_PAIRWISE
        words = {k: _words(dated[k][1]) for k in ks}
        named = {k: _named(dated[k][1]) for k in ks}
        for x, k1 in enumerate(ks):
            for k2 in ks[x + 1:]:
                why = _same_event(dated[k1][1], dated[k2][1], words[k1], words[k2], named[k1], named[k2], pairwise)
                if why:
                    r1, r2 = root(k1), root(k2)
                    if r1 != r2:
                        parent[max(r1, r2)] = min(r1, r2)
                    reason.setdefault(min(r1, r2), why)
    members: dict[int, list[int]] = {}
    for k in range(len(dated)):
        members.setdefault(root(k), []).append(k)
    group_no: dict[int, int] = {}
    ordered: list[tuple[ChronologyRow, int | None, str]] = []
    for k in range(len(dated)):
        rt = root(k)
        if rt != k:
            continue  # placed with its group's first row
        group = members[rt]
        if len(group) > 1:
            group_no[rt] = len(group_no) + 1
            why = reason.get(rt, "similar text")
            ordered += [(dated[m][1], group_no[rt], why) for m in group]
        else:
            ordered.append((dated[k][1], None, ""))
    entries = [Entry(n, r) for n, r in enumerate(check, start=1)]
    entries += [Entry(len(check) + n, r, g, why) for n, (r, g, why) in enumerate(ordered, start=1)]
    return Integrated(tuple(entries), summarise(kept), (start, end), len(group_no), left_out)


def _natural(name: str) -> list:
    """"Agency 2" before "Agency 10"."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", name.casefold()) if p]


def summarise(rows: list[ChronologyRow]) -> tuple[AgencySummary, ...]:
    by: dict[str, list[ChronologyRow]] = {}
    for r in rows:
        by.setdefault(r.agency or "(agency not named)", []).append(r)
    out = []
    for agency, rs in sorted(by.items(), key=lambda kv: _natural(kv[0])):
        dated = [r.when for r in rs if r.when.known]
        out.append(AgencySummary(
            agency=agency, rows=len(rs),
            first=min((w.start for w in dated), default=None), last=max((w.end for w in dated), default=None),
            partial=sum(1 for r in rs if r.when.partial), to_check=sum(1 for r in rs if r.needs_person),
            files=tuple(sorted({r.source.file for r in rs}))))
    return tuple(out)


def as_data(chron: Integrated) -> dict:
    return {
        "period": [d.isoformat() if d else None for d in chron.period],
        "rows": len(chron.entries), "to_check": len(chron.to_check), "duplicate_groups": chron.groups,
        "left_out_of_period": chron.left_out,
        "agencies": [{"agency": a.agency, "rows": a.rows, "first": a.first and a.first.isoformat(),
                      "last": a.last and a.last.isoformat(), "partial": a.partial, "to_check": a.to_check,
                      "files": list(a.files)} for a in chron.agencies],
        "entries": [{"number": e.number, "group": e.group, "same_as": e.same_as, **e.row.as_data()}
                    for e in chron.entries],
    }

