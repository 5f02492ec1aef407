"""Is the sender of an instruction by email who the From line says? Pure: headers in, verdict out.

An instruction by email ("Decision: ...", "done", "Undo") is carried out only
when the sender is *positively* authenticated; a message that carries no
evidence either way is refused. What counts as evidence depends on where the
mail came from.

Microsoft 365 (``[mail] backend = "graph"``), read from the headers Exchange
Online stamps on the copy in the board's mailbox:

* ``X-MS-Exchange-Organization-AuthAs: Internal`` with an
  ``X-MS-Exchange-Organization-AuthSource`` (the server in the organisation
  that authenticated the submission): the message was sent by a mailbox of
  the board's own tenant. Exchange's *header firewall* strips every
  ``X-MS-Exchange-Organization-*`` header from mail entering the
  organisation, so a sender outside cannot write these; ``Anonymous``
  (from the Internet) and ``Partner`` (a partner connector) are not
  internal. Where Exchange also stamps ``X-MS-Exchange-CrossTenant-Id`` and
  ``[graph] tenant_id`` is set, the two must match (the message was
  attributed to our tenant, not relayed through another one).
* Otherwise the receiving system's ``Authentication-Results``: ``dmarc=pass``
  with ``header.from`` the From address's domain, or ``dkim=pass`` with a
  signing domain (``header.d``) aligned with it (the same domain or a
  sub-domain of it). A DKIM pass for any other domain proves nothing about
  the From line.

Which ``Authentication-Results``: a receiving system *prepends* its header,
so the one it wrote is above anything the message already carried; a sender
can add as many as it likes, but only below. Exchange Online writes no
authserv-id (its header starts with ``spf=``), so the receiving system cannot
be recognised by name: the **topmost** header is taken and the ones below it
are ignored. (The explicit failures of the older rule, ``dmarc=fail``,
``compauth=fail`` or ``spf=fail`` without a DKIM pass, still refuse from any
of them: a failure is never evidence *for* the sender.)

The local backend (``[mail] backend = "local"``, the demo and tests): nothing
received the files in the inbox folder, so no header in them is evidence;
instructions are trusted only with ``[mail] trust_local_mail = true``, which
``init --simulation`` sets. With the graph backend that setting is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

AUTH_AS = "x-ms-exchange-organization-authas"
AUTH_SOURCE = "x-ms-exchange-organization-authsource"
CROSS_TENANT_ID = "x-ms-exchange-crosstenant-id"
AUTHENTICATION_RESULTS = "authentication-results"

_RESULT = re.compile(r"\b(spf|dkim|dmarc|compauth)\s*=\s*([a-z]+)", re.IGNORECASE)
# one method's result and its properties, up to the next ';'
_METHOD = re.compile(r"\b(spf|dkim|dmarc|compauth)\s*=\s*([a-z]+)([^;]*)", re.IGNORECASE)
_PROPERTY = re.compile(r"\b(header\.from|header\.d|header\.i)\s*=\s*@?([A-Za-z0-9.\-]+)", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Verdict:
    """``trusted`` with ``how`` (the evidence), or not with ``why`` (for the record, never for the sender)."""

    trusted: bool
    how: str | None = None
    why: str | None = None


def _refused(why: str) -> Verdict:
    return Verdict(False, why=why)


def aligned(domain: str, from_domain: str) -> bool:
    """The authenticated ``domain`` stands for the From address's: the same domain, or a sub-domain of it.

    Not a parent domain: without the public suffix list a parent cannot be told from a registry
    (``gov.uk`` is not Enfield's), so a signature by a parent is not taken as the sender's.
    """
    a, b = domain.strip(".").lower(), from_domain.strip(".").lower()
    return bool(a and b) and (a == b or a.endswith("." + b))


def _values(headers: Iterable[tuple[str, str]], name: str) -> list[str]:
    return [str(v) for k, v in headers if k.strip().lower() == name]


def _failure(header: str) -> str | None:
    results: dict[str, str] = {}
    for method, result in _RESULT.findall(header or ""):
        results.setdefault(method.lower(), result.lower())
    if results.get("dmarc") == "fail" or results.get("compauth") == "fail":
        return (f"the receiving mail system could not verify the sender (dmarc={results.get('dmarc', '-')}, "
                f"compauth={results.get('compauth', '-')})")
    if results.get("spf") in ("fail", "softfail") and results.get("dkim") != "pass":
        return (f"the receiving mail system could not verify the sender (spf={results['spf']}, "
                f"dkim={results.get('dkim', 'none')})")
    return None


def _passes(header: str, from_domain: str) -> str | None:
    """The aligned pass the header records, described; or None."""
    text = _COMMENT.sub(" ", header or "")
    passes = [(method.lower(), {k.lower(): v.lower() for k, v in _PROPERTY.findall(rest)})
              for method, result, rest in _METHOD.findall(text) if result.lower() == "pass"]
    for method, props in passes:
        if method == "dmarc" and props.get("header.from") and aligned(props["header.from"], from_domain):
            return f"dmarc=pass for {props['header.from']}"
    for method, props in passes:
        signer = props.get("header.d") or props.get("header.i", "").rsplit("@", 1)[-1]
        if method == "dkim" and signer and aligned(signer, from_domain):
            return f"dkim=pass signed by {signer}"
    return None


def judge(headers: Iterable[tuple[str, str]], from_domain: str, *, backend: str, trust_local_mail: bool = False,
          tenant_id: str | None = None) -> Verdict:
    """Whether the From line of a message (``headers`` in their order, topmost first) can be trusted
    to give an instruction, and on what evidence."""
    headers = list(headers)
    from_domain = (from_domain or "").strip().lower()
    if not from_domain:
        return _refused("the message has no sender address")
    results = _values(headers, AUTHENTICATION_RESULTS)
    for header in results:
        failed = _failure(header)
        if failed:
            return _refused(failed)
    auth_as = [v.strip().lower() for v in _values(headers, AUTH_AS)]
    if backend != "graph":
        if trust_local_mail:
            return Verdict(True, how="local mail, trusted by configuration (mail.trust_local_mail)")
        return _refused("mail on the local backend is not authenticated (mail.trust_local_mail is off)")
    if auth_as and auth_as[0] == "internal":
        if not [v for v in _values(headers, AUTH_SOURCE) if v.strip()]:
            return _refused("Exchange marked the message internal but recorded no authenticating server")
        tenants = [v.strip().lower() for v in _values(headers, CROSS_TENANT_ID)]
        if tenant_id and tenants and tenants[0] != tenant_id.strip().lower():
            return _refused("the message was attributed to another Microsoft 365 tenant")
        return Verdict(True, how="sent from within the board's Microsoft 365 organisation")
    if results:
        passed = _passes(results[0], from_domain)
        if passed:
            return Verdict(True, how=f"the receiving mail system recorded {passed}")
    if auth_as and auth_as[0] == "anonymous":
        return _refused("the message came from outside the organisation and its sender could not be verified "
                        "(no DMARC or DKIM pass for its domain)")
    if auth_as:
        return _refused(f"Exchange authenticated the message as '{auth_as[0]}', not internal, and its sender "
                        f"could not be verified (no DMARC or DKIM pass for its domain)")
    return _refused("the message carries no record that its sender was authenticated")
