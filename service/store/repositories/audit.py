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
        # The chain's head as this transaction last wrote it (outside a savepoint): once it has written the
        # head, the row is its own until it ends (locked on PostgreSQL; SQLite's single writer), so it need
        # not read it again.
        self._written_head: str | None = None

    @staticmethod
    def digest(prev: str, reference: str | None, ev: AuditEvent) -> str:
        body = json.dumps({"ref": reference, "at": utc(ev.at).isoformat(), "actor": ev.actor, "action": ev.action,
                           "detail": ev.detail, "reason": ev.reason}, sort_keys=True, default=str)
        return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()

    def _head(self) -> str:
        if self._written_head is not None:
            return self._written_head
        q = select(t.service_state.c.value).where(t.service_state.c.name == "audit_head")
        if self.conn.dialect.name == "postgresql":
            q = q.with_for_update()
        head = self.conn.execute(q).scalar()
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
        self.conn.execute(insert(t.audit_events), rows)
        self.conn.execute(update(t.service_state).where(t.service_state.c.name == "audit_head")
                          .values(value=prev, updated_at=datetime.now(timezone.utc)))
        # Inside a savepoint the write may yet be rolled back: then the head is read again next time.
        self._written_head = None if self.conn.in_nested_transaction() else prev

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
