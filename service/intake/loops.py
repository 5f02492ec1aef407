"""May the service answer this message automatically? (Mail-loop prevention.)

The service must never reply to an auto-reply, a bounce, a mailing list or
itself (PROCESS.md, "What must never happen"). :func:`may_auto_reply` is a
pure function of the message's headers; rate limiting is done elsewhere.
Conventions followed: RFC 3834 (Auto-Submitted, and not answering empty
Return-Paths or list mail), RFC 2369/2919 (List-*), Microsoft's
X-Auto-Response-Suppress, and the de-facto Precedence values.
"""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

OWN_HEADERS = ("X-Review-Clerk-Key", "X-Review-Clerk-Loop")
_NO_REPLY_LOCAL = re.compile(
    r"^(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply"
    r"|bounces?|auto[-_.]?reply|autoresponder)(?:[+\-_.].*)?$",
    re.IGNORECASE,
)
_SUPPRESSING_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


def may_auto_reply(msg: Message, own_addresses: set[str]) -> tuple[bool, str | None]:
    """``(True, None)`` when an automatic reply is allowed, else ``(False, reason)``.

    Refused when the message: carries our own loop headers; has
    ``Auto-Submitted`` other than "no"; has ``Precedence`` bulk/list/junk/
    auto_reply; has ``X-Auto-Response-Suppress`` with any value but "None";
    is an auto-reply by ``X-Autoreply``/``X-Autorespond``; comes from a
    mailing list (``List-Id``, ``List-Unsubscribe``); is a delivery or read
    report (``multipart/report``); has an empty ``Return-Path`` (``<>``); or
    its From, Sender or Return-Path is a mailer daemon, postmaster, no-reply
    address or one of ``own_addresses``.
    """
    own = {a.strip().lower() for a in own_addresses if a}
    for name in OWN_HEADERS:
        if _present(msg, name):
            return False, f"our own message ({name})"

    auto = _value(msg, "Auto-Submitted")
    if auto is not None and auto.split(";")[0].strip().lower() != "no":
        return False, f"Auto-Submitted: {auto.split(';')[0].strip() or 'present'}"

    precedence = (_value(msg, "Precedence") or "").strip().lower()
    if precedence in _SUPPRESSING_PRECEDENCE:
        return False, f"Precedence: {precedence}"

    suppress = _value(msg, "X-Auto-Response-Suppress")
    if suppress is not None:
        tokens = {t.strip().lower() for t in re.split(r"[,;\s]+", suppress) if t.strip()}
        if tokens - {"none"}:
            return False, "X-Auto-Response-Suppress"

    for name in ("X-Autoreply", "X-Autorespond"):
        if _present(msg, name):
            return False, f"auto-reply ({name})"

    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        if _present(msg, name):
            return False, f"mailing list ({name})"

    try:
        if msg.get_content_type() == "multipart/report":
            return False, "delivery or read report"
    except Exception:
        pass

    return_path = _value(msg, "Return-Path")
    if return_path is not None and return_path.strip().strip("<>").strip() == "":
        return False, "empty Return-Path"

    for name in ("From", "Sender", "Return-Path"):
        for address in _addresses(msg, name):
            if address in own:
                return False, f"{name} is our own address"
            local = address.split("@", 1)[0]
            if _NO_REPLY_LOCAL.match(local):
                return False, f"{name} is an automated sender"
    return True, None


def _present(msg: Message, name: str) -> bool:
    try:
        return msg.get(name) is not None
    except Exception:
        return True  # unreadable header: err on the side of not replying


def _value(msg: Message, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    return None if value is None else str(value)


def _addresses(msg: Message, name: str) -> list[str]:
    try:
        values = msg.get_all(name) or []
        return [addr.strip().lower() for _, addr in getaddresses([str(v) for v in values]) if addr and "@" in addr]
    except Exception:
        return []
