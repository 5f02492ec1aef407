"""Signing people in with Microsoft Entra ID: OpenID Connect, authorization code flow with PKCE, through msal.

The web workspace's side of Entra ID (the service's own app-only access is :mod:`.auth`). The same
app registration and credential as ``[graph]`` (tenant_id, client_id, secret or certificate), the same
``graph.authority`` (national clouds, the test stand-in), plus a redirect URI (the web workspace's).

msal builds the authorization request (state, nonce, PKCE code challenge) and redeems the code
(checking the state, sending the code verifier and the app's credential). msal (1.38 and later) does
not validate the id token: :func:`validate_id_token` does, as Microsoft's documentation of ID tokens
asks of a confidential client: the signature with a key from the tenant's JWKS, the issuer (the
discovery document's, for the token's tenant), the audience (our client id), the tenant (ours only),
the nonce (the one we sent) and the token's times. Errors are :class:`SignInError`: one line, never a
token or a code.
"""

from __future__ import annotations

import hashlib
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import msal
import requests

from .auth import authority_for, client_credential

LEEWAY_SECONDS = 120


class SignInError(Exception):
    """Sign-in failed; ``str()`` is one line for the log and the person (no token, no code)."""


@dataclass(frozen=True)
class Identity:
    """Who signed in, from a validated id token."""

    email: str
    name: str | None
    object_id: str
    tenant_id: str
    roles: tuple[str, ...]


class EntraSignIn:
    """The authorization code flow for one app registration. Thread-safe; one per web workspace."""

    def __init__(self, graph: Any, redirect_uri: str):
        if not graph.tenant_id or not graph.client_id:
            raise SignInError("Entra ID sign-in needs [graph] tenant_id and client_id")
        self.graph = graph
        self.redirect_uri = redirect_uri
        self.authority = authority_for(graph.authority, graph.tenant_id)
        self._lock = threading.Lock()
        self._app: Any = None
        self._configuration: dict[str, Any] | None = None
        self._keys: dict[str, Any] = {}

    def _client(self) -> Any:
        with self._lock:
            if self._app is None:
                try:
                    self._app = msal.ConfidentialClientApplication(
                        self.graph.client_id, client_credential=client_credential(self.graph),
                        authority=self.authority, instance_discovery=False, timeout=self.graph.timeout_seconds,
                        app_name="review-clerk-web")
                except ValueError as exc:
                    raise SignInError(f"Entra ID is not reachable at {self.authority}: {str(exc)[:200]}") from None
            return self._app

    def begin(self) -> dict[str, Any]:
        """A new flow: ``auth_uri`` to send the browser to; the rest (state, nonce, code verifier) to keep on the
        server until the browser comes back."""
        try:
            with warnings.catch_warnings():
                # msal recommends form_post; a cross-site POST carries no SameSite=Lax cookie, and the workspace
                # binds each sign-in to the browser that started it by its cookie, so the answer comes as a query
                # (the code in it is single-use and useless without this flow's PKCE verifier).
                warnings.simplefilter("ignore", UserWarning)
                return self._client().initiate_auth_code_flow(scopes=[], redirect_uri=self.redirect_uri,
                                                              response_mode="query")
        except requests.RequestException as exc:
            raise SignInError(f"Entra ID is not reachable: {exc.__class__.__name__}") from None

    def finish(self, flow: dict[str, Any], response: dict[str, str], now: float | None = None) -> Identity:
        """Redeem the code Entra ID sent back with ``response`` (the callback's query) for a validated identity."""
        if response.get("error"):
            raise SignInError(f"Entra ID refused the sign-in: {response['error']}: "
                              f"{(response.get('error_description') or '')[:200]}")
        try:
            result = self._client().acquire_token_by_auth_code_flow(flow, response)
        except (ValueError, RuntimeError) as exc:  # msal: the state (or its own nonce check) does not match
            raise SignInError(f"the answer from Entra ID does not belong to this sign-in ({str(exc)[:100]})") from None
        except requests.RequestException as exc:
            raise SignInError(f"Entra ID is not reachable: {exc.__class__.__name__}") from None
        if "error" in result:
            raise SignInError(f"Entra ID refused the code: {result['error']}: "
                              f"{(result.get('error_description') or '')[:200]}")
        if not result.get("id_token"):
            raise SignInError("Entra ID sent no id token")
        # msal sends the SHA-256 (hex) of the flow's nonce (OpenID Connect Core, "nonce implementation notes").
        sent_nonce = hashlib.sha256(str(flow["nonce"]).encode("ascii")).hexdigest()
        claims = validate_id_token(result["id_token"], self.graph.client_id, self.graph.tenant_id, sent_nonce,
                                   self.configuration(), self.key_for, now=now)
        email = (claims.get("email") or claims.get("preferred_username") or "").strip().lower()
        if "@" not in email:
            raise SignInError("the id token names no email address (preferred_username or email)")
        return Identity(email=email, name=claims.get("name"), object_id=str(claims.get("oid") or claims["sub"]),
                        tenant_id=claims["tid"], roles=tuple(claims.get("roles") or ()))

    # Discovery and keys ----------------------------------------------------------------------------
    def _get(self, url: str) -> dict[str, Any]:
        try:
            r = requests.get(url, timeout=self.graph.timeout_seconds)
            r.raise_for_status()
            return r.json()
        except (requests.RequestException, ValueError) as exc:
            raise SignInError(f"cannot read {url}: {exc.__class__.__name__}") from None

    def configuration(self) -> dict[str, Any]:
        """The tenant's OpenID configuration (the discovery document)."""
        with self._lock:
            if self._configuration is None:
                self._configuration = self._get(f"{self.authority}/v2.0/.well-known/openid-configuration")
            return self._configuration

    def key_for(self, kid: str) -> Any:
        """The signing key ``kid`` from the tenant's JWKS, fetched again once for a key not yet seen (Entra ID
        rolls its keys)."""
        import jwt

        if kid not in self._keys:
            jwks = self._get(self.configuration()["jwks_uri"])
            found = {}
            for k in jwks.get("keys", []):
                if k.get("kid") and k.get("kty") == "RSA":
                    found[k["kid"]] = jwt.PyJWK.from_dict(k, algorithm="RS256").key
            with self._lock:
                self._keys = found
        if kid not in self._keys:
            raise SignInError("the id token is signed with a key the tenant does not publish")
        return self._keys[kid]


