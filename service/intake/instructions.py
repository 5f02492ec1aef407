"""Instructions staff give by replying to the service's mail. Pure: text in, instruction out.

Three are understood, each on the first line of what the sender wrote (quoted
history below it is ignored):

* ``done`` - in a reply to a reminder or escalation: that deadline is met;
* ``Undo`` - in a reply to the confirmation of a decision taken by email, while
  its letters are held: the decision is withdrawn;
* ``Decision: <outcome>`` - the Chair's decision on a case (PROCESS.md stage 4),
  the outcome in words (``serious case review`` or ``SCR``, ``management
  review``, ``alternative review``, ``no review``), its reasons after it on the
  same line or on the lines below::

      Decision: serious case review
      The threshold in Working Together is met: ...

Who may give them, and what is done, is decided by :mod:`service.intake.case_replies`; this
module only reads the words. A message that starts ``Decision:`` but cannot be
read gives an :class:`Unreadable` with the reason, so that the sender can be
told what to write instead; anything else gives ``None`` (an ordinary reply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain.model_types import Outcome

DONE = "done"
UNDO = "undo"

# The outcome as people write it, longest first; matched at the start of the text after "Decision:".
_OUTCOME_WORDS: tuple[tuple[str, Outcome], ...] = (
    (r"(?:a\s+)?serious\s+case\s+review", Outcome.SCR),
    (r"(?:an?\s+)?(?:scr)\b", Outcome.SCR),
    (r"(?:a\s+)?management\s+review", Outcome.MANAGEMENT_REVIEW),
    (r"mr\b", Outcome.MANAGEMENT_REVIEW),
    (r"(?:an?\s+)?alternative\s+(?:form\s+of\s+)?review", Outcome.ALTERNATIVE_REVIEW),
    (r"no\s+(?:further\s+)?review", Outcome.NONE),
    (r"none\b", Outcome.NONE),
)
_OUTCOMES = [(re.compile(rf"^{words}", re.IGNORECASE), outcome) for words, outcome in _OUTCOME_WORDS]
_DECISION = re.compile(r"^\s*\**\s*decision\s*\**\s*[:\-–—]\s*\**\s*(?P<rest>.*)$", re.IGNORECASE)
_PUNCTUATION = re.compile(r"^[\s:;,.\-–—()]+")
_BECAUSE = re.compile(r"^(?:because|since|reasons?\s*:?)\s*", re.IGNORECASE)
_SIGNOFF = re.compile(
    r"^\s*(?:--\s*$|kind\s+regards|best\s+regards|regards|many\s+thanks|thanks|thank\s+you|best\s+wishes|"
    r"yours\s+(?:sincerely|faithfully)|sent\s+from\s+my)\b", re.IGNORECASE)
_AMBIGUOUS = re.compile(r"^no\s+(?:scr|serious\s+case\s+review)\b", re.IGNORECASE)
MAX_REASON = 4000

HOW = ("write the first line as 'Decision: serious case review', 'Decision: management review', "
       "'Decision: alternative review' or 'Decision: no review', with the reasons after it")


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
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


def decision(new_text: list[str]) -> Decision | Unreadable | None:
    """The decision the text gives, an :class:`Unreadable` if it starts ``Decision:`` but says no
    outcome or no reasons, or None when it is not a decision at all."""
    lines = [line.rstrip() for line in new_text]
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return None
    m = _DECISION.match(lines[start])
    if not m:
        return None
    rest = m.group("rest").strip()
    if _AMBIGUOUS.match(rest):
        return Unreadable("decision", "'no SCR' does not say whether there is to be a management review, an "
                                      f"alternative review or no review: {HOW}")
    outcome = None
    for pattern, candidate in _OUTCOMES:
        found = pattern.match(rest)
        if found:
            outcome, rest = candidate, rest[found.end():]
            break
    if outcome is None:
        return Unreadable("decision", f"the outcome was not recognised: {HOW}")
    reason_lines = [_BECAUSE.sub("", _PUNCTUATION.sub("", rest)).strip()]
    for line in lines[start + 1:]:
        if _SIGNOFF.match(line):
            break
        reason_lines.append(line.strip())
    reason = "\n".join(reason_lines).strip()
    reason = re.sub(r"\n{3,}", "\n\n", reason)
    if not reason:
        return Unreadable("decision", "a decision needs its reasons (they go to the National Panel when it is "
                                      f"not a serious case review): {HOW}")
    return Decision(outcome, reason[:MAX_REASON])
