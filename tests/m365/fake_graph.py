"""An in-process fake of Microsoft Graph and the Entra ID token endpoint, over TLS.

Start it with ``with FakeGraph() as fake:``; point ``graph.endpoint`` at
``fake.endpoint`` and ``graph.authority`` at ``fake.authority``, and set
``REQUESTS_CA_BUNDLE=fake.ca_file`` so requests (ours and msal's) trust its
self-signed certificate. It keeps mailboxes, folders, messages, events and
free/busy in memory and answers in the shapes the Graph v1.0 documentation
gives, for the calls the connector makes:

* token: ``GET {tenant}/v2.0/.well-known/openid-configuration``,
  ``POST {tenant}/oauth2/v2.0/token`` (client secret; JWT-shaped tokens with a
  ``roles`` claim; expiry judged by the injected ``clock``);
* mail: mail folders (well-known names, ``$filter=displayName eq``,
  create), ``messages/delta`` with next/delta links, ``$value``, ``move``,
  ``PATCH``, ``DELETE``, create draft, ``send``, attachments, upload
  sessions, ``$filter`` on our single-value extended property;
* calendar: events (``transactionId`` de-duplication, Teams link when
  ``isOnlineMeeting`` is the JSON ``true``), ``cancel``, ``getSchedule``;
* JSON batching: ``POST /$batch`` (see :meth:`FakeGraph._batch`);
* change notifications: ``POST/PATCH/DELETE /subscriptions`` and ``…/reauthorize``, each create and
  renewal validated by calling the notification URL with ``validationToken`` (through
  :attr:`FakeGraph.notify_transport`, HTTPS by default); a delivered message posts a ``created``
  notification to each subscription of its folder (unless ``drop_notifications``), and
  :meth:`FakeGraph.send_lifecycle` posts lifecycle events. Subscriptions lapse by the ``clock``.

Fault injection (:meth:`FakeGraph.inject`): a status with ``Retry-After``
(429, 503…), a connection reset before the request is handled, or after it
was handled (the answer is lost), for the next N matching requests. Token
expiry: ``token_lifetime`` and :meth:`revoke_tokens`. :attr:`FakeGraph.log`
records every request as ``(method, path, status)``: each request inside a
``$batch`` on its own line (in order, before the line of the batch itself,
``POST /v1.0/$batch``); :attr:`FakeGraph.batch_members` says which lines
came inside which batch, :meth:`FakeGraph.requests_by` counts them by method
and path template.

Limits, deliberately: one tenant and one app; ``$select`` is mostly
ignored (whole objects come back); ids are short opaque strings rather than
Graph's base64.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import ipaddress
import json
import random
import re
import socket
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ALL_ROLES = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")
CHUNK_UNIT = 320 * 1024
MAX_REQUEST = 4 * 1024 * 1024
MAIL_SUBSCRIPTION_MINUTES = 10_080
WELL_KNOWN = ("inbox", "drafts", "sentitems", "deleteditems", "archive", "junkemail", "outbox")
_KEY_FILTER = re.compile(r"singleValueExtendedProperties/Any\(ep: ep/id eq '((?:[^']|'')*)' "
                         r"and ep/value eq '((?:[^']|'')*)'\)", re.IGNORECASE)
_NAME_FILTER = re.compile(r"displayName eq '((?:[^']|'')*)'")


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost; returns (cert PEM, key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-graph.test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "fake-graph.crt", directory / "fake-graph.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def jwt_like(claims: dict[str, Any]) -> str:
    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'typ': 'JWT', 'alg': 'none'})}.{b64(claims)}.c2ln"


def graph_error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": code, "message": message,
                              "innerError": {"request-id": str(uuid.uuid4()), "date": _iso(time.time())}}}


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: Any) -> dt.datetime | None:
    """An aware datetime from Graph's ISO 8601 (``Z``, up to 7 fractional digits)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)", str(value or ""))
    if not m:
        return None
    return dt.datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(2) == "Z" else m.group(2)))


def _unq(value: str) -> str:
    return value.replace("''", "'")


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int | None = None
    retry_after: float | None = None
    reset: bool = False
    after: bool = False
    times: int = 1
    body: dict[str, Any] | None = None
    skip: int = 0  # matching requests to let through before the fault applies


@dataclass
class Box:
    """One mailbox: folders, messages (by id), events and a change sequence for delta."""

    address: str
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: dict[str, dict[str, Any]] = field(default_factory=dict)
    removals: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, folder id, message id)
    seq: int = 0
    delta_floor: int = 0  # delta tokens below this are expired (410)


