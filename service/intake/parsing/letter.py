"""A referral written as a letter: few labels or none.

Read only when no form was found. A letter is a referral when, before its sign-off, it says so in
the present ("I am writing to refer", "please accept this email as a referral") or asks the board
to act ("We ask the Board to consider an SCR"). Then:

- subjects come from the person lines: ``Child: X (DOB ...)``, ``Mother - X, born ...``,
  ``Subjects: X (4), Y (mother, 29)``, ``The child is X, born ... of <address>.``, ``Re: X, DOB ...``,
  a name with its relationship in brackets or after a dash, and the household's address line;
- the criteria statement is the paragraph saying the criteria are met ("... because / as ...");
- the request is the paragraph asking the board to act;
- the summary is the narrative paragraph(s) after the people (or the opening) and before those;
- the referral date is a date the letter itself carries (a date line at its head, ``Date: ...``);
- the referrer is the signature: name, agency, telephone and email written there.

A letter that says it refers but whose people cannot be read is still a referral, with
``subjects`` missing; without person lines a request to the board alone is not enough. Status questions, requests for the form and meeting questions say none of
this in the present and stay enquiries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from . import labels as L
from . import referrer as R
from .dates import find_dates
from .form import missing, text_field
from .people import is_person_line, parse_subjects
from .text import EMAIL_RE, Line, Wrap, is_signoff, squash

_BOARD = (r"(?:board|partnership|panel|sub-?committee|committee|lscb|lscp|scp|chair|safeguarding\s+partners"
          r"|business\s+manager)")
_REFER = re.compile(
    r"\b(?:i|we)\s+(?:am|are|'m|'re)\s+(?:now\s+)?(?:formally\s+)?(?:writing\s+to\s+)?(?:notify\s+and\s+)?refer(?:ring)?\b"
    r"|\b(?:i|we)\s+(?:wish|would\s+like|want|write)\s+to\s+(?:formally\s+)?(?:notify\s+and\s+)?refer\b"
    r"|\b(?:i|we)\s+(?:hereby\s+)?refer\s+(?:the|this|a)\b"
    r"|\baccept\s+this\s+(?:e-?mail|letter|message)\s+as\s+(?:a|an|our|my)\s+(?:formal\s+)?referral\b"
    r"|\bthis\s+(?:e-?mail|letter)\s+is\s+(?:a|our|my)\s+(?:formal\s+)?referral\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    rf"\b(?:i|we)\s+(?:would\s+)?(?:formally\s+)?(?:request|ask|invite|recommend)\s+(?:that\s+)?(?:the\s+)?{_BOARD}\b"
    rf"|\b(?:i|we)\s+would\s+(?:like|ask|urge)\s+(?:the\s+)?{_BOARD}\s+to\b"
    rf"|\b(?:i|we)\s+would\s+be\s+grateful\s+if\s+(?:the\s+)?{_BOARD}\b"
    r"|\bthe\s+referring\s+agency\s+requests\b",
    re.IGNORECASE,
)
_REVIEW = re.compile(r"\breview\b|\bSCR\b|\bCSPR\b|\bLCSPR\b|\bconsider\b|\bcommission\b|\bundertake", re.IGNORECASE)
_CRITERIA = re.compile(r"\bcriteria\b.{0,80}?\b(?:are|is|have\s+been|has\s+been)\s+(?:fully\s+)?met\b", re.IGNORECASE)
_GREETING = re.compile(r"^(?:dear|hi|hello|good\s+(?:morning|afternoon))\b", re.IGNORECASE)
_SIGNOFF_MORE = re.compile(r"^(?:with\s+(?:thanks|regards|best\s+wishes)|regards|thanks)[\s,.!]*$", re.IGNORECASE)

# Person lines written as prose, put in the key form the people reader knows.
_IS_PERSON = re.compile(
    r"^(?:the\s+|his\s+|her\s+|their\s+)?(?P<rel>(?:child|young\s+person|baby|mother|father|sibling|brother|sister|"
    r"step-?father|step-?mother|grandmother|grandfather|carer|stepfather|partner)(?:'s\s+partner)?)\s+is\s+(?P<rest>[A-Z].*)$",
    re.IGNORECASE,
)
_RE_LINE = re.compile(r"^re\s*:\s*(?P<rest>.+)$", re.IGNORECASE)
_HOUSEHOLD = re.compile(
    r"^(?:address(?:\s+for\s+(?:all|both|the\s+family))?|(?:both|all)(?:\s+(?:live|living|reside|residing))?\s+at"
    r"|(?:they\s+)?all\s+live\s+at)\s*[:\-\u2013]?\s*(?P<address>\S.*?)\.?$",
    re.IGNORECASE,
)
_DOB_HINT = re.compile(r"\b(?:d\.?o\.?b\b|date\s+of\s+birth|born)\b|\(\s*\d{1,2}\s*[),]|\b(?:aged?)\s+\d", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d{1,2}[.)])\s+")
_NAME_FIRST = re.compile(r"^[A-Z][\w'\u2019\-]+(?:\s+[A-Z][\w'\u2019\-]+){1,3}\s*(?:,|\()")


_AGED_ITEM = re.compile(
    r"(?P<name>[A-Z][\w'\u2019\-]+(?:\s+[A-Z][\w'\u2019\-]+){1,3})\s*\(\s*(?:(?P<rel>[a-z][a-z'\u2019 ]{1,30}),\s*)?"
    r"(?:aged\s+)?(?P<age>\d{1,2})\s*\)")


def _aged_items(text: str) -> str | None:
    """``Subjects: Tommy Reid (4), Sarah Reid (mother, 29)`` -> one line a person, each with its age."""
    rest = re.sub(r"^[^:]{1,40}:\s*", "", text)
    items = list(_AGED_ITEM.finditer(rest))
    if not items or re.sub(r"[\s,;.]|\band\b", "", _AGED_ITEM.sub("", rest)):
        return None
    return "\n".join(f"{m.group('rel').capitalize()}: {m.group('name')}, aged {m.group('age')}" if m.group("rel")
                     else f"{m.group('name')}, aged {m.group('age')}" for m in items)


def _person_text(text: str) -> str | None:
    """The line as the people reader should see it, or None when it is not a person or household line."""
    text = _BULLET.sub("", squash(text))
    aged = _aged_items(text)
    if aged:
        return aged
    household = _HOUSEHOLD.match(text)
    if household and not _DOB_HINT.search(text):
        return f"Address: {household.group('address')}"
    if not _DOB_HINT.search(text) and not re.search(r"\bDOB\b|\bunknown\b", text, re.IGNORECASE):
        return None
    m = _IS_PERSON.match(text)
    if m:
        rest = re.sub(r",\s+(?:of|at|living\s+at)\s+", ", ", m.group("rest")).rstrip(" .")
        rest = re.sub(r",\s+(?:of|at)\s+the\s+same\s+address$", ", same address", rest)
        return f"{m.group('rel')}: {rest}"
    m = _RE_LINE.match(text)
    if m and _NAME_FIRST.match(m.group("rest")):
        return m.group("rest")
    key = L.match_label(text.split(":", 1)[0].strip(), marked=True) if ":" in text else None
    if (key and key.field == L.SUBJECTS) or is_person_line(text) or _NAME_FIRST.match(text):
        return text.rstrip(" .") if text.endswith(".") and not text.endswith("..") else text
    return None


def _blocks(lines: Sequence[Line]) -> list[list[Line]]:
    out: list[list[Line]] = [[]]
    for line in lines:
        if line.text.strip():
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


def _signoff_index(blocks: list[list[Line]]) -> tuple[int, int] | None:
    """(block, line) of the last sign-off."""
    found = None
    for b, block in enumerate(blocks):
        for i, line in enumerate(block):
            text = line.text.strip()
            if (is_signoff(text) and not text.startswith("--")) or _SIGNOFF_MORE.match(text):
                found = (b, i)
    return found


def _sentences_ask(text: str) -> bool:
    return any(not s.rstrip().endswith("?") for s in re.split(r"(?<=[.!?])\s+", text) if _REFER.search(s))


def _requests(text: str) -> bool:
    return any(_REQUEST.search(s) and _REVIEW.search(s) and not s.rstrip().endswith("?")
               for s in re.split(r"(?<=[.!?])\s+", text))


def _date_line(text: str, ref: date | None) -> date | None:
    text = re.sub(r"^date\s*[:\-]?\s*", "", squash(text), flags=re.IGNORECASE)
    found = find_dates(text, ref, allow_future_days=366)
    if len(found) == 1 and found[0].value and not (text[:found[0].start] + text[found[0].end:]).strip(" ,.;"):
        return found[0].value
    return None


def read(lines: Sequence[Line], wrap: Wrap | None, message_date: date | None, sender_display: str | None) -> dict | None:
    """The referral values of a letter (as :func:`.form.values` gives them), or None when the text is
    not a referral letter."""
    blocks = _blocks(lines)
    if not blocks:
        return None
    sign = _signoff_index(blocks)
    if sign:
        b, i = sign
        body = blocks[:b] + ([blocks[b][:i]] if i else [])
        signature = blocks[b][i + 1:] + [ln for block in blocks[b + 1:] for ln in block]
    else:
        body, signature = blocks, []
    texts = [squash(" ".join(ln.text for ln in block)) for block in body]
    intro = [bool(_REFER.search(t)) and _sentences_ask(t) for t in texts]
    asks = [_requests(t) for t in texts]
    if not any(intro) and not any(asks):
        return None

    referral_date = None
    people: list[Line] = []
    people_at = -1
    kinds: list[str] = []
    for n, block in enumerate(body):
        text = texts[n]
        converted = [_person_text(ln.text) for ln in block]
        persons = [c for c in converted if c]
        if referral_date is None and not people and len(block) <= 2:
            for ln in block:
                referral_date = referral_date or _date_line(ln.text, message_date)
            if referral_date:
                kinds.append("date")
                continue
        if persons and (len(persons) * 2 >= len(block) or len(persons) >= 2):
            people.extend(Line(p) for c in persons for p in c.split("\n"))
            people.append(Line(""))
            people_at = n
            kinds.append("people")
        elif _GREETING.match(text) and len(text) < 80:
            kinds.append("greeting")
        elif _CRITERIA.search(text) and not asks[n]:
            kinds.append("criteria")
        elif asks[n]:
            kinds.append("request")
        elif intro[n]:
            kinds.append("intro")
        elif len(text) < 90 and not re.search(r"[.!]['\")\u2019]*$", text):
            kinds.append("heading")
        else:
            kinds.append("narrative")

    start = max([people_at] + [n for n, k in enumerate(kinds) if k == "intro"])
    end = next((n for n, k in enumerate(kinds) if k in ("criteria", "request") and n > start), len(kinds))
    narrative = [n for n in range(start + 1, end) if kinds[n] == "narrative"]

    def joined(indices: list[int]) -> str | None:
        out: list[Line] = []
        for n in indices:
            out.extend(body[n])
            out.append(Line(""))
        return text_field(out, wrap)

    if not people and not any(intro):
        # No person lines: only a letter that says it refers ("I am writing to refer") is clearly a
        # referral; a request alone ("I would like the Board to consider whether a review is needed")
        # stays an enquiry, which the daily report lists for a person to open by hand.
        return None
    ref = referral_date or message_date
    name, telephone, email, agency = _signature(signature, sender_display)
    out = {
        "referral_date": referral_date.isoformat() if referral_date else None,
        "subjects": parse_subjects(people, ref, wrap) if people else [],
        "summary": joined(narrative),
        "request": joined([n for n, k in enumerate(kinds) if k == "request"][:1]),
        "criteria_statement": joined([n for n, k in enumerate(kinds) if k == "criteria"][:1]),
        "referrer": {"name": name, "agency": agency, "telephone": telephone, "email": email},
    }
    out["missing"] = missing(out)
    return out


def _signature(lines: list[Line], sender_display: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """Name, telephone, email and agency from the lines after the sign-off."""
    texts = [squash(ln.text) for ln in lines if ln.text.strip()][:8]
    if not texts:
        return None, None, None, None
    first = texts[0]
    name, line_agency = R.name_and_agency([Line(first)])
    if name and ("|" in first or "," in first):
        name = re.split(r"\s*[|,]\s*", first)[0].strip() or name
    if name and (EMAIL_RE.search(name) or re.search(r"\d", name) or len(name.split()) > 5):
        name = None
    block = [Line(t) for t in texts]
    contact = [Line(p) for t in texts for p in re.split(r"\s*\|\s*", t)]
    contact = [Line(re.sub(r"(?i)^(?:tel(?:ephone)?|phone|mob(?:ile)?)\s+(?=[+(\d])", "", ln.text)) for ln in contact]
    telephone = R.telephone([ln for ln in contact if re.search(r"\d{3}", ln.text) and not EMAIL_RE.search(ln.text)][:1] or None)
    email_line = next((ln for ln in contact if EMAIL_RE.search(ln.text)), None)
    email = R.email([email_line]) if email_line else None
    # A line that starts with a job title ("Detective Sergeant, Child Abuse Investigation Team") is the
    # signer's role; the agency is on a line of its own when there is one.
    own = [ln for ln in block if not R.starts_with_job(ln.text)]
    agency = line_agency or R.agency_from_signature([Line("Regards"), *own], name, sender_display) \
        or R.agency_from_signature([Line("Regards"), *block], name, sender_display)
    return name, telephone, email, agency
