"""Instructions staff give by replying to the service's mail. Pure: text in, instruction out.

Two are understood, each on the first line of what the sender wrote (quoted
history below it is ignored):

* ``done`` - in a reply to a reminder or escalation: that deadline is met;
* ``Decision: <outcome>`` - the Chair's decision on a case (PROCESS.md stage 4),
  the outcome in words (``serious case review`` or ``SCR``, ``management
  review``, ``alternative review``, ``no review``), its reasons after it on the
  same line or on the lines below::

      Decision: serious case review
      The threshold in Working Together is met: ...

Who may give them, and what is done, is decided by the intake handler; this
module only reads the words. A message that starts ``Decision:`` but cannot be
read gives an :class:`Unreadable` with the reason, so that the sender can be
told what to write instead; anything else gives ``None`` (an ordinary reply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain.model_types import Outcome

DONE = "done"

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


_RESULT = re.compile(r"\b(spf|dkim|dmarc|compauth)\s*=\s*([a-z]+)", re.IGNORECASE)


def unverified_sender(authentication_results: list[str], auth_as: str | None, sender_domain: str,
                      own_domain: str) -> str | None:
    """Why the From address of a message cannot be trusted to act, or None.

    Read from what the receiving mail system recorded: any ``Authentication-Results``
    saying DMARC or Microsoft's composite authentication failed, or SPF failed with no
    passing DKIM signature; or Exchange Online's ``X-MS-Exchange-Organization-AuthAs:
    Anonymous`` on a message whose From is in the board's own domain (it came from
    outside while naming an inside address). A message with no such headers (local
    mail, an internal message) is not refused on that account.
    """
    for header in authentication_results:
        results: dict[str, str] = {}
        for method, result in _RESULT.findall(header or ""):
            results.setdefault(method.lower(), result.lower())
        if results.get("dmarc") == "fail" or results.get("compauth") == "fail":
            return f"the receiving mail system could not verify the sender (dmarc={results.get('dmarc', '-')}, " \
                   f"compauth={results.get('compauth', '-')})"
        if results.get("spf") in ("fail", "softfail") and results.get("dkim") != "pass":
            return f"the receiving mail system could not verify the sender (spf={results['spf']}, " \
                   f"dkim={results.get('dkim', 'none')})"
    if (auth_as or "").strip().lower() == "anonymous" and sender_domain and sender_domain == own_domain:
        return "the message names a board address but came from outside the organisation"
    return None
