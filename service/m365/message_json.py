"""Graph JSON for outgoing messages: recipients, body, headers, the key property, attachments.

Pure functions; no I/O.

Idempotency key. Every message we create carries a MAPI named property in
our own GUID namespace (:data:`KEY_PROPERTY_ID`) whose value is
``OutgoingMessage.key``. Graph can ``$filter`` on it across the whole mailbox
(Drafts, Sent Items, Deleted Items), and the sent copy keeps it, which is how
a retried ``send`` finds out whether the message already went. The same key
is also sent as the ``X-Review-Clerk-Key`` header, as the local backend does,
so the service can recognise its own mail when it comes back in.

Internet headers. Graph accepts only ``x-`` headers in
``internetMessageHeaders`` (and at most five of them per message); it
refuses ``Auto-Submitted``, ``In-Reply-To`` and ``References``. So:

* ``X-…`` headers from ``OutgoingMessage.headers`` are passed through.
* ``Message-ID`` becomes the draft's ``internetMessageId`` (settable while
  the message is a draft).
* ``In-Reply-To`` and ``References`` travel as ``X-Review-Clerk-In-Reply-To``
  and ``X-Review-Clerk-References``. They do not make the recipient's client
  thread the letter; they keep the link visible in the sent message for
  people and for our own intake when a reply quotes it. (Exchange would build
  real threading headers for a reply created with ``createReply`` on the
  original message, which needs the original in this mailbox.)
* Other standard headers (``Auto-Submitted: auto-generated``…) are carried
  as ``X-Review-Clerk-<Name>`` so the intent is recorded; Graph offers no
  way to set the real ``Auto-Submitted`` header. (``X-Auto-Response-Suppress``
  is an x- header and passes through as it is.)

Attachments. A create request must stay under Graph's 4 MB request limit
after base64 (4/3 growth). Attachments under 3 MB go inline in the create
request while the running total stays within :data:`INLINE_BUDGET`; other
attachments under 3 MB are added with one ``POST …/attachments`` each, and
those of 3 MB or more through an upload session.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from service.mailbox.ports import Attachment, OutgoingMessage, TransportError

from .formats import odata_string

# Fixed GUID namespace for our MAPI named properties. Never change it: the
# lookup of already-sent messages depends on it.
PROPERTY_NAMESPACE = "{5b1c9b5e-2f7a-4d9c-8b3e-6a0d7c41e2f9}"
KEY_PROPERTY_ID = f"String {PROPERTY_NAMESPACE} Name ReviewClerkKey"
EVENT_SPEC_HASH_PROPERTY_ID = f"String {PROPERTY_NAMESPACE} Name ReviewClerkSpecHash"

KEY_HEADER = "X-Review-Clerk-Key"
MAX_CUSTOM_HEADERS = 5  # Graph: InvalidInternetMessageHeaderCollection beyond five

INLINE_MAX = 3 * 1024 * 1024  # per attachment, per the Graph attachment docs
UPLOAD_MAX = 150 * 1024 * 1024  # the most an upload session takes
INLINE_BUDGET = int(2.5 * 1024 * 1024)  # raw bytes inline in one create request (base64 → ~3.3 MB)
UPLOAD_CHUNK = 9 * 320 * 1024  # 2.8 MiB: a multiple of 320 KiB, under 4 MB per PUT


@dataclass(frozen=True)
class AttachmentPlan:
    inline: tuple[Attachment, ...]
    separate: tuple[Attachment, ...]  # < 3 MB, one POST each after the draft exists
    upload: tuple[Attachment, ...]  # >= 3 MB, upload session

    @property
    def later(self) -> tuple[Attachment, ...]:
        """Attachments added after the draft is created (a crash can leave them out)."""
        return self.separate + self.upload


def plan_attachments(attachments: tuple[Attachment, ...]) -> AttachmentPlan:
    """Split attachments into inline / separate POST / upload session. Raises for one over 150 MB."""
    too_big = [a.filename for a in attachments if len(a.data) > UPLOAD_MAX]
    if too_big:
        raise TransportError(f"{len(too_big)} attachment(s) exceed Graph's 150 MB limit", permanent=True)
    inline: list[Attachment] = []
    separate: list[Attachment] = []
    upload: list[Attachment] = []
    used = 0
    for att in attachments:
        size = len(att.data)
        if size >= INLINE_MAX:
            upload.append(att)
        elif used + size <= INLINE_BUDGET:
            inline.append(att)
            used += size
        else:
            separate.append(att)
    return AttachmentPlan(tuple(inline), tuple(separate), tuple(upload))


def recipient(address: str) -> dict[str, Any]:
    name, addr = parseaddr(address)
    entry: dict[str, Any] = {"address": addr or address.strip()}
    if name:
        entry["name"] = name
    return {"emailAddress": entry}


def file_attachment(att: Attachment) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": att.filename,
        "contentType": att.content_type or "application/octet-stream",
        "contentBytes": base64.b64encode(att.data).decode("ascii"),
    }


def _clean(value: str) -> str:
    # Header folding or injection has no place in a header value.
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def _msgid(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


def internet_headers(message: OutgoingMessage) -> tuple[list[dict[str, str]], list[str]]:
    """The ``internetMessageHeaders`` for ``message`` and the names that did not fit.

    Priority: the key, threading references, then the caller's headers in
    their order. Returns (headers, dropped header names).
    """
    wanted: list[tuple[str, str]] = [(KEY_HEADER, message.key)]
    if message.in_reply_to:
        wanted.append(("X-Review-Clerk-In-Reply-To", _msgid(message.in_reply_to)))
    if message.references:
        wanted.append(("X-Review-Clerk-References", " ".join(_msgid(r) for r in message.references)))
    for name, value in message.headers.items():
        lname = name.lower()
        if lname in ("message-id", "in-reply-to", "references"):
            continue  # handled through the message fields
        if lname == KEY_HEADER.lower():
            continue
        wanted.append((name if lname.startswith("x-") else f"X-Review-Clerk-{name}", value))
    kept, dropped, seen = [], [], set()
    for name, value in wanted:
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        if len(kept) < MAX_CUSTOM_HEADERS:
            kept.append({"name": name, "value": _clean(value)})
        else:
            dropped.append(name)
    return kept, dropped


def draft_payload(message: OutgoingMessage, inline: tuple[Attachment, ...]) -> dict[str, Any]:
    """The body of ``POST /users/{mailbox}/messages`` creating the draft."""
    headers, _ = internet_headers(message)
    payload: dict[str, Any] = {
        "subject": message.subject,
        "body": ({"contentType": "HTML", "content": message.html} if message.html
                 else {"contentType": "Text", "content": message.text}),
        "toRecipients": [recipient(a) for a in message.to],
        "ccRecipients": [recipient(a) for a in message.cc],
        "replyTo": [recipient(a) for a in message.reply_to],
        "internetMessageHeaders": headers,
        "singleValueExtendedProperties": [{"id": KEY_PROPERTY_ID, "value": message.key}],
    }
    message_id = message.message_id or next(
        (v for k, v in message.headers.items() if k.lower() == "message-id"), None)
    if message_id:
        payload["internetMessageId"] = _msgid(message_id)
    if inline:
        payload["attachments"] = [file_attachment(a) for a in inline]
    return payload


def key_filter(key: str) -> str:
    """``$filter`` selecting items that carry our key property with value ``key``."""
    return (f"singleValueExtendedProperties/Any(ep: ep/id eq {odata_string(KEY_PROPERTY_ID)} "
            f"and ep/value eq {odata_string(key)})")
