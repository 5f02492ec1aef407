"""Instructions staff give by replying to the service's mail. Pure: text in, instruction out.

Three are understood, each on the first line of what the sender wrote (quoted
history below it is ignored):

* ``done`` - in a reply to a reminder or escalation: that deadline is met;
* ``Undo`` - in a reply to the confirmation of a decision taken by email, while
  its letters are held: the decision is withdrawn;
* ``Decision: <outcome>`` - the Chair's decision on a case (PROCESS.md stage 4),
  the outcome in words: one of the ``phrasings`` of the outcomes of the decision
  open on the case, in the case's procedure pack (for the SCR pack ``serious case
  review`` or ``SCR``, ``management review``, ``alternative review``, ``no
  review``), its reasons after it on the same line or on the lines below::

      Decision: serious case review
      The threshold in Working Together is met: ...

Who may give them, and what is done, is decided by :mod:`service.intake.case_replies`; this
module only reads the words. A message that starts ``Decision:`` but cannot be
read gives an :class:`Unreadable` with the reason, so that the sender can be
told what to write instead; anything else gives ``None`` (an ordinary reply).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from service.domain.procedure import Outcome, Procedure

DONE = "done"
UNDO = "undo"

_DECISION = re.compile(r"^\s*\**\s*decision\s*\**\s*[:\-–—]\s*\**\s*(?P<rest>.*)$", re.IGNORECASE)
_PUNCTUATION = re.compile(r"^[\s:;,.\-–—()]+")
_BECAUSE = re.compile(r"^(?:because|since|reasons?\s*:?)\s*", re.IGNORECASE)
_SIGNOFF = re.compile(
    r"^\s*(?:--\s*$|kind\s+regards|best\s+regards|regards|many\s+thanks|thanks|thank\s+you|best\s+wishes|"
    r"yours\s+(?:sincerely|faithfully)|sent\s+from\s+my)\b", re.IGNORECASE)
_ARTICLE = r"(?:(?:a|an|the)\s+)?"
MAX_REASON = 4000


def outcomes_for(procedure: "Procedure", stage: str) -> tuple["Outcome", ...]:
    """The outcomes a reply may give on a case at ``stage``: those of the decision open there, else those of the
    procedure's first decision (so that a decision given too late is read, and refused with its reason)."""
    decision = procedure.decision_for(stage) or (procedure.decisions[0] if procedure.decisions else None)
    return decision.outcomes if decision is not None else ()


def _words(phrasing: str) -> str:
    """A phrasing as a pattern: any run of white space between its words."""
    return r"\s+".join(re.escape(w) for w in phrasing.split())


@functools.lru_cache(maxsize=64)
def _patterns(outcomes: tuple["Outcome", ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, outcome id) for every phrasing, longest first; each matched at the start of the text after
    "Decision:", after an optional article, and ending at a word boundary."""
    phrasings = sorted(((p, o.id) for o in outcomes for p in o.phrasings if p.strip()),
                       key=lambda po: len(" ".join(po[0].split())), reverse=True)
    return tuple((re.compile(rf"^{_ARTICLE}{_words(p)}(?!\w)", re.IGNORECASE), oid) for p, oid in phrasings)


def _first_phrasings(outcomes: Sequence["Outcome"]) -> list[str]:
    return [o.phrasings[0] if o.phrasings else o.label.lower() for o in outcomes]


def how(outcomes: Sequence["Outcome"]) -> str:
    """How to write a decision in a reply, from the outcomes' first phrasings."""
    said = [f"'Decision: {p}'" for p in _first_phrasings(outcomes)]
    if not said:
        return "no decision is taken by reply under this case's procedure"
    listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} or {said[-1]}"
    return f"write the first line as {listed}, with the reasons after it"


def _negated(rest: str, outcomes: tuple["Outcome", ...]) -> tuple["Outcome", str] | None:
    """(the outcome "no <outcome>" names, the words) for "no SCR": it does not say which of the others is meant."""
    m = re.match(r"^no\s+", rest, re.IGNORECASE)
    if not m:
        return None
    for pattern, oid in _patterns(outcomes):
        found = pattern.match(rest[m.end():])
        if found:
            return next(o for o in outcomes if o.id == oid), " ".join(rest[:m.end() + found.end()].split())
    return None


@dataclass(frozen=True)
class Decision:
    outcome: str  # the outcome's id in the case's procedure
    reason: str


@dataclass(frozen=True)
class Unreadable:
    """The sender asked for something that cannot be done as written; ``why`` says what to change."""

    what: str
    why: str


def first_line(new_text: list[str]) -> str:
    """The first non-blank line, lower case, without trailing punctuation (what 'done' is compared with)."""
    for line in new_text:
        if line.strip():
            return line.strip().strip(".!*").strip().lower()
    return ""


def is_done(new_text: list[str]) -> bool:
    return first_line(new_text) == DONE


def is_undo(new_text: list[str]) -> bool:
    """"Undo" as the whole first line: withdraw a decision taken by email while its letters are held."""
    return first_line(new_text) == UNDO


def decision(new_text: list[str], outcomes: Sequence["Outcome"]) -> Decision | Unreadable | None:
    """The decision the text gives, one of ``outcomes`` (those of the case's open decision, see
    :func:`outcomes_for`) matched by their phrasings; an :class:`Unreadable` if it starts ``Decision:`` but
    says no outcome or no reasons, or None when it is not a decision at all."""
    outcomes = tuple(outcomes)
    lines = [line.rstrip() for line in new_text]
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return None
    m = _DECISION.match(lines[start])
    if not m:
        return None
    rest = m.group("rest").strip()
    outcome = None
    for pattern, candidate in _patterns(outcomes):
        found = pattern.match(rest)
        if found:
            outcome, rest = candidate, rest[found.end():]
            break
    if outcome is None:
        negated = _negated(rest, outcomes)
        if negated is not None and len(outcomes) > 1:
            said, words = negated
            others = [p for o, p in zip(outcomes, _first_phrasings(outcomes)) if o is not said]
            listed = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} or {others[-1]}"
            return Unreadable("decision", f"'{words}' does not say whether there is to be {listed}: {how(outcomes)}")
        return Unreadable("decision", f"the outcome was not recognised: {how(outcomes)}")
    reason_lines = [_BECAUSE.sub("", _PUNCTUATION.sub("", rest)).strip()]
    for line in lines[start + 1:]:
        if _SIGNOFF.match(line):
            break
        reason_lines.append(line.strip())
    reason = "\n".join(reason_lines).strip()
    reason = re.sub(r"\n{3,}", "\n\n", reason)
    if not reason:
        return Unreadable("decision", "a decision needs its reasons (they go to the National Panel when it is "
                                      f"not a serious case review): {how(outcomes)}")
    return Decision(outcome, reason[:MAX_REASON])
