"""What handling one stored message comes to, and what every intake step reads the same way.

:class:`Outcome` is the one result recorded for each stored message; the day a
message was received, the limits it is read under and the audit note intake
adds to a case are shared by the pipeline, triage, replies and the commands
by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timezone
from typing import TYPE_CHECKING, Any

from service.domain.model import AuditEvent

from .parsing import Limits

if TYPE_CHECKING:
    from service.bootstrap import App


@dataclass
class Outcome:
    status: str
    reason: str
    kind: str | None = None
    case_id: int | None = None
    reference: str | None = None


def limits_for(app: "App") -> Limits:
    i = app.settings.intake
    mb = 1024 * 1024
    return Limits(max_message_bytes=int(i.max_message_mb * mb), max_expanded_bytes=int(i.max_expanded_mb * mb),
                  max_attachments=i.max_attachments)


def received_on(app: "App", row: dict[str, Any], msg) -> date:
    """The day the board received the referral: the mailbox's arrival time, else when we stored it.

    Not the Date header: that is the sender's clock, and a forwarded or re-sent
    message can carry a date long past.
    """
    when = row.get("received_at") or row.get("stored_at") or app.clock.now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(app.settings.tz).date()


def iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def note(app: "App", action: str, reason: str | None):
    return AuditEvent(at=app.clock.now(), actor="intake", action=action, detail={}, reason=reason)
