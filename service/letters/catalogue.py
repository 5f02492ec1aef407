"""The communications of a procedure, as the letters read them: from the case's pack, never a table here.

A pack's ``[[communications]]`` say what each is, what makes the service send it
(an event of the pack, or a moment of the service such as ``case_opened``), to
whom, whether a Word letter goes with the email, whose signature it carries,
which event of the case is recorded once every message of it has gone (the
event that meets its deadline), and who checks it before it goes. This module
answers the questions the letters ask of them. Pure: nothing here reads
settings, a database or a template.

The weekly digest for the Business Manager (chasing) and the invitation to
a panel meeting (meetings) are sent by those capabilities.
"""

from __future__ import annotations

from typing import Any, Mapping

from service.domain.procedure import Communication, Procedure

# Moments of the service that call for communications (besides the pack's own events).
CASE_OPENED = "case_opened"
AGENCY_ADDED = "agency_added"
DATE_CORRECTED = "date_corrected"

# Attachments a pack may ask for, besides the Word letter itself.
ATTACHMENTS = {"chronology_template": "chronology template (.docx)"}
# Recipients in words, for `letters list` and the forecast.
_TO_WORDS = {
    "referrer": "the referrer",
    "agency_chief_executives": "the chief executive of each involved agency (agencies.chief_executive)",
    "agency_panel_members": "the panel member of each involved agency",
    "board_members": "each Board member (board_members)",
    "given_address": "the address given",
    "deadline_owner": "the deadline's owner",
    "sender": "the member of staff who sent it",
    "meeting_attendees": "the people invited",
}


# Recipients the letters address themselves (the others are addressed by the part of the service that sends).
ADDRESSED = frozenset({"referrer", "agency_chief_executives", "board_members", "given_address"})


def is_addressed(c: Communication) -> bool:
    """Whether the letters address it from the case (its recipients are bodies, roles or the case's people),
    rather than the part of the service that sends it (reminders, meeting invitations, intake's replies)."""
    if c.trigger in ("referral_reply", "chase", "weekly", "daily", "instruction", "not_sent") \
            or c.trigger.startswith("meeting"):
        return False
    return all(w in ADDRESSED or w.partition(":")[0] in ("body", "role") for w in c.to)


def communications(procedure: Procedure) -> dict[str, Communication]:
    return {c.id: c for c in procedure.communications}


def communication(procedure: Procedure, name: str) -> Communication | None:
    return procedure.communication(name)


def title(procedure: Procedure, name: str) -> str:
    c = communication(procedure, name)
    return c.label if c else name


def triggered_by(procedure: Procedure, event: str, detail: Mapping[str, Any] | None = None) -> list[Communication]:
    """The communications ``event`` calls for (a correction of a date calls for those triggered by
    ``date_corrected:<the event corrected>``)."""
    if event == DATE_CORRECTED:
        event = f"{DATE_CORRECTED}:{(detail or {}).get('event')}"
    return [c for c in procedure.communications if event == c.trigger or event in c.also_on]


def attachment_names(c: Communication) -> list[str]:
    out = [f"{c.template}.docx (the letter)"] if c.letter else []
    return out + [ATTACHMENTS.get(a, a) for a in c.attachments]


def recipients_in_words(procedure: Procedure, c: Communication) -> str:
    labels = {b.id: b.label for b in procedure.bodies} | {r.id: r.label for r in procedure.roles}
    words = []
    for who in c.to:
        kind, _, rest = who.partition(":")
        if kind in ("body", "role") and rest:
            words.append(labels.get(rest, rest) + (f" ({'notifications' if kind == 'body' else 'people'}.{rest})"))
        else:
            words.append(_TO_WORDS.get(who, who))
    return "; ".join(words)


def trigger_in_words(procedure: Procedure, c: Communication) -> str:
    def one(t: str) -> str:
        head, _, rest = t.partition(":")
        if procedure.has_event(t):
            return f"{t} is recorded"
        if head == DATE_CORRECTED and rest:
            return f"the date of {rest} is corrected"
        return t.replace("_", " ")

    words = [one(t) for t in (c.trigger, *c.also_on) if t != "on_command"]
    if c.when_outcome:
        words = [f"{w} (only after: {', '.join(c.when_outcome)})" for w in words]
    if c.on_command or c.trigger == "on_command":
        words.append("on command")
    return "; or ".join(words)
