"""App-only access tokens for Microsoft Graph (OAuth 2.0 client credentials, via msal).

Contract of :class:`TokenProvider`:

* ``token()`` returns a bearer token with at least ``refresh_margin`` seconds
  (5 minutes; half its lifetime for a token issued for under 10 minutes) of
  life left by the injected ``clock``; otherwise it fetches a new one first.
  Thread-safe.
* ``invalidate()`` marks the current token as bad (Graph answered 401 with
  it); the next ``token()`` goes to the token endpoint even if msal's cache
  still holds an unexpired token.
* Failures raise :class:`~service.m365.errors.AuthError`: ``permanent`` for
  answers that will not change by retrying (wrong secret, unknown tenant,
  app not registered), transient for network trouble and 5xx.

Why we track expiry ourselves: msal's cache keys off the real ``time.time()``
and O365's credentials flow with msal >= 1.32 asks for ``scopes=None`` once
the first token expires (O365 issues #1140, #1195). Keeping our own expiry
by the injected clock makes refresh deterministic under test, and a forced
refresh simply removes the cached access tokens from this provider's private
msal cache, so msal has to ask the token endpoint. (msal 1.39 refuses
``force_refresh`` for the client-credentials flow, and a ``claims_challenge``
would send a bogus claims request to Entra ID.)

A new msal application is built per provider: msal caches 4xx/5xx token
answers for a while (``ThrottledHttpClient``) and we do not want one backend's
failure to poison another. Building the application fetches
``{authority}/{tenant}/v2.0/.well-known/openid-configuration``; instance
discovery is switched off so a sovereign cloud or a test double on
``https://127.0.0.1:PORT`` works without asking login.microsoftonline.com.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import msal
import requests
from msal.exceptions import MsalServiceError

from .errors import AuthError

log = logging.getLogger("review_clerk.m365")

# Refresh when less than this many seconds of the token's life are left.
REFRESH_MARGIN_SECONDS = 300.0

# Entra ID error codes (AADSTS) → (what it means, what to change). Texts must
# never include secrets; they name the setting to check instead.
AADSTS_ADVICE: dict[int, tuple[str, str]] = {
    7000215: ("the client secret is not valid for this app",
              "put the secret's Value (not its Secret ID) from Entra admin center > App registrations > "
              "Certificates & secrets into graph.client_secret (or REVIEW_CLERK_GRAPH__CLIENT_SECRET_FILE)"),
    7000222: ("the client secret has expired",
              "create a new client secret for the app, put it in graph.client_secret and its expiry date in "
              "graph.secret_expires"),
    700016: ("no app with this client id exists in the tenant",
             "check graph.client_id is the Application (client) ID and graph.tenant_id the Directory (tenant) "
             "ID of the tenant where the app is registered"),
    90002: ("the tenant was not found",
            "check graph.tenant_id is the Directory (tenant) ID (a GUID) or the tenant's primary domain, "
            "and that graph.authority matches its cloud"),
    700027: ("the certificate signature was not accepted",
             "upload the public certificate (.cer) to the app registration and check "
             "graph.certificate_thumbprint is its SHA-1 thumbprint"),
    700024: ("the client assertion is outside its valid time range (clock skew)",
             "synchronise this server's clock (NTP); it differs from Entra ID's by more than a few minutes"),
    7000112: ("the app is disabled in the tenant",
              "re-enable the enterprise application (Entra admin center > Enterprise applications > "
              "Properties > Enabled for users to sign-in)"),
    500011: ("the resource in graph.endpoint is not known in this tenant",
             "check graph.endpoint names Microsoft Graph for this cloud (e.g. https://graph.microsoft.com/v1.0/)"),
    1002012: ("the requested scope is not valid",
              "check graph.endpoint; the scope is its origin + /.default"),
    7000218: ("no client secret or certificate was sent",
              "set graph.client_secret, or graph.certificate_path with graph.certificate_thumbprint, "
              "or graph.certificate_pfx_path"),
}

_AADSTS_RE = re.compile(r"AADSTS(\d+)")


def scope_for(endpoint: str) -> str:
    """The ``.default`` scope for the resource at ``endpoint``'s origin."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}/.default"


