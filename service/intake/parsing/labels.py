"""The label vocabulary: which words on a form introduce which field.

Agencies reword the board's form ("Date of referral", "Referral date", "Date
referred"; "Tel. No:", "Contact number"; "Child(ren) and adult(s) - names, DOBs
and address"), so a label is recognised in three steps, most specific first:

1. its normalised text (case, punctuation, plurals, "child(ren)", "d.o.b.",
   "e-mail" and possessives folded away) equals a known wording;
2. keyword rules, bounded by length so that a sentence of narrative that
   happens to contain "summary" is not a label;
3. a close fuzzy match to a known wording (typos), only where the source marks
   the text as a label anyway (it ends with a colon, is bold, or sits in a
   table's label cell).

:func:`match_label` only classifies a piece of text that is in a label's
position; deciding which text is in that position is the splitter's job
(:mod:`.fields`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

# Field keys. The referrer's are dotted like the names in `missing`.
SUBJECTS = "subjects"
SUBJECT_KEY = "subject_key"  # a per-person key ("Child's name", "DOB", "Address"): kept with its value
REFERRAL_DATE = "referral_date"
SUMMARY = "summary"
REQUEST = "request"
CRITERIA = "criteria_statement"
# "Reason for referral": the criteria on a form that has no criteria question, the summary on one that has
# (see form.values).
REASON = "reason"
NAME = "referrer.name"
AGENCY = "referrer.agency"
TELEPHONE = "referrer.telephone"
EMAIL = "referrer.email"
CONTACT = "referrer.contact"  # "Telephone / email": both in one answer
REFERRER_SECTION = "section.referrer"  # "Referrer details": a heading, not a field
IGNORE = "ignore"  # form furniture and fields the service does not read
BARE_NAME = "name?"  # "Name:" - the child's or the referrer's, by context
BARE_ADDRESS = "address?"  # "Address:" - the family's or the referrer's, by context

NARRATIVE = frozenset({SUMMARY, REQUEST, CRITERIA, REASON})
SINGLE_LINE = frozenset({REFERRAL_DATE, NAME, AGENCY, TELEPHONE, EMAIL, CONTACT})
CORE = frozenset({SUBJECTS, SUMMARY, REQUEST, CRITERIA, REASON})

# Known wordings, normalised by `normalise` at import.
_WORDINGS: dict[str, tuple[str, ...]] = {
    SUBJECTS: (
        "child and adult names, dates of birth and address",
        "child(ren) and adult(s) - names, DOBs and address",
        "names, dates of birth and addresses",
        "names, DOBs and addresses", "subjects", "subjects of the referral", "subject of referral",
        "family members", "household members", "family", "family details", "family composition",
        "household composition", "details of child/family", "child/family details", "child and family details",
        "details of child", "child details", "details of the children", "children's details",
        "details of children and adults", "persons involved", "people involved", "persons subject of the referral",
        "child(ren) details", "children and adults", "child and adult details", "names of child and family",
        "who is the referral about", "family members and household", "subject child and family",
        "who is this referral about", "children and family", "persons",
    ),
    SUBJECT_KEY: (
        "child's name", "name of child", "child name", "name of the child", "names of children", "full name of child",
        "child's date of birth", "date of birth", "DOB", "child's DOB", "child DOB",
        "mother's name", "name of mother", "father's name", "name of father", "parent's name", "parents",
        "parents/carers", "parent/carer", "parent(s)/carer(s) names", "siblings", "sibling names",
        "other children in household", "other children", "other household members", "other adults in household",
        "home address", "current address", "family address", "address of child", "child's address",
        "relationship to child", "relationship",
        "where does the child live", "where do they live", "where does the family live",
        "child's full name", "full name of the child",
    ),
    REFERRAL_DATE: (
        "date", "date of referral", "referral date", "date referred", "date of this referral", "date completed",
        "date form completed", "date submitted", "today's date", "date of request", "date sent",
        "when was the referral made", "date referral made", "date of this form",
    ),
    SUMMARY: (
        "summary", "summary of case", "case summary", "brief summary", "background", "summary of the case",
        "summary of incident", "incident summary", "brief summary of case", "background information",
        "brief outline of case", "case details", "details of incident", "description of incident",
        "brief description of incident", "circumstances", "circumstances of the incident", "what happened",
        "summary of concerns", "summary of events", "brief background",
        "what has happened", "brief summary of incident", "details of concerns", "brief summary of concerns",
        "details of the incident", "the incident", "summary of the incident", "details of the concerns",
    ),
    REQUEST: (
        "request/recommendations to the LSCB", "request / recommendations to the LSCB", "recommendation",
        "recommendations", "request to the board", "request", "request to the LSCB", "recommendation to the LSCB",
        "requests/recommendations", "what are you asking the LSCB to do", "action requested", "requested action",
        "recommended action", "recommendations to the board", "request to the safeguarding board",
        "what would you like the board to do", "what do you want the board to do", "what are you asking the board to do",
        "what we are asking the board to do", "request / recommendation",
        "what are you asking the partnership to do", "what do you want the partnership to do",
        "request to the partnership", "what would you like the partnership to do", "request to the safeguarding partnership",
    ),
    CRITERIA: (
        "please state how the case meets the criteria for an SCR using the criteria in Working Together 2013",
        "how the case meets the SCR criteria", "criteria", "SCR criteria", "how the case meets the criteria",
        "grounds for referral", "why does this case meet the criteria",
        "criteria met", "which criteria are met", "rationale", "rationale for referral",
        "how does the case meet the criteria for a serious case review",
        "why do you think the criteria for a review are met", "why the criteria are met",
        "reasons the criteria are met", "reasons why the criteria are met",
        "reasons the case meets the criteria", "how are the criteria met", "why are the criteria met",
        "why do you think the case meets the criteria",
    ),
    NAME: (
        "name of SCR panel member of the referring agency", "referring panel member", "panel member",
        "SCR panel member", "referrer", "name of referrer", "referrer name", "referrer's name", "referred by",
        "name of person referring", "person making the referral", "name of person making referral",
        "completed by", "form completed by", "referring professional", "referring officer",
        "referring practitioner", "name of referring officer", "contact name", "your name", "signed by",
        "name of panel member",
        "name of DSL", "DSL name", "DSL", "designated safeguarding lead", "name of designated safeguarding lead",
        "who is making this referral", "who is making the referral", "who is referring",
        "your name/role/agency", "your name, role and agency", "name/role/agency", "name and role", "name/role",
        "name and designation of referrer", "name and designation", "name and role of referrer",
    ),
    AGENCY: (
        "agency", "organisation", "organization", "referring agency", "agency name", "name of agency",
        "referring organisation", "referrer's agency", "referrer's organisation", "name of organisation",
        "agency/organisation", "organisation/agency", "service", "referring service", "employer",
        "unit", "agency/unit", "team", "department", "service/team", "agency/team",
    ),
    TELEPHONE: (
        "telephone", "tel", "tel no", "tel. no.", "telephone number", "phone", "phone number", "mobile",
        "mobile number", "contact number", "contact telephone", "contact telephone number", "direct line",
        "tel/mobile", "telephone/mobile", "work telephone", "office telephone", "landline",
    ),
    EMAIL: ("email", "e-mail", "email address", "e-mail address", "contact email", "secure email", "work email"),
    CONTACT: (
        "telephone/email", "tel/email", "phone/email", "contact details", "telephone and email", "phone and email",
        "contact telephone/email",
        "how can we contact you", "how can we contact the referrer", "contact details of referrer",
        "contact details of the referrer",
    ),
    REFERRER_SECTION: (
        "referrer details", "details of referrer", "referrer's details", "your details", "referrer information",
        "details of person making the referral", "referring agency details", "panel member details",
        "details of the referring panel member", "referrer contact details",
    ),
    IGNORE: (
        "meeting", "signature", "signed", "job title", "role", "position", "designation", "title",
        "date of incident", "incident date", "date of death", "date of serious incident",
        "agencies involved", "other agencies involved", "professionals involved", "agencies known to the family",
        "legal status", "ethnicity", "gender", "sex", "religion", "language", "first language", "disability",
        "gp", "school", "social worker", "allocated social worker", "case reference", "reference", "ref",
        "case number", "for office use", "for LSCB use only", "office use only", "received by", "date received",
        "decision", "outcome", "attachments", "enclosures", "chronology", "line manager", "manager",
        "date of notification", "notification date", "ofsted notified", "board", "to",
        "age", "nhs number", "upn", "child protection plan", "looked after",
        "officer in case", "oic", "crime reference", "crime number", "year group", "known as",
        "preferred name", "also known as", "aka",
    ),
    REASON: (
        "reason for referral", "reasons for referral", "reason for this referral", "reason for the referral",
        "reason for making this referral",
    ),
    BARE_NAME: ("name", "full name", "names", "forename", "surname", "first name", "last name"),
    BARE_ADDRESS: ("address", "address and postcode", "postcode", "addresses"),
}

_SINGULAR_EXCEPTIONS = {"children": "child", "people": "person", "persons": "person", "criteria": "criteria"}
_NUMBERING = re.compile(
    r"^\s*(?:\(?\d{1,2}(?:\.\d{1,2})?[.)]|\(?[a-hA-H][.)]|q\d{1,2}[.:)]?|(?:section|part)\s+(?:\d+|[a-h]\b)(?:\s*[-\u2013\u2014])?[.:]?"
    r"|\d{1,2}[a-h][.)]?|\d{1,2}\.\d{1,2}[a-h]?)\s+",  # also "1a Name", "2.3 Summary"
    re.IGNORECASE,
)
# A question put as a label: "What is the child's name?" reads as "child's name".
_QUESTION = re.compile(r"^(?:what|which)\s+(?:is|are)\s+(?:the|their|his|her|your)\s+(?=\S)", re.IGNORECASE)


def _singular(token: str) -> str:
    if token in _SINGULAR_EXCEPTIONS:
        return _SINGULAR_EXCEPTIONS[token]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def strip_numbering(text: str) -> str:
    """``"3. Summary"``, ``"(b) Date"``, ``"Q4: Criteria"`` -> the label without its number."""
    return _NUMBERING.sub("", text)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Fold a label's wording: ``"Child(ren)'s D.O.B.:"`` -> ``"child dob"``."""
    s = _QUESTION.sub("", strip_numbering(text).strip()).lower()
    s = s.replace("\u2019", "'").replace("`", "'").replace("&", " and ")
    s = re.sub(r"\((?:s|es|ren)\)", "", s)  # child(ren), adult(s)
    s = re.sub(r"\bd\s*\.?\s*o\s*\.?\s*b\b\.?", "dob", s)
    s = re.sub(r"\be\s*-\s*mail", "email", s)
    s = re.sub(r"\btel\s*\.", "tel ", s)
    s = re.sub(r"'s\b", "", s)  # possessives: child's name -> child name
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(_singular(t) for t in s.split())


