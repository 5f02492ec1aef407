"""Is what was read as a person's name plausibly a name? And what must a person confirm?

A form's street, town, school or section heading can land where a name is read (a wrapped address
line under a person, a heading in a people table), and then a place becomes a family member. These
checks are pure functions of the text: a list of UK place and street words, organisation words and
form-heading words, checked against the address lines of the same form.

:func:`review` gives the reasons a referral needs the Business Manager to confirm what was read. The
reasons never contain what was read (no names, dates or addresses): "subject 2's name looks like a
street or place", not the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that end a street's name. Words that are also common surnames (Lane, Hill, Green, Park, Wood,
# Court, Bank, Field) count only when the name is also found in the form's addresses.
STREET_WORDS = frozenset({
    "road", "rd", "street", "st", "avenue", "ave", "close", "crescent", "drive", "terrace", "gardens", "grove",
    "mews", "place", "square", "walk", "rise", "view", "parade", "boulevard", "wharf", "quay", "cottages",
    "way", "row", "yard", "estate", "flat", "flats", "apartment", "apartments", "house", "lodge", "mansions",
    "heights", "chase", "approach", "circus", "embankment", "promenade", "precinct",
})
SURNAME_LIKE_PLACE_WORDS = frozenset({"lane", "hill", "green", "park", "wood", "court", "bank", "field", "fields",
                                      "gate", "cross", "end", "vale", "meadow", "meadows", "brook", "common"})
# A modest list of UK towns, cities and areas that forms name most.
TOWNS = frozenset({
    "london", "birmingham", "manchester", "leeds", "liverpool", "bristol", "sheffield", "newcastle", "nottingham",
    "leicester", "coventry", "bradford", "cardiff", "swansea", "newport", "glasgow", "edinburgh", "aberdeen", "dundee",
    "belfast", "derry", "southampton", "portsmouth", "plymouth", "exeter", "norwich", "cambridge", "oxford", "reading",
    "brighton", "hull", "york", "stoke", "wolverhampton", "sunderland", "middlesbrough", "preston", "blackpool",
    "bolton", "wigan", "oldham", "rochdale", "stockport", "salford", "huddersfield", "wakefield", "doncaster",
    "rotherham", "barnsley", "luton", "northampton", "milton keynes", "peterborough", "ipswich", "colchester",
    "chelmsford", "southend", "croydon", "enfield", "barnet", "haringey", "islington", "hackney", "camden",
    "lambeth", "southwark", "lewisham", "greenwich", "wandsworth", "ealing", "brent", "harrow", "hounslow",
    "hillingdon", "bromley", "bexley", "sutton", "merton", "kingston", "richmond", "redbridge", "havering",
    "newham", "tower hamlets", "walsall", "dudley", "sandwell", "solihull", "telford", "shrewsbury", "hereford",
    "worcester", "gloucester", "cheltenham", "swindon", "bath", "bournemouth", "poole", "swanage", "taunton",
    "truro", "carlisle", "lancaster", "chester", "crewe", "warrington", "halifax", "harrogate", "scarborough",
    "lincoln", "grimsby", "derby", "chesterfield", "mansfield", "canterbury", "maidstone", "dover", "hastings",
    "eastbourne", "guildford", "woking", "slough", "watford", "st albans", "stevenage", "bedford", "wrexham",
})
# Agencies and places that are not people.
ORGANISATION_WORDS = frozenset({
    "school", "academy", "college", "nursery", "university", "hospital", "surgery", "practice", "clinic",
    "council", "police", "constabulary", "ltd", "limited", "plc", "llp", "trust", "nhs", "hmp", "hmyoi", "yoi",
    "prison", "services", "service", "team", "centre", "center", "department", "partnership", "board",
    "foundation", "hostel", "unit", "authority", "agency", "association", "charity", "cafcass", "camhs",
    "barnardo's", "nspcc", "ofsted", "social", "housing", "probation", "courts", "refuge",
})
# Words form headings are made of ("2. Referral", "Section 3 - The incident", "Parents/carers").
HEADING_WORDS = frozenset({
    "section", "part", "details", "detail", "information", "summary", "referral", "referrer", "referring",
    "incident", "subject", "subjects", "family", "families", "household", "request", "criteria", "background",
    "parents", "parent", "carers", "carer", "children", "child", "adults", "adult", "names", "name", "address",
    "addresses", "date", "dates", "birth", "dob", "contact", "concerns", "concern", "people", "persons", "person",
    "members", "member", "the", "of", "and", "to", "for", "a", "an", "in", "other", "relevant", "involved",
    "composition", "agency", "agencies", "relationship", "relationships", "review", "reason", "reasons",
    "outcome", "action", "actions", "recommendation", "recommendations", "notes", "sign", "signature",
    "declaration", "consent", "office", "use", "only", "page", "form", "key", "siblings", "sibling", "young",
})
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")

PLACE, ORGANISATION, HEADING, DATE = "a street or place", "an organisation", "a heading", "a date"


def name_problem(name: str, addresses: Iterable[str] | frozenset[str] = ()) -> str | None:
    """What a "name" looks like instead of a person's name (:data:`PLACE`, :data:`ORGANISATION`,
    :data:`HEADING` or :data:`DATE`), or None when it may be a name. ``addresses`` are the address lines of
    the same form (or their :func:`address_parts`, worked out once for a form's several names)."""
    text = " ".join((name or "").split())
    if not text:
        return HEADING
    words = [w.lower().strip("'\u2019-") for w in _WORD.findall(text)]
    if _looks_like_date(text, words):
        return DATE
    if words and words[0] in ("section", "part", "question", "step") and len(words) <= 8:
        return HEADING
    if ":" in text:  # "Name: X", "X Relationship: mother": a label read into the name
        return HEADING
    if any(ch.isdigit() for ch in text) or _POSTCODE.search(text):
        return PLACE
    if not words:
        return HEADING
    if any(w in ORGANISATION_WORDS for w in words):
        return ORGANISATION
    if all(w in HEADING_WORDS for w in words) or text.rstrip().endswith(":"):
        return HEADING
    low = " ".join(words)
    if words[-1] in STREET_WORDS and len(words) >= 2:
        return PLACE
    if low in TOWNS:
        return PLACE
    parts = addresses if isinstance(addresses, frozenset) else address_parts(addresses)
    if low in parts:  # the name is one of the comma-separated parts of an address of the form
        return PLACE
    return None


_MONTH_WORDS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august", "september",
                          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                          "sept", "oct", "nov", "dec"})


