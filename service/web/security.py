"""The web workspace's defences: signed cookies, CSRF tokens, security headers, a sign-in rate limit.

* Cookies are ``HttpOnly``, ``SameSite=Lax`` and ``Secure``, their values signed with HMAC-SHA256 by a
  key of the service's own (``[web] session_key_file``, made owner-only at first start).
* Every form carries a CSRF token: the HMAC of a random per-browser cookie (and of the session id once
  signed in), checked on every POST before anything else happens.
* Every response carries a Content-Security-Policy allowing no script at all and no framing, nosniff,
  no referrer, and HSTS when the workspace is served over TLS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from service.files import write_private

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cache-control": "no-store",
}
HSTS = "max-age=31536000; includeSubDomains"


def session_key(path: Path) -> bytes:
    """The signing key in ``path``; made (32 random bytes, owner-only) when there is none."""
    try:
        raw = path.read_bytes().strip()
    except FileNotFoundError:
        raw = base64.urlsafe_b64encode(secrets.token_bytes(32))
        write_private(path, raw + b"\n")
    key = base64.urlsafe_b64decode(raw)
    if len(key) < 32:
        raise ValueError(f"{path}: a web session key of at least 32 bytes (base64) is needed")
    return key


class Signer:
    def __init__(self, key: bytes):
        self._key = key

    def _mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, purpose: str, value: str) -> str:
        return f"{value}.{self._mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str | None) -> str | None:
        """The value of a signed cookie, or None if it is missing or its signature is wrong."""
        if not signed or "." not in signed:
            return None
        value, _, mac = signed.rpartition(".")
        return value if hmac.compare_digest(mac, self._mac(purpose, value)) else None

    def csrf_token(self, browser: str, session_id: str | None) -> str:
        return self._mac("csrf", f"{browser}|{session_id or ''}")

    def csrf_ok(self, token: str | None, browser: str | None, session_id: str | None) -> bool:
        if not token or not browser:
            return False
        return hmac.compare_digest(token, self.csrf_token(browser, session_id))


class RateLimit:
    """At most ``per_minute`` attempts per client address in any minute (sign-in pages)."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._seen) > 10_000:  # forget the quiet ones rather than grow without bound
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < 60}
            seen = self._seen.setdefault(client, deque())
            while seen and now - seen[0] >= 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return False
            seen.append(now)
            return True


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response."""

    def __init__(self, app, hsts: bool):
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
        if hsts:
            self.headers.append((b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
