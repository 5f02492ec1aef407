"""Turn an :class:`OutgoingMessage` into RFC 5322 bytes (local backend, previews)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

from .ports import OutgoingMessage

KEY_HEADER = "X-Review-Clerk-Key"


# Headers are not folded below RFC 5322's hard limit: Python's folding of a long
# Subject puts all of it on a continuation line, which some clients show with a
# leading space.
POLICY = SMTP.clone(max_line_length=998)


def build_mime(msg: OutgoingMessage, date: datetime | None = None) -> EmailMessage:
    m = EmailMessage(policy=POLICY)
    m["From"] = msg.sender
    m["To"] = ", ".join(msg.to)
    if msg.cc:
        m["Cc"] = ", ".join(msg.cc)
    if msg.reply_to:
        m["Reply-To"] = ", ".join(msg.reply_to)
    m["Subject"] = msg.subject
    m["Date"] = format_datetime(date or datetime.now(timezone.utc))
    m["Message-ID"] = msg.message_id or make_msgid(domain=msg.sender.rsplit("@", 1)[-1])
    if msg.in_reply_to:
        m["In-Reply-To"] = msg.in_reply_to
    if msg.references:
        m["References"] = " ".join(msg.references)
    m[KEY_HEADER] = msg.key
    for name, value in msg.headers.items():
        if name.lower() not in {k.lower() for k in m.keys()}:
            m[name] = value
    m.set_content(msg.text)
    if msg.html:
        m.add_alternative(msg.html, subtype="html")
    for att in msg.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        m.add_attachment(att.data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename)
    return m
