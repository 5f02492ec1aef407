"""A stand-in for Microsoft Entra ID's v2.0 endpoints, written from Microsoft's documentation of the OpenID Connect
authorization code flow (with PKCE) and of ID tokens. It serves, over TLS (msal refuses http:// authorities):

  GET  /{tenant}/v2.0/.well-known/openid-configuration   the discovery document (issuer with the tenant id)
  GET  /{tenant}/discovery/v2.0/keys                       the JWKS: the RSA key that signs id tokens, by kid
  GET  /{tenant}/oauth2/v2.0/authorize                     "signs in" ``user`` and redirects to the redirect URI
                                                           with ?code=&state= (response_mode=query)
  POST /{tenant}/oauth2/v2.0/token                         redeems a code once: client secret, redirect URI and
                                                           PKCE (S256 of the code_verifier) checked; returns a
                                                           signed v2.0 id token (aud, iss, tid, oid, nonce, roles)

``tamper`` makes the next id token wrong in one way (issuer, audience, nonce, tenant, signature, expired), to see
the workspace refuse it. ``requests`` records what the workspace sent (no secret is kept).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SECRET = "stand-in-client-secret"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), for the stand-in's TLS; the test trusts it as a CA bundle."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "standin.crt", folder / "standin.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class EntraStandIn:
    def __init__(self, base: str, redirect_uri: str):
        self.base = base  # https://127.0.0.1:PORT
        self.redirect_uri = redirect_uri
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "stand-in-key-1"
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.user = {"preferred_username": "escb.business.manager@enfield.example.org",
                     "name": "ESCB Business Manager", "oid": "00000000-0000-0000-0000-000000000001", "roles": []}
        self.tamper: str | None = None
        self.codes: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []
        self._lock = threading.Lock()

    def issuer(self, tenant: str = TENANT) -> str:
        return f"{self.base}/{tenant}/v2.0"

    # Endpoints ------------------------------------------------------------------------------------------
    async def configuration(self, request: Request) -> Response:
        tenant = request.path_params["tenant"]
        t = f"{self.base}/{tenant}"
        return JSONResponse({
            "issuer": self.issuer(tenant if tenant not in ("common", "organizations") else "{tenantid}"),
            "authorization_endpoint": f"{t}/oauth2/v2.0/authorize", "token_endpoint": f"{t}/oauth2/v2.0/token",
            "jwks_uri": f"{t}/discovery/v2.0/keys", "response_types_supported": ["code", "id_token", "code id_token"],
            "response_modes_supported": ["query", "fragment", "form_post"], "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "profile", "email",
                                                                                     "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "code_challenge_methods_supported": ["plain", "S256"], "tenant_region_scope": "EU"})

    async def keys(self, request: Request) -> Response:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**jwk, "kid": self.kid, "use": "sig", "kty": "RSA"}]})

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.requests.append(("authorize", {k: v for k, v in q.items() if k != "code_challenge"}))
        problems = []
        if q.get("client_id") != CLIENT_ID:
            problems.append("AADSTS700016: application not found in the directory")
        if q.get("redirect_uri") != self.redirect_uri:
            problems.append("AADSTS50011: the redirect URI does not match the ones configured")
        if q.get("response_type") != "code" or "openid" not in (q.get("scope") or "").split():
            problems.append("AADSTS900144: response_type code and scope openid are required")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problems.append("AADSTS9002325: Proof Key for Code Exchange is required")
        if problems:
            return JSONResponse({"error": "invalid_request", "error_description": "; ".join(problems)}, 400)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {"challenge": q["code_challenge"], "nonce": q.get("nonce"),
                                "redirect_uri": q["redirect_uri"], "tenant": request.path_params["tenant"],
                                "user": dict(self.user)}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}",
                                status_code=302)

    async def token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.requests.append(("token", {k: v for k, v in form.items()
                                        if k not in ("client_secret", "code", "code_verifier")}))

        def refuse(error: str, description: str) -> Response:
            return JSONResponse({"error": error, "error_description": description}, 400)

        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type", "AADSTS70003: only authorization_code here")
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != SECRET:
            return refuse("invalid_client", "AADSTS7000215: invalid client secret provided")
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None:
            return refuse("invalid_grant", "AADSTS70008: the code has expired or was already redeemed")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return refuse("invalid_grant", "AADSTS70009: redirect_uri does not match the authorization request")
        verifier = form.get("code_verifier") or ""
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return refuse("invalid_grant", "AADSTS501481: the code_verifier does not match the code_challenge")
        return JSONResponse({"token_type": "Bearer", "scope": "openid profile email", "expires_in": 3600,
                             "access_token": secrets.token_urlsafe(16), "id_token": self.id_token(grant)})

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        tenant = TENANT
        claims = {"ver": "2.0", "iss": self.issuer(tenant), "aud": CLIENT_ID, "tid": tenant, "iat": now, "nbf": now,
                  "exp": now + 3600, "nonce": grant["nonce"], "sub": "stand-in-subject", **grant["user"]}
        key, tamper = self.key, self.tamper
        self.tamper = None
        if tamper == "issuer":
            claims["iss"] = "https://login.example.net/attacker/v2.0"
        elif tamper == "audience":
            claims["aud"] = "another-application"
        elif tamper == "nonce":
            claims["nonce"] = "replayed-nonce"
        elif tamper == "tenant":
            claims["tid"] = "99999999-9999-9999-9999-999999999999"
            claims["iss"] = self.issuer(claims["tid"])
        elif tamper == "signature":
            key = self.other_key
        elif tamper == "expired":
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.kid})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/{tenant}/v2.0/.well-known/openid-configuration", self.configuration),
            Route("/{tenant}/discovery/v2.0/keys", self.keys),
            Route("/{tenant}/oauth2/v2.0/authorize", self.authorize),
            Route("/{tenant}/oauth2/v2.0/token", self.token, methods=["POST"]),
        ])
