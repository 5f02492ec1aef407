"""Microsoft 365 (Microsoft Graph) backend for the mailbox and calendar ports.

This package is the only code in the project that imports ``msal`` or
``O365``. Entry points:

* :func:`build_graph_backend` → ``(GraphMailbox, GraphCalendar)``, which
  implement :class:`service.mailbox.ports.Mailbox` and
  :class:`service.mailbox.ports.Calendar`;
* :func:`run_doctor` → a list of :class:`Check` for ``review-clerk doctor``.

Modules: ``auth`` (msal client-credentials tokens), ``http`` (the single
request layer: retries, Retry-After, back-off, per-mailbox concurrency),
``message_json`` (message JSON, headers, key property, attachment plan),
``folders`` (mail folder ids), ``formats`` (URL segments, OData literals,
Graph timestamps), ``batch`` (JSON batching: 20 requests to a round trip,
per-request throttling), ``subscriptions`` (change notifications for new
mail), ``graph_mailbox``, ``graph_calendar``, ``doctor``, ``errors``.

Why O365 is barely used. O365 2.1.10 is a declared dependency, but its
``Connection`` retries only GETs (urllib3 ``Retry``) and then raises
``requests.exceptions.RetryError``; it does not retry POST/PATCH on 429, so
sends and event creation would need a second retry layer anyway. Its
credentials flow breaks with msal >= 1.32 once the first token expires
(issues #1140, #1195), its authority is hard-coded to
login.microsoftonline.com, it has no delta query, it sends
``isOnlineMeeting`` as the string "true", and ``Message.send()`` returns
rather than raises some errors. We therefore make every request with our own
``requests.Session`` and msal tokens, through one layer (``http.GraphHttp``)
that honours Retry-After on every method, and use O365 only where it adds
something real: its IANA <-> Windows time-zone tables
(``O365.utils.windows_tz``), so event times go out with the Windows zone
names Graph always accepts and zone names in Graph answers can be read.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable

import requests

from .auth import TokenProvider
from .graph_calendar import GraphCalendar
from .doctor import Check, run_doctor
from .errors import AuthError, GraphError, OutcomeUnknown
from .http import GraphHttp, RetryPolicy
from .graph_mailbox import GraphMailbox

__all__ = [
    "AuthError",
    "Check",
    "GraphCalendar",
    "GraphError",
    "GraphHttp",
    "GraphMailbox",
    "OutcomeUnknown",
    "RetryPolicy",
    "TokenProvider",
    "build_graph_backend",
    "run_doctor",
]


def build_graph_backend(graph_settings: Any, mailbox_address: str, *,
                        clock: Callable[[], float] = time.time,
                        sleep: Callable[[float], None] = time.sleep,
                        time_zone: str = "Europe/London",
                        rng: random.Random | None = None,
                        session: requests.Session | None = None,
                        policy: RetryPolicy | None = None,
                        batch_limit: int = 100) -> tuple[GraphMailbox, GraphCalendar]:
    """The Graph mailbox and calendar for ``mailbox_address`` (``Settings.graph_mailbox``).

    ``graph_settings`` is :class:`service.config.Graph`. ``time_zone`` is the
    board's zone (``Settings.board.time_zone``) used for meeting times.
    ``clock`` (epoch seconds) and ``sleep`` are injected so tests never wait;
    ``rng`` makes back-off jitter reproducible. Nothing is fetched here: the
    first token (and msal's openid-configuration request) comes with the
    first call. Both objects share one token provider, one request layer and
    so one concurrency limit per mailbox.
    """
    tokens = TokenProvider(graph_settings, clock=clock)
    http = GraphHttp(graph_settings, tokens, clock=clock, sleep=sleep, rng=rng, session=session, policy=policy)
    mailbox = GraphMailbox(http, mailbox_address, inbox_folder=graph_settings.inbox_folder,
                           send_as=graph_settings.send_as, batch_limit=batch_limit)
    calendar = GraphCalendar(http, mailbox_address, time_zone=time_zone)
    return mailbox, calendar
