"""The referrer: name, agency, telephone and email, as the form gives them.

Values are kept as written (white space normalised). The agency comes from an
agency/organisation field on the form or, failing that, from the signature
of the covering note ("Kind regards, / Neil Patel / Enfield Council
Children's Services"): the line after the signer's name that reads as an
organisation rather than a job title or contact detail. The email is only
ever the one written on the form - never the sender's address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .text import EMAIL_RE, Line, is_placeholder, is_signoff, squash

_PHONE = re.compile(r"(?:\+|\(|\b)\d[\d\s().\-/]{4,}\d(?:\s*(?:ext\.?|extension|x)\s*\d{1,6})?")
_LABEL_PREFIX = re.compile(r"^(?:tel(?:ephone)?|phone|mobile|mob|e-?mail|email address|t|m|e)\s*[:.]\s*", re.IGNORECASE)


def first_value(lines: Sequence[Line] | None) -> str | None:
    """The first non-empty line of a field, white space normalised."""
    for line in lines or ():
        text = squash(line.text)
        if text:
            return text
    return None


def email(lines: Sequence[Line] | None) -> str | None:
    """The email address in the field's first line, as written."""
    text = first_value(lines)
    if not text:
        return None
    m = EMAIL_RE.search(text.replace("mailto:", " "))
    return m.group(0).strip(".'") if m else None


def in_lines(read, lines: Sequence[Line] | None) -> str | None:
    """What ``read`` (:func:`telephone`, :func:`email`) finds in the first line of a field that gives it:
    "Contact details" as one cell of several lines (agency, street, "Tel: ...", the address)."""
    for line in (lines or ())[:12]:
        found = read([line]) if line.text.strip() else None
        if found:
            return found
    return None


def telephone(lines: Sequence[Line] | None) -> str | None:
    """The field's first line when it holds a phone number (six digits or more), as written."""
    text = first_value(lines)
    if not text:
        return None
    text = EMAIL_RE.sub(" ", text)
    text = re.sub(r"(?i)\b(?:e-?mail(?:\s+address)?)\s*[:\-]?\s*$", " ", text)
    text = _LABEL_PREFIX.sub("", squash(text)).strip(" ,;/|-")
    if sum(ch.isdigit() for ch in text) < 6 or is_placeholder(text):
        return None
    if len(text) > 60:  # more than a number and a note: keep the numbers only
        return " / ".join(squash(m.group(0)) for m in _PHONE.finditer(text)) or None
    return text


def name(lines: Sequence[Line] | None) -> str | None:
    """The referrer's name, without a job title or agency written after it on the same line."""
    return name_and_agency(lines)[0]


def name_and_agency(lines: Sequence[Line] | None) -> tuple[str | None, str | None]:
    """``"Sarah Quinn, Team Manager, Enfield Children's Social Care"`` -> the name and the agency;
    ``"Sue Barker (Health Visitor)"`` -> the name. A line that is not a name followed by job titles or
    organisations is kept whole ("HUSSAIN, Michelle" stays as written)."""
    text = first_value(lines)
    if not text:
        return None, None
    text = EMAIL_RE.sub(" ", text)
    text = squash(_PHONE.sub(" ", text)).strip(" ,;:-/|")
    if not text or is_placeholder(text) or not re.search(r"[^\W\d_]", text) or is_signoff(text):
        return None, None
    pieces = [p.strip(" ,;/|()") for p in re.split(r",\s+|\s+[-\u2013|/]\s+|\s*\(|\)\s*|\s+on\s+behalf\s+of\s+", text)]
    pieces = [p for p in pieces if p]
    untitled = _TITLE.sub("", pieces[0])  # "Dr Priya Raman": a title, not a job
    if len(pieces) < 2 or not _PERSON.match(pieces[0]) or _ORG_WORDS.search(pieces[0]) or _JOB_WORDS.search(untitled):
        return text, None
    rest = pieces[1:]
    if _JOB_WORDS.search(rest[0]) and len(rest) >= 2:
        # "Angela Moore - Team Manager, Eastmere Family Support": a name, a job, then where they work.
        later = [p for p in rest[1:] if not _JOB_WORDS.search(p) and p[:1].isupper()]
        agency = next((p for p in rest[1:] if _ORG_WORDS.search(p) and not _JOB_WORDS.search(p)), None)
        return pieces[0], agency or (later[0] if len(later) == 1 else None)
    if not all(_JOB_WORDS.search(p) or _ORG_WORDS.search(p) for p in rest):
        return text, None
    agency = next((p for p in rest if _ORG_WORDS.search(p) and not _JOB_WORDS.search(p)), None)
    return pieces[0], agency


def agency(lines: Sequence[Line] | None) -> str | None:
    text = first_value(lines)
    if not text:
        return None
    text = text.strip(" ,;:-")
    if is_placeholder(text) or is_signoff(text) or not re.search(r"[^\W\d_]", text):
        return None
    return text


def starts_with_job(text: str) -> bool:
    """``"Detective Sergeant, Child Abuse Investigation Team"``: a line whose first part is a job title."""
    first = re.split(r",\s+|\s*\|\s*|\s+[-\u2013]\s+", squash(text))[0]
    return bool(_JOB_WORDS.search(_TITLE.sub("", first)))