def authority_for(authority: str, tenant_id: str) -> str:
    return f"{authority.rstrip('/')}/{tenant_id.strip('/')}"


def client_credential(settings: Any) -> str | dict[str, str]:
    """msal's ``client_credential`` from the Graph settings.

    A certificate wins over a secret when both are configured (it is the
    stronger credential). Reading the PEM here lets us report a missing file
    plainly instead of as an msal stack trace.
    """
    password = settings.certificate_password.get_secret_value() if settings.certificate_password else None
    if settings.certificate_pfx_path:
        path = Path(settings.certificate_pfx_path)
        if not path.is_file():
            raise AuthError(f"cannot read graph.certificate_pfx_path ({path}): no such file",
                            fix="point graph.certificate_pfx_path at the app's .pfx file")
        cred = {"private_key_pfx_path": str(path)}
        if password:
            cred["passphrase"] = password
        return cred
    if settings.certificate_path:
        path = Path(settings.certificate_path)
        try:
            pem = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(f"cannot read graph.certificate_path ({path}): {type(exc).__name__}",
                            fix="point graph.certificate_path at the PEM private key") from None
        if not settings.certificate_thumbprint:
            raise AuthError("graph.certificate_path is set without graph.certificate_thumbprint",
                            fix="set graph.certificate_thumbprint to the certificate's SHA-1 thumbprint")
        cred = {"private_key": pem, "thumbprint": settings.certificate_thumbprint.replace(":", "").strip()}
        if password:
            cred["passphrase"] = password
        return cred
    if settings.client_secret:
        return settings.client_secret.get_secret_value()
    raise AuthError("no Graph credential is configured",
                    fix="set graph.client_secret, graph.certificate_path (+ graph.certificate_thumbprint) "
                        "or graph.certificate_pfx_path")