_EXACT: dict[str, str] = {}
for _field, _texts in _WORDINGS.items():
    for _text in _texts:
        _EXACT.setdefault(normalise(_text), _field)
# Words a label is made of: those of the known wordings, and the words forms use to ask for things.
# A rule only recognises a label made mostly of these, so "Freya Ahmed (child) - DOB:" or
# "Karen Smith Tel:" (a name before the colon) is not taken for a label.
_LABEL_WORDS = {tok for w in _EXACT for tok in w.split()} | set((
    "a an and any are as at be by describe detail doe does explain for from give giving has have "
    "how in include including involved is it its list of on or outline please provide should state "
    "that their this threshold to was were what when where which who why with you your he she they "
    "them briefly brief short full main current concern concerns incident event key issue reason "
    "referral referring referrer referred review serious case scr lscb board panel member agency "
    "service contact number tel telephone phone mobile email address name dob birth child adult "
    "family household subject sibling parent carer mother father person people young involved known "
    "criterion criteria met meet summary background recommendation request action requested "
    "recommended date completed submitted sent today form unit team department dsl designated lead like "
    "want ask asking live lives making contact we us would do partnership notification notifying "
    "notifier officer"
).split())
_FUZZY_MAX_CHARS = 60  # typos are looked for in short labels only; long ones are caught by the rules
_FUZZY_BY_LENGTH: dict[int, list[str]] = {}
for _w in _EXACT:
    if 5 <= len(_w) <= _FUZZY_MAX_CHARS + 10:
        _FUZZY_BY_LENGTH.setdefault(len(_w), []).append(_w)