# -- the covering note's signature -----------------------------------------------------

_ORG_WORDS = re.compile(
    r"\b(?:council|borough|services?|police|constabulary|nhs|trust|foundation|hospitals?|school|academy|college|"
    r"university|company|crc|probation|ccg|clinical\s+commissioning|health|healthcare|department|agency|authority|"
    r"centre|center|clinic|surgery|practice|partnership|group|ltd|limited|plc|charity|nspcc|barnardo'?s|cafcass|"
    r"mash|camhs|cait|ppu|early\s+help|social\s+care|youth\s+offending|metropolitan|directorate|division|safeguarding\s+(?:children\s+)?"
    r"(?:board|partnership|team)|team|unit|housing|association|ministry|government|county|city|gov\.uk)\b",
    re.IGNORECASE,
)
_JOB_WORDS = re.compile(
    r"\b(?:manager|officer|worker|lead|head|director|nurse|doctor|dr|consultant|practitioner|co-?ordinator|"
    r"advis[eo]r|inspector|sergeant|constable|detective|ds|dc|di|teacher|headteacher|principal|deputy|assistant|"
    r"administrator|secretary|chair|specialist|therapist|psychologist|psychiatrist|paediatrician|midwife|visitor|"
    r"designated|named|senior|supervisor|caseworker|analyst|clerk|commissioner|partner|executive|governor|"
    r"chief|representative|member)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"@|https?://|www\.|\d{5,}|\b(?:tel|telephone|phone|mobile|mob|fax|email|e-mail|direct\s+line|ext)\b\s*[:.]?", re.IGNORECASE)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_TITLE = re.compile(r"^(?:dr|mr|mrs|ms|miss|mx|prof|professor|rev|revd)\.?\s+(?=\S)", re.IGNORECASE)
_PERSON = re.compile(r"^[A-Z][\w'\-]+(?:\s+[A-Z][\w'\-]*\.?){1,3}$")  # "Neil Patel", "Mary-Jane O'Neill"


def agency_from_signature(covering: Sequence[Line], referrer_name: str | None, sender_display: str | None = None,
                          *, signer_only: bool = False) -> str | None:
    """The organisation in the signature of a covering note, or None.

    The signature is the block after the last sign-off ("Kind regards,"), or
    after the signer's name when there is no sign-off. Lines naming the signer
    are passed over; the first line (or part of a line split at commas, bars or
    dashes) that reads as an organisation and not as a job title or contact
    detail is the agency. Failing that, a plain line right under the name.
    """
    texts = [squash(ln.text) for ln in covering]
    names = {n.lower() for n in (referrer_name, sender_display) if n}
    block = _signature_block(texts, names)
    if signer_only:  # only a signature that names the referrer speaks for the referrer's agency
        referrer = (referrer_name or "").lower()
        if not referrer or not any(text.lower() == referrer for text in block):
            return None
    for text in block:
        if _is_signer(text, names):
            continue
        for piece in [text, *re.split(r",\s+|\s*\|\s*|\s+[-\u2013]\s+", text)]:
            piece = piece.strip(" ,;|")
            if _usable(piece) and _ORG_WORDS.search(piece) and not _JOB_WORDS.search(piece):
                return piece
    if len(block) > 1 and _is_signer(block[0], names):
        text = block[1]
        if _usable(text) and not _JOB_WORDS.search(text) and not _is_signer(text, names) and len(text.split()) <= 8:
            return text
    return None


def _signature_block(texts: list[str], names: set[str]) -> list[str]:
    start = None
    for i, text in enumerate(texts):
        if is_signoff(text) and not text.startswith("--"):
            start = i + 1  # the last sign-off wins: an earlier "thanks" may be mid-note
    if start is None:
        start = next((i for i, text in enumerate(texts) if text and text.lower() in names), None)
    if start is None:
        return []
    block: list[str] = []
    for text in texts[start:start + 12]:
        if not text:
            if len(block) >= 2:
                break  # a blank line after the signature's first lines ends it
            continue
        block.append(text)
        if len(block) >= 6:
            break
    return block


def _is_signer(text: str, names: set[str]) -> bool:
    """A line that names the signer: their name as given, or a name-shaped line ("Neil", "Neil Patel")."""
    lower = text.lower()
    if lower in names or any(lower == name.split()[0] for name in names if name.split()):
        return True
    return bool(_PERSON.match(text) or re.fullmatch(r"[A-Z][a-z'\-]+", text)) and not _ORG_WORDS.search(text) and not _JOB_WORDS.search(text)


_GREETING = re.compile(r"^(?:hi|hello|dear|good\s+(?:morning|afternoon|evening)|morning|afternoon)\b", re.IGNORECASE)


def _usable(text: str) -> bool:
    return (bool(text) and not _CONTACT.search(text) and not _POSTCODE.search(text) and not re.match(r"^\d", text)
            and len(text) <= 100 and len(text.split()) <= 10  # an organisation's name, not a sentence
            and not text.rstrip().endswith(("?", ":")) and not _GREETING.match(text))
