"""The one request layer every Graph call goes through.

Contract of :meth:`GraphHttp.request`:

* Returns the :class:`requests.Response` for any 2xx status.
* Adds ``Authorization: Bearer …`` (unless ``auth=False``, used for
  pre-authenticated upload URLs) and ``Prefer: IdType="ImmutableId"`` plus any
  other preferences given.
* Retries, on every method, 429 and 503 after ``Retry-After`` (seconds or an
  HTTP date; a default when absent), and 500/502/504/408 and connection
  failures with exponential back-off and full jitter. A 429 also holds back
  every other request to the same mailbox until the Retry-After has passed.
* Requests that are not safe to replay (``replay_safe=False``; by default
  every POST) are retried only when the failure proves the request did not
  take effect (429, 503, a connection that was never made). Otherwise
  :class:`~service.m365.errors.OutcomeUnknown` is raised and the caller checks
  what happened before trying again.
* 401: the token is invalidated and the request repeated once with a freshly
  fetched token; a second 401 is permanent.
* Gives up after ``RetryPolicy.max_attempts`` tries or when the next wait
  would take the call past ``RetryPolicy.max_total_seconds``; raises a
  transient :class:`~service.m365.errors.GraphError` carrying ``retry_after``.
* Other 4xx raise a permanent GraphError (403 with the likely missing
  permission or RBAC scope in its text); callers catch the statuses they
  expect (404, 409, 410).
* At most ``max_concurrency`` requests per mailbox are in flight at once
  (Exchange Online allows 4 concurrent requests per app and mailbox).
* URLs are the configured endpoint plus a relative path, or absolute links
  Graph handed us (``@odata.nextLink``, ``@odata.deltaLink``) which must be
  under the configured endpoint's origin: a token is never sent elsewhere.
  TLS verification is requests' default (REQUESTS_CA_BUNDLE is honoured).

``clock`` (epoch seconds) and ``sleep`` are injected so tests never wait.
Logs carry the method, a path template (long ids replaced by ``{id}``, no
query string), the status and the attempt number; never bodies or tokens.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import unquote, urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from service import observe

from .auth import TokenProvider
from .errors import (
    MAILBOX_UNUSABLE_CODES,
    AuthError,
    GraphError,
    OutcomeUnknown,
    forbidden_advice,
)

log = logging.getLogger("review_clerk.m365")

USER_AGENT = "ReviewClerk/0.1 (LSCB case reviews; Microsoft Graph connector)"

_EMAIL_RE = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")
# The mailbox in a path: users/{address} as we write it, or users('{address}') as
# Graph sometimes writes it in the links it hands back.
_USERS_RE = re.compile(r"/users(?:/|\(')([^/?#')]+)", re.IGNORECASE)
# Failures that no retry can mend: a bad URL or header (our bug), or a TLS
# certificate we do not trust (configuration: REQUESTS_CA_BUNDLE, a proxy).
_UNRETRYABLE = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries before giving up (see the module docstring)."""

    max_attempts: int = 8
    max_total_seconds: float = 180.0
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    # A 429 without Retry-After (rare for Graph) waits this long.
    default_retry_after: float = 10.0
    # msal answers repeated token requests from its cache for 5 s after a
    # 429/5xx from the token endpoint; waiting less is pointless.
    token_retry_floor: float = 5.0


def path_template(url: str) -> str:
    """The path of ``url`` with opaque ids replaced, for logs and error messages."""
    parts = urlsplit(url)
    out = []
    for s in parts.path.split("/"):
        s = unquote(s)
        out.append("{id}" if len(s) > 40 or ("=" in s and "@" not in s) else s)
    return "/".join(out)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def graph_error_fields(resp: requests.Response) -> tuple[str | None, str]:
    """(error.code, error.message) from a Graph error body, tolerating non-JSON bodies."""
    try:
        body = resp.json()
    except ValueError:
        return None, ""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return (str(err["code"]) if err.get("code") else None), str(err.get("message") or "")
    return None, ""


def _redact(text: str, limit: int = 200) -> str:
    """Graph's own error message, with addresses removed and bounded in length."""
    return _EMAIL_RE.sub("<address>", text)[:limit]


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the failure happened before the request left this machine."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    cause: Any = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(reason, (NewConnectionError, NameResolutionError))


