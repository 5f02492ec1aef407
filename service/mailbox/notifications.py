"""Change notifications for new mail: keep the subscription alive, and let a notification wake the inbox job.

With ``[graph] notification_url`` set (docs/graph.md), the board mailbox's inbox is subscribed to
(``service.m365.subscriptions``) and Graph posts to the web application's ``/graph/notify`` as mail
arrives. The endpoint (``service.web.graph_notify``) only checks the notification's ``clientState``
and wakes the inbox job through this module's :class:`Hub`; the job then reads the mailbox by delta
as always. A notification is never trusted for content: it carries no more than "something came".
Polling stays as the safety net (every 5 minutes while the subscription works; at the configured
interval, as before, while it does not: :func:`poll_due`), so a notification that never arrives
costs minutes, never a message.

What the inbox job does first, each run (:func:`keep_subscribed`):

* no subscription yet (or Graph removed it): create one, with a new random ``clientState``;
* it lapses within :data:`RENEW_BEFORE`: renew it (``PATCH``) to :data:`LIFETIME` from now;
* a lifecycle notification arrived since the last run: ``reauthorizationRequired`` -> reauthorize
  (re-create when Graph no longer has it); ``subscriptionRemoved`` -> re-create; ``missed`` ->
  nothing more than the delta read that follows (it catches up whatever was missed).

State: the subscription's id and expiry, and its ``clientState`` sealed with the database key like
the service's other secrets (``service_state`` row :data:`STATE`). Logs name the subscription's
state, never the secret or any message content. The web process and the jobs share a :class:`Hub`
when they run in one process (``review-clerk run --web``); a web workspace in a process of its own
reads the secret from the database to check notifications, and its wake-ups reach no job: the
5-minute poll does the work then.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .ports import TransportError

if TYPE_CHECKING:
    from service.bootstrap import App

log = logging.getLogger("review_clerk.mail")

STATE = "graph:subscription"
LIFETIME = timedelta(minutes=10_080 - 60)  # Outlook messages: at most 10,080 minutes; an hour's margin
RENEW_BEFORE = timedelta(days=3)  # renewed when less than this is left: days to spare if renewals fail
SAFETY_NET_SECONDS = 300  # the inbox is still polled this often when notifications are on
LIFECYCLE_EVENTS = frozenset({"reauthorizationRequired", "subscriptionRemoved", "missed"})


@dataclass
class Hub:
    """What the notification endpoint and the jobs share in one process. Thread-safe."""

    wake: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _client_states: dict[str, str] = field(default_factory=dict)  # subscription id -> clientState
    _lifecycle: list[tuple[str, str]] = field(default_factory=list)  # (event, subscription id)
    healthy: bool = False  # the last run had a live subscription
    last_read: float | None = None  # time.monotonic() of the last inbox read

    def remember(self, subscription_id: str, client_state: str) -> None:
        with self._lock:
            self._client_states = {subscription_id: client_state}

    def known(self) -> dict[str, str]:
        with self._lock:
            return dict(self._client_states)

    def note_lifecycle(self, event: str, subscription_id: str) -> None:
        with self._lock:
            self._lifecycle.append((event, subscription_id))
        self.wake.set()

    def take_lifecycle(self) -> list[tuple[str, str]]:
        with self._lock:
            out, self._lifecycle = self._lifecycle, []
        return out


_HUBS_LOCK = threading.Lock()


def hub_for(app: "App") -> Hub:
    """The :class:`Hub` of ``app`` (one per application object, made on first use)."""
    with _HUBS_LOCK:
        hub = getattr(app, "_notification_hub", None)
        if hub is None:
            hub = Hub()
            setattr(app, "_notification_hub", hub)
        return hub


def enabled(app: "App") -> bool:
    return bool(app.settings.mail.backend == "graph" and app.settings.graph.notification_url
                and getattr(app.mailbox, "subscriptions", None) is not None)


def poll_due(app: "App") -> bool:
    """Should the scheduled inbox poll read the mailbox now? Always without notifications, and while the
    subscription is not working (polled as before); with a live subscription, every 5 minutes only
    (notifications wake the job in between)."""
    if not enabled(app):
        return True
    hub = hub_for(app)
    return not hub.healthy or hub.last_read is None or time.monotonic() - hub.last_read >= SAFETY_NET_SECONDS


def lifecycle_url(notification_url: str) -> str:
    return notification_url.rstrip("/").removesuffix("/notify") + "/lifecycle"


# Checking a notification (the web endpoint) -----------------------------------------------------

def client_state_ok(app: "App", subscription_id: str | None, client_state: str | None) -> bool:
    """Does the notification carry the secret of our subscription? Constant-time; reads the sealed
    secret from the database when this process has not seen it (a web workspace on its own)."""
    if not client_state:
        return False
    hub = hub_for(app)
    known = hub.known()
    if not known:
        state = _load(app)
        if state:
            hub.remember(state["id"], state["client_state"])
            known = hub.known()
    expected = known.get(subscription_id or "")
    if expected is None:
        return False
    return hmac.compare_digest(expected.encode(), client_state.encode())


# Keeping the subscription (the inbox job) -----------------------------------------------------------

def keep_subscribed(app: "App") -> str:
    """Create, renew, reauthorize or re-create the subscription as needed. Returns what was done
    (``created``, ``renewed``, ``reauthorized``, ``kept``, ``off``, ``failed``); never raises for Graph's
    sake: a failure is logged and the inbox is polled as before."""
    if not enabled(app):
        return "off"
    hub = hub_for(app)
    hub.last_read = time.monotonic()
    hub.healthy = False
    now = app.clock.now()
    url = app.settings.graph.notification_url
    assert url is not None
    subs = app.mailbox.subscriptions()  # type: ignore[attr-defined]
    state = _load(app)
    events = hub.take_lifecycle()
    try:
        if state and state.get("url") != url:
            subs.delete(state["id"])  # the service moved: the old address must not keep receiving
            state = None
        for event, sub_id in events:
            if not state or sub_id != state["id"]:
                continue
            log.info("graph subscription lifecycle event", extra={"event": event})
            if event == "subscriptionRemoved":
                state = None
            elif event == "reauthorizationRequired":
                if subs.reauthorize(state["id"]):
                    renewed = subs.renew(state["id"], now + LIFETIME)
                    if renewed is None:
                        state = None
                    else:
                        state["expires"] = renewed.expires.isoformat()
                        _save(app, state)
                        return _done(hub, state, "reauthorized")
                else:
                    state = None
            # "missed": the delta read that follows catches up
        if state is None or datetime.fromisoformat(state["expires"]) <= now:
            client_state = secrets.token_urlsafe(32)
            made = subs.create(url, lifecycle_url(url), client_state, now + LIFETIME)
            state = {"id": made.id, "expires": made.expires.isoformat(), "client_state": client_state, "url": url}
            _save(app, state)
            return _done(hub, state, "created")
        if datetime.fromisoformat(state["expires"]) - now < RENEW_BEFORE:
            renewed = subs.renew(state["id"], now + LIFETIME)
            if renewed is None:  # Graph no longer has it: a new one at once
                client_state = secrets.token_urlsafe(32)
                made = subs.create(url, lifecycle_url(url), client_state, now + LIFETIME)
                state = {"id": made.id, "expires": made.expires.isoformat(), "client_state": client_state,
                         "url": url}
                _save(app, state)
                return _done(hub, state, "created")
            state["expires"] = renewed.expires.isoformat()
            _save(app, state)
            return _done(hub, state, "renewed")
        return _done(hub, state, "kept")
    except TransportError as exc:
        log.warning("graph change notifications unavailable; the inbox is polled",
                    extra={"error": str(exc)[:200], "permanent": exc.permanent})
        if state:
            hub.remember(state["id"], state["client_state"])
        return "failed"


def _done(hub: Hub, state: dict[str, Any], what: str) -> str:
    hub.remember(state["id"], state["client_state"])
    hub.healthy = True
    if what != "kept":
        log.info("graph subscription %s", what, extra={"expires": state["expires"]})
    return what


def _load(app: "App") -> dict[str, Any] | None:
    from service.store.crypto import ring  # the database key seals the clientState like other secrets

    with app.db.unit_of_work() as uow:
        raw = uow.state.get(STATE)
    if not raw:
        return None
    try:
        stored = json.loads(raw)
        stored["client_state"] = ring().open(base64.b64decode(stored.pop("sealed"))).decode()
        return stored
    except Exception as exc:  # noqa: BLE001 - unreadable (a key retired since): a new subscription is made
        log.warning("stored graph subscription unreadable; a new one will be made",
                    extra={"error": exc.__class__.__name__})
        return None


def _save(app: "App", state: dict[str, Any]) -> None:
    from service.store.crypto import ring

    stored = {k: v for k, v in state.items() if k != "client_state"}
    stored["sealed"] = base64.b64encode(ring().seal(state["client_state"].encode())).decode()
    with app.db.unit_of_work() as uow:
        uow.state.set(STATE, json.dumps(stored), app.clock.now())
        uow.commit()
