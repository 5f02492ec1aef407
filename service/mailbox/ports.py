"""The mailbox and calendar ports.

Everything above this line talks to mail and calendars through these two
protocols and the plain types beside them. Two backends implement them: the
local folder backend (``service.mailbox.local``) and Microsoft Graph
(``service.m365``). Neither backend knows about cases, the database or
templates: they move bytes and events, and report failures as
:class:`TransportError`.

Contracts that callers rely on:

* ``Mailbox.read_new`` hands over the *full raw MIME* of each message, so
  intake parses identically on both backends.
* ``Mailbox.send`` is idempotent on ``OutgoingMessage.key``: sending the same
  key twice delivers one message. After a crash, calling it again with the
  same key either finds the message already sent or sends it once.
* ``Calendar.upsert_event`` is idempotent on ``EventSpec.key``: one key is
  one event, however often it is called; a changed spec updates that event.
* Times are timezone-aware ``datetime`` objects; backends convert.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Protocol, runtime_checkable


class TransportError(Exception):
    """A mailbox or calendar operation failed.

    ``permanent`` is True when repeating the same call cannot succeed
    (missing permission, unknown mailbox, a message Graph refuses): the
    caller records it and escalates to a person instead of retrying.
    ``retry_after`` (seconds), when known, is the earliest sensible retry.
    Messages never contain message bodies or personal data.
    """

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Disposition(str, enum.Enum):
    """Where a handled inbound message is filed."""

    PROCESSED = "processed"
    QUARANTINE = "quarantine"
    NOT_REFERRAL = "not-referral"


@dataclass(frozen=True)
class InboundMessage:
    """One message as received: the backend's id and the raw RFC 5322 bytes."""

    id: str
    raw: bytes
    internet_message_id: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class InboundBatch:
    """What one ``read_new`` call returns.

    ``cursor`` is opaque (a Graph delta link; None for the local backend).
    The caller stores it durably *after* it has stored every message of the
    batch, and passes it to the next ``read_new``. ``more`` says the backend
    stopped early to keep the batch bounded: call again with the new cursor.
    """

    messages: list[InboundMessage]
    cursor: str | None = None
    more: bool = False


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to send.

    ``key`` is the service's own idempotency key (the outbox row's key); it
    travels with the message (as the ``X-Review-Clerk-Key`` header on the
    local backend, and a header or extended property on Graph) so that a
    backend can tell after a crash whether it already went.
    """

    key: str
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    cc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    # True only when the service knows no earlier attempt was made for this key
    # (nothing can exist yet), so a backend may skip looking for one.
    first_attempt: bool = False


@dataclass(frozen=True)
class SendReceipt:
    """What the backend knows of a sent message."""

    provider_id: str | None
    already_sent: bool = False


class DraftState(str, enum.Enum):
    DRAFT = "draft"  # still waiting for a person to check and send it
    SENT = "sent"  # a person sent it
    MISSING = "missing"  # deleted without sending


@runtime_checkable
class Mailbox(Protocol):
    def read_new(self, cursor: str | None) -> InboundBatch:
        """Messages that arrived since ``cursor`` (or all unhandled ones)."""

    def mark_handled(self, message_id: str, disposition: Disposition, category: str | None = None) -> None:
        """File a message once its outcome is recorded. Idempotent."""

    def send(self, message: OutgoingMessage) -> SendReceipt:
        """Send exactly once per ``message.key``. Raises TransportError."""

    def create_draft(self, message: OutgoingMessage, reviewer: str) -> str:
        """Leave the message as a draft for ``reviewer`` to check and send.

        Idempotent on ``message.key``; returns the draft's provider id.
        """

    def draft_state(self, key: str, provider_id: str) -> DraftState:
        """Whether a draft left for review has been sent."""


class ResponseStatus(str, enum.Enum):
    NONE = "none"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"
    ORGANIZER = "organizer"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str | None = None
    required: bool = True


@dataclass(frozen=True)
class EventSpec:
    """A meeting to create or update.

    ``key`` is stable for the life of the meeting (a Graph transactionId and
    the iCalendar UID). ``sequence`` increases with every change. The body
    must never carry a child's or family member's name.
    """

    key: str
    organizer: str
    subject: str
    body_text: str
    start: datetime
    end: datetime
    attendees: tuple[Attendee, ...]
    location: str | None = None
    online_meeting: bool = True
    sequence: int = 0
    body_html: str | None = None


@dataclass(frozen=True)
class EventRef:
    provider_id: str
    online_meeting_url: str | None = None


@dataclass(frozen=True)
class BusyInterval:
    start: datetime
    end: datetime


@runtime_checkable
class Calendar(Protocol):
    def upsert_event(self, spec: EventSpec, provider_id: str | None = None) -> EventRef:
        """Create the event, or update it when it already exists for ``spec.key``."""

    def cancel_event(self, spec: EventSpec, provider_id: str | None, reason: str) -> None:
        """Cancel the event and tell its attendees. Idempotent."""

    def responses(self, spec: EventSpec, provider_id: str | None) -> dict[str, ResponseStatus]:
        """Each attendee's response, by lower-cased email address."""

    def free_busy(self, emails: Iterable[str], start: datetime, end: datetime) -> dict[str, list[BusyInterval]]:
        """Busy intervals per lower-cased address; an unknown address maps to []."""


# Several at once ------------------------------------------------------------------
# A backend may do many operations in one round trip (Graph's JSON batching). These helpers use its
# ``send_many`` / ``mark_handled_many`` / ``responses_many`` when it has them, and otherwise call the
# one-at-a-time method for each item, so callers never care which backend they have. Each returns one
# result per item, in order: the value, or the TransportError that stopped that item (never raised).

def send_all(mailbox: Mailbox, messages: list[OutgoingMessage]) -> list[SendReceipt | TransportError]:
    many = getattr(mailbox, "send_many", None)
    if many is not None:
        return many(messages)
    out: list[SendReceipt | TransportError] = []
    for message in messages:
        try:
            out.append(mailbox.send(message))
        except TransportError as exc:
            out.append(exc)
    return out


def file_all(mailbox: Mailbox, items: list[tuple[str, Disposition, str | None]]) -> list[TransportError | None]:
    many = getattr(mailbox, "mark_handled_many", None)
    if many is not None:
        return many(items)
    out: list[TransportError | None] = []
    for message_id, disposition, category in items:
        try:
            mailbox.mark_handled(message_id, disposition, category)
            out.append(None)
        except TransportError as exc:
            out.append(exc)
    return out


def responses_all(calendar: Calendar, meetings: list[tuple[EventSpec, str | None]]
                  ) -> list[dict[str, ResponseStatus] | TransportError]:
    many = getattr(calendar, "responses_many", None)
    if many is not None:
        return many(meetings)
    out: list[dict[str, ResponseStatus] | TransportError] = []
    for spec, provider_id in meetings:
        try:
            out.append(calendar.responses(spec, provider_id))
        except TransportError as exc:
            out.append(exc)
    return out
