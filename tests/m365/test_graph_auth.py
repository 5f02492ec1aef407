"""Tokens: expiry mid-run, 401 handling, token-endpoint errors, certificates, sovereign authorities."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import random

import pytest
import responses
from graph_stubs import (
    AUTHORITY,
    CLIENT_ID,
    G,
    MAILBOX,
    SECRET,
    TENANT,
    TOKEN_URL,
    FakeClock,
    TokenEndpoint,
    graph_settings,
    jwt_like,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from service.m365 import build_graph_backend
from service.m365.auth import TokenProvider, token_claims
from service.m365.errors import AuthError
from service.m365.http import RetryPolicy
from service.mailbox.ports import TransportError

FOLDER = f"{G}/mailFolders/inbox"


def bearer(call) -> str:
    return call.request.headers["Authorization"].removeprefix("Bearer ")


def test_a_token_expiring_mid_run_is_replaced_before_the_next_call(rsps, make_backend, token_endpoint, clock):
    token_endpoint.expires_in = 900  # 15 minutes
    mailbox, _ = make_backend()
    rsps.add(responses.GET, FOLDER, json={"id": "inbox-id"})
    mailbox.folders(MAILBOX).resolve("Inbox")
    clock.advance(500)  # 400 s left: still more than the 5-minute margin
    mailbox.folders(MAILBOX)._ids.clear()
    mailbox.folders(MAILBOX).resolve("Inbox")
    assert len(token_endpoint.tokens) == 1

    clock.advance(200)  # 200 s left: refresh before using it
    mailbox.folders(MAILBOX)._ids.clear()
    mailbox.folders(MAILBOX).resolve("Inbox")

    graph = [c for c in rsps.calls if c.request.url.startswith(FOLDER)]
    assert len(token_endpoint.tokens) == 2
    assert [bearer(c) for c in graph] == [token_endpoint.tokens[0]] * 2 + [token_endpoint.tokens[1]]
    assert token_endpoint.forms[-1]["scope"] == "https://graph.microsoft.com/.default"
    assert token_endpoint.forms[-1]["grant_type"] == "client_credentials"


def test_an_expired_token_is_never_sent(rsps, make_backend, token_endpoint, clock):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, FOLDER, json={"id": "inbox-id"})
    mailbox.folders(MAILBOX).resolve("Inbox")
    clock.advance(4000)  # past expiry
    mailbox.folders(MAILBOX)._ids.clear()
    mailbox.folders(MAILBOX).resolve("Inbox")
    assert bearer(rsps.calls[-1]) == token_endpoint.tokens[1]


def test_a_401_gets_one_fresh_token_and_the_request_is_repeated(rsps, make_backend, token_endpoint):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, FOLDER, status=401,
             json={"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}})
    rsps.add(responses.GET, FOLDER, json={"id": "inbox-id"})

    assert mailbox.folders(MAILBOX).resolve("Inbox") == "inbox-id"

    graph = [c for c in rsps.calls if c.request.url.startswith(FOLDER)]
    assert [bearer(c) for c in graph] == token_endpoint.tokens  # the second try used a new token


def test_a_second_401_is_a_permanent_error(rsps, make_backend, token_endpoint, clock):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, FOLDER, status=401, json={"error": {"code": "InvalidAuthenticationToken"}})

    with pytest.raises(TransportError) as info:
        mailbox.folders(MAILBOX).resolve("Inbox")

    assert info.value.permanent and "401" in str(info.value)
    assert len(token_endpoint.tokens) == 2 and clock.sleeps == []


@pytest.mark.parametrize("status, body, expected", [
    (401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. "
           "Trace ID: 1 Correlation ID: 2", "error_codes": [7000215]}, "Secret ID"),
    (401, {"error": "invalid_client", "error_description": "AADSTS7000222: The provided client secret keys for "
           "app are expired.", "error_codes": [7000222]}, "graph.secret_expires"),
    (400, {"error": "unauthorized_client", "error_description": "AADSTS700016: Application with identifier "
           "'x' was not found in the directory 'y'.", "error_codes": [700016]}, "Application (client) ID"),
])
def test_token_endpoint_refusals_are_permanent_with_a_plain_fix(rsps, make_backend, token_endpoint, status, body,
                                                                expected, caplog):
    token_endpoint.error, token_endpoint.status = body, status
    mailbox, _ = make_backend()

    with caplog.at_level(logging.DEBUG):
        with pytest.raises(AuthError) as info:
            mailbox.read_new(None)

    assert info.value.permanent and expected in info.value.fix
    assert f"AADSTS{body['error_codes'][0]}" in str(info.value)
    assert "Trace ID" not in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in caplog.text


def test_an_unknown_tenant_is_reported_from_tenant_discovery(rsps, clock):
    rsps.add(responses.GET, f"{AUTHORITY}/no-such-tenant/v2.0/.well-known/openid-configuration", status=400,
             json={"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant 'no-such-tenant' not found."})
    mailbox, _ = build_graph_backend(graph_settings(tenant_id="no-such-tenant"), MAILBOX, clock=clock,
                                     sleep=clock.sleep)

    with pytest.raises(AuthError) as info:
        mailbox.read_new(None)

    assert info.value.permanent and info.value.aadsts == 90002 and "graph.tenant_id" in info.value.fix


def test_a_token_endpoint_outage_is_transient(rsps, clock):
    endpoint = TokenEndpoint()
    endpoint.register(rsps)
    rsps.replace(responses.POST, TOKEN_URL, status=503, body="Service Unavailable")
    mailbox, _ = build_graph_backend(graph_settings(), MAILBOX, clock=clock, sleep=clock.sleep,
                                     policy=RetryPolicy(max_attempts=2))
    with pytest.raises(TransportError) as info:
        mailbox.read_new(None)
    assert not info.value.permanent
    assert clock.sleeps and clock.sleeps[0] >= 5.0  # msal answers from its throttle cache for 5 s


def test_a_custom_authority_and_endpoint_need_no_instance_discovery(rsps, clock):
    authority, endpoint = "https://login.sovereign.example", "https://graph.sovereign.example/v1.0/"
    rsps.add(responses.GET, f"{authority}/{TENANT}/v2.0/.well-known/openid-configuration",
             json={"token_endpoint": f"{authority}/{TENANT}/oauth2/v2.0/token",
                   "authorization_endpoint": f"{authority}/{TENANT}/oauth2/v2.0/authorize"})
    rsps.add(responses.POST, f"{authority}/{TENANT}/oauth2/v2.0/token",
             json={"token_type": "Bearer", "expires_in": 3600, "access_token": jwt_like({"roles": []})})
    rsps.add(responses.GET, f"{endpoint}users/{MAILBOX}/mailFolders/inbox", json={"id": "i"})
    mailbox, _ = build_graph_backend(graph_settings(authority=authority, endpoint=endpoint), MAILBOX,
                                     clock=clock, sleep=clock.sleep)

    assert mailbox.folders(MAILBOX).resolve("inbox") == "i"

    hosts = {c.request.url.split("/")[2] for c in rsps.calls}
    assert hosts == {"login.sovereign.example", "graph.sovereign.example"}  # nothing to microsoftonline.com
    token_call = next(c for c in rsps.calls if c.request.url.endswith("/token"))
    assert "scope=https%3A%2F%2Fgraph.sovereign.example%2F.default" in token_call.request.body


def _certificate(tmp_path, days: int = 365):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "review-clerk")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    return key, cert


def _assertion_header(form: dict[str, str]) -> dict:
    head = form["client_assertion"].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def test_a_pem_key_and_thumbprint_sign_a_client_assertion_instead_of_a_secret(rsps, token_endpoint, clock, tmp_path):
    key, cert = _certificate(tmp_path)
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()
    tokens = TokenProvider(graph_settings(client_secret=None, certificate_path=str(pem),
                                          certificate_thumbprint=thumbprint), clock=clock)

    tokens.token()

    form = token_endpoint.forms[-1]
    assert "client_secret" not in form
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert _assertion_header(form)["alg"] == "RS256" and "x5t" in _assertion_header(form)


def test_a_pfx_with_a_password_is_used_as_the_credential(rsps, token_endpoint, clock, tmp_path):
    key, cert = _certificate(tmp_path)
    pfx = tmp_path / "app.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"review-clerk", key, cert, None, serialization.BestAvailableEncryption(b"pfx-pass")))
    tokens = TokenProvider(graph_settings(client_secret=None, certificate_pfx_path=str(pfx),
                                          certificate_password="pfx-pass"), clock=clock)

    tokens.token()

    form = token_endpoint.forms[-1]
    assert "client_secret" not in form and "client_assertion" in form
    assert "x5t#S256" in _assertion_header(form)  # msal derives the thumbprint from the PFX


def test_a_missing_certificate_file_is_a_permanent_error_naming_the_setting(clock, tmp_path):
    tokens = TokenProvider(graph_settings(client_secret=None, certificate_pfx_path=str(tmp_path / "none.pfx")),
                           clock=clock)
    with pytest.raises(AuthError) as info:
        tokens.token()
    assert info.value.permanent and "graph.certificate_pfx_path" in str(info.value)


def test_token_claims_are_decoded_without_verification():
    assert token_claims(jwt_like({"roles": ["Mail.Send"]})) == {"roles": ["Mail.Send"]}
    assert token_claims("opaque") == {}


def test_each_backend_builds_its_own_msal_application(rsps, token_endpoint):
    clock = FakeClock()
    first, _ = build_graph_backend(graph_settings(), MAILBOX, clock=clock, sleep=clock.sleep, rng=random.Random(1))
    second, _ = build_graph_backend(graph_settings(), MAILBOX, clock=clock, sleep=clock.sleep, rng=random.Random(1))
    rsps.add(responses.GET, FOLDER, json={"id": "inbox-id"})
    first.folders(MAILBOX).resolve("Inbox")
    second.folders(MAILBOX).resolve("Inbox")
    assert len(token_endpoint.tokens) == 2  # no token (or cached token error) shared between backends
    assert CLIENT_ID in token_endpoint.forms[0]["client_id"]


def test_a_wrong_pfx_password_is_a_permanent_error_without_the_password(token_endpoint, clock, tmp_path):
    key, cert = _certificate(tmp_path)
    pfx = tmp_path / "app.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"review-clerk", key, cert, None, serialization.BestAvailableEncryption(b"right-pass")))
    tokens = TokenProvider(graph_settings(client_secret=None, certificate_pfx_path=str(pfx),
                                          certificate_password="wrong-pass"), clock=clock)
    with pytest.raises(AuthError) as info:
        tokens.token()
    assert info.value.permanent and "password" in info.value.fix
    assert "wrong-pass" not in str(info.value)