def token_claims(token: str) -> dict[str, Any]:
    """The JWT payload of an access token, decoded WITHOUT verifying it.

    Only for diagnostics (which application roles were consented); never for
    an authorisation decision. Returns {} for an opaque token.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return {}


def _aadsts_code(result: dict[str, Any]) -> int | None:
    codes = result.get("error_codes")
    if isinstance(codes, list) and codes and isinstance(codes[0], int):
        return codes[0]
    m = _AADSTS_RE.search(str(result.get("error_description", "")))
    return int(m.group(1)) if m else None


def error_from_result(result: dict[str, Any]) -> AuthError:
    """Turn msal's error dict into an AuthError with a plain fix.

    Entra's ``error_description`` carries trace and correlation ids and a
    timestamp; we keep only the AADSTS code and our own wording.
    """
    error = str(result.get("error", "unknown_error"))
    code = _aadsts_code(result)
    if code in AADSTS_ADVICE:
        what, fix = AADSTS_ADVICE[code]
        return AuthError(f"token request refused (AADSTS{code}): {what}.", fix=fix, aadsts=code)
    if error in ("temporarily_unavailable", "server_error"):
        return AuthError(f"token endpoint unavailable ({error}{f', AADSTS{code}' if code else ''})",
                         permanent=False, aadsts=code)
    if error == "invalid_client":
        return AuthError(f"token request refused (invalid_client{f', AADSTS{code}' if code else ''}).",
                         fix="check graph.client_id and the secret or certificate configured for it", aadsts=code)
    return AuthError(f"token request refused ({error}{f', AADSTS{code}' if code else ''}).",
                     fix="check graph.tenant_id, graph.client_id and the credential", aadsts=code)


def _network_error(what: str, exc: requests.RequestException) -> AuthError:
    """Transient, unless the TLS certificate is not trusted (retrying will not change that)."""
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return AuthError(f"{what}: its TLS certificate is not trusted",
                         fix="install the CA that signs it, or point REQUESTS_CA_BUNDLE at it "
                             "(for a TLS-inspecting proxy)")
    return AuthError(f"{what} ({type(exc).__name__})", permanent=False)


class TokenProvider:
    """Client-credentials tokens for one Graph endpoint. See the module docstring."""

    def __init__(self, settings: Any, *, clock: Callable[[], float],
                 refresh_margin: float = REFRESH_MARGIN_SECONDS):
        if not settings.tenant_id or not settings.client_id:
            raise AuthError("graph.tenant_id and graph.client_id are required",
                            fix="set both in the [graph] section of the configuration")
        self._settings = settings
        self._clock = clock
        self._margin = refresh_margin
        self.scope = scope_for(settings.endpoint)
        self.authority = authority_for(settings.authority, settings.tenant_id)
        self._lock = threading.Lock()
        self._app: Any = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self._stale = False

    # Public API -----------------------------------------------------------
    def token(self) -> str:
        with self._lock:
            now = self._clock()
            # A token that lives less than twice the margin (never seen from Entra
            # ID, but possible from a test double) is refreshed at half-life instead.
            margin = min(self._margin, self._lifetime / 2)
            if self._token and not self._stale and self._expires_at - now > margin:
                return self._token
            return self._fetch()

    def invalidate(self) -> None:
        """Graph rejected the current token: the next ``token()`` fetches a fresh one."""
        with self._lock:
            self._stale = True

    def claims(self) -> dict[str, Any]:
        """Claims of the current token (decoded, unverified), fetching one if needed."""
        return token_claims(self.token())

    # Internals ------------------------------------------------------------
    def _build_app(self) -> Any:
        credential = client_credential(self._settings)
        try:
            return msal.ConfidentialClientApplication(
                self._settings.client_id,
                client_credential=credential,
                authority=self.authority,
                # Skip Microsoft's instance discovery: sovereign clouds and test
                # doubles are not in its list, and the tenant discovery
                # (openid-configuration) that msal still does is enough.
                instance_discovery=False,
                token_cache=msal.TokenCache(),
                timeout=self._settings.timeout_seconds,
                app_name="review-clerk",
            )
        except ValueError as exc:
            # msal raises ValueError when the openid-configuration answers 4xx:
            # for Entra ID that is an unknown tenant (AADSTS90002). Its text
            # holds the authority URL only, no secret, but we word it ourselves.
            if "OIDC" in str(exc) or "authority" in str(exc).lower() or "tenant" in str(exc).lower():
                what, fix = AADSTS_ADVICE[90002]
                raise AuthError(f"tenant discovery failed for {self.authority}: {what}.", fix=fix,
                                aadsts=90002) from None
            raise AuthError(f"the Graph credential could not be used ({type(exc).__name__})",
                            fix="check the certificate file, thumbprint and password") from None
        except requests.RequestException as exc:
            raise _network_error("cannot reach the token authority", exc) from None

    def _fetch(self) -> str:
        if self._app is None:
            self._app = self._build_app()
        cache = self._app.token_cache
        # Bypass msal's cache: our own clock says the token is (nearly) expired
        # or Graph refused it. See the module docstring.
        for entry in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(entry)
        try:
            result = self._app.acquire_token_for_client(scopes=[self.scope])
        except requests.RequestException as exc:
            raise _network_error("cannot reach the token endpoint", exc) from None
        except (MsalServiceError, json.JSONDecodeError) as exc:
            # 5xx (msal raises) or a body that is not JSON (a proxy's error page).
            raise AuthError(f"token endpoint failed ({type(exc).__name__})", permanent=False) from None
        except (ValueError, TypeError) as exc:
            # msal signs the client assertion here: a bad key or passphrase.
            raise AuthError(f"the Graph certificate could not be used ({type(exc).__name__})",
                            fix="check graph.certificate_path / graph.certificate_pfx_path, the thumbprint "
                                "and graph.certificate_password") from None
        if not result or "access_token" not in result:
            err = error_from_result(result or {})
            log.warning("token request failed: %s", err)
            raise err
        self._token = result["access_token"]
        self._lifetime = float(result.get("expires_in", 3599))
        self._expires_at = self._clock() + self._lifetime
        self._stale = False
        log.info("token acquired (expires in %ss)", int(result.get("expires_in", 0)))
        return self._token