def validate_id_token(id_token: str, client_id: str, tenant_id: str, nonce: str, configuration: dict[str, Any],
                      key_for, now: float | None = None) -> dict[str, Any]:
    """The claims of ``id_token`` once it is shown to be ours; SignInError naming the check that failed."""
    import jwt

    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise SignInError("the id token is not a JWT") from None
    if header.get("alg") != "RS256" or not header.get("kid"):
        raise SignInError(f"the id token is signed with {header.get('alg')!r}, not RS256 with a key id")
    key = key_for(header["kid"])
    at = time.time() if now is None else now
    try:
        claims = jwt.decode(id_token, key, algorithms=["RS256"], audience=client_id, leeway=LEEWAY_SECONDS,
                            options={"require": ["iss", "aud", "exp", "iat", "tid", "nonce"], "verify_iss": False,
                                     "verify_exp": False, "verify_nbf": False, "verify_iat": False})
    except jwt.InvalidAudienceError:
        raise SignInError("the id token is for another application (audience)") from None
    except jwt.InvalidSignatureError:
        raise SignInError("the id token's signature is not valid") from None
    except jwt.MissingRequiredClaimError as exc:
        raise SignInError(f"the id token has no {exc.claim} claim") from None
    except jwt.PyJWTError as exc:
        raise SignInError(f"the id token is not valid: {exc.__class__.__name__}") from None
    if at > claims["exp"] + LEEWAY_SECONDS:
        raise SignInError("the id token has expired")
    if at < claims.get("nbf", claims["iat"]) - LEEWAY_SECONDS:
        raise SignInError("the id token is not valid yet")
    if claims["tid"] != tenant_id:
        raise SignInError("the id token is from another tenant")
    issuer = str(configuration.get("issuer") or "").replace("{tenantid}", claims["tid"])
    if not issuer or claims["iss"] != issuer:
        raise SignInError("the id token's issuer is not the tenant's")
    if claims["nonce"] != nonce:
        raise SignInError("the id token was not issued for this sign-in (nonce)")
    return claims

