"""RFC 5322 / MIME messages as :class:`~.mail.Mail`, decoded and never trusted.

Handles any transfer encoding (7bit, 8bit, quoted-printable, base64 - also
broken base64), any charset (declared or not, unknown names, 8-bit bytes
labelled us-ascii, ISO-8859-1 that is really Windows-1252, UTF-16 with a BOM),
RFC 2047 encoded headers, RFC 2231 and RFC 2047 encoded filenames,
``format=flowed`` text, and nested ``message/rfc822`` parts. The walk is
iterative and bounded (parts, nesting), so malformed or hostile structure
costs little.
"""

from __future__ import annotations

import codecs
import email
import functools
import re
from email import errors, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from .limits import MAX_MIME_PARTS, MAX_NESTING, NESTED_TOO_DEEPLY, TOO_COMPLEX, Budget
from .mail import Attachment, Mail
from .text import squash

_CHARSET_ALIASES = {
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "iso-8859-8-i": "iso-8859-8", "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis", "x-gbk": "gbk", "gb2312": "gbk", "windows-874": "cp874", "x-mac-roman": "mac_roman",
    "cp-850": "cp850", "ansi_x3.4-1968": "us-ascii", "646": "us-ascii",
}
# ``unreadable`` reasons for a broken structure (with those of limits.py: the message was not read in full).
BROKEN_STRUCTURE = "broken MIME structure: a multipart section could not be split into its parts"
GARBLED_BASE64 = "broken base64 in a text body: it could not be decoded"
UNPARSEABLE = "could not be parsed"
# Labels that browsers and mail clients read as Windows-1252 (WHATWG Encoding).
_AS_CP1252 = {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819", "ibm819"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared (possibly wrong or unknown) charset. Never raises."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    name = (charset or "").strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    if name in ("", "utf-16", "utf16", "ucs-2") and _looks_utf16(data):
        # No byte-order mark: the zero bytes say which end the high byte is.
        name = "utf-16-le" if data[1:400:2].count(0) > data[0:400:2].count(0) else "utf-16-be"
    if not name or name in _AS_CP1252:
        # Valid UTF-8 with accents is UTF-8 whatever the label says: mislabelled mail is common,
        # and Windows-1252 text is almost never also valid UTF-8.
        return _utf8_or_cp1252(data)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return _utf8_or_cp1252(data)
    if codec == "utf-8":
        return _utf8_or_cp1252(data)
    try:
        text = data.decode(codec, errors="replace")
    except Exception:  # exotic codecs can fail in odd ways
        return _utf8_or_cp1252(data)
    if not _ascii_compatible(codec):
        # UTF-16/32 or EBCDIC declared on what is really 8-bit text (a mislabelled body): the
        # declared reading is CJK soup or replacement characters while the bytes read as UTF-8.
        plain = _plain_8bit(data)
        if plain is not None and _garbled(text, plain):
            return plain
    return text


_PROBE = "From: Summary 0123456789 abcxyz ABCXYZ.,;:()/-\r\n\t"


@functools.lru_cache(maxsize=64)
def _ascii_compatible(codec: str) -> bool:
    """True when ``codec`` writes plain ASCII text as ASCII bytes (UTF-8, Latin-1, Shift-JIS ...)."""
    try:
        return _PROBE.encode(codec) == _PROBE.encode("ascii")
    except Exception:
        return False


def _plain_8bit(data: bytes) -> str | None:
    """``data`` as UTF-8 when it looks like ordinary 8-bit text: (almost) no zero bytes, valid UTF-8,
    printable. None otherwise (real UTF-16/32 text has zero bytes or is not valid UTF-8)."""
    if not data or data.count(0) * 100 > len(data):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    sample = text[:20000]
    printable = sum(1 for ch in sample if ch.isprintable() or ch in "\r\n\t")
    return text if printable >= len(sample) * 0.95 else None


def _garbled(declared: str, plain: str) -> bool:
    """The declared reading looks like garbage next to the 8-bit one: replacement characters, or
    hardly any of the spaces and line breaks that the 8-bit reading has."""
    declared, plain = declared[:20000], plain[:20000]
    if declared.count("\ufffd") * 20 >= max(len(declared), 1):
        return True
    plain_ws = sum(1 for ch in plain if ch.isspace()) / max(len(plain), 1)
    declared_ws = sum(1 for ch in declared if ch.isspace()) / max(len(declared), 1)
    return plain_ws > 0 and declared_ws < plain_ws * 0.25


def _looks_utf16(data: bytes) -> bool:
    """Mostly-ASCII text in UTF-16 without a byte-order mark: every other byte is zero."""
    head = data[:400]
    return len(head) >= 8 and head.count(0) >= len(head) * 0.3


def _utf8_or_cp1252(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(data)


def _cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1")


def header_text(value: object) -> str:
    """A header's value as readable text: RFC 2047 words decoded, raw 8-bit bytes decoded, white space squashed."""
    if value is None:
        return ""
    text = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = _utf8_or_cp1252(text.encode("ascii", "surrogateescape"))
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except Exception:  # unknown charset or malformed encoded word: decode word by word
            try:
                text = "".join(
                    decode_bytes(part, cs) if isinstance(part, bytes) else part for part, cs in decode_header(text)
                )
            except Exception:
                pass
    return squash(text)


def _first_header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    return header_text(value)


def _headers(msg: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        items = msg.items()
    except Exception:
        return out
    for key, value in items[:400]:
        k = str(key).strip().lower()
        if k not in out:
            out[k] = header_text(value)
    return out


def _address(value: str) -> tuple[str | None, str | None]:
    try:
        pairs = getaddresses([value])
    except Exception:
        return None, None
    for display, addr in pairs:
        if addr and "@" in addr:
            return addr.strip().lower(), (display or None)
    return None, None


def _iso_date(value: str) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except Exception:
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename() or part.get_param("name")
    except Exception:
        return None
    if isinstance(name, tuple):  # undecoded RFC 2231 triple
        try:
            name = email.utils.collapse_rfc2231_value(name)
        except Exception:
            name = str(name[-1])
    return header_text(name) or None if name else None


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("ascii", "surrogateescape")
    return b""


def _text_of(part: Message) -> str:
    data = _payload(part)
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = decode_bytes(data, charset)
    try:
        flowed = (part.get_param("format") or "").lower() == "flowed"
        delsp = (part.get_param("delsp") or "").lower() == "yes"
    except Exception:
        flowed = delsp = False
    return unflow(text, delsp) if flowed else text


def unflow(text: str, delsp: bool = False) -> str:
    """Undo RFC 3676 ``format=flowed``: a line ending in a space continues on the next line."""
    out: list[str] = []
    buf = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.removeprefix(" ")  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buf += line[:-1] if delsp else line
            continue
        out.append(buf + line)
        buf = ""
    if buf:
        out.append(buf)
    return "\n".join(out)


def read_mime(raw: bytes, budget: Budget, depth: int = 0) -> Mail:
    """Parse raw message bytes. Never raises; a hopeless message is an empty :class:`Mail`."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:
        return Mail(unreadable=[{"part": "message", "reason": UNPARSEABLE}], damaged=True)
    return mail_from_message(msg, budget, depth)


def read_headers_only(raw: bytes) -> Mail:
    """The headers of a message too large to parse (read from its first 256 KB)."""
    head = raw[:256 * 1024]
    end = re.search(rb"\r?\n\r?\n", head)
    head = head[: end.start()] if end else head
    try:
        msg = email.message_from_bytes(head + b"\n\n", policy=policy.compat32)
    except Exception:
        return Mail()
    return _envelope(msg)


def _envelope(msg: Message) -> Mail:
    headers = _headers(msg)
    sender, display = _address(headers.get("from", ""))
    try:
        ctype = msg.get_content_type()
        report_type = (msg.get_param("report-type") or None) if ctype == "multipart/report" else None
    except Exception:
        ctype, report_type = "text/plain", None
    return Mail(
        subject=headers.get("subject", ""),
        sender=sender,
        sender_display=display,
        date=_iso_date(headers.get("date", "")),
        message_id=headers.get("message-id") or None,
        headers=headers,
        content_type=ctype,
        report_type=str(report_type).lower() if report_type else None,
    )


def mail_from_message(msg: Message, budget: Budget, depth: int) -> Mail:
    """Walk ``msg`` (iteratively, bounded) into a :class:`Mail`.

    What could not be read is noted, so that the message is not mistaken for one without a form:
    parts skipped at a limit (``truncated``) and a broken structure that lost or garbled text
    (``damaged``), each with an ``unreadable`` entry.
    """
    mail = _envelope(msg)
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        part, level = stack.pop()
        budget.parts_walked += 1
        if budget.parts_walked > MAX_MIME_PARTS or level > 60:
            _skipped(mail, "message", TOO_COMPLEX)
            break
        try:
            ctype = part.get_content_type()
            disposition = part.get_content_disposition()
        except Exception:
            ctype, disposition = "application/octet-stream", None
        if part.is_multipart() and ctype not in ("message/rfc822", "message/global"):
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, level + 1) for child in reversed(children) if isinstance(child, Message))
            continue
        _take_leaf(mail, part, ctype, disposition, budget, depth)
        _note_damage(mail, part, ctype, disposition)
    return mail


def _skipped(mail: Mail, part: str, reason: str) -> None:
    mail.truncated = True
    mail.unreadable.append({"part": part, "reason": reason})


def _note_damage(mail: Mail, part: Message, ctype: str, disposition: str | None) -> None:
    """Mark ``mail`` damaged when ``part`` (already read) lost or garbled text.

    Only defects that lose text count; the many small ones of real mail (no MIME-Version, a missing
    closing boundary, a stray header line) do not. A multipart part that is not split into parts is
    what ``StartBoundaryNotFoundDefect`` and ``NoBoundaryInMultipartDefect`` leave (an empty or
    unmatched boundary): its parts, the form perhaps among them, were not read. A text body whose
    base64 could not be decoded at all (``InvalidBase64LengthDefect``) is read as base64 soup.
    """
    reason = None
    try:
        if ctype.startswith("multipart/") and not part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, str) and payload.strip():
                reason = BROKEN_STRUCTURE
        elif ctype in ("text/plain", "text/html") and disposition != "attachment" and any(
            isinstance(d, errors.InvalidBase64LengthDefect) for d in getattr(part, "defects", ())
        ):
            reason = GARBLED_BASE64
    except Exception:  # a part too odd to inspect is not a reason to lose the rest
        return
    if reason and not any(u["reason"] == reason for u in mail.unreadable):
        mail.damaged = True
        mail.unreadable.append({"part": "message", "reason": reason})


def _take_leaf(mail: Mail, part: Message, ctype: str, disposition: str | None, budget: Budget, depth: int) -> None:
    filename = _filename(part)
    if ctype in ("message/rfc822", "message/global"):
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner and isinstance(inner[0], Message) else None
        if inner_msg is None and isinstance(inner, str):
            data = _payload(part)
            inner_mail = read_mime(data, budget, depth + 1) if depth + 1 <= MAX_NESTING else None
        elif inner_msg is not None and depth + 1 <= MAX_NESTING:
            inner_mail = mail_from_message(inner_msg, budget, depth + 1)
        else:
            inner_mail = None
        mail.attachment_count += 1
        if inner_mail is None:
            _skipped(mail, f"attachment: {filename or 'forwarded message'}", NESTED_TOO_DEEPLY)
            return
        mail.attachment_count += inner_mail.attachment_count
        mail.truncated |= inner_mail.truncated
        mail.damaged |= inner_mail.damaged
        mail.attachments.append(
            Attachment(filename or (inner_mail.subject and f"{inner_mail.subject}.eml") or "forwarded message",
                       ctype, message=inner_mail, message_format="eml")
        )
        return
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        mail.delivery_status = True
        return
    if ctype in ("message/disposition-notification", "message/global-disposition-notification"):
        mail.disposition_notification = True
        return
    if ctype == "text/calendar":
        mail.calendar.append(_text_of(part))
        if disposition != "attachment":
            return
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        (mail.plain if ctype == "text/plain" else mail.html).append(_text_of(part))
        return
    has_cid = bool(part.get("Content-ID"))
    inline = disposition == "inline" or (disposition is None and has_cid)
    if not inline:
        mail.attachment_count += 1
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    mail.attachments.append(Attachment(filename, ctype, data=_payload(part), inline=inline, charset=charset))
