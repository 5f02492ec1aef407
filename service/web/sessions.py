"""Single-use sign-in links and signed-in sessions, in the database (:mod:`.tables`).

Server-side sessions, so that signing out ends a session everywhere and an idle one ends after
``[web] idle_minutes`` whatever the browser keeps. The cookie carries a random session id (signed,
:mod:`.security`); the database holds only its SHA-256. A sign-in link's token likewise. Each change
is audited in the same transaction (``audit_events``, no case): who, what, never the secret.

Times are the wall clock (``now``), not the service's simulated clock: a session idles in real time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import delete, insert, select, update

from service.domain.model import AuditEvent

from . import tables as t

if TYPE_CHECKING:
    from service.store.db import Database


KEEP = timedelta(days=30)  # how long ended sessions and spent links stay in their tables


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Session:
    id: str
    email: str
    via: str
    token_roles: tuple[str, ...]
    created_at: datetime


class Sessions:
    """Links and sessions over one database. ``now`` is injectable for tests of expiry."""

    def __init__(self, db: "Database", now: Callable[[], datetime] = utc_now):
        self.db = db
        self.now = now

    def audit(self, actor: str, action: str, detail: dict[str, Any] | None = None,
              reason: str | None = None) -> None:
        """One entry in the audit trail, for no case (sign-ins, refusals)."""
        with self.db.unit_of_work() as uow:
            uow.audit.append(None, None, [AuditEvent(at=self.now(), actor=actor, action=action,
                                                     detail=detail or {}, reason=reason)])
            uow.commit()

    # Sign-in links -------------------------------------------------------------------
    def issue_link(self, email: str, minutes: int, actor: str) -> str:
        """A new single-use token for ``email``, valid ``minutes``; audited (the address, never the token)."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        with self.db.unit_of_work() as uow:
            uow.conn.execute(insert(t.sign_in_links).values(token_hash=_hash(token), email=email.lower(),
                                                            created_at=now,
                                                            expires_at=now + timedelta(minutes=minutes)))
            uow.audit.append(None, None, [AuditEvent(at=now, actor=actor, action="web sign-in link issued",
                                                     detail={"for": email.lower(), "minutes": minutes})])
            uow.commit()
        return token

    def link_email(self, token: str) -> str | None:
        """The address a link is for while it is unused and unexpired (does not use it)."""
        with self.db.unit_of_work() as uow:
            row = uow.conn.execute(select(t.sign_in_links).where(
                t.sign_in_links.c.token_hash == _hash(token))).mappings().first()
        if row is None or row["used_at"] is not None or row["expires_at"] <= self.now():
            return None
        return row["email"]

    def use_link(self, token: str) -> str | None:
        """Use a link: its address, once; None when unknown, used or expired (a conditional UPDATE, so
        two browsers racing with one link sign in one person)."""
        now = self.now()
        c = t.sign_in_links.c
        with self.db.unit_of_work() as uow:
            res = uow.conn.execute(update(t.sign_in_links)
                                   .where(c.token_hash == _hash(token), c.used_at.is_(None), c.expires_at > now)
                                   .values(used_at=now))
            if res.rowcount != 1:
                return None
            email = uow.conn.execute(select(c.email).where(c.token_hash == _hash(token))).scalar_one()
            uow.commit()
        return email

    # Entra ID sign-ins under way ---------------------------------------------------------------
    def save_flow(self, state: str, browser: str, flow: dict[str, Any]) -> None:
        """Keep msal's flow until the browser that started it comes back (and forget stale ones)."""
        now = self.now()
        f = t.sign_in_flows.c
        with self.db.unit_of_work() as uow:
            uow.conn.execute(delete(t.sign_in_flows).where(f.created_at < now - timedelta(hours=1)))
            uow.conn.execute(insert(t.sign_in_flows).values(state_hash=_hash(state), browser_hash=_hash(browser),
                                                            flow=flow, created_at=now))
            uow.commit()

    def take_flow(self, state: str, browser: str, minutes: int) -> dict[str, Any] | None:
        """The flow for ``state``, once, if this browser started it less than ``minutes`` ago."""
        now = self.now()
        f = t.sign_in_flows.c
        with self.db.unit_of_work() as uow:
            row = uow.conn.execute(select(t.sign_in_flows).where(f.state_hash == _hash(state))).mappings().first()
            if row is None:
                return None
            if uow.conn.execute(delete(t.sign_in_flows).where(f.state_hash == _hash(state))).rowcount != 1:
                return None  # another request took it first
            uow.commit()
        if row["browser_hash"] != _hash(browser) or now - row["created_at"] > timedelta(minutes=minutes):
            return None
        return row["flow"]

    # Calendar feeds -----------------------------------------------------------------------------
    def new_feed(self, email: str) -> str:
        """A new secret for ``email``'s calendar feed (their earlier ones keep working until revoked)."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        with self.db.unit_of_work() as uow:
            uow.conn.execute(insert(t.calendar_feeds).values(token_hash=_hash(token), email=email, created_at=now))
            uow.audit.append(None, None, [AuditEvent(at=now, actor=email, action="web calendar feed made", detail={})])
            uow.commit()
        return token

    def revoke_feeds(self, email: str) -> int:
        """End every calendar feed of ``email``; how many there were."""
        now = self.now()
        c = t.calendar_feeds.c
        with self.db.unit_of_work() as uow:
            n = uow.conn.execute(update(t.calendar_feeds).where(c.email == email, c.revoked_at.is_(None))
                                 .values(revoked_at=now)).rowcount
            uow.audit.append(None, None, [AuditEvent(at=now, actor=email, action="web calendar feeds revoked",
                                                     detail={"feeds": n})])
            uow.commit()
        return n

    def feed_email(self, token: str) -> str | None:
        """Whose feed ``token`` is, while it is not revoked."""
        c = t.calendar_feeds.c
        with self.db.unit_of_work() as uow:
            return uow.conn.execute(select(c.email).where(c.token_hash == _hash(token), c.revoked_at.is_(None))
                                    ).scalar()

    # Sessions --------------------------------------------------------------------------
    def start(self, email: str, via: str, token_roles: tuple[str, ...] = (), detail: dict[str, Any] | None = None
              ) -> str:
        """A new session for ``email``; its id (for the cookie). Audited as a sign-in."""
        sid = secrets.token_urlsafe(32)
        now = self.now()
        with self.db.unit_of_work() as uow:
            self._forget_old(uow, now)
            uow.conn.execute(insert(t.sessions).values(id_hash=_hash(sid), email=email.lower(), via=via,
                                                       token_roles=list(token_roles), created_at=now,
                                                       last_seen_at=now))
            uow.audit.append(None, None, [AuditEvent(at=now, actor=email.lower(), action="web signed in",
                                                     detail={"via": via, **(detail or {})})])
            uow.commit()
        return sid

    @staticmethod
    def _forget_old(uow, now: datetime) -> None:
        """Sessions over and links spent more than ``KEEP`` ago: the audit trail has what happened."""
        s, link = t.sessions.c, t.sign_in_links.c
        uow.conn.execute(delete(t.sessions).where((s.ended_at < now - KEEP) | (s.last_seen_at < now - KEEP)))
        uow.conn.execute(delete(t.sign_in_links).where(link.expires_at < now - KEEP))

    def current(self, sid: str, idle: timedelta) -> Session | None:
        """The live session with id ``sid``, its idle clock restarted; None when unknown, ended or idle
        longer than ``idle`` (which ends it)."""
        now = self.now()
        c = t.sessions.c
        with self.db.unit_of_work() as uow:
            row = uow.conn.execute(select(t.sessions).where(c.id_hash == _hash(sid))).mappings().first()
            if row is None or row["ended_at"] is not None:
                return None
            if now - row["last_seen_at"] > idle:
                uow.conn.execute(update(t.sessions).where(c.id_hash == _hash(sid)).values(ended_at=now))
                uow.audit.append(None, None, [AuditEvent(at=now, actor=row["email"], action="web session timed out",
                                                         detail={"idle_minutes": int(idle.total_seconds() // 60)})])
                uow.commit()
                return None
            uow.conn.execute(update(t.sessions).where(c.id_hash == _hash(sid)).values(last_seen_at=now))
            uow.commit()
        return Session(sid, row["email"], row["via"], tuple(row["token_roles"] or ()), row["created_at"])

    def end(self, sid: str) -> str | None:
        """Sign out: the session ends now; the address it was for, or None if it had already ended."""
        now = self.now()
        c = t.sessions.c
        with self.db.unit_of_work() as uow:
            email = uow.conn.execute(select(c.email).where(c.id_hash == _hash(sid), c.ended_at.is_(None))).scalar()
            if email is None:
                return None
            uow.conn.execute(update(t.sessions).where(c.id_hash == _hash(sid)).values(ended_at=now))
            uow.audit.append(None, None, [AuditEvent(at=now, actor=email, action="web signed out", detail={})])
            uow.commit()
        return email
