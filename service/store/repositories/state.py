"""Small named values the service keeps (heartbeats, marks, counters).

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError


from .. import tables as t



class StateRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, name: str) -> str | None:
        return self.conn.execute(_GET, {"_name": name}).scalar()

    def set(self, name: str, value: str | None, now: datetime) -> None:
        """Update the value, or insert it; when another process inserts the same name at the same moment
        (two services writing their first heartbeat), the insert loses and the value is updated instead."""
        change = {"_name": name, "value": value, "updated_at": now}
        if self.conn.execute(_SET, change).rowcount:
            return
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(t.service_state).values(name=name, value=value, updated_at=now))
        except IntegrityError:
            self.conn.execute(_SET, change)

    def get_for_update(self, name: str) -> str | None:
        """As :meth:`get`, the row locked until the transaction ends (PostgreSQL), for a read-then-write that
        another process must not interleave with (SQLite has one writer at a time)."""
        return self.conn.execute(select(t.service_state.c.value).where(t.service_state.c.name == name)
                                 .with_for_update()).scalar()


# Statements built once (the parameters change, not the statement).
_GET = select(t.service_state.c.value).where(t.service_state.c.name == bindparam("_name"))
_SET = update(t.service_state).where(t.service_state.c.name == bindparam("_name"))
