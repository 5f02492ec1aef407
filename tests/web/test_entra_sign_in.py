"""Sign-in with Entra ID end to end: the workspace, msal and a stand-in Entra ID (entra_standin.py) over real
HTTPS, with id tokens that are right and id tokens that are wrong in each way a validation must catch."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from conftest import BM, CHILD
from entra_standin import CLIENT_ID, SECRET, TENANT, EntraStandIn, self_signed
from test_security import audit_actions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def standin(tmp_path, monkeypatch, board):
    import uvicorn

    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # msal and the key fetch trust the stand-in, as documented
    port = free_port()
    fake = EntraStandIn(f"https://127.0.0.1:{port}", f"{board.settings.web.public_url}/sign-in/entra/callback")
    fake.cert = cert
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, ssl_certfile=str(cert), ssl_keyfile=str(key)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield fake
    server.should_exit = server.force_exit = True  # kept-alive connections need not finish
    thread.join(10)


@pytest.fixture
def entra(board, standin, wall):
    """A workspace whose people sign in with the stand-in Entra ID (the [graph] app registration)."""
    from pydantic import SecretStr
    from starlette.testclient import TestClient

    from service.web.asgi import create_app

    s = board.settings
    board.settings = s.model_copy(update={
        "graph": s.graph.model_copy(update={"tenant_id": TENANT, "client_id": CLIENT_ID,
                                            "client_secret": SecretStr(SECRET), "authority": standin.base}),
        "web": s.web.model_copy(update={"entra_sign_in": True, "app_roles": {"ReviewClerk.Viewer": "viewer"}})})
    with TestClient(create_app(board, now=wall), base_url="https://testserver") as c:
        yield c


def through_entra(client, standin) -> requests.Response:
    """Press "Sign in with Microsoft", let the stand-in sign the person in, come back: the callback's answer."""
    start = client.get("/sign-in/entra", follow_redirects=False)
    assert start.status_code == 303
    auth_uri = start.headers["location"]
    assert auth_uri.startswith(f"{standin.base}/{TENANT}/oauth2/v2.0/authorize?")
    back = requests.get(auth_uri, allow_redirects=False, verify=str(standin.cert), timeout=10)
    assert back.status_code == 302, back.text
    callback = back.headers["location"]
    public = client.app.state.web.settings.web.public_url
    assert callback.startswith(f"{public}/sign-in/entra/callback?code=")
    return client.get(callback[len(public):], follow_redirects=False)


def test_the_sign_in_page_offers_microsoft(entra):
    assert 'href="/sign-in/entra"' in entra.get("/sign-in").text


def test_a_configured_person_signs_in_with_entra_id_by_code_flow_with_pkce(entra, standin, board):
    done = through_entra(entra, standin)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "ESCB Business Manager (Business Manager)" in entra.get("/").text
    assert CHILD in entra.get("/cases/ESCB-2014-001").text
    [(_, asked)] = [r for r in standin.requests if r[0] == "authorize"]
    assert asked["code_challenge_method"] == "S256" and asked["response_type"] == "code"
    assert asked["nonce"] and asked["state"] and "openid" in asked["scope"].split()
    [(_, redeemed)] = [r for r in standin.requests if r[0] == "token"]
    assert redeemed["grant_type"] == "authorization_code" and redeemed["client_id"] == CLIENT_ID
    assert (BM, "web signed in") in audit_actions(board)


@pytest.mark.parametrize("tamper,why", [
    ("issuer", "issuer"), ("audience", "audience"), ("nonce", "nonce"), ("tenant", "tenant"),
    ("signature", "signature"), ("expired", "expired")])
def test_an_id_token_that_fails_validation_signs_nobody_in(entra, standin, board, tamper, why):
    from service.store import tables as t

    standin.tamper = tamper
    done = through_entra(entra, standin)
    assert done.status_code == 400 and "could not be completed" in done.text
    assert entra.get("/", follow_redirects=False).status_code == 303
    with board.db.engine.connect() as conn:
        [row] = [r for r in conn.execute(t.audit_events.select()) if r.action == "web sign-in failed"]
    assert why in row.reason
    assert (BM, "web signed in") not in audit_actions(board)


def test_a_valid_identity_the_configuration_does_not_know_is_not_authorised_and_audited(entra, standin, board):
    standin.user = {**standin.user, "preferred_username": "someone.else@enfield.example.org"}
    done = through_entra(entra, standin)
    assert done.status_code == 403 and "not authorised" in done.text
    assert ("someone.else@enfield.example.org", "web sign-in refused") in audit_actions(board)


def test_an_entra_app_role_in_the_token_grants_its_role(entra, standin):
    standin.user = {**standin.user, "preferred_username": "auditor@enfield.example.org",
                    "roles": ["ReviewClerk.Viewer"]}
    assert through_entra(entra, standin).status_code == 303
    assert "(Viewer)" in entra.get("/").text
    assert CHILD not in entra.get("/cases/ESCB-2014-001").text


def test_an_answer_for_a_sign_in_started_in_another_browser_is_refused(entra, standin, board):
    from starlette.testclient import TestClient

    start = entra.get("/sign-in/entra", follow_redirects=False)
    back = requests.get(start.headers["location"], allow_redirects=False, verify=str(standin.cert), timeout=10)
    public = board.settings.web.public_url
    with TestClient(entra.app, base_url="https://testserver") as other:
        answer = other.get(back.headers["location"][len(public):], follow_redirects=False)
        assert answer.status_code == 400
        assert other.get("/", follow_redirects=False).status_code == 303
    again = entra.get(back.headers["location"][len(public):], follow_redirects=False)
    assert again.status_code == 400, "the flow was used up by the first answer"


def test_entra_sign_in_needs_the_app_registration(config_dir):
    from service.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="web.entra_sign_in"):
        load_settings(config_dir / "review-clerk.toml", environ={"REVIEW_CLERK_WEB__ENTRA_SIGN_IN": "true"})
