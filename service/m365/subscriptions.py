"""Graph change-notification subscriptions: new messages in the board mailbox's inbox.

https://learn.microsoft.com/graph/change-notifications-delivery-webhooks. A subscription
(``POST /subscriptions``) names the resource (``users/{mailbox}/mailFolders('inbox')/messages``),
``changeType: created``, the public HTTPS URL Graph posts notifications to, the URL it posts
lifecycle notifications to (``reauthorizationRequired``, ``subscriptionRemoved``, ``missed``), a
secret ``clientState`` every notification carries back, and an expiry: at most 10,080 minutes
(7 days) for Outlook messages, extended with ``PATCH /subscriptions/{id}``. Before it answers the
create (and a renewal), Graph checks the notification URL answers its validation request (the
``validationToken`` echoed as text/plain within 10 s).

Only Graph calls here; when to create, renew or re-create, and where the secret is kept, is
:mod:`service.mailbox.notifications`' business.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import GraphError
from .formats import parse_graph_time, seg
from .http import GraphHttp

log = logging.getLogger("review_clerk.m365")

MAX_MINUTES = 10_080  # the longest an Outlook message subscription may last


@dataclass(frozen=True)
class Subscription:
    id: str
    expires: datetime


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


class GraphSubscriptions:
    """Create, renew, reauthorize and delete the inbox subscription of one mailbox."""

    def __init__(self, http: GraphHttp, mailbox: str, inbox: str = "inbox"):
        self._http = http
        self.mailbox = mailbox.lower()
        self._inbox = inbox

    @property
    def resource(self) -> str:
        return f"users/{self.mailbox}/mailFolders('{self._inbox}')/messages"

    def create(self, notification_url: str, lifecycle_url: str, client_state: str, expires: datetime) -> Subscription:
        """A new subscription; Graph validates ``notification_url`` before it answers."""
        body = self._http.json("POST", "subscriptions", mailbox=self.mailbox, replay_safe=True, json={
            "changeType": "created",
            "notificationUrl": notification_url,
            "lifecycleNotificationUrl": lifecycle_url,
            "resource": self.resource,
            "expirationDateTime": _iso(expires),
            "clientState": client_state,
            "latestSupportedTlsVersion": "v1_2",
        })
        log.info("subscribed to new mail in %s", self.mailbox)
        return self._read(body, expires)

    def renew(self, subscription_id: str, expires: datetime) -> Subscription | None:
        """The subscription with its new expiry, or None when Graph no longer has it (re-create it)."""
        try:
            body = self._http.json("PATCH", f"subscriptions/{seg(subscription_id)}", mailbox=self.mailbox,
                                   json={"expirationDateTime": _iso(expires)})
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        return self._read(body, expires, subscription_id)

    def reauthorize(self, subscription_id: str) -> bool:
        """Answer ``reauthorizationRequired``; False when Graph no longer has the subscription."""
        try:
            self._http.request("POST", f"subscriptions/{seg(subscription_id)}/reauthorize", mailbox=self.mailbox,
                               replay_safe=True)
        except GraphError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def delete(self, subscription_id: str) -> None:
        try:
            self._http.request("DELETE", f"subscriptions/{seg(subscription_id)}", mailbox=self.mailbox)
        except GraphError as exc:
            if exc.status != 404:
                raise

    @staticmethod
    def _read(body: dict[str, Any], asked: datetime, known_id: str | None = None) -> Subscription:
        expires = parse_graph_time(body.get("expirationDateTime")) or asked
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        return Subscription(id=str(body.get("id") or known_id or ""), expires=expires)
