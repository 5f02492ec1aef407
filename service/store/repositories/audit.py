"""The audit trail: append-only and hash-chained.

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import Connection, insert, select, update

from service.domain.model import AuditEvent

from .. import tables as t

from .common import utc

GENESIS = "0" * 64


class AuditRepository:
    """Append-only, hash-chained audit trail."""

    def __init__(self, conn: Connection):
        self.conn = conn
        # The chain's head as this transaction last made it, once it has appended (the head row is then its
        # own until it ends: locked on PostgreSQL, SQLite's single writer), so it is not read again; the head
        # row is written once, just before the transaction commits (:meth:`write_head`), not after every
        # append. After an append inside a savepoint (which may yet be rolled back) the head is what the
        # newest row says.
        self._head_now: str | None = None
        self._from_rows = False
        self._dirty = False

    @staticmethod
    def digest(prev: str, reference: str | None, ev: AuditEvent) -> str:
        body = json.dumps({"ref": reference, "at": utc(ev.at).isoformat(), "actor": ev.actor, "action": ev.action,
                           "detail": ev.detail, "reason": ev.reason}, sort_keys=True, default=str)
        return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()

    def _head(self) -> str:
        if self._head_now is not None:
            return self._head_now
        if self._from_rows:  # this transaction wrote the head's rows: its newest row is the head
            if self.conn.dialect.name == "postgresql":  # a savepoint rolled back gives its row lock back: take it
                self.conn.execute(_HEAD_LOCKED)
            newest = self.conn.execute(_NEWEST).scalar()
            return newest or GENESIS
        head = self.conn.execute(_HEAD_LOCKED if self.conn.dialect.name == "postgresql" else _HEAD).scalar()
        if head is None:
            self.conn.execute(insert(t.service_state).values(name="audit_head", value=GENESIS,
                                                             updated_at=datetime.now(timezone.utc)))
            # re-read under the lock on PostgreSQL (a concurrent insert would have failed above)
            head = GENESIS
        return head

    def append(self, case_id: int | None, reference: str | None, events: Iterable[AuditEvent]) -> None:
        events = list(events)
        if not events:
            return
        prev = self._head()
        rows = []
        for ev in events:
            h = self.digest(prev, reference, ev)
            rows.append({"case_id": case_id, "reference": reference, "at": utc(ev.at), "actor": ev.actor,
                         "action": ev.action, "detail": ev.detail, "reason": ev.reason, "prev_hash": prev,
                         "hash": h})
            prev = h
        self.conn.execute(_INSERT, rows)
        self._dirty = True
        if self.conn.in_nested_transaction():  # the savepoint may roll these rows back: ask the rows next time
            self._head_now, self._from_rows = None, True
        else:
            self._head_now = prev

    def write_head(self) -> None:
        """Write the chain's head if this transaction appended (the unit of work calls this just before it
        commits)."""
        if self._dirty:
            self.conn.execute(_SET_HEAD, {"value": self._head(), "updated_at": datetime.now(timezone.utc)})
            self._dirty = False

    def for_case(self, case_id: int) -> list[AuditEvent]:
        rows = self.conn.execute(select(t.audit_events).where(t.audit_events.c.case_id == case_id)
                                 .order_by(t.audit_events.c.id)).mappings()
        return [AuditEvent(at=utc(r["at"]), actor=r["actor"], action=r["action"], detail=r["detail"],
                           reason=r["reason"]) for r in rows]

    def verify(self) -> tuple[int, list[str]]:
        """Walk the chain; returns (rows checked, problems)."""
        problems: list[str] = []
        prev = GENESIS
        n = 0
        for r in self.conn.execute(select(t.audit_events).order_by(t.audit_events.c.id)).mappings():
            n += 1
            ev = AuditEvent(at=utc(r["at"]), actor=r["actor"], action=r["action"], detail=r["detail"],
                            reason=r["reason"])
            if r["prev_hash"] != prev:
                problems.append(f"event {r['id']}: chain broken (previous hash does not match)")
            if self.digest(r["prev_hash"], r["reference"], ev) != r["hash"]:
                problems.append(f"event {r['id']}: contents altered (hash does not match)")
            prev = r["hash"]
        head = self.conn.execute(select(t.service_state.c.value)
                                 .where(t.service_state.c.name == "audit_head")).scalar()
        if n and head != prev:
            problems.append("the newest events are missing (chain head does not match the last event)")
        return n, problems


# Built once (building a statement costs more than running it).
_SET_HEAD = update(t.service_state).where(t.service_state.c.name == "audit_head")
_HEAD = select(t.service_state.c.value).where(t.service_state.c.name == "audit_head")
_HEAD_LOCKED = _HEAD.with_for_update()
_NEWEST = select(t.audit_events.c.hash).order_by(t.audit_events.c.id.desc()).limit(1)
_INSERT = insert(t.audit_events)
