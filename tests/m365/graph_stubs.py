"""Helpers for the Graph connector tests: constants, a fake clock, the Entra ID stub, settings.

A module of its own (not conftest.py) so test files can import it by a name
no other test directory uses.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from service.config import Graph

MAILBOX = "board@lscb.example.org"
TENANT = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
CLIENT_ID = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
SECRET = "never-log-this-secret"
ENDPOINT = "https://graph.microsoft.com/v1.0/"
AUTHORITY = "https://login.microsoftonline.com"
OPENID_URL = f"{AUTHORITY}/{TENANT}/v2.0/.well-known/openid-configuration"
TOKEN_URL = f"{AUTHORITY}/{TENANT}/oauth2/v2.0/token"
G = f"{ENDPOINT}users/{MAILBOX}"  # the service mailbox's Graph root
ALL_ROLES = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")


class FakeClock:
    """Epoch seconds that move only when the code under test sleeps (or a test advances them)."""

    def __init__(self, start: float = 1_767_225_600.0):  # 2026-01-01T00:00:00Z
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def jwt_like(claims: dict[str, Any]) -> str:
    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'typ': 'JWT', 'alg': 'none'})}.{b64(claims)}.c2ln"


class TokenEndpoint:
    """The Entra ID side for ``responses``: openid-configuration and a token endpoint.

    Issues a distinct JWT-shaped token per request (``tokens[n]``), with the
    configured ``roles`` and ``expires_in``; or, when ``error`` is set, the
    error body with ``status``.
    """

    def __init__(self) -> None:
        self.expires_in = 3600
        self.roles: tuple[str, ...] = ALL_ROLES
        self.error: dict[str, Any] | None = None
        self.status = 400
        self.tokens: list[str] = []
        self.forms: list[dict[str, str]] = []

    def register(self, rsps: responses.RequestsMock) -> None:
        rsps.add(responses.GET, OPENID_URL, json={
            "token_endpoint": TOKEN_URL,
            "authorization_endpoint": f"{AUTHORITY}/{TENANT}/oauth2/v2.0/authorize",
            "issuer": f"{AUTHORITY}/{TENANT}/v2.0",
        })
        rsps.add_callback(responses.POST, TOKEN_URL, callback=self._answer, content_type="application/json")

    def _answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.forms.append({k: v[0] for k, v in parse_qs(request.body).items()})
        if self.error is not None:
            return self.status, {}, json.dumps(self.error)
        token = jwt_like({"roles": list(self.roles), "n": len(self.tokens) + 1, "tid": TENANT})
        self.tokens.append(token)
        return 200, {}, json.dumps({"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token})


def graph_settings(**overrides: Any) -> Graph:
    values: dict[str, Any] = {"tenant_id": TENANT, "client_id": CLIENT_ID, "client_secret": SECRET,
                              "endpoint": ENDPOINT, "authority": AUTHORITY, "timeout_seconds": 5}
    values.update(overrides)
    return Graph(**values)


def graph_calls(rsps: responses.RequestsMock) -> list[tuple[str, str]]:
    """(method, path) of each Graph request, in order (those inside a batch each on their own, the
    batch itself left out); token traffic left out."""
    out = []
    for call in rsps.calls:
        url = call.request.url
        if url.startswith(AUTHORITY):
            continue
        parts = urlsplit(url)
        if parts.path.endswith("/$batch"):
            continue  # the requests inside it are listed, in order
        out.append((call.request.method, parts.path.replace("/v1.0/", "", 1)))
    return out


def body_of(call: Any) -> dict[str, Any]:
    return json.loads(call.request.body) if call.request.body else {}


def query_of(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


class BatchShim:
    """``POST /$batch`` for ``responses``: each request inside goes, in order, to the stubs registered
    for it as if it had come alone (so a test stubs ``GET …/$value`` whether or not it is batched), and
    the answers come back in the JSON batching shape, in reverse order (Graph promises no order),
    non-JSON bodies base64-encoded. A request whose ``dependsOn`` failed answers 424 without reaching
    its stub. A stub that raises (a connection reset) fails the whole batch the same way."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def register(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(responses.POST, f"{ENDPOINT}$batch", callback=self._answer, content_type="application/json")

    def _answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        items = json.loads(request.body)["requests"]
        assert len(items) <= 20, "Graph takes at most 20 requests in a batch"
        self.batches.append(items)
        status_of: dict[str, int] = {}
        out = []
        with requests.Session() as session:
            for item in items:
                deps = item.get("dependsOn") or []
                if any(not 200 <= status_of[d] < 300 for d in deps):
                    status_of[item["id"]] = 424
                    out.append({"id": item["id"], "status": 424, "headers": {},
                                "body": {"error": {"code": "FailedDependency", "message": "dependency failed"}}})
                    continue
                headers = dict(item.get("headers") or {})
                headers["Authorization"] = request.headers.get("Authorization", "")
                resp = session.request(item["method"], ENDPOINT.rstrip("/") + item["url"], headers=headers,
                                       json=item.get("body"))
                status_of[item["id"]] = resp.status_code
                ctype = resp.headers.get("Content-Type", "")
                answer: dict[str, Any] = {"id": item["id"], "status": resp.status_code,
                                          "headers": {k: v for k, v in resp.headers.items()
                                                      if k in ("Retry-After", "Content-Type", "Location")}}
                if resp.content:
                    answer["body"] = resp.json() if "json" in ctype else base64.b64encode(resp.content).decode()
                out.append(answer)
        return 200, {}, json.dumps({"responses": out[::-1]})


def batch_items(shim: BatchShim) -> list[tuple[str, str]]:
    """(method, url) of every request sent inside a batch, in order."""
    return [(i["method"], i["url"]) for b in shim.batches for i in b]
