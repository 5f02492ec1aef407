"""Welsh and bilingual (Welsh / English) forms.

Boards in Wales use bilingual forms: "Enw / Name", "Dyddiad geni / Date of birth",
or the two wordings on two lines of one label cell. The English wording is what
the rest of the parser knows, so :func:`english` rewrites the Welsh form words in a
line: where a Welsh wording stands beside its English one (a slash between, or
one straight after the other) the Welsh one is dropped; where it stands alone as
a label (at the start of the line, or the whole line) it is put in English.

Only the words forms use for their labels and stock phrases are known here, so
names and free text (an agency called "Heddlu De Cymru / South Wales Police")
are left as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Welsh form wording -> English. Longest wordings are tried first.
_GLOSSARY: dict[str, str] = {
    "enw llawn y plentyn": "child's full name",
    "enw'r plentyn": "child's name",
    "enw plentyn": "child's name",
    "enw llawn": "full name",
    "enw'r atgyfeiriwr": "referrer's name",
    "enw": "name",
    "dyddiad geni": "date of birth",
    "dyddiad yr atgyfeiriad": "date of referral",
    "dyddiad atgyfeirio": "date of referral",
    "dyddiad": "date",
    "cyfeiriad e-bost": "email address",
    "cyfeiriad cartref": "home address",
    "cyfeiriad": "address",
    "yr un cyfeiriad": "same address",
    "plentyn": "child",
    "mam": "mother",
    "tad": "father",
    "llystad": "stepfather",
    "llysfam": "stepmother",
    "rhiant": "parent",
    "rhieni": "parents",
    "gofalwr": "carer",
    "brawd": "brother",
    "chwaer": "sister",
    "perthynas": "relationship",
    "crynodeb": "summary",
    "crynodeb o'r achos": "summary of case",
    "cais": "request",
    "cais i'r bwrdd": "request to the board",
    "argymhelliad": "recommendation",
    "argymhellion": "recommendations",
    "meini prawf": "criteria",
    "sut mae'r achos yn bodloni'r meini prawf": "how the case meets the criteria",
    "atgyfeiriwr": "referrer",
    "asiantaeth": "agency",
    "sefydliad": "organisation",
    "ffôn": "telephone",
    "rhif ffôn": "telephone number",
    "e-bost": "email",
    "manylion yr atgyfeiriwr": "referrer details",
}
_WORDS = sorted(_GLOSSARY, key=len, reverse=True)
_ALT = "|".join(re.escape(w).replace("'", "['\u2019]") for w in _WORDS)
_B = r"(?<![\w'\u2019-])"  # a Welsh wording starts and ends on a word boundary (apostrophes are inside words)
_E = r"(?![\w'\u2019-])"
# "Enw / Name", "dyddiad geni / DOB": the Welsh wording, a slash, then the English.
_BEFORE_SLASH = re.compile(_B + r"(" + _ALT + r")" + _E + r"\s*/\s*(?=\S)", re.IGNORECASE)
# "Name / Enw": the English, a slash, then the Welsh (before the colon or the end of the label).
_AFTER_SLASH = re.compile(r"(?<=\S)\s*/\s*" + _B + r"(" + _ALT + r")" + _E + r"(?=\s*(?::|$|\t))", re.IGNORECASE)
# A Welsh label alone: the whole line, or the start of the line before a colon.
_ALONE = re.compile(r"^(\W{0,3})(" + _ALT + r")" + _E + r"(?=\s*(?::|$|\t))", re.IGNORECASE)
# Cheap test before the regular expressions: some Welsh form word is in the text.
_HINT = re.compile(r"enw|dyddiad|cyfeiriad|plentyn|\bmam\b|\btad\b|rhian|rhieni|gofalwr|brawd|chwaer|perthynas|crynodeb|"
                   r"\bcais\b|argymhell|meini|atgyfeir|asiantaeth|sefydliad|ffôn|e-bost|llys|manylion", re.IGNORECASE)


def _key(text: str) -> str:
    return text.lower().replace("\u2019", "'")


@lru_cache(maxsize=8192)
def english(text: str) -> str:
    """``text`` with the Welsh form wording of a bilingual (or Welsh) label put in English."""
    if not text or not _HINT.search(text):
        return text
    out = text
    # Two wordings of one label on two lines of a cell ("Dyddiad geni\nDate of birth"): the Welsh line goes.
    lines = out.split("\n")
    if len(lines) > 1:
        kept = [ln for i, ln in enumerate(lines)
                if not (i + 1 < len(lines) and _key(ln.strip().rstrip(":")) in _GLOSSARY and lines[i + 1].strip())]
        out = "\n".join(kept)
    out = _BEFORE_SLASH.sub("", out)
    out = _AFTER_SLASH.sub("", out)
    m = _ALONE.match(out)
    if m:
        out = m.group(1) + _GLOSSARY[_key(m.group(2))] + out[m.end():]
    return out
