"""Microsoft Graph change notifications: ``POST /graph/notify`` and ``POST /graph/lifecycle``.

https://learn.microsoft.com/graph/change-notifications-delivery-webhooks. Graph calls these without a
session or a CSRF token; what makes a notification ours is the subscription's secret ``clientState``
(:mod:`service.mailbox.notifications`), compared in constant time.

* Validation: a POST with ``?validationToken=…`` (when the subscription is made or renewed) is
  answered 200 with the token as ``text/plain``, at once (Graph waits at most 10 s).
* A notification: each item whose ``clientState`` is our subscription's wakes the inbox job (in
  this process; or, when no job of this process waits for it, in the service's own process through
  the database: :func:`service.mailbox.notifications.record_wake`, written after the answer); the
  job reads the mailbox by delta as always, so nothing in the notification is used (it is never
  trusted for content). An item with a wrong or missing ``clientState`` is discarded and logged
  without its content, as Microsoft's documentation asks ("if there's a mismatch, don't consider
  the change notification as valid"). The answer is 202 Accepted in both cases, within
  milliseconds (Graph wants it within 3 s, and retries, then drops, endpoints that answer slowly or
  with errors); only a body that is not a notification at all is refused, 400.
* Lifecycle (``reauthorizationRequired``, ``subscriptionRemoved``, ``missed``): recorded for the
  inbox job (in this process, or through the database as above), which reauthorizes, re-subscribes
  or simply reads by delta, and the job woken.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from service.mailbox import notifications

log = logging.getLogger("review_clerk.web")

MAX_BODY = 1024 * 1024
MAX_TOKEN = 2048


async def _read(request: Request) -> tuple[Response | None, list[dict[str, Any]]]:
    token = request.query_params.get("validationToken")
    if token is not None:
        if not token or len(token) > MAX_TOKEN:
            return PlainTextResponse("", status_code=400), []
        return PlainTextResponse(token, status_code=200), []
    body = await request.body()
    if len(body) > MAX_BODY:
        return Response(status_code=413), []
    try:
        items = json.loads(body).get("value")
    except (ValueError, AttributeError):
        items = None
    if not isinstance(items, list):
        return Response(status_code=400), []
    return None, [i for i in items if isinstance(i, dict)]


def _ours(app: Any, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    good = [i for i in items if notifications.client_state_ok(app, str(i.get("subscriptionId") or ""),
                                                               i.get("clientState"))]
    return good, len(items) - len(good)


async def notify(request: Request) -> Response:
    answer, items = await _read(request)
    if answer is not None:
        return answer
    app = request.app.state.web.app
    good, refused = await run_in_threadpool(_ours, app, items)
    if refused:
        log.warning("graph change notification refused: wrong clientState", extra={"refused": refused})
    if not good:
        return Response(status_code=202)
    hub = notifications.hub_for(app)
    hub.wake.set()  # the jobs of this process (`run --web`), at once
    return Response(status_code=202, background=_elsewhere(app, hub, []))


async def lifecycle(request: Request) -> Response:
    answer, items = await _read(request)
    if answer is not None:
        return answer
    app = request.app.state.web.app
    good, refused = await run_in_threadpool(_ours, app, items)
    if refused:
        log.warning("graph lifecycle notification refused: wrong clientState", extra={"refused": refused})
    hub = notifications.hub_for(app)
    events = [(str(item.get("lifecycleEvent") or ""), str(item.get("subscriptionId") or "")) for item in good]
    events = [(event, sub_id) for event, sub_id in events if event in notifications.LIFECYCLE_EVENTS]
    for event, sub_id in events:
        hub.note_lifecycle(event, sub_id)
    return Response(status_code=202, background=_elsewhere(app, hub, events) if events else None)


def _elsewhere(app: Any, hub: notifications.Hub, events: list[tuple[str, str]]) -> BackgroundTask | None:
    """When no job of this process waits on the hub (a web workspace on its own), the wake-up is recorded
    in the database for the service's process, once the answer has gone (Graph waits 3 s at most)."""
    if hub.heard():
        return None
    return BackgroundTask(notifications.record_wake, app, events)


ROUTES = [
    Route("/graph/notify", notify, methods=["POST"]),
    Route("/graph/lifecycle", lifecycle, methods=["POST"]),
]
