"""Which procedure a referral opens under, when the board runs several packs side by side.

Each pack lists the phrases its referrals carry (``referral_wordings``: "serious incident notification",
"safeguarding adults review"...). The subject is read first, then the names of the attachments, then the
form's own words (the body's opening and what the parser read as the request and the criteria). The
longest phrase found in the first place that has one wins (a "rapid review" in the subject beats a
"review" in the body); a referral that names no pack's phrase opens under the default pack.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from service.domain.procedure import Procedure

BODY_CHARS = 4000  # the form's heading and first section; a phrase further down is quoted history


def choose(procedures: Iterable["Procedure"], default: "Procedure", places: Iterable[str]) -> "Procedure":
    """The pack whose phrase appears first in ``places`` (in order); ``default`` when none does."""
    packs = [p for p in procedures if p.referral_wordings]
    if not packs:
        return default
    patterns = [(p, re.compile(r"(?<!\w)" + re.escape(w.strip()).replace(r"\ ", r"\s+") + r"(?!\w)", re.I), len(w))
                for p in packs for w in p.referral_wordings]
    for text in places:
        if not text:
            continue
        found = [(length, -n, p) for n, (p, rx, length) in enumerate(patterns) if rx.search(text)]
        if found:
            return max(found, key=lambda f: (f[0], f[1]))[2]
    return default


def places_in(subject: str, msg: Message | None, parsed: dict[str, Any]) -> list[str]:
    """Where a referral says what it is, most telling first: subject, attachment names, the form's words."""
    names: list[str] = []
    body = ""
    if msg is not None:
        for part in msg.walk():
            filename = part.get_filename()
            if filename:
                names.append(str(filename))
            elif not body and part.get_content_type() == "text/plain":
                try:
                    payload = part.get_payload(decode=True) or b""
                    body = payload[:BODY_CHARS * 4].decode(part.get_content_charset() or "utf-8", "replace")
                except (LookupError, ValueError):
                    body = ""
    form = " ".join(str(parsed.get(k) or "") for k in ("criteria_statement", "request"))
    return [subject, " ".join(names), body[:BODY_CHARS], form]