class GraphHttp:
    """Authenticated, throttling-aware HTTP for one Graph endpoint. Thread-safe."""

    def __init__(self, settings: Any, tokens: TokenProvider, *, clock: Callable[[], float],
                 sleep: Callable[[float], None], rng: random.Random | None = None,
                 session: requests.Session | None = None, policy: RetryPolicy | None = None):
        endpoint = settings.endpoint if settings.endpoint.endswith("/") else settings.endpoint + "/"
        self.endpoint = endpoint
        parts = urlsplit(endpoint)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.tokens = tokens
        self.policy = policy or RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session = session or requests.Session()
        self._timeout = settings.timeout_seconds
        self._max_concurrency = min(4, max(1, int(settings.max_concurrency)))
        self._lock = threading.Lock()
        self._slots_by_mailbox: dict[str, threading.BoundedSemaphore] = {}
        self._multi_by_mailbox: dict[str, threading.Lock] = {}
        self._gates: dict[str, float] = {}  # mailbox -> epoch seconds before which we hold back
        self.last_response_date: float | None = None  # the server's Date header, for clock-skew checks

    # URLs -----------------------------------------------------------------
    def url(self, path_or_url: str, *, auth: bool = True) -> str:
        if "://" not in path_or_url:
            return self.endpoint + path_or_url.lstrip("/")
        if auth and not (path_or_url == self.origin or path_or_url.startswith(self.origin + "/")):
            raise GraphError(
                f"refusing to send a Graph token to {urlsplit(path_or_url).netloc}: "
                f"links must stay under {self.origin}", status=0, permanent=True)
        return path_or_url

    # Requests -------------------------------------------------------------
    def request(self, method: str, path_or_url: str, *, mailbox: str | None = None,
                params: Mapping[str, Any] | None = None, json: Any = None, data: bytes | None = None,
                headers: Mapping[str, str] | None = None, prefer: Iterable[str] = (),
                auth: bool = True, replay_safe: bool | None = None, slots: int = 1) -> requests.Response:
        method = method.upper()
        url = self.url(path_or_url, auth=auth)
        template = path_template(url) if auth else f"{urlsplit(url).netloc}/{{upload}}"
        if mailbox is None:
            m = _USERS_RE.search(urlsplit(url).path)
            mailbox = unquote(m.group(1)) if m else ""
        mailbox = mailbox.lower()
        if replay_safe is None:
            replay_safe = method != "POST"
        started = self._clock()
        attempt = 0
        reauthed = False
        while True:
            attempt += 1
            self._wait_for_gate(mailbox, started, attempt, method, template)
            try:
                hdrs = self._headers(headers, prefer, auth)
            except AuthError as exc:
                if exc.permanent:
                    raise
                delay = max(self._backoff(attempt), self.policy.token_retry_floor)
                self._retry_or_raise(attempt, started, delay, method, template, str(exc), status=0)
                continue
            try:
                with self._slot(mailbox, slots):
                    resp = self._session.request(method, url, params=params, json=json, data=data,
                                                 headers=hdrs, timeout=self._timeout)
            except requests.RequestException as exc:
                observe.graph_response(method, 0)
                what = f"{type(exc).__name__}"
                log.warning("graph %s %s failed: %s (attempt %d)", method, template, what, attempt)
                if isinstance(exc, _UNRETRYABLE) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
                    raise GraphError(
                        f"{method} {template}: {what}" + (
                            ": the server's TLS certificate is not trusted. Fix: install the CA that signs it, "
                            "or point REQUESTS_CA_BUNDLE at it (for a TLS-inspecting proxy)"
                            if isinstance(exc, requests.exceptions.SSLError) else ""),
                        status=0, permanent=True) from None
                if not replay_safe and not _never_sent(exc):
                    raise OutcomeUnknown(f"{method} {template}: {what}; the outcome is unknown",
                                         retry_after=self._backoff(attempt)) from None
                self._retry_or_raise(attempt, started, self._backoff(attempt), method, template, what, status=0)
                continue

            self._note_date(resp)
            status = resp.status_code
            observe.graph_response(method, status)
            if 200 <= status < 300:
                log.debug("graph %s %s -> %d (attempt %d)", method, template, status, attempt)
                return resp
            log.warning("graph %s %s -> %d (attempt %d, request-id %s)", method, template, status, attempt,
                        resp.headers.get("request-id", "-"))
            if status == 401 and auth and not reauthed:
                # Revoked or expired early (e.g. a policy change): one fresh token, once.
                self.tokens.invalidate()
                reauthed = True
                continue
            if status in (429, 503):
                retry_after = parse_retry_after(resp.headers.get("Retry-After"), self._clock())
                if status == 429:
                    retry_after = self.policy.default_retry_after if retry_after is None else retry_after
                    self._hold_back(mailbox, retry_after)
                delay = retry_after if retry_after is not None else self._backoff(attempt)
                observe.graph_throttled(status, delay)
                self._retry_or_raise(attempt, started, delay, method, template, f"HTTP {status}", status=status)
                continue
            if status in (408, 500, 502, 504):
                if not replay_safe:
                    raise OutcomeUnknown(f"{method} {template}: HTTP {status}; the outcome is unknown",
                                         retry_after=self._backoff(attempt))
                retry_after = parse_retry_after(resp.headers.get("Retry-After"), self._clock())
                delay = retry_after if retry_after is not None else self._backoff(attempt)
                self._retry_or_raise(attempt, started, delay, method, template, f"HTTP {status}", status=status)
                continue
            raise self._permanent_error(method, template, resp, mailbox, auth=auth)

    def json(self, method: str, path_or_url: str, **kwargs: Any) -> dict[str, Any]:
        """``request`` and decode the JSON body ({} for an empty body)."""
        resp = self.request(method, path_or_url, **kwargs)
        if not resp.content:
            return {}
        try:
            body = resp.json()
        except ValueError:
            raise GraphError(f"{method} {path_template(resp.url or '')}: the answer was not JSON",
                             status=resp.status_code, permanent=False) from None
        return body if isinstance(body, dict) else {"value": body}

    # Internals ------------------------------------------------------------
    def _headers(self, headers: Mapping[str, str] | None, prefer: Iterable[str], auth: bool) -> dict[str, str]:
        # An identifying User-Agent is what Microsoft asks of services calling
        # Graph; client-request-id lets Microsoft support trace one attempt.
        out = {"Accept": "application/json", "User-Agent": USER_AGENT, "client-request-id": str(uuid.uuid4())}
        if auth:
            out["Authorization"] = f"Bearer {self.tokens.token()}"
            # Ids that survive moves between folders; harmless where unused.
            out["Prefer"] = ", ".join(['IdType="ImmutableId"', *prefer])
        if headers:
            out.update(headers)
        return out

    @contextlib.contextmanager
    def _slot(self, mailbox: str, count: int = 1) -> Iterator[None]:
        """Hold ``count`` of the mailbox's concurrency slots (a batch running several requests holds several)."""
        count = max(1, min(count, self._max_concurrency))
        with self._lock:
            sem = self._slots_by_mailbox.get(mailbox)
            if sem is None:
                sem = self._slots_by_mailbox[mailbox] = threading.BoundedSemaphore(self._max_concurrency)
                self._multi_by_mailbox[mailbox] = threading.Lock()
            multi = self._multi_by_mailbox[mailbox]
        if count == 1:
            with sem:
                yield
            return
        # One thread at a time gathers several slots, so two batches never each hold half and wait.
        with multi:
            for _ in range(count):
                sem.acquire()
        try:
            yield
        finally:
            for _ in range(count):
                sem.release()

    @property
    def max_concurrency(self) -> int:
        return self._max_concurrency

    def hold_back(self, mailbox: str, seconds: float) -> None:
        """Hold back every request to ``mailbox`` for ``seconds`` (a 429 inside a batch)."""
        self._hold_back(mailbox.lower(), seconds)

    def _hold_back(self, mailbox: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + seconds
            if until > self._gates.get(mailbox, 0.0):
                self._gates[mailbox] = until

    def _wait_for_gate(self, mailbox: str, started: float, attempt: int, method: str, template: str) -> None:
        with self._lock:
            until = self._gates.get(mailbox, 0.0)
        wait = until - self._clock()
        if wait <= 0:
            return
        if self._clock() - started + wait > self.policy.max_total_seconds:
            raise GraphError(f"{method} {template}: the mailbox is throttled for another {wait:.0f} s",
                             status=429, permanent=False, retry_after=wait)
        log.info("graph %s %s waits %.1f s for the mailbox's throttling window", method, template, wait)
        self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))], at least 0.1 s."""
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1))
        return max(0.1, self._rng.uniform(0, ceiling))

    def _retry_or_raise(self, attempt: int, started: float, delay: float, method: str, template: str,
                        what: str, *, status: int) -> None:
        elapsed = self._clock() - started
        if attempt >= self.policy.max_attempts or elapsed + delay > self.policy.max_total_seconds:
            raise GraphError(f"{method} {template}: {what}; gave up after {attempt} attempts "
                             f"in {elapsed:.0f} s", status=status, permanent=False, retry_after=delay)
        log.info("graph %s %s: %s, retrying in %.1f s (attempt %d)", method, template, what, delay, attempt)
        self._sleep(delay)

    def _note_date(self, resp: requests.Response) -> None:
        value = resp.headers.get("Date")
        if value:
            try:
                self.last_response_date = email.utils.parsedate_to_datetime(value).timestamp()
            except (TypeError, ValueError):
                pass

    def _permanent_error(self, method: str, template: str, resp: requests.Response, mailbox: str, *,
                         auth: bool) -> GraphError:
        status = resp.status_code
        code, message = graph_error_fields(resp)
        label = f"{method} {template}: HTTP {status}" + (f" {code}" if code else "")
        request_id = resp.headers.get("request-id")
        if status == 401 and not auth:
            text = f"{label}: the pre-authenticated upload URL was refused (expired session?)."
        elif status == 401:
            text = (f"{label}: Graph refused a freshly issued token. Fix: check graph.endpoint and "
                    f"graph.authority belong to the same cloud and tenant.")
        elif status == 403:
            text = f"{label}: access denied. Fix: {forbidden_advice(method, template, mailbox)}"
        elif status == 404 and code and code.lower() in MAILBOX_UNUSABLE_CODES:
            text = (f"{label}: the mailbox {mailbox} was not found or cannot be used through Graph. Fix: check "
                    f"the address, that it is an Exchange Online mailbox, and that it is licensed or shared.")
        elif status == 413:
            text = f"{label}: the request is too large for Graph (over 4 MB)."
        elif status == 400 and message:
            text = f"{label}: {_redact(message)}"
        else:
            text = label
        if request_id:
            text += f" (request-id {request_id})"
        return GraphError(text, status=status, code=code, permanent=True)
