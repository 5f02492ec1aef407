"""Confirming how a referral was read (issue 19): what was read beside the text it was read from, and a
person's corrections one value at a time.

A case opened from a referral the service could not be sure of (no subject, a subject without a date of
birth or role, values read by OCR, a "name" that looks like a place, an organisation, a heading or a
date) is listed in the daily intake report until the Business Manager confirms it with
``review-clerk case confirm REF``. This module gives that command what it shows and what it changes;
the confirmation itself (audited by field name, never by value) is :func:`service.cases.confirm_reading`.

Nothing here logs or raises with a value in the message: problems name the subject's number and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .outcome import limits_for
from .parsing import form_lines

if TYPE_CHECKING:  # pragma: no cover
    from service.bootstrap import App

ROLES = ("child", "adult", "unknown")


class CorrectionProblem(ValueError):
    """A correction that cannot be made; the message names the subject's number and the field only."""


@dataclass
class Corrections:
    """What a person corrects, subjects numbered as read (1 = the first subject shown)."""

    remove: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    dates_of_birth: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    relationships: dict[int, str] = field(default_factory=dict)
    addresses: dict[int, str] = field(default_factory=dict)
    add: list[str] = field(default_factory=list)  # new subjects by name (role unknown until set)

    def __bool__(self) -> bool:
        return any((self.remove, self.names, self.dates_of_birth, self.roles, self.relationships, self.addresses,
                    self.add))


def corrected_subjects(subjects: list[dict[str, Any]], c: Corrections) -> list[dict[str, Any]]:
    """``subjects`` (as `case confirm --json` gives them) with the corrections made; numbers refer to the
    subjects as read, so removing subject 2 leaves subject 3 still "3" for the other corrections.
    Raises :class:`CorrectionProblem`."""
    count = len(subjects)
    numbers = [*c.remove, *c.names, *c.dates_of_birth, *c.roles, *c.relationships, *c.addresses]
    for n in numbers:
        if not 1 <= n <= count:
            raise CorrectionProblem(f"there is no subject {n} (the referral was read with {count})")
    for n in set(c.remove) & set(numbers[len(c.remove):]):
        raise CorrectionProblem(f"subject {n} is both removed and corrected")
    for n, role in c.roles.items():
        if role not in ROLES:
            raise CorrectionProblem(f"subject {n}: the role is one of {', '.join(ROLES)}")
    for n, name in c.names.items():
        if not name.strip():
            raise CorrectionProblem(f"subject {n}: a name cannot be empty")
    out = []
    for n, s in enumerate(subjects, 1):
        if n in c.remove:
            continue
        s = dict(s)
        if n in c.names:
            s["name"] = " ".join(c.names[n].split())
        if n in c.dates_of_birth:
            s["date_of_birth"] = c.dates_of_birth[n].strip() or None
        if n in c.roles:
            s["role"] = c.roles[n]
        if n in c.relationships:
            s["relationship"] = c.relationships[n].strip() or None
        if n in c.addresses:
            s["address"] = c.addresses[n].strip() or None
        out.append(s)
    for name in c.add:
        if not name.strip():
            raise CorrectionProblem("a subject added needs a name")
        out.append({"name": " ".join(name.split()), "role": "unknown", "relationship": None, "date_of_birth": None,
                    "address": None})
    return out


def source_lines(app: "App", message_id: int | None) -> list[str]:
    """The lines of the referral's form as the service read them from the stored message ([] when the
    message is gone, e.g. emptied under the retention policy)."""
    if message_id is None:
        return []
    with app.db.unit_of_work() as uow:
        row = uow.inbox.find(message_id)
    if not row or not row.get("raw"):
        return []
    return form_lines(row["raw"], limits_for(app))


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"[^\W_]+", text or "")]


_CELL_SEPARATORS = (r"\t|\s[/|]\s|:\s|\s{2,}", r"\t|\s[/|]\s|:\s|,\s|\s{2,}")  # cells, then also an address's parts


def _cells(line: str, separators: str) -> list[list[str]]:
    return [_words(cell) for cell in re.split(separators, line)]


def beside(value: str | None, lines: list[str]) -> str | None:
    """The line of the source a value was read from: the first line with a cell (between tabs, slashes,
    a label's colon or commas) that is the value; else the first holding all of its words; else the one
    holding most of them; None when no line holds any."""
    wanted = _words(value or "")
    if not wanted or not lines:
        return None
    for separators in _CELL_SEPARATORS:
        for line in lines:
            if wanted in _cells(line, separators):
                return " ".join(line.split())
    best, best_count = None, 0
    for line in lines:
        have = set(_words(line))
        count = sum(1 for w in wanted if w in have)
        if count == len(wanted):
            return " ".join(line.split())
        if count > best_count:
            best, best_count = " ".join(line.split()), count
    return best