def _close_wording(n: str) -> str | None:
    """The known wording within a few typos of ``n`` (similarity >= 0.86).

    Only wordings of about the same length and the same first letter are
    compared, which keeps this cheap on long messages full of colons.
    """
    slack = max(2, len(n) // 6)
    choices = [
        w for size in range(len(n) - slack, len(n) + slack + 1) for w in _FUZZY_BY_LENGTH.get(size, ()) if w[0] == n[0]
    ]
    close = difflib.get_close_matches(n, choices, n=1, cutoff=0.86)
    return close[0] if close else None


@dataclass(frozen=True)
class LabelMatch:
    field: str
    how: str  # "exact" | "rule" | "fuzzy"


def _rule(tokens: list[str], n: str) -> str | None:
    """Keyword rules for wordings not in the list. Order matters: most specific first."""
    t = set(tokens)
    k = len(tokens)
    phone = bool(t & {"tel", "telephone", "phone", "mobile", "landline"}) or "contact number" in n or "direct line" in n
    if "email" in t and k <= 6:
        return CONTACT if phone else EMAIL
    if phone and k <= 6:
        return TELEPHONE
    numeric = any(tok.isdigit() for tok in tokens)
    if ("dob" in t or ("birth" in t and "date" in t)) and not numeric:
        # "Child's DOB" is one person's key; "Names, DOBs and address of child and adults" is the section.
        if k <= 4 and not t & {"name", "adult", "family", "household", "and"}:
            return SUBJECT_KEY
        return SUBJECTS if k <= 16 else None
    if "date" in t and k <= 6:
        if t & {"birth", "incident", "death", "event", "meeting", "notification", "received", "decision", "strategy"}:
            return IGNORE
        if t & {"referral", "referred", "completed", "submitted", "today", "form", "sent", "request"}:
            return REFERRAL_DATE
    if t & {"criteria", "criterion", "threshold"} and k <= 30:
        return CRITERIA
    if "meet" in t and t & {"scr", "review", "serious"} and k <= 30:
        return CRITERIA
    if "reason" in t and t & {"referral", "referring", "notification", "notifying"} and k <= 8:
        return REASON
    if ("reason" in t or "ground" in t or "rationale" in t) and t & {"referral", "referring", "scr", "review"} and k <= 8:
        return CRITERIA
    if t & {"board", "lscb", "panel", "chair", "partnership", "partner", "scrutineer"} and t & {
            "ask", "asking", "want", "like", "request", "requesting"} and k <= 12:
        return REQUEST
    if "recommendation" in t and k <= 14:
        return REQUEST
    if tokens[0] == "request" and k <= 10:
        return REQUEST
    if "summary" in t and k <= 10:
        return SUMMARY
    if tokens[0] in {"background", "circumstance"} and k <= 8:
        return SUMMARY
    if "panel" in t and "member" in t and k <= 14:
        return REFERRER_SECTION if "detail" in t else NAME
    if t & {"agency", "organisation", "organization", "employer"} and k <= 6:
        if "detail" in t:
            return REFERRER_SECTION
        if t & {"person", "officer", "professional", "practitioner", "worker", "contact"}:
            return NAME
        return AGENCY
    if t & {"referrer", "referring", "referred", "notifying", "notifier"} and k <= 8:
        if t & {"detail", "information"}:
            return REFERRER_SECTION
        if t & {"address", "role", "title", "designation", "position", "signature"}:
            return IGNORE
        if t & {"team", "unit", "department", "service", "agency", "organisation", "organization"}:
            return AGENCY  # "Referrer team", "Referring service"
        if t & {"referrer", "by", "name", "professional", "officer", "practitioner", "notifier"}:
            return NAME
    if ("completed" in t or "signed" in t) and "by" in t and k <= 6:
        return NAME
    if "who" in t and t & {"referring", "referral", "referrer"} and k <= 8:
        return NAME
    if "name" in t and k <= 12 and t & {"child", "adult", "family", "subject", "sibling", "parent", "carer", "mother", "father", "person"}:
        return SUBJECTS if k > 4 or t & {"adult", "family"} else SUBJECT_KEY
    if "child" in t and t & {"adult", "family", "household", "address"} and k <= 16:
        return SUBJECTS
    if t & {"family", "household"} and t & {"member", "detail", "composition"} and k <= 6:
        return SUBJECTS
    return None


@lru_cache(maxsize=8192)
def match_label(text: str, *, marked: bool = False) -> LabelMatch | None:
    """The field that ``text`` names when used as a label, or None.

    ``marked`` says the source already presents ``text`` as a label (it was
    followed by a colon, was bold, or filled a table's label cell); only then
    are near-misses (typos) accepted.
    """
    n = normalise(text)
    if not n or len(n) > 220:
        return None
    found = _match(n)
    if (found is None or found.field == IGNORE) and "/" in text:
        # "Date of notification / referral", "Referral / notification date": one of the dates is the referral's.
        for alternative in _slash_alternatives(text):
            other = _match(normalise(alternative))
            if other is not None and other.field == REFERRAL_DATE:
                return other
    if found is None and _english_side(text) is not None:
        return match_label(_english_side(text), marked=marked)
    if found is None and marked and 5 <= len(n) <= _FUZZY_MAX_CHARS:
        close = _close_wording(n)
        if close:
            return LabelMatch(_EXACT[close], "fuzzy")
    return found


def _slash_alternatives(text: str) -> list[str]:
    """The wordings a label with two alternatives stands for: "Date of notification / referral" ->
    "Date of notification", "Date of referral"; "Referral / notification date" -> "Referral date", ..."""
    parts = [p.strip() for p in re.split(r"\s*/\s*", text.strip().rstrip(":")) if p.strip()]
    if len(parts) != 2:
        return []
    first, second = parts
    out = [first, second]
    head = re.match(r"(?i)^(.*\bof)\s+\S+$", first)
    if head and len(second.split()) <= 2:
        out.append(f"{head.group(1)} {second}")
    if len(first.split()) <= 2 and len(second.split()) >= 2:
        out.append(f"{first} {second.split()[-1]}")
    return out


def _english_side(text: str) -> str | None:
    """A label in another language and then English ("Imię i nazwisko dziecka / Child's name"): the English,
    when it is a known wording and the other side is nothing we know."""
    if text.count(" / ") != 1:
        return None
    other, english = text.split(" / ")
    if re.search(r"\d", other) or _EXACT.get(normalise(english)) is None or normalise(other) in _EXACT:
        return None
    return english if _match(normalise(other)) is None else None


def in_english(text: str) -> str:
    """``text``, or the English side of a label written in two languages (see :func:`match_label`)."""
    if _match(normalise(text)) is None:
        return _english_side(text) or text
    return text


def _match(n: str) -> LabelMatch | None:
    tokens = n.split()
    if len(tokens) > 30:
        return None
    if n in _EXACT:
        return LabelMatch(_EXACT[n], "exact")
    field = _rule(tokens, n)
    if field and sum(tok in _LABEL_WORDS for tok in tokens) >= 0.6 * len(tokens):
        return LabelMatch(field, "rule")
    return None


_PREFIXES = {" ".join(w.split()[:k]) for w in _EXACT for k in range(1, len(w.split()))}


def is_label_prefix(text: str) -> bool:
    """True when ``text`` is the start of a known wording (a label broken over lines)."""
    n = normalise(text)
    return len(n) >= 12 and n in _PREFIXES


# Columns of a people table.
_COLUMNS = {
    "name": ("name", "full name", "names", "child name", "name of child", "person", "family member", "subject"),
    "forename": ("forename", "first name", "given name", "forenames", "first names", "christian name"),
    "surname": ("surname", "last name", "family name"),
    "relationship": (
        "relationship", "relationship to child", "relationship to subject", "relationship to the child",
        "role", "relation", "family role", "status", "connection", "relationship to subject child",
    ),
    "dob": ("dob", "date of birth", "birth date", "born", "dob age", "date of birth age", "d o b"),
    "age": ("age", "age at incident", "age at referral"),
    "address": ("address", "home address", "current address", "address and postcode", "address postcode", "residence"),
    # An address set out over several columns (Street | Town | Postcode): each a part, joined in column order.
    "address_part": ("street", "street name", "road", "house", "house number", "house name", "house no",
                     "number and street", "address line 1", "address line 2", "address line 3", "address 1",
                     "address 2", "town", "city", "town city", "village", "area", "county", "postcode", "post code"),
}
ADDRESS_PART = "address_part"
_COLUMN_EXACT = {normalise(w): col for col, words in _COLUMNS.items() for w in words}


def match_column(text: str) -> str | None:
    """Which people-table column a header cell names (name, forename, surname, relationship, dob, age, address)."""
    n = normalise(text)
    if not n:
        return None
    if n in _COLUMN_EXACT:
        return _COLUMN_EXACT[n]
    t = set(n.split())
    if len(t) > 6:
        return None
    if "dob" in t or ("birth" in t and "date" in t):
        return "dob"
    if "address" in t:
        return "address"
    if "relationship" in t or "relation" in t:
        return "relationship"
    if "name" in t:
        return "name"
    return None
