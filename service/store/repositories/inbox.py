"""Mail received: stored once, claimed one message at a time, its outcome recorded.

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update


from .. import tables as t

from .common import utc


class InboxRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def known(self, backend_id: str, internet_message_id: str | None) -> bool:
        if internet_message_id:
            found = self.conn.execute(_KNOWN_EITHER, {"_backend_id": backend_id, "_message_id": internet_message_id})
        else:
            found = self.conn.execute(_KNOWN, {"_backend_id": backend_id})
        return found.first() is not None

    def store(self, backend_id: str, raw: bytes, internet_message_id: str | None, received_at: datetime | None,
              now: datetime, sender: str | None) -> int:
        return self.conn.execute(_STORE, dict(
            backend_id=backend_id, internet_message_id=internet_message_id,
            sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), raw=raw, received_at=utc(received_at),
            stored_at=now, status="new", attempts=0, filed=False, sender=sender)).inserted_primary_key[0]

    def claim_new(self, now: datetime, worker: str, lease: timedelta, limit: int = 20) -> list[dict[str, Any]]:
        """Claim unprocessed messages (or ones whose lease ran out) for this worker: the oldest first, each
        only while still claimable (one conditional UPDATE; two processes never claim the same message)."""
        claim = {"_now": now, "claimed_until": now + lease, "claimed_by": worker}
        if self.conn.dialect.update_returning:  # one statement
            return sorted(self.conn.execute(_claim(limit), claim).scalars())
        # An SQLite older than 3.35: the oldest first, each claimed on its own condition.
        claimable, oldest = _claimable(limit)
        claimed = []
        for mid in self.conn.execute(oldest, {"_now": now}).scalars().all():
            if self.conn.execute(update(t.inbound_messages).where(_m.id == mid, *claimable)
                                 .values(attempts=_m.attempts + 1), claim).rowcount == 1:
                claimed.append(mid)
        return claimed

    def any_claimable(self, now: datetime) -> bool:
        """Is there a message waiting that no live lease holds?"""
        m = t.inbound_messages.c
        return self.conn.execute(select(m.id).where(
            m.status == "new", or_(m.claimed_until.is_(None), m.claimed_until < now)).limit(1)).first() is not None

    def finish_claimed(self, mid: int, worker: str, status: str, outcome: str, kind: str | None = None,
                       case_id: int | None = None) -> bool:
        """Record a message's outcome only while it is unhandled and ``worker``'s claim; False (nothing
        written) when another process has taken it over. Locks the row until the transaction ends."""
        return self.conn.execute(_FINISH_CLAIMED, dict(
            _mid=mid, _worker=worker, status=status, outcome=outcome, kind=kind, case_id=case_id,
            claimed_until=None, claimed_by=None)).rowcount == 1

    def get(self, mid: int) -> dict[str, Any]:
        return dict(self.conn.execute(_GET, {"_mid": mid}).mappings().one())

    def find(self, mid: int) -> dict[str, Any] | None:
        row = self.conn.execute(select(t.inbound_messages).where(t.inbound_messages.c.id == mid)).mappings().first()
        return None if row is None else dict(row)

    def finish(self, mid: int, status: str, outcome: str, kind: str | None = None, case_id: int | None = None) -> None:
        self.conn.execute(update(t.inbound_messages).where(t.inbound_messages.c.id == mid).values(
            status=status, outcome=outcome, kind=kind, case_id=case_id, claimed_until=None, claimed_by=None))

    def unfiled(self, limit: int = 100) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            select(t.inbound_messages.c.id, t.inbound_messages.c.backend_id, t.inbound_messages.c.status)
            .where(t.inbound_messages.c.status != "new", t.inbound_messages.c.filed.is_(False))
            .order_by(t.inbound_messages.c.id).limit(limit)).mappings()]

    def mark_filed(self, *mids: int) -> None:
        self.conn.execute(update(t.inbound_messages).where(t.inbound_messages.c.id.in_(mids)).values(filed=True))

    def mark_unfiled(self, mid: int) -> None:
        """To be filed again (its outcome changed: the mailbox folder it belongs in may have too)."""
        self.conn.execute(update(t.inbound_messages).where(t.inbound_messages.c.id == mid).values(filed=False))

    def with_sha(self, sha: str, exclude_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(_WITH_SHA, {"_sha": sha, "_mid": exclude_id}).mappings()]

    def with_message_id(self, message_ids: Iterable[str]) -> dict[str, Any] | None:
        ids = [m for m in message_ids if m]
        if not ids:
            return None
        row = self.conn.execute(_WITH_MESSAGE_ID, {"_ids": ids}).mappings().first()
        return dict(row) if row else None

    def by_status(self, statuses: Iterable[str], since: datetime | None = None) -> list[dict[str, Any]]:
        q = (select(t.inbound_messages.c.id, t.inbound_messages.c.status, t.inbound_messages.c.outcome,
                    t.inbound_messages.c.kind, t.inbound_messages.c.stored_at, t.inbound_messages.c.sender,
                    t.inbound_messages.c.internet_message_id, t.inbound_messages.c.case_id)
             .where(t.inbound_messages.c.status.in_(list(statuses))).order_by(t.inbound_messages.c.id))
        if since is not None:
            q = q.where(t.inbound_messages.c.stored_at >= since)
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def counts(self) -> dict[str, int]:
        return {s: n for s, n in self.conn.execute(
            select(t.inbound_messages.c.status, func.count()).group_by(t.inbound_messages.c.status))}


# Statements built once (the parameters change, not the statement).
_m = t.inbound_messages.c
_STORE = insert(t.inbound_messages)
_FINISH_CLAIMED = update(t.inbound_messages).where(_m.id == bindparam("_mid"), _m.status == "new",
                                                   _m.claimed_by == bindparam("_worker"))
_GET = select(t.inbound_messages).where(_m.id == bindparam("_mid"))
_KNOWN = select(_m.id).where(_m.backend_id == bindparam("_backend_id")).limit(1)
_KNOWN_EITHER = (select(_m.id).where(or_(_m.backend_id == bindparam("_backend_id"),
                                         _m.internet_message_id == bindparam("_message_id"))).limit(1))
_WITH_SHA = select(_m.id, _m.case_id, _m.status).where(_m.sha256 == bindparam("_sha"), _m.id != bindparam("_mid"))
_WITH_MESSAGE_ID = (select(_m.id, _m.case_id).where(_m.internet_message_id.in_(bindparam("_ids", expanding=True)),
                                                    _m.case_id.is_not(None)).order_by(_m.id))


def _claimable(limit: int) -> tuple[tuple[Any, ...], Any]:
    """The condition a claimable message meets at ``_now``, and the ``limit`` oldest meeting it."""
    claimable = (_m.status == "new", or_(_m.claimed_until.is_(None), _m.claimed_until < bindparam("_now")))
    return claimable, select(_m.id).where(*claimable).order_by(_m.id).limit(limit)


@functools.lru_cache(maxsize=8)
def _claim(limit: int) -> Any:
    """UPDATE ... RETURNING claiming up to ``limit`` of the oldest claimable messages (see ``claim_new``)."""
    claimable, oldest = _claimable(limit)
    return (update(t.inbound_messages).where(_m.id.in_(oldest.scalar_subquery()), *claimable)
            .values(attempts=_m.attempts + 1).returning(_m.id))
