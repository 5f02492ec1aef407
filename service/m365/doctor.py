"""``review-clerk doctor`` checks for the Microsoft 365 connection.

Each check says what it found and, when something is wrong, what an
administrator should change. Order matters: later checks need a token, so
when configuration or the token fails the network checks are not attempted
(and say so). Nothing here sends mail; the send permission is read from the
token's ``roles`` claim. Secrets and tokens never appear in a check's text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from .auth import TokenProvider
from .errors import AuthError, GraphError
from .folders import MailFolders
from .formats import seg
from .http import GraphHttp, RetryPolicy

REQUIRED_ROLES = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")
EXPIRY_WARNING_DAYS = 30
MAX_CLOCK_SKEW_SECONDS = 300

# Quick answers for a person running the doctor: two tries, 20 s at most.
DOCTOR_POLICY = RetryPolicy(max_attempts=2, max_total_seconds=20.0, backoff_cap=5.0)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    warning: bool = False


def _consent_fix(client_id: str | None, missing: list[str]) -> str:
    return (f"in Entra admin center > App registrations > {client_id or 'the app'} > API permissions, add the "
            f"Microsoft Graph application permission(s) {', '.join(missing)} and select 'Grant admin consent'")


def _rbac_fix(client_id: str | None, mailbox: str) -> str:
    return (f"allow the app to reach {mailbox} with Exchange Online RBAC for Applications, e.g. "
            f"New-ManagementScope -Name 'Review Clerk' -RecipientRestrictionFilter "
            f"\"PrimarySmtpAddress -eq '{mailbox}'\" then New-ManagementRoleAssignment -App {client_id or '<app id>'} "
            f"-Role 'Application Mail.ReadWrite' -CustomResourceScope 'Review Clerk' (likewise for "
            f"'Application Mail.Send' and 'Application Calendars.ReadWrite'); with an application access "
            f"policy instead, add the mailbox to the policy's group (Test-ApplicationAccessPolicy)")


def _expiry_check(name: str, expires: date, today: date, what: str) -> Check:
    days = (expires - today).days
    if days < 0:
        return Check(name, False, f"{what} expired on {expires.isoformat()}",
                     fix=f"renew the {what} in the app registration and update the configuration")
    if days <= EXPIRY_WARNING_DAYS:
        return Check(name, True, f"{what} expires on {expires.isoformat()} (in {days} days)",
                     fix=f"renew the {what} before {expires.isoformat()}", warning=True)
    return Check(name, True, f"{what} valid until {expires.isoformat()}")


def certificate_expiry(settings: Any) -> date | None:
    """Expiry date of the configured certificate, or None when the files hold no certificate."""
    password = settings.certificate_password.get_secret_value().encode() if settings.certificate_password else None
    if settings.certificate_pfx_path:
        _, cert, _ = pkcs12.load_key_and_certificates(Path(settings.certificate_pfx_path).read_bytes(), password)
        certs = [cert] if cert else []
    else:
        data = Path(settings.certificate_path).read_bytes()
        certs = x509.load_pem_x509_certificates(data) if b"BEGIN CERTIFICATE" in data else []
    if not certs:
        return None
    return min(c.not_valid_after_utc for c in certs).date()


def credential_checks(settings: Any, today: date) -> list[Check]:
    checks: list[Check] = []
    if settings.certificate_pfx_path or settings.certificate_path:
        try:
            expires = certificate_expiry(settings)
        except (OSError, ValueError) as exc:
            checks.append(Check("certificate", False, f"the certificate file cannot be read ({type(exc).__name__})",
                                fix="check graph.certificate_path / graph.certificate_pfx_path and "
                                    "graph.certificate_password"))
        else:
            if expires is None:
                checks.append(Check("certificate", True, "the PEM file holds no certificate, so its expiry "
                                    "cannot be checked", fix="append the certificate to the PEM file "
                                    "(key then certificate) so the doctor can warn before it expires",
                                    warning=True))
            else:
                checks.append(_expiry_check("certificate", expires, today, "certificate"))
    elif settings.client_secret:
        if not settings.secret_expires:
            checks.append(Check("client secret", True, "graph.secret_expires is not set, so the secret's expiry "
                                "cannot be warned of", fix="set graph.secret_expires to the date shown in "
                                "Entra admin center > Certificates & secrets", warning=True))
        else:
            try:
                expires = date.fromisoformat(settings.secret_expires[:10])
            except ValueError:
                checks.append(Check("client secret", False, "graph.secret_expires is not an ISO date",
                                    fix="write it as YYYY-MM-DD"))
            else:
                checks.append(_expiry_check("client secret", expires, today, "client secret"))
    return checks


def _configuration(settings: Any, mailbox: str | None) -> Check:
    missing = [k for k in ("tenant_id", "client_id") if not getattr(settings, k)]
    if not (settings.client_secret or settings.certificate_path or settings.certificate_pfx_path):
        missing.append("client_secret or certificate_path or certificate_pfx_path")
    if settings.certificate_path and not settings.certificate_thumbprint:
        missing.append("certificate_thumbprint")
    if not mailbox:
        missing.append("mailbox (or board.mailbox)")
    if missing:
        return Check("configuration", False, "missing: " + ", ".join(f"graph.{m}" for m in missing),
                     fix="add them to the [graph] section, or as REVIEW_CLERK_GRAPH__<NAME> variables")
    return Check("configuration", True, f"tenant {settings.tenant_id}, app {settings.client_id}, "
                 f"mailbox {mailbox}, endpoint {settings.endpoint}")


def run_doctor(settings: Any, mailbox_address: str | None, *, clock: Callable[[], float] = time.time,
               sleep: Callable[[float], None] = time.sleep, today: date | None = None,
               session: Any = None) -> list[Check]:
    """All checks, in order. Never raises for a Graph or token failure: it reports it."""
    today = today or datetime.fromtimestamp(clock(), timezone.utc).date()
    checks = [_configuration(settings, mailbox_address)]
    if not checks[0].ok:
        return checks
    mailbox = str(mailbox_address).lower()
    checks += credential_checks(settings, today)

    tokens = TokenProvider(settings, clock=clock)
    try:
        claims = tokens.claims()
    except AuthError as exc:
        checks.append(Check("token", False, str(exc).split(" Fix: ")[0], fix=exc.fix))
        checks.append(Check("mailbox", False, "not checked: no token"))
        return checks
    checks.append(Check("token", True, f"token issued by {tokens.authority} for {tokens.scope}"))

    roles = sorted(claims.get("roles") or [])
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    if not roles:
        checks.append(Check("permissions", False, "the token carries no application permissions "
                            "(admin consent missing)", fix=_consent_fix(settings.client_id, list(REQUIRED_ROLES))))
    elif missing:
        checks.append(Check("permissions", False, f"missing application permission(s): {', '.join(missing)} "
                            f"(granted: {', '.join(roles)})", fix=_consent_fix(settings.client_id, missing)))
    else:
        checks.append(Check("permissions", True, f"granted: {', '.join(roles)}"))

    http = GraphHttp(settings, tokens, clock=clock, sleep=sleep, session=session, policy=DOCTOR_POLICY)
    base = f"users/{seg(mailbox)}"

    def graph_check(name: str, action: Callable[[], str], needs: str) -> Check:
        try:
            return Check(name, True, action())
        except GraphError as exc:
            if exc.status == 403:
                if needs in missing or not roles:
                    return Check(name, False, f"access denied ({exc.code or 403})",
                                 fix=_consent_fix(settings.client_id, [needs]))
                return Check(name, False, f"access denied ({exc.code or 403}) although {needs} is granted: "
                             f"{mailbox} is outside the app's RBAC scope or application access policy",
                             fix=_rbac_fix(settings.client_id, mailbox))
            if exc.status == 404:
                return Check(name, False, f"not found ({exc.code or 404})",
                             fix=f"check that {mailbox} is an Exchange Online mailbox (user or shared) "
                                 f"and that the address is its primary SMTP address")
            return Check(name, False, str(exc), fix="see the error; retry later if it is temporary")
        except AuthError as exc:
            return Check(name, False, str(exc).split(" Fix: ")[0], fix=exc.fix)

    def read_mailbox() -> str:
        folder = http.json("GET", f"{base}/mailFolders/inbox", params={"$select": "id,displayName,totalItemCount"})
        detail = f"inbox readable ({folder.get('totalItemCount', '?')} items)"
        if settings.inbox_folder.strip().lower() != "inbox":
            MailFolders(http, mailbox).resolve(settings.inbox_folder)
            detail += f"; folder {settings.inbox_folder!r} found"
        return detail

    mailbox_check = graph_check("mailbox", read_mailbox, "Mail.ReadWrite")
    checks.append(mailbox_check)

    if http.last_response_date is not None:
        skew = clock() - http.last_response_date
        if abs(skew) > MAX_CLOCK_SKEW_SECONDS:
            checks.append(Check("clock", False, f"this server's clock is {skew:+.0f} s off Microsoft's",
                                fix="synchronise the clock with NTP (timedatectl set-ntp true)"))
        else:
            checks.append(Check("clock", True, f"within {abs(skew):.0f} s of Microsoft's"))

    if not mailbox_check.ok:
        return checks

    def draft_round_trip() -> str:
        draft = http.json("POST", f"{base}/messages", json={
            "subject": "Review Clerk connection check (safe to delete)",
            "body": {"contentType": "Text", "content": "Created and deleted by review-clerk doctor."}},
            replay_safe=True)  # a stray test draft is harmless
        http.request("DELETE", f"{base}/messages/{seg(draft['id'])}")
        return "created and deleted a draft"

    checks.append(graph_check("drafts", draft_round_trip, "Mail.ReadWrite"))

    def read_calendar() -> str:
        cal = http.json("GET", f"{base}/calendar", params={"$select": "id,name"})
        return f"calendar {cal.get('name', '')!r} readable"

    checks.append(graph_check("calendar", read_calendar, "Calendars.ReadWrite"))
    return checks
