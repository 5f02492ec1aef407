"""A message reduced to what the parser reads, whatever it arrived as.

Both an RFC 5322 message (:mod:`.mime_reader`) and an Outlook .msg file
(:func:`.document_readers.read_msg`) become a :class:`Mail`, so that forwarded
messages of either kind are searched for a form in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Attachment:
    filename: str | None
    content_type: str  # lower case, e.g. "application/pdf"; may be a guess
    data: bytes | None = None
    message: Mail | None = None  # an attached message (message/rfc822, .eml, embedded .msg), already read
    message_format: str | None = None  # "eml" | "msg" when ``message`` is set
    inline: bool = False  # an inline part (signature logo), not a deliberate attachment
    charset: str | None = None  # declared charset of a text attachment

    @property
    def label(self) -> str:
        return self.filename or self.content_type


@dataclass
class Mail:
    subject: str = ""
    sender: str | None = None  # address only, lower case
    sender_display: str | None = None  # display name, when given
    date: str | None = None  # ISO 8601
    message_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name -> first value, decoded
    content_type: str = "text/plain"  # of the message itself, lower case, e.g. "multipart/report"
    report_type: str | None = None  # multipart/report's report-type parameter
    plain: list[str] = field(default_factory=list)  # text/plain bodies, decoded
    html: list[str] = field(default_factory=list)  # text/html bodies, decoded
    calendar: list[str] = field(default_factory=list)  # text/calendar parts, decoded
    attachments: list[Attachment] = field(default_factory=list)
    delivery_status: bool = False  # carries a message/delivery-status (a bounce report)
    disposition_notification: bool = False  # carries a read receipt
    attachment_count: int = 0  # deliberate attachments at every level, for the limit
    truncated: bool = False  # parts were skipped because of limits (here or in an attached message)
    damaged: bool = False  # broken MIME structure: some text was probably lost or garbled (ditto)
    unreadable: list[dict] = field(default_factory=list)  # problems met while reading the message itself
