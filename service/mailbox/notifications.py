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
state, never the secret or any message content.

Waking the job. When the web application and the jobs run in one process (``review-clerk run
--web``), the endpoint sets the :class:`Hub`'s event and the job (``Runner.woken`` in
``service.jobs``) reads the inbox at once. A web workspace in a process of its own (``review-clerk
web``; boards run it in a container beside the service's) reads the secret from the database to
check notifications, and records each wake-up in the database instead (:func:`record_wake`: the
``service_state`` row :data:`WAKE`, a counter, with the lifecycle events that came with it); the
service process looks at that row every :data:`WAKE_CHECK_SECONDS` (one SELECT by primary key) and
reads the inbox when the counter has moved (:func:`take_wakes`). Only a notification that carries
the subscription's ``clientState`` is recorded.
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
WAKE = "graph:wake"  # wake-ups recorded by a web workspace whose process runs no jobs: {"n": …, "events": […]}
WAKE_CHECK_SECONDS = 1.0  # how often the service's jobs look at WAKE (one SELECT by primary key)
WAKE_EVENTS_KEPT = 20  # lifecycle events kept in WAKE (a job that looks every second needs the last few)


@dataclass
class Hub:
    """What the notification endpoint and the jobs share in one process. Thread-safe."""

    wake: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _client_states: dict[str, str] = field(default_factory=dict)  # subscription id -> clientState
    _lifecycle: list[tuple[str, str]] = field(default_factory=list)  # (event, subscription id)
    healthy: bool = False  # the last run had a live subscription
    last_read: float | None = None  # time.monotonic() of the last inbox read
    listeners: int = 0  # jobs in this process waiting on ``wake`` (Runner.woken): no need to record wake-ups

    def listen(self, on: bool) -> None:
        with self._lock:
            self.listeners += 1 if on else -1

    def heard(self) -> bool:
        """Is a job of this process waiting on ``wake``? If not, a wake-up is recorded in the database."""
        with self._lock:
            return self.listeners > 0

    def remember(self, subscription_id: str, client_state: str) -> None:
        with self._lock:
            self._client_states = {subscription_id: client_state}

    def known(self) -> dict[str, str]:
        with self._lock:
            return dict(self._client_states)

    def note_lifecycle(self, event: str, subscription_id: str, wake: bool = True) -> None:
        with self._lock:  # the last few only: in a web workspace on its own, no job takes them
            self._lifecycle = [*self._lifecycle, (event, subscription_id)][-WAKE_EVENTS_KEPT:]
        if wake:
            self.wake.set()

    def take_lifecycle(self) -> list[tuple[str, str]]:
        with self._lock:
            out, self._lifecycle = self._lifecycle, []
        return list(dict.fromkeys(out))  # one of each: an event can come both in-process and recorded


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
    secret from the database when this process does not know the subscription (a web workspace on its
    own: at its first notification, and after the service made a new subscription)."""
    if not client_state:
        return False
    hub = hub_for(app)
    expected = hub.known().get(subscription_id or "")
    if expected is None:
        state = _load(app)
        if state:
            hub.remember(state["id"], state["client_state"])
        expected = hub.known().get(subscription_id or "")
    if expected is None:
        return False
    return hmac.compare_digest(expected.encode(), client_state.encode())


# Wake-ups across processes (a web workspace on its own -> the service's jobs) -----------------------

def record_wake(app: "App", events: list[tuple[str, str]] | tuple = ()) -> int | None:
    """Record a wake-up (and the lifecycle ``events`` that came, as ``(event, subscription id)``) for the
    jobs of another process: the counter in :data:`WAKE` goes up by one. Returns the new counter; None,
    logged, when the database refused it (the poll reads the inbox then). Never raises."""
    from service.store.db import explain

    try:
        with app.db.unit_of_work() as uow:
            mark = _wake_value(uow.state.get_for_update(WAKE))
            n = mark["n"] + 1
            kept = [*mark["events"], *([n, event, sub_id] for event, sub_id in events)][-WAKE_EVENTS_KEPT:]
            uow.state.set(WAKE, json.dumps({"n": n, "events": kept}), app.clock.now())
            uow.commit()
        return n
    except Exception as exc:  # noqa: BLE001 - the notification is answered all the same
        log.warning("graph notification's wake-up not recorded; the inbox poll reads the mail",
                    extra={"error": explain(exc) or exc.__class__.__name__})
        return None


def wake_mark(app: "App") -> int | None:
    """The counter of recorded wake-ups now (0 when none ever was); None when the database cannot say.
    The jobs take it before their first inbox read, so that a wake-up recorded after it wakes them."""
    try:
        with app.db.unit_of_work() as uow:
            return _wake_value(uow.state.get(WAKE))["n"]
    except Exception:  # noqa: BLE001 - the loop takes its mark at its first look then
        return None


def take_wakes(app: "App", seen: int | None) -> tuple[int, bool]:
    """One look at :data:`WAKE` (one SELECT by primary key). Returns the counter, and whether it moved
    since ``seen`` (then the inbox is read); the lifecycle events recorded since are handed to this
    process's :class:`Hub` for :func:`keep_subscribed`. ``seen`` None: the counter is only taken."""
    with app.db.unit_of_work() as uow:
        mark = _wake_value(uow.state.get(WAKE))
    n = mark["n"]
    if seen is None or n == seen:
        return n, False
    hub = hub_for(app)
    for event_n, event, sub_id in mark["events"]:
        if event_n > seen or n < seen:  # n < seen: the row was made afresh since
            hub.note_lifecycle(str(event), str(sub_id), wake=False)
    return n, True


def _wake_value(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
        n, events = int(value.get("n", 0)), value.get("events", [])
        events = [e for e in events if isinstance(e, list) and len(e) == 3 and isinstance(e[0], int)]
    except (ValueError, TypeError, AttributeError):
        n, events = 0, []
    return {"n": n, "events": events}


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