def _looks_like_date(text: str, words: list[str]) -> bool:
    if re.search(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b", text):
        return True
    return any(w in _MONTH_WORDS for w in words) and bool(re.search(r"\d", text))


def address_parts(addresses: Iterable[str]) -> frozenset[str]:
    """The comma-separated parts of addresses, house numbers aside, as :func:`name_problem` compares them."""
    parts = set()
    for address in addresses:
        for part in re.split(r"[,\n]", address or ""):
            words = [w.lower().strip("'\u2019-") for w in _WORD.findall(part)]
            if words:
                parts.add(" ".join(words))
    return frozenset(parts)


_ADDRESS_LABEL = re.compile(r"^[\w' ]{0,30}\baddress(?:es)?\b[^:]{0,20}:", re.IGNORECASE)
_HOUSE = re.compile(r"^(?:flat\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+[^\W\d_]", re.IGNORECASE)


def _starts_address(text: str) -> str | None:
    """The address an address line starts ("Address: 71 Victoria Street", "14 Mill Lane"), or None."""
    m = _ADDRESS_LABEL.match(text)
    if m:
        return text[m.end():].strip()
    words = {w.lower() for w in _WORD.findall(text)}
    if ":" not in text and _HOUSE.match(text) and words & (STREET_WORDS | SURNAME_LIKE_PLACE_WORDS):
        return text
    return None


def address_lines(lines: Iterable[str]) -> list[str]:
    """The lines of a people section that continue an address ("Address: 71 Victoria Street" / "Wellbrook" /
    "WB8 4QQ"): a line without a label or a date after an address line. A name equal to one is a place."""
    out, inside = [], False
    for text in lines:
        text = (text or "").strip()
        if not text:
            inside = False
            continue
        start = _starts_address(text)
        if start is not None:
            inside = True
            out.append(start)
            continue
        # A town or a postcode on a line of its own: a few words, no label, no list, no number but a postcode's.
        if inside and ":" not in text and "," not in text and len(text.split()) <= 3 \
                and (not re.search(r"\d", text) or _POSTCODE.fullmatch(text)):
            out.append(text)
            inside = not _POSTCODE.search(text)  # a postcode ends an address
            continue
        inside = False
    return out


def review(record: dict, *, ocr: bool = False, section_lines: Iterable[str] = ()) -> list[str]:
    """Why the Business Manager must confirm what was read from a referral; [] when nothing needs it.

    No subject; a subject without a date of birth or without a role; any value read by OCR; a
    subject whose name looks like a place, an organisation, a heading or a date. ``section_lines``: the
    text of the form's people section, whose address lines are checked too."""
    if not record.get("is_referral"):
        return []
    reasons = []
    if ocr:
        reasons.append("the form was read by OCR from a scan or photograph: every value is uncertain")
    subjects = record.get("subjects") or []
    if not subjects:
        reasons.append("no subject was read")
    addresses = address_parts([s.get("address") or "" for s in subjects] + address_lines(section_lines))
    for i, s in enumerate(subjects, 1):
        problem = name_problem(s.get("name") or "", addresses)
        if problem:
            reasons.append(f"subject {i}'s name looks like {problem}")
        if not s.get("date_of_birth"):
            reasons.append(f"subject {i} has no date of birth")
        if s.get("role") not in ("child", "adult"):
            reasons.append(f"subject {i} is neither child nor adult")
    return reasons


def confidence(record: dict, *, guessed: bool, section_lines: Iterable[str] = ()) -> dict:
    """How sure each value read is: "high" (a labelled field or a form field), "low" (inferred from
    prose, read by OCR, or a person's entry that a check above doubts), None where nothing was read."""
    base = "low" if guessed else "high"

    def level(value) -> str | None:
        return base if value else None

    subjects = record.get("subjects") or []
    addresses = address_parts([s.get("address") or "" for s in subjects] + address_lines(section_lines))
    per_subject = []
    for s in subjects:
        doubtful = (name_problem(s.get("name") or "", addresses) or not s.get("date_of_birth")
                    or s.get("role") not in ("child", "adult"))
        per_subject.append("low" if doubtful else base)
    referrer = record.get("referrer") or {}
    return {
        "referral_date": level(record.get("referral_date")),
        "subjects": per_subject,
        "summary": level(record.get("summary")),
        "request": level(record.get("request")),
        "criteria_statement": level(record.get("criteria_statement")),
        "referrer": {k: level(referrer.get(k)) for k in ("name", "agency", "telephone", "email")},
    }
