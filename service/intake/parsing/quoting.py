"""Where a message body stops being new text: forwarded and quoted history.

A body is cut into :class:`Segment` objects: the new text, then each
forwarded or quoted message below it, recognised by

- separators: ``-----Original Message-----``, ``---------- Forwarded message
  ---------``, ``Begin forwarded message:``, Outlook's line of underscores;
- header blocks: ``From:`` followed by ``Sent:``/``Date:``/``To:``/``Subject:``
  lines (Outlook and Gmail put these under the separator, newer Outlook uses
  them alone);
- ``On <date>, <name> wrote:`` (possibly broken over two lines) and runs of
  ``>``-quoted lines.

Header lines are dropped (their ``Date:``/``Subject:`` are not form labels)
and ``>`` markers are removed, so that a form forwarded or quoted in full can
still be read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .text import BREAK, Line

_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original\s+message|forwarded\s+message|message\s+d'origine|message\s+transf[ée]r[ée])\s*-{2,}"
    r"|begin\s+forwarded\s+message\s*:?"
    r"|_{8,}"
    r"|-{5,}\s*forwarded\s+by\b.*"
    r"|-{2,}\s*(?:original|forwarded)\s+message\s*:?)\s*$",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^\s*\*?(from|sent|date|to|cc|bcc|subject|reply-to|importance|sender|attachments?)\*?\s*:", re.IGNORECASE)
_ON_WROTE = re.compile(r"^\s*on\b.{4,240}\bwrote\s*:?\s*$", re.IGNORECASE)
_QUOTE_MARK = re.compile(r"^(?:\s?>)+\s?")

NEW = "new"
FORWARD = "forward"
REPLY = "reply"


@dataclass
class Segment:
    kind: str  # NEW, FORWARD or REPLY
    lines: list[Line] = field(default_factory=list)


def segments(lines: Sequence[Line]) -> list[Segment]:
    """The body cut at each forwarded or quoted message. The first segment is the new text."""
    out = [Segment(NEW)]
    quoted_before = False
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        raw = line.text
        quoted = bool(_QUOTE_MARK.match(raw))
        text = _QUOTE_MARK.sub("", raw) if quoted else raw
        if _SEPARATOR.match(text):
            out.append(Segment(FORWARD))
            i = _skip_header_block(lines, i + 1)
            quoted_before = quoted
            continue
        wrote = _on_wrote(lines, i)
        if wrote:
            out.append(Segment(REPLY))
            i += wrote
            quoted_before = True
            continue
        if _starts_header_block(lines, i):
            out.append(Segment(FORWARD))
            i = _skip_header_block(lines, i)
            quoted_before = quoted
            continue
        if quoted and not quoted_before and out[-1].kind == NEW:
            out.append(Segment(REPLY))
        quoted_before = quoted if text else quoted_before
        out[-1].lines.append(Line(text, line.kind, line.emphasis, line.in_table, line.person, line.edge) if text else BREAK)
        i += 1
    return [s for s in out if any(ln.text for ln in s.lines) or s.kind == NEW]


def new_text(lines: Sequence[Line]) -> list[Line]:
    """Only what the sender wrote in this message: the first segment."""
    return segments(lines)[0].lines


def _on_wrote(lines: Sequence[Line], i: int) -> int:
    text = _QUOTE_MARK.sub("", lines[i].text)
    if not text.lower().startswith("on "):
        return 0
    if _ON_WROTE.match(text):
        return 1
    if i + 1 < len(lines):
        joined = text + " " + _QUOTE_MARK.sub("", lines[i + 1].text)
        if len(joined) < 300 and _ON_WROTE.match(joined):
            return 2
    return 0


def _header_name(text: str) -> str | None:
    m = _HEADER.match(_QUOTE_MARK.sub("", text))
    return m.group(1).lower() if m else None


def _starts_header_block(lines: Sequence[Line], i: int) -> bool:
    """``From:`` (or ``Sent:``) followed closely by at least two more header lines.

    Without a separator line above it, a block counts only if it has Outlook's
    ``Sent:`` or an address in ``From:`` - so that a memo-style form ("From: Jo
    Bloggs / To: LSCB / Date: 5/3/2014") keeps its date.
    """
    if _header_name(lines[i].text) not in ("from", "sent"):
        return False
    if _header_name(lines[i].text) == "from" and "@" not in lines[i].text and not any(
        _header_name(line.text) == "sent" for line in lines[i + 1:i + 8]
    ):
        return False
    seen = {_header_name(lines[i].text)}
    for line in lines[i + 1:i + 8]:
        name = _header_name(line.text)
        if name:
            seen.add(name)
        elif line.text and not _continues_address_list(line.text):
            break
    return len(seen & {"from", "sent", "date", "to", "subject", "cc"}) >= 3 and bool(seen & {"sent", "date", "subject"})


def _continues_address_list(text: str) -> bool:
    return "@" in text or text.rstrip().endswith(";")


def _skip_header_block(lines: Sequence[Line], i: int) -> int:
    """Index after the header lines (and blank lines) that follow a separator."""
    n = len(lines)
    while i < n and not lines[i].text:
        i += 1
    last_header: str | None = None
    while i < n:
        text = lines[i].text
        name = _header_name(text)
        if name:
            last_header = name
        elif text and last_header in ("to", "cc", "bcc") and _continues_address_list(text):
            pass
        else:
            break
        i += 1
    return i
