"""Errors raised by the Graph connector, and the advice attached to them.

Every failure leaves this package as a :class:`service.mailbox.ports.TransportError`
(or a subclass), so callers above the ports never see ``requests``, ``msal``
or ``O365`` exceptions. Messages name the operation (method and a path
template), the HTTP status, Graph's error code and, where we can tell, the
likely fix. They never contain message bodies, subjects, recipients of
outgoing mail, tokens or secrets.
"""

from __future__ import annotations

from service.mailbox.ports import TransportError


class GraphError(TransportError):
    """Graph answered with an error status (after any retries).

    ``status`` is the HTTP status (0 when no response arrived), ``code`` the
    Graph error code (``error.code`` in the body, e.g. ``ErrorItemNotFound``)
    or None. Callers that expect a status (404 on an item that moved, 409 on
    a folder that exists, 410 on an expired delta token) catch this and look
    at ``status`` / ``code``.
    """

    def __init__(self, message: str, *, status: int, code: str | None = None,
                 permanent: bool = True, retry_after: float | None = None):
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.status = status
        self.code = code

    def code_is(self, *codes: str) -> bool:
        """Case-insensitive match of the Graph error code (Graph is inconsistent in case)."""
        return self.code is not None and self.code.lower() in {c.lower() for c in codes}


class OutcomeUnknown(TransportError):
    """A request that is not safe to replay may or may not have taken effect.

    Raised instead of retrying when, for example, the connection dropped or a
    read timed out after a ``POST .../send`` had been written. The caller
    must find out what happened (look the message up by its key) before it
    tries again. Always transient.
    """

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message, permanent=False, retry_after=retry_after)


class AuthError(TransportError):
    """The token endpoint refused us, or the credentials cannot be loaded.

    ``aadsts`` is the numeric AADSTS code when Entra ID gave one, ``fix`` a
    plain sentence telling an administrator what to change.
    """

    def __init__(self, message: str, *, fix: str | None = None, aadsts: int | None = None,
                 permanent: bool = True, retry_after: float | None = None):
        super().__init__(message if not fix else f"{message} Fix: {fix}",
                         permanent=permanent, retry_after=retry_after)
        self.fix = fix
        self.aadsts = aadsts


# Graph error codes that mean the mailbox itself cannot be used (as opposed to
# one item in it being missing).
MAILBOX_UNUSABLE_CODES = frozenset(
    c.lower() for c in ("ErrorInvalidUser", "MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI",
                        "ErrorNonExistentMailbox", "UnknownError_MailboxNotFound")
)


def required_permission(method: str, path: str) -> str:
    """The application permission an endpoint needs, judged from its path.

    Used to word 403 errors; it is advice, not an authorisation decision.
    """
    p = path.lower()
    if "/events" in p or "/calendar" in p or "getschedule" in p:
        return "Calendars.ReadWrite"
    if p.rstrip("/").endswith("/send") or "sendmail" in p:
        return "Mail.Send"
    return "Mail.ReadWrite"


def forbidden_advice(method: str, path: str, mailbox: str | None) -> str:
    """The fix text for a 403 from Graph (permission or RBAC scope)."""
    perm = required_permission(method, path)
    who = f"the mailbox {mailbox}" if mailbox else "the mailbox"
    return (
        f"the app needs the Microsoft Graph application permission {perm} with admin consent "
        f"(Entra admin center > App registrations > API permissions > Grant admin consent); "
        f"if it has it, {who} is outside the app's Exchange Online RBAC for Applications scope or "
        f"application access policy: add it to the scope (New-ManagementScope / "
        f"New-ManagementRoleAssignment -App <app id> -CustomResourceScope <scope>) "
        f"or to the group named in the access policy (Test-ApplicationAccessPolicy shows which applies)."
    )