class FakeGraph:
    def __init__(self, *, tenant: str = "contoso-tenant", client_id: str = "app-id",
                 client_secret: str = "s3cret", roles: tuple[str, ...] = ALL_ROLES,
                 token_lifetime: int = 3600, clock: Callable[[], float] = time.time):
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.roles = roles
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.lock = threading.RLock()
        self.boxes: dict[str, Box] = {}
        self.busy: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = {}
        self.tokens: dict[str, float] = {}  # token -> expiry (clock seconds)
        self.token_requests = 0
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.uploads: dict[str, dict[str, Any]] = {}
        self.batches: list[int] = []  # requests per $batch, in order
        self.batch_members: list[list[int]] = []  # per $batch, the positions in ``log`` of its requests
        self.mailbox_concurrency = 4
        self.subscriptions: dict[str, dict[str, Any]] = {}
        # How Graph reaches the service: (url, query, JSON body) -> (status, text). Default: HTTPS.
        self.notify_transport: Callable[[str, dict[str, str] | None, Any], tuple[int, str]] | None = None
        self.notifications: list[tuple[str, Any, Any, int, float]] = []  # (url, query, body, status, seconds)
        self.drop_notifications = False
        self.dropped: list[str] = []
        self._rng = random.Random(18)
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-graph-")
        self.ca_file, self._key_file = make_certificate(Path(self._tmp.name))
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Life cycle -------------------------------------------------------------
    def __enter__(self) -> "FakeGraph":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(_Handler):
            graph = fake

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.ca_file, self._key_file)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-graph", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        self._tmp.cleanup()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def endpoint(self) -> str:
        return self.base_url + "/v1.0/"

    @property
    def authority(self) -> str:
        return self.base_url

    # Test hooks ---------------------------------------------------------------
    def box(self, address: str) -> Box:
        address = address.lower()
        with self.lock:
            if address not in self.boxes:
                b = Box(address)
                root = "folder-root-" + address
                b.folders[root] = {"id": root, "displayName": "Top of Information Store", "parentFolderId": None,
                                   "wellKnownName": "msgfolderroot"}
                for wk in WELL_KNOWN:
                    fid = f"folder-{wk}-{address}"
                    b.folders[fid] = {"id": fid, "displayName": wk.title(), "parentFolderId": root,
                                      "wellKnownName": wk}
                self.boxes[address] = b
            return self.boxes[address]

    def folder_id(self, address: str, well_known: str) -> str:
        return f"folder-{well_known}-{address.lower()}"

    def deliver(self, address: str, raw: bytes, *, internet_message_id: str | None = None,
                folder: str = "inbox") -> str:
        """An inbound message arrives in ``folder`` (a well-known name)."""
        b = self.box(address)
        with self.lock:
            mid = self._store_delivered(b, address, raw, internet_message_id, folder)
            subs = self._subscribed(address, self.folder_id(address, folder))
        self._notify_created(subs, mid)  # outside the lock: the service may call back at once
        return mid

    def _store_delivered(self, b: Box, address: str, raw: bytes, internet_message_id: str | None,
                         folder: str) -> str:
        b.seq += 1
        mid = f"msg-{uuid.uuid4().hex[:12]}"
        imid = internet_message_id or f"<{uuid.uuid4().hex}@sender.example>"
        b.messages[mid] = {"id": mid, "internetMessageId": imid, "receivedDateTime": _iso(self.clock()),
                           "createdDateTime": _iso(self.clock()), "isDraft": False,
                           "parentFolderId": self.folder_id(address, folder), "categories": [],
                           "subject": "(inbound)", "raw": raw, "_seq": b.seq,
                           "singleValueExtendedProperties": [], "attachments": []}
        return mid

    def inject(self, method: str, path_regex: str, *, status: int | None = None, retry_after: float | None = None,
               reset: bool = False, after: bool = False, times: int = 1, body: dict[str, Any] | None = None,
               skip: int = 0) -> None:
        """Fail ``times`` requests whose path matches ``path_regex`` (re.search), after ``skip`` of them.

        ``status`` (with ``retry_after``) answers instead of handling the request;
        ``reset`` drops the connection before handling it; ``reset`` with
        ``after`` handles it and then drops the connection, losing the answer.
        """
        with self.lock:
            self.faults.append(Fault(method.upper(), re.compile(path_regex), status, retry_after, reset, after,
                                     times, body, skip))

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def expire_delta_tokens(self, address: str) -> None:
        b = self.box(address)
        with self.lock:
            b.seq += 1
            b.delta_floor = b.seq

    def set_busy(self, address: str, items: list[tuple[dt.datetime, dt.datetime, str]]) -> None:
        self.busy[address.lower()] = items

    def set_response(self, address: str, event_id: str, attendee: str, response: str) -> None:
        with self.lock:
            for a in self.box(address).events[event_id]["attendees"]:
                if a["emailAddress"]["address"].lower() == attendee.lower():
                    a["status"] = {"response": response, "time": _iso(self.clock())}

    def calls(self, method: str, path_regex: str) -> int:
        """How many logged requests matched (any status)."""
        rx = re.compile(path_regex)
        return sum(1 for m, p, _ in self.log if m == method and rx.search(p))

    # Dispatch -------------------------------------------------------------------
    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.method == method and f.pattern.search(path) and f.times > 0:
                    if f.skip > 0:
                        f.skip -= 1
                        continue
                    f.times -= 1
                    return f
        return None

    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> tuple[int, Any, dict[str, str]]:
        """(status, JSON object or bytes or None, extra headers)."""
        with self.lock:
            if path.endswith("/v2.0/.well-known/openid-configuration"):
                return self._openid(path)
            if path.endswith("/oauth2/v2.0/token") and method == "POST":
                return self._token(path, body)
            if path.startswith("/upload/") and method == "PUT":
                return self._upload_chunk(path, headers, body)
            if not path.startswith("/v1.0/"):
                return (*graph_error(404, "UnknownPath", "no such path"), {})
            auth = headers.get("authorization", "")
            token = auth[7:] if auth.lower().startswith("bearer ") else ""
            if token not in self.tokens or self.tokens[token] <= self.clock():
                return (*graph_error(401, "InvalidAuthenticationToken",
                                     "Access token has expired or is not yet valid."), {})
            if method in ("POST", "PATCH") and len(body) > MAX_REQUEST:
                return (*graph_error(413, "RequestEntityTooLarge", "The request is too large."), {})
            if path.startswith("/v1.0/subscriptions"):
                return self._subscriptions(method, path, json.loads(body) if body else {})
            if path == "/v1.0/$batch" and method == "POST":
                return self._batch(headers, body)
            data = json.loads(body) if body else {}
            return self._graph(method, path[len("/v1.0/"):], query, headers, data)

    # JSON batching ------------------------------------------------------------------
    def _batch(self, headers: dict[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        """``POST /$batch`` as https://learn.microsoft.com/graph/json-batching documents it.

        Each request is handled (and logged, and matched against injected faults) as if it had come
        alone; answers come back in a shuffled order. A request whose ``dependsOn`` did not succeed
        answers 424. More than 4 requests to one mailbox that could run at once (no ``dependsOn``)
        are throttled as Exchange does: the extra ones answer 429 with a Retry-After. An injected
        reset on any request drops the connection of the whole batch (before or after handling it).
        """
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return (*graph_error(400, "BadRequest", "Invalid batch payload format."), {})
        items = data.get("requests")
        if not isinstance(items, list) or not items:
            return (*graph_error(400, "BadRequest", "Invalid batch payload format."), {})
        if len(items) > 20:
            return (*graph_error(400, "BadRequest", "Number of batch requests exceeds the maximum of 20."), {})
        ids = [str(i.get("id")) for i in items]
        if len(set(ids)) != len(ids):
            return (*graph_error(400, "BadRequest", "Batch request ids must be unique."), {})
        self.batches.append(len(items))
        members: list[int] = []
        self.batch_members.append(members)
        status_of: dict[str, int] = {}
        answers = []
        reset_after = False
        roots: dict[str, int] = {}
        for item in items:
            rid, method = str(item.get("id")), str(item.get("method", "GET")).upper()
            parts = urlsplit(str(item.get("url", "")))
            path = "/v1.0/" + parts.path.lstrip("/")
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            inner_headers = {k.lower(): str(v) for k, v in (item.get("headers") or {}).items()}
            depends = [str(d) for d in item.get("dependsOn") or []]
            extra: dict[str, str] = {}
            if any(d not in status_of for d in depends):
                status, payload = graph_error(400, "BadRequest", "dependsOn names an unknown or later request.")
            elif any(not 200 <= status_of[d] < 300 for d in depends):
                status, payload = 424, {"error": {"code": "FailedDependency",
                                                  "message": "The request depends on a request that failed."}}
            else:
                m = re.match(r"/v1\.0/users/([^/]+)", path)
                mailbox = unquote(m.group(1)).lower() if m else ""
                if not depends:
                    roots[mailbox] = roots.get(mailbox, 0) + 1
                fault = self.take_fault(method, path)
                if fault and fault.reset:
                    if not fault.after:
                        raise _Reset()
                    reset_after = True
                if not depends and roots[mailbox] > self.mailbox_concurrency:
                    status, payload = graph_error(429, "ApplicationThrottled",
                                                  "Application is over its MailboxConcurrency limit.")
                    extra = {"Retry-After": "1"}
                elif fault and fault.status:
                    status = fault.status
                    payload = fault.body or graph_error(status, "TooManyRequests" if status == 429 else
                                                        "ServiceUnavailable", "Injected fault.")[1]
                    if fault.retry_after is not None:
                        extra = {"Retry-After": f"{fault.retry_after:g}"}
                else:
                    inner_body = item.get("body")
                    raw = json.dumps(inner_body).encode() if inner_body is not None else b""
                    inner_headers.setdefault("authorization", headers.get("authorization", ""))
                    try:
                        status, payload, extra = self.handle(method, path, query, inner_headers, raw)
                    except Exception as exc:  # noqa: BLE001 - a bug in the fake shows as a 500
                        status, payload, extra = 500, {"error": {"code": "FakeGraphBug", "message": repr(exc)}}, {}
            members.append(len(self.log))
            self.log.append((method, path, status))
            status_of[rid] = status
            answer: dict[str, Any] = {"id": rid, "status": status, "headers": dict(extra)}
            if isinstance(payload, (bytes, bytearray)):
                answer["headers"].setdefault("Content-Type", "application/octet-stream")
                answer["body"] = base64.b64encode(bytes(payload)).decode()
            elif payload is not None:
                answer["headers"]["Content-Type"] = "application/json"
                answer["body"] = payload
            answers.append(answer)
        self._rng.shuffle(answers)  # "responses may come back in any order"
        if reset_after:
            raise _Reset(after=True)
        return 200, {"responses": answers}, {}

    def inside_batches(self) -> set[int]:
        """Positions in ``log`` of the requests that came inside a batch (not as HTTP requests of their own)."""
        return {i for members in self.batch_members for i in members}

    def batch_round_trips(self, since: int = 0) -> int:
        """How many ``POST /$batch`` round trips were logged from position ``since``."""
        return sum(1 for m, p, _ in self.log[since:] if m == "POST" and p.endswith("/$batch"))

    def requests_by(self, since: int = 0) -> dict[tuple[str, str], int]:
        """Requests logged from ``since`` by (method, path template): ids become ``{id}``; each request
        inside a batch counts once, and the batch itself as ``POST /$batch``."""
        out: dict[tuple[str, str], int] = {}
        for m, p, _ in self.log[since:]:
            t = re.sub(r"/(msg|draft|event|folder|att)-[^/]+", r"/{\1}", p)
            t = re.sub(r"/users/[^/]+", "/users/{mailbox}", t)
            out[(m, t)] = out.get((m, t), 0) + 1
        return out

    # Change notifications ---------------------------------------------------------------
    def _http_transport(self, url: str, params: dict[str, str] | None, body: Any) -> tuple[int, str]:
        import requests

        resp = requests.post(url, params=params, json=body, timeout=10)
        return resp.status_code, resp.text

    def _post_to_service(self, url: str, params: dict[str, str] | None, body: Any) -> tuple[int, str]:
        started = time.monotonic()
        try:
            status, text = (self.notify_transport or self._http_transport)(url, params, body)
        except Exception:  # noqa: BLE001 - an endpoint that cannot be reached
            status, text = 0, ""
        elapsed = time.monotonic() - started
        self.notifications.append((url, params, body, status, elapsed))
        return status, text

    def _validate_endpoint(self, url: str) -> bool:
        """Graph's validation request: the token must come back as text/plain, 200, within 10 s."""
        token = f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"
        started = time.monotonic()
        status, text = self._post_to_service(url, {"validationToken": token}, None)
        return status == 200 and text == token and time.monotonic() - started < 10

    def _active(self, sub: dict[str, Any]) -> bool:
        when = _parse_time(sub["expirationDateTime"])
        return when is not None and when.timestamp() > self.clock()

    def _subscriptions(self, method: str, path: str, data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        parts = path.strip("/").split("/")[2:]  # after v1.0/subscriptions
        if method == "POST" and not parts:
            return self._create_subscription(data)
        sub = self.subscriptions.get(parts[0]) if parts else None
        if sub is not None and not self._active(sub):
            sub = None
        if sub is None:
            return (*graph_error(404, "ResourceNotFound", "The object was not found."), {})
        if method == "PATCH" and len(parts) == 1:
            problem = self._bad_expiry(data.get("expirationDateTime"))
            if problem:
                return problem
            if not self._validate_endpoint(sub["notificationUrl"]):
                return (*graph_error(400, "ValidationError", "Subscription validation request failed."), {})
            sub["expirationDateTime"] = data["expirationDateTime"]
            sub["renewals"] = sub.get("renewals", 0) + 1
            return 200, self._public_subscription(sub), {}
        if method == "DELETE" and len(parts) == 1:
            del self.subscriptions[parts[0]]
            return 204, None, {}
        if method == "POST" and parts[1:] == ["reauthorize"]:
            sub["reauthorized"] = sub.get("reauthorized", 0) + 1
            return 200, None, {}
        return (*graph_error(400, "BadRequest", f"Unsupported {method} {path}"), {})

    def _bad_expiry(self, value: Any) -> tuple[int, Any, dict[str, str]] | None:
        when = _parse_time(value)
        if when is None:
            return (*graph_error(400, "InvalidRequest", "expirationDateTime is invalid."), {})
        seconds = when.timestamp() - self.clock()
        if seconds <= 0 or seconds > MAIL_SUBSCRIPTION_MINUTES * 60:
            return (*graph_error(400, "InvalidRequest", "Subscription expiration can only be 10080 minutes in "
                                 "the future."), {})
        return None

    def _create_subscription(self, data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        for name in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
            if not data.get(name):
                return (*graph_error(400, "InvalidRequest", f"{name} is required."), {})
        if not str(data["notificationUrl"]).startswith("https://"):
            return (*graph_error(400, "InvalidRequest", "notificationUrl must be https."), {})
        if len(str(data.get("clientState") or "")) > 128:
            return (*graph_error(400, "InvalidRequest", "clientState is limited to 128 characters."), {})
        problem = self._bad_expiry(data["expirationDateTime"])
        if problem:
            return problem
        if not re.fullmatch(r"users/[^/]+/mailFolders\('[^']+'\)/messages", data["resource"]):
            return (*graph_error(400, "InvalidRequest", "Unsupported resource."), {})
        urls = [data["notificationUrl"], *([data["lifecycleNotificationUrl"]]
                                           if data.get("lifecycleNotificationUrl") else [])]
        if not all(self._validate_endpoint(u) for u in urls):
            return (*graph_error(400, "ValidationError", "Subscription validation request failed. Notification "
                                 "endpoint must respond with 200 OK to validation request."), {})
        sid = str(uuid.uuid4())
        self.subscriptions[sid] = dict(data, id=sid, applicationId=self.client_id)
        return 201, self._public_subscription(self.subscriptions[sid]), {}

    def _public_subscription(self, sub: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in sub.items() if k not in ("clientState", "renewals", "reauthorized")}
        out["clientState"] = None  # Graph never returns it
        return out

    def _subscribed(self, address: str, folder_id: str) -> list[dict[str, Any]]:
        out = []
        for sub in self.subscriptions.values():
            m = re.fullmatch(r"users/([^/]+)/mailFolders\('([^']+)'\)/messages", sub["resource"])
            if not m or m.group(1).lower() != address.lower() or not self._active(sub):
                continue
            if "created" not in sub["changeType"].split(","):
                continue
            folder = self._folder(self.box(address), m.group(2))
            if folder and folder["id"] == folder_id:
                out.append(sub)
        return out

    def _notify_created(self, subs: list[dict[str, Any]], mid: str) -> None:
        for sub in subs:
            if self.drop_notifications:
                self.dropped.append(mid)
                continue
            self._post_to_service(sub["notificationUrl"], None, {"value": [{
                "subscriptionId": sub["id"], "subscriptionExpirationDateTime": sub["expirationDateTime"],
                "changeType": "created", "resource": f"Users/{sub['resource'].split('/')[1]}/Messages/{mid}",
                "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "@odata.id": f"Users/x/Messages/{mid}",
                                 "id": mid},
                "clientState": sub.get("clientState"), "tenantId": self.tenant}]})

    def send_lifecycle(self, subscription_id: str, event: str) -> int:
        """Graph posts a lifecycle notification (``reauthorizationRequired``, ``subscriptionRemoved``,
        ``missed``); a removed subscription is gone. Returns the endpoint's status."""
        with self.lock:
            sub = self.subscriptions[subscription_id]
            if event == "subscriptionRemoved":
                del self.subscriptions[subscription_id]
        status, _ = self._post_to_service(sub["lifecycleNotificationUrl"], None, {"value": [{
            "lifecycleEvent": event, "subscriptionId": sub["id"], "clientState": sub.get("clientState"),
            "subscriptionExpirationDateTime": sub["expirationDateTime"], "tenantId": self.tenant}]})
        return status

    # Token endpoint -------------------------------------------------------------
    def _openid(self, path: str) -> tuple[int, Any, dict[str, str]]:
        tenant = path.strip("/").split("/")[0]
        if tenant != self.tenant:
            return 400, {"error": "invalid_tenant", "error_description":
                         f"AADSTS90002: Tenant '{tenant}' not found. Trace ID: x Correlation ID: y",
                         "error_codes": [90002]}, {}
        base = f"{self.base_url}/{tenant}"
        return 200, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                     "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                     "issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys",
                     "response_types_supported": ["code", "id_token", "token"],
                     "subject_types_supported": ["pairwise"],
                     "id_token_signing_alg_values_supported": ["RS256"]}, {}

    def _token(self, path: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.token_requests += 1
        if form.get("client_id") != self.client_id:
            return 400, {"error": "unauthorized_client", "error_description":
                         f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not found "
                         f"in the directory.", "error_codes": [700016]}, {}
        if form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description":
                         "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215]}, {}
        token = jwt_like({"aud": self.base_url, "tid": self.tenant, "appid": self.client_id,
                          "roles": list(self.roles), "jti": uuid.uuid4().hex})
        self.tokens[token] = self.clock() + self.token_lifetime
        return 200, {"token_type": "Bearer", "expires_in": self.token_lifetime,
                     "ext_expires_in": self.token_lifetime, "access_token": token}, {}

    # Graph ------------------------------------------------------------------------
    def _graph(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        parts = [unquote(p) for p in path.split("/")]
        if len(parts) < 2 or parts[0] != "users":
            return (*graph_error(400, "BadRequest", "Unsupported path"), {})
        box = self.box(parts[1])
        rest = parts[2:]
        X = r"[^/]+"  # one id segment
        routes: list[tuple[str, str, Callable[..., tuple[int, Any, dict[str, str]]]]] = [
            ("GET", rf"mailFolders/{X}", self._get_folder),
            ("GET", r"mailFolders", self._list_folders),
            ("POST", r"mailFolders", self._create_folder),
            ("GET", rf"mailFolders/{X}/childFolders", self._list_folders),
            ("POST", rf"mailFolders/{X}/childFolders", self._create_folder),
            ("GET", rf"mailFolders/{X}/messages/delta", self._delta),
            ("GET", r"messages", self._list_messages),
            ("POST", r"messages", self._create_message),
            ("GET", rf"messages/{X}", self._get_message),
            ("PATCH", rf"messages/{X}", self._patch_message),
            ("DELETE", rf"messages/{X}", self._delete_message),
            ("GET", rf"messages/{X}/\$value", self._mime),
            ("POST", rf"messages/{X}/move", self._move),
            ("POST", rf"messages/{X}/send", self._send),
            ("GET", rf"messages/{X}/attachments", self._list_attachments),
            ("POST", rf"messages/{X}/attachments", self._add_attachment),
            ("POST", rf"messages/{X}/attachments/createUploadSession", self._upload_session),
            ("GET", r"calendar", lambda *a: (200, {"id": "calendar-" + box.address, "name": "Calendar"}, {})),
            ("POST", r"calendar/getSchedule", self._get_schedule),
            ("GET", r"events", self._list_events),
            ("POST", r"events", self._create_event),
            ("GET", rf"events/{X}", self._get_event),
            ("PATCH", rf"events/{X}", self._patch_event),
            ("DELETE", rf"events/{X}", self._delete_event),
            ("POST", rf"events/{X}/cancel", self._cancel_event),
        ]
        tail = "/".join(rest)
        handler = next((h for m, rx, h in routes if m == method and re.fullmatch(rx, tail)), None)
        if handler is None:
            return (*graph_error(400, "BadRequest", f"Unsupported {method} {path}"), {})
        return handler(box, rest, query, headers, data)

    def _folder(self, box: Box, ref: str) -> dict[str, Any] | None:
        if ref.lower() in WELL_KNOWN or ref.lower() == "msgfolderroot":
            return next(f for f in box.folders.values() if f["wellKnownName"] == ref.lower())
        return box.folders.get(ref)

    def _public_folder(self, f: dict[str, Any], box: Box) -> dict[str, Any]:
        count = sum(1 for m in box.messages.values() if m["parentFolderId"] == f["id"])
        return {"id": f["id"], "displayName": f["displayName"], "parentFolderId": f["parentFolderId"],
                "totalItemCount": count}

    def _get_folder(self, box: Box, rest: list[str], *_: Any) -> tuple[int, Any, dict[str, str]]:
        f = self._folder(box, rest[1])
        if f is None:
            return (*graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store."), {})
        return 200, self._public_folder(f, box), {}

    def _list_folders(self, box: Box, rest: list[str], query: dict[str, str], *_: Any):
        parent = self._folder(box, rest[1] if len(rest) > 1 else "msgfolderroot")
        if parent is None:
            return (*graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store."), {})
        folders = [f for f in box.folders.values() if f["parentFolderId"] == parent["id"]]
        m = _NAME_FILTER.search(query.get("$filter", ""))
        if m:
            folders = [f for f in folders if f["displayName"] == _unq(m.group(1))]
        return 200, {"value": [self._public_folder(f, box) for f in folders]}, {}

    def _create_folder(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                       data: dict[str, Any]):
        parent = self._folder(box, rest[1] if len(rest) > 1 else "msgfolderroot")
        if parent is None:
            return (*graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store."), {})
        name = data.get("displayName", "")
        if any(f["parentFolderId"] == parent["id"] and f["displayName"].lower() == name.lower()
               for f in box.folders.values()):
            return (*graph_error(409, "ErrorFolderExists", "A folder with the specified name already exists."), {})
        fid = f"folder-{uuid.uuid4().hex[:10]}"
        box.folders[fid] = {"id": fid, "displayName": name, "parentFolderId": parent["id"], "wellKnownName": None}
        return 201, self._public_folder(box.folders[fid], box), {}

    def _delta(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str], _data: Any):
        folder = self._folder(box, rest[1])
        if folder is None:
            return (*graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store."), {})
        page_size = 10
        m = re.search(r"odata\.maxpagesize=(\d+)", headers.get("prefer", ""))
        if m:
            page_size = int(m.group(1))
        if "$skiptoken" in query:
            since, offset, snapshot = (int(x) for x in query["$skiptoken"].split("."))
        else:
            since = int(query.get("$deltatoken", "0") or 0)
            offset, snapshot = 0, box.seq
        if "$deltatoken" in query and since < box.delta_floor:
            return (*graph_error(410, "SyncStateNotFound", "The sync state generation is not found."), {})
        entries: list[dict[str, Any]] = []
        for msg in sorted(box.messages.values(), key=lambda x: x["_seq"]):
            if msg["parentFolderId"] == folder["id"] and since < msg["_seq"] <= snapshot:
                entries.append({"@odata.type": "#microsoft.graph.message", "id": msg["id"],
                                "internetMessageId": msg.get("internetMessageId"),
                                "receivedDateTime": msg.get("receivedDateTime"), "isDraft": msg["isDraft"]})
        if since:
            entries += [{"@odata.type": "#microsoft.graph.message", "id": mid, "@removed": {"reason": "deleted"}}
                        for seq, fid, mid in box.removals if fid == folder["id"] and since < seq <= snapshot]
        page = entries[offset:offset + page_size]
        link = f"{self.endpoint}users/{box.address}/mailFolders/{folder['id']}/messages/delta"
        out: dict[str, Any] = {"@odata.context": f"{self.endpoint}$metadata#Collection(message)", "value": page}
        if offset + page_size < len(entries):
            out["@odata.nextLink"] = f"{link}?$skiptoken={since}.{offset + page_size}.{snapshot}"
        else:
            out["@odata.deltaLink"] = f"{link}?$deltatoken={snapshot}"
        return 200, out, {}

    def _public_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in msg.items() if not k.startswith("_") and k not in ("raw", "attachments")} | {
            "hasAttachments": bool(msg.get("attachments"))}

    def _list_messages(self, box: Box, rest: list[str], query: dict[str, str], *_: Any):
        m = _KEY_FILTER.search(query.get("$filter", ""))
        if not m:
            return (*graph_error(400, "BadRequest", "only the extended-property filter is supported"), {})
        pid, value = _unq(m.group(1)).lower(), _unq(m.group(2))
        hits = [self._public_message(msg) for msg in box.messages.values()
                if any(p["id"].lower() == pid and p["value"] == value
                       for p in msg.get("singleValueExtendedProperties", []))]
        return 200, {"value": hits}, {}

    def _create_message(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                        data: dict[str, Any]):
        custom = data.get("internetMessageHeaders") or []
        if len(custom) > 5:
            return (*graph_error(400, "InvalidInternetMessageHeaderCollection",
                                 "Maximum number of headers in one message should be less than or equal to 5."), {})
        for h in custom:
            if not h["name"].lower().startswith("x-"):
                return (*graph_error(400, "InvalidInternetMessageHeader",
                                     f"The internet message header name '{h['name']}' should start with 'x-' "
                                     f"or 'X-'."), {})
        box.seq += 1
        mid = f"draft-{uuid.uuid4().hex[:12]}"
        msg = {k: v for k, v in data.items() if k != "attachments"}
        msg.update({"id": mid, "isDraft": True, "parentFolderId": self.folder_id(box.address, "drafts"),
                    "createdDateTime": _iso(self.clock()), "categories": data.get("categories", []),
                    "internetMessageId": data.get("internetMessageId") or f"<{uuid.uuid4().hex}@fake.outlook>",
                    "singleValueExtendedProperties": data.get("singleValueExtendedProperties", []),
                    "_seq": box.seq, "attachments": []})
        for att in data.get("attachments", []):
            msg["attachments"].append(self._stored_attachment(att))
        box.messages[mid] = msg
        return 201, self._public_message(msg), {}

    def _stored_attachment(self, att: dict[str, Any]) -> dict[str, Any]:
        raw = base64.b64decode(att.get("contentBytes", ""))
        return {"@odata.type": "#microsoft.graph.fileAttachment", "id": f"att-{uuid.uuid4().hex[:8]}",
                "name": att.get("name"), "contentType": att.get("contentType"), "size": len(raw), "_data": raw}

    def _message(self, box: Box, mid: str) -> dict[str, Any] | None:
        return box.messages.get(mid)

    def _not_found(self) -> tuple[int, Any, dict[str, str]]:
        return (*graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store."), {})

    def _get_message(self, box: Box, rest: list[str], *_: Any):
        msg = self._message(box, rest[1])
        return (200, self._public_message(msg), {}) if msg else self._not_found()

    def _patch_message(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                       data: dict[str, Any]):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        box.seq += 1
        msg.update({k: v for k, v in data.items() if k in ("categories", "subject", "isRead", "flag")})
        msg["_seq"] = box.seq
        return 200, self._public_message(msg), {}

    def _delete_message(self, box: Box, rest: list[str], *_: Any):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        self._move_to(box, msg, self.folder_id(box.address, "deleteditems"))
        return 204, None, {}

    def _move_to(self, box: Box, msg: dict[str, Any], folder_id: str) -> None:
        box.seq += 1
        if msg["parentFolderId"] != folder_id:
            box.removals.append((box.seq, msg["parentFolderId"], msg["id"]))
        msg["parentFolderId"] = folder_id
        msg["_seq"] = box.seq

    def _mime(self, box: Box, rest: list[str], *_: Any):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        raw = msg.get("raw") or f"Subject: {msg.get('subject', '')}\r\n\r\n".encode()
        return 200, raw, {"Content-Type": "text/plain"}

    def _move(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
              data: dict[str, Any]):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        target = self._folder(box, data.get("destinationId", ""))
        if target is None:
            return (*graph_error(400, "ErrorInvalidIdMalformed", "Id is malformed."), {})
        self._move_to(box, msg, target["id"])
        return 201, self._public_message(msg), {}

    def _send(self, box: Box, rest: list[str], *_: Any):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        if not msg["isDraft"]:
            return (*graph_error(400, "ErrorInvalidOperation", "The message has already been sent."), {})
        msg["isDraft"] = False
        msg["sentDateTime"] = _iso(self.clock())
        self._move_to(box, msg, self.folder_id(box.address, "sentitems"))
        self.sent.append((box.address, self._public_message(msg) | {"attachments": [
            {k: v for k, v in a.items() if k != "_data"} for a in msg["attachments"]]}))
        return 202, None, {}

    def _list_attachments(self, box: Box, rest: list[str], *_: Any):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        return 200, {"value": [{k: v for k, v in a.items() if k != "_data"} for a in msg["attachments"]]}, {}

    def _add_attachment(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                        data: dict[str, Any]):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        att = self._stored_attachment(data)
        msg["attachments"].append(att)
        return 201, {k: v for k, v in att.items() if k != "_data"}, {}

    def _upload_session(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                        data: dict[str, Any]):
        msg = self._message(box, rest[1])
        if not msg:
            return self._not_found()
        item = data.get("AttachmentItem") or {}
        if item.get("attachmentType") != "file" or not item.get("size"):
            return (*graph_error(400, "ErrorInvalidRequest", "AttachmentItem is invalid."), {})
        sid = uuid.uuid4().hex
        self.uploads[sid] = {"box": box, "message": msg["id"], "name": item.get("name"),
                             "contentType": item.get("contentType"), "size": int(item["size"]), "data": b""}
        return 201, {"@odata.context": f"{self.endpoint}$metadata#microsoft.graph.uploadSession",
                     "uploadUrl": f"{self.base_url}/upload/{sid}?authtoken=opaque",
                     "expirationDateTime": _iso(self.clock() + 900), "nextExpectedRanges": ["0-"]}, {}

    def _upload_chunk(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        session = self.uploads.get(path.split("/")[2])
        if session is None:
            return (*graph_error(404, "ItemNotFound", "The upload session was not found."), {})
        if "authorization" in headers:
            return (*graph_error(401, "InvalidAuthenticationToken",
                                 "Do not send an Authorization header to the upload URL."), {})
        m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("content-range", ""))
        if not m:
            return (*graph_error(400, "InvalidRange", "Content-Range is missing or invalid."), {})
        start, end, total = (int(x) for x in m.groups())
        if start != len(session["data"]) or total != session["size"] or end - start + 1 != len(body):
            return (*graph_error(416, "InvalidRange", "The range does not match the expected range."), {})
        if end + 1 < total and len(body) % CHUNK_UNIT:
            return (*graph_error(400, "InvalidRange", "Fragment size must be a multiple of 320 KiB."), {})
        session["data"] += body
        if len(session["data"]) < total:
            return 200, {"expirationDateTime": _iso(self.clock() + 900),
                         "nextExpectedRanges": [f"{len(session['data'])}-"]}, {}
        box: Box = session["box"]
        msg = box.messages[session["message"]]
        msg["attachments"].append({"@odata.type": "#microsoft.graph.fileAttachment",
                                   "id": f"att-{uuid.uuid4().hex[:8]}", "name": session["name"],
                                   "contentType": session["contentType"], "size": total, "_data": session["data"]})
        return 201, None, {"Location": f"{self.endpoint}users/{box.address}/messages/{msg['id']}/attachments"}

    # Calendar -------------------------------------------------------------------
    def _public_event(self, ev: dict[str, Any], query: dict[str, str] | None = None) -> dict[str, Any]:
        out = {k: v for k, v in ev.items() if not k.startswith("_") and k != "singleValueExtendedProperties"}
        expand = (query or {}).get("$expand", "")
        m = re.search(r"id eq '((?:[^']|'')*)'", expand)
        if m:
            pid = _unq(m.group(1)).lower()
            out["singleValueExtendedProperties"] = [p for p in ev.get("singleValueExtendedProperties", [])
                                                    if p["id"].lower() == pid]
        return out

    def _list_events(self, box: Box, rest: list[str], query: dict[str, str], *_: Any):
        m = _KEY_FILTER.search(query.get("$filter", ""))
        if not m:
            return 200, {"value": [self._public_event(e) for e in box.events.values()]}, {}
        pid, value = _unq(m.group(1)).lower(), _unq(m.group(2))
        return 200, {"value": [self._public_event(e) for e in box.events.values()
                               if any(p["id"].lower() == pid and p["value"] == value
                                      for p in e.get("singleValueExtendedProperties", []))]}, {}

    def _create_event(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                      data: dict[str, Any]):
        txn = data.get("transactionId")
        if txn:
            for ev in [*box.events.values(), *box.cancelled.values()]:
                if ev.get("transactionId") == txn:
                    same = all(ev.get(k) == data.get(k) for k in ("subject", "start", "end"))
                    if same:
                        return 201, self._public_event(ev), {}
                    return (*graph_error(400, "ErrorDuplicateTransactionId",
                                         "Your request can't be completed. The TransactionId specified in the "
                                         "request has already been used to create a different event."), {})
        eid = f"event-{uuid.uuid4().hex[:12]}"
        ev = dict(data)
        ev["id"] = eid
        ev["isCancelled"] = False
        ev["organizer"] = {"emailAddress": {"address": box.address}}
        ev["attendees"] = [dict(a, status={"response": "none", "time": "0001-01-01T00:00:00Z"})
                           for a in data.get("attendees", [])]
        ev["onlineMeeting"] = ({"joinUrl": f"https://teams.example.test/l/meetup-join/{eid}"}
                               if data.get("isOnlineMeeting") is True else None)
        box.events[eid] = ev
        return 201, self._public_event(ev), {}

    def _get_event(self, box: Box, rest: list[str], query: dict[str, str], *_: Any):
        ev = box.events.get(rest[1])
        return (200, self._public_event(ev, query), {}) if ev else self._not_found()

    def _patch_event(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                     data: dict[str, Any]):
        ev = box.events.get(rest[1])
        if not ev:
            return self._not_found()
        if "transactionId" in data and data["transactionId"] != ev.get("transactionId"):
            return (*graph_error(400, "ErrorInvalidRequest", "transactionId cannot be changed."), {})
        props = {p["id"].lower(): p for p in ev.get("singleValueExtendedProperties", [])}
        for p in data.pop("singleValueExtendedProperties", []):
            props[p["id"].lower()] = p
        ev["singleValueExtendedProperties"] = list(props.values())
        if "attendees" in data:
            old = {a["emailAddress"]["address"].lower(): a.get("status") for a in ev["attendees"]}
            data["attendees"] = [dict(a, status=old.get(a["emailAddress"]["address"].lower(),
                                                         {"response": "none", "time": "0001-01-01T00:00:00Z"}))
                                 for a in data["attendees"]]
        ev.update(data)
        if ev.get("isOnlineMeeting") is True and not ev.get("onlineMeeting"):
            ev["onlineMeeting"] = {"joinUrl": f"https://teams.example.test/l/meetup-join/{ev['id']}"}
        ev["_updates"] = ev.get("_updates", 0) + 1
        return 200, self._public_event(ev), {}

    def _delete_event(self, box: Box, rest: list[str], *_: Any):
        return (204, None, {}) if box.events.pop(rest[1], None) else self._not_found()

    def _cancel_event(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                      data: dict[str, Any]):
        ev = box.events.pop(rest[1], None)
        if not ev:
            return self._not_found()
        ev["isCancelled"] = True
        ev["_cancel_comment"] = data.get("Comment")
        box.cancelled[ev["id"]] = ev  # cancel moves it to Deleted Items: gone from /events
        return 202, None, {}

    def _get_schedule(self, box: Box, rest: list[str], query: dict[str, str], headers: dict[str, str],
                      data: dict[str, Any]):
        def when(v: dict[str, str]) -> dt.datetime:
            assert v["timeZone"] == "UTC", "the fake only speaks UTC to getSchedule"
            return dt.datetime.fromisoformat(v["dateTime"]).replace(tzinfo=dt.timezone.utc)

        start, end = when(data["startTime"]), when(data["endTime"])
        out = []
        for address in data.get("schedules", []):
            items = self.busy.get(address.lower())
            if items is None and address.lower() not in self.boxes:
                out.append({"scheduleId": address, "availabilityView": "", "scheduleItems": [],
                            "error": {"message": "The specified mailbox could not be found.",
                                      "responseCode": "ErrorMailRecipientNotFound"}})
                continue
            visible = [(s, e, st) for s, e, st in (items or []) if e > start and s < end]
            out.append({"scheduleId": address, "availabilityView": "",
                        "scheduleItems": [{"isPrivate": False, "status": st,
                                           "start": {"dateTime": s.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                                                     "timeZone": "UTC"},
                                           "end": {"dateTime": e.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                                                   "timeZone": "UTC"}} for s, e, st in visible]})
        return 200, {"@odata.context": f"{self.endpoint}$metadata#Collection(microsoft.graph.scheduleInformation)",
                     "value": out}, {}


class _Reset(Exception):
    """A fault injected on a request inside a batch: drop the batch's connection."""

    def __init__(self, after: bool = False):
        super().__init__("reset")
        self.after = after


class _Handler(http.server.BaseHTTPRequestHandler):
    graph: FakeGraph
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
        pass

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.graph.take_fault(self.command, path)
        if fault and fault.reset and not fault.after:
            self._reset(path)
            return
        if fault and fault.status and not fault.after:
            status = fault.status
            payload: Any = fault.body or graph_error(status, "TooManyRequests" if status == 429 else
                                                     "ServiceUnavailable", "Injected fault.")[1]
            extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        else:
            try:
                status, payload, extra = self.graph.handle(self.command, path, query, headers, body)
            except _Reset as reset:
                if reset.after:
                    self.graph.log.append((self.command, path, 200))
                self._reset(path)
                return
            except Exception as exc:  # a bug in the fake must show as a 500, not a hang
                status, payload, extra = 500, {"error": {"code": "FakeGraphBug", "message": repr(exc)}}, {}
            if fault and fault.after:
                self.graph.log.append((self.command, path, status))
                self._reset(path)
                return
        self.graph.log.append((self.command, path, status))
        if isinstance(payload, (bytes, bytearray)):
            data, ctype = bytes(payload), extra.pop("Content-Type", "application/octet-stream")
        elif payload is None:
            data, ctype = b"", None
        else:
            data, ctype = json.dumps(payload).encode(), "application/json"
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _reset(self, path: str) -> None:
        self.graph.log.append((self.command, path, 0))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve
