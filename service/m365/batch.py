"""JSON batching (``POST /$batch``): many Graph requests in one HTTP round trip.

https://learn.microsoft.com/graph/json-batching. A batch carries at most 20
requests; the answer is a 200 whose ``responses`` (in any order) each carry
the request's ``id``, ``status``, ``headers`` and ``body``. A body that is
not JSON (the MIME of a message) comes base64-encoded. Each request is
throttled on its own: a 429 inside the 200 carries its own ``Retry-After``.
A request that ``dependsOn`` one that failed is not run and answers 424.

How :func:`run` uses it:

* The caller gives *groups*: requests that must run in order (the category,
  then the move, of one message). A group is never split across batches.
* Exchange runs at most 4 requests per mailbox at once, and answers the rest
  of a batch with 429s. So the groups of one batch are laid out in as many
  *lanes* as the mailbox's concurrency limit, each lane chained with
  ``dependsOn``, and the batch holds that many of the mailbox's concurrency
  slots in :class:`~service.m365.http.GraphHttp` while it is in flight.
* A request answered 429 or 503 (after its Retry-After; the whole mailbox is
  held back meanwhile), or 424 (it never ran), goes again in the next round;
  the others are final. A replay-safe request also goes again after a 5xx.
* The batch request itself goes through :meth:`GraphHttp.request` (token,
  Retry-After on the batch as a whole, back-off). When the batch holds a
  request that is not safe to replay (creating or sending a message) and its
  outcome is unknown (the answer was lost), every request of that batch
  that had not already got a final answer comes back with status 0: the
  caller finds out what happened (by the message's key) before trying again.

Results come back in the order the requests were given. Logs carry the
method, a path template and the status; never bodies.
"""

from __future__ import annotations

import base64
import binascii
import json as jsonlib
import logging
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from service import observe

from .errors import GraphError, OutcomeUnknown
from .http import GraphHttp, path_template

log = logging.getLogger("review_clerk.m365")

MAX_REQUESTS = 20
# Graph refuses requests over ~4 MB; a batch is one request.
MAX_BATCH_BYTES = 3_500_000
RETRY_STATUSES = frozenset({429, 503, 424})
REPLAY_STATUSES = frozenset({500, 502, 504, 408})


@dataclass
class BatchRequest:
    method: str
    path: str  # relative to the endpoint, e.g. "users/a@b/messages/x/$value"
    params: Mapping[str, str] | None = None
    body: Any = None
    headers: Mapping[str, str] | None = None
    prefer: tuple[str, ...] = ()
    replay_safe: bool | None = None  # default: every method but POST

    def safe(self) -> bool:
        return self.replay_safe if self.replay_safe is not None else self.method.upper() != "POST"

    def url(self) -> str:
        path = "/" + self.path.lstrip("/")
        return f"{path}?{urlencode(self.params, safe='$,()')}" if self.params else path


@dataclass
class BatchResponse:
    """One request's answer. ``status`` 0: the outcome is unknown (the batch's answer was lost)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # a dict for JSON, bytes otherwise, None when empty
    template: str = ""
    method: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    def error(self) -> GraphError:
        """The GraphError this answer stands for (transient for 0, 429, 424 and 5xx)."""
        err = self.json().get("error") if isinstance(self.body, dict) else None
        code = str(err["code"]) if isinstance(err, dict) and err.get("code") else None
        label = f"{self.method} {self.template}: HTTP {self.status}" + (f" {code}" if code else "")
        if self.status == 0:
            return GraphError(f"{self.method} {self.template}: the batch's answer was lost; the outcome is unknown",
                              status=0, permanent=False)
        transient = self.status in RETRY_STATUSES or self.status >= 500 or self.status == 408
        retry_after = _seconds(self.headers.get("Retry-After")) if transient else None
        return GraphError(label, status=self.status, code=code, permanent=not transient, retry_after=retry_after)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for k, v in headers.items():
        if k.lower() == name.lower():
            return str(v)
    return None


def _decode_body(body: Any, headers: Mapping[str, str]) -> Any:
    if body is None or isinstance(body, dict):
        return body
    ctype = (_header(headers, "Content-Type") or "").split(";")[0].strip().lower()
    if isinstance(body, str):
        if ctype.endswith("json"):
            try:
                return jsonlib.loads(body)
            except ValueError:
                return body.encode()
        try:  # non-JSON bodies come base64-encoded
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return body.encode()
    if isinstance(body, list):
        return {"value": body}
    return body


def _chunks(groups: list[list[int]], requests: list[BatchRequest]) -> list[list[list[int]]]:
    """Whole groups packed into batches of at most 20 requests and MAX_BATCH_BYTES of bodies."""
    out: list[list[list[int]]] = []
    current: list[list[int]] = []
    count = size = 0
    for group in groups:
        g_size = sum(len(jsonlib.dumps(requests[i].body)) if requests[i].body is not None else 0 for i in group)
        if current and (count + len(group) > MAX_REQUESTS or size + g_size > MAX_BATCH_BYTES):
            out.append(current)
            current, count, size = [], 0, 0
        current.append(group)
        count += len(group)
        size += g_size
    if current:
        out.append(current)
    return out


def run(http: GraphHttp, requests: list[BatchRequest], *, mailbox: str,
        groups: list[list[int]] | None = None) -> list[BatchResponse]:
    """Run ``requests`` (indexes in ``groups`` run in order; default: each alone) in as few batches as fit.

    Returns one :class:`BatchResponse` per request, in order. Raises GraphError only when the batch
    request itself is refused for good (a permission, a malformed batch).
    """
    if groups is None:
        groups = [[i] for i in range(len(requests))]
    for group in groups:
        if len(group) > MAX_REQUESTS:
            raise ValueError("a group of more than 20 requests cannot go in one batch")
    results: dict[int, BatchResponse] = {}
    pending = [list(g) for g in groups]
    attempt = 0
    while pending:
        attempt += 1
        retry: list[list[int]] = []
        for chunk in _chunks(pending, requests):
            retry.extend(_one_batch(http, requests, chunk, mailbox, results))
        pending = retry
        if pending and attempt >= http.policy.max_attempts:
            log.warning("graph $batch: %d request(s) still throttled after %d rounds; given up for now",
                        sum(len(g) for g in pending), attempt)
            break
    return [results.get(i) or BatchResponse(status=0, template=path_template(requests[i].path),
                                           method=requests[i].method.upper()) for i in range(len(requests))]


def _one_batch(http: GraphHttp, requests: list[BatchRequest], chunk: list[list[int]], mailbox: str,
               results: dict[int, BatchResponse]) -> list[list[int]]:
    """Send one batch; record final answers in ``results``; return the groups (their unfinished tails) to retry."""
    lanes = max(1, min(http.max_concurrency, len(chunk)))
    payload = []
    last_in_lane: list[str | None] = [None] * lanes
    for n, group in enumerate(chunk):
        lane = n % lanes
        for i in group:
            req = requests[i]
            item: dict[str, Any] = {"id": str(i), "method": req.method.upper(), "url": req.url()}
            headers = dict(req.headers or {})
            headers["Prefer"] = ", ".join(['IdType="ImmutableId"', *req.prefer])
            if req.body is not None:
                item["body"] = req.body
                headers.setdefault("Content-Type", "application/json")
            item["headers"] = headers
            if last_in_lane[lane] is not None:
                item["dependsOn"] = [last_in_lane[lane]]
            last_in_lane[lane] = str(i)
            payload.append(item)
    replay_safe = all(requests[i].safe() for g in chunk for i in g)
    try:
        body = http.json("POST", "$batch", json={"requests": payload}, mailbox=mailbox,
                         replay_safe=replay_safe, slots=lanes)
    except (OutcomeUnknown, GraphError) as exc:
        if isinstance(exc, GraphError) and exc.permanent:
            raise
        # Gave up on the batch as a whole, or its answer was lost: every request's outcome is unknown
        # (a replay-safe one was simply not done). The caller checks before anything is repeated.
        log.warning("graph $batch of %d request(s): %s", len(payload), exc)
        for g in chunk:
            for i in g:
                results[i] = BatchResponse(status=0, template=path_template(requests[i].path),
                                           method=requests[i].method.upper())
        return []
    answers: dict[int, dict[str, Any]] = {}
    for item in body.get("responses") or []:
        try:
            answers[int(item.get("id"))] = item
        except (TypeError, ValueError):
            continue
    retry: list[list[int]] = []
    longest_wait = 0.0
    for group in chunk:
        tail: list[int] = []
        failed = False  # an earlier request of the group failed for good: the rest keep their 424
        for i in group:
            req = requests[i]
            template = path_template(req.path)
            if tail:  # an earlier request of this group goes again: so does the rest of it
                tail.append(i)
                continue
            item = answers.get(i)
            if item is None:
                results[i] = BatchResponse(status=0, template=template, method=req.method.upper())
                continue
            status = int(item.get("status") or 0)
            headers = {str(k): str(v) for k, v in (item.get("headers") or {}).items()}
            observe.graph_response(req.method.upper(), status)
            resp = BatchResponse(status=status, headers=headers, body=_decode_body(item.get("body"), headers),
                                 template=template, method=req.method.upper())
            if resp.ok:
                log.debug("graph %s %s -> %d (in a batch)", req.method.upper(), template, status)
                results[i] = resp
                continue
            log.warning("graph %s %s -> %d (in a batch)", req.method.upper(), template, status)
            if failed:
                results[i] = resp
                continue
            again = status in RETRY_STATUSES or (status in REPLAY_STATUSES and req.safe())
            if again:
                if status in (429, 503):
                    wait = _seconds(_header(headers, "Retry-After"))
                    wait = http.policy.default_retry_after if wait is None and status == 429 else (wait or 0.0)
                    longest_wait = max(longest_wait, wait)
                    observe.graph_throttled(status, wait)
                results[i] = resp  # the last answer, if the rounds run out
                tail.append(i)
                continue
            results[i] = resp
            failed = True
        if tail:
            retry.append(tail)
    if longest_wait > 0:
        # Retry only the throttled requests, and only once their Retry-After has passed; every other
        # request to the mailbox waits too (GraphHttp's gate).
        http.hold_back(mailbox, longest_wait)
    return retry
