"""Mail to send: queued once by key, claimed with a lease, its delivery recorded.

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any, Iterable

from sqlalchemy import Connection, Text, bindparam, cast, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import tables as t
from .common import columns


class OutboxRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def exists(self, key: str) -> bool:
        return self.conn.execute(_EXISTS, {"_key": key}).first() is not None

    def existing(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have a message already (one query)."""
        keys = list(dict.fromkeys(keys))
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            found.update(self.conn.execute(_EXISTING, {"_keys": keys[i:i + 500]}).scalars())
        return found

    def queue(self, row: dict[str, Any]) -> bool:
        """Queue a message unless one with the same key exists. Returns True if queued.

        One statement: an insert that does nothing when the key is taken (``ON CONFLICT (key) DO NOTHING``),
        so two processes queueing the same key at once let one in and the other returns False.
        """
        stmt = _queue_once(self.conn.dialect.name)
        if stmt is not None:  # the id comes back only when the row went in (rowcount is -1 on PostgreSQL)
            return self.conn.execute(stmt, row).first() is not None
        if self.exists(row["key"]):
            return False
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(t.outbox).values(**row))
        except IntegrityError:
            return False
        return True

    def combined_into(self, key: str) -> str | None:
        headers = self.conn.execute(select(t.outbox.c.headers).where(t.outbox.c.key == key)).scalar()
        return (headers or {}).get("combined_into")

    def claim_due(self, now: datetime, worker: str, lease: timedelta, limit: int = 20,
                  templates: Iterable[str] | None = None) -> list[int]:
        """Claim up to ``limit`` due rows; only rows of ``templates`` when given (an empty list claims none)."""
        if templates is None:
            ids = self.conn.execute(_DUE_IDS, {"_now": now, "_limit": limit}).scalars().all()
        else:
            ids = self.conn.execute(_DUE_IDS_OF, {"_now": now, "_limit": limit, "_templates": list(templates)}
                                    ).scalars().all()
        won = []
        for oid in ids:  # each only while still due and unclaimed (a row's template never changes)
            res = self.conn.execute(_CLAIM_DUE, {"_oid": oid, "_now": now, "claimed_until": now + lease,
                                                 "claimed_by": worker})
            if res.rowcount == 1:
                won.append(oid)
        return won

    def renew_claim(self, oid: int, worker: str, until: datetime) -> bool:
        """Extend ``worker``'s claim on a row being sent; False if another process has it (or it is done)."""
        return self.conn.execute(_RENEW, {"_oid": oid, "_worker": worker, "claimed_until": until}).rowcount == 1

    def get(self, oid: int) -> dict[str, Any]:
        return dict(self.conn.execute(_GET, {"_oid": oid}).mappings().one())

    def id_of(self, key: str) -> int | None:
        return self.conn.execute(select(t.outbox.c.id).where(t.outbox.c.key == key)).scalar()

    def mark(self, oid: int, **values: Any) -> None:
        self.conn.execute(_MARK, {"_oid": oid, **columns(t.outbox, values)})

    def transition(self, oid: int, expected: str, **values: Any) -> bool:
        """A conditional UPDATE: the row moves only from status ``expected``; True when this call moved it."""
        params = {"_oid": oid, "_expected": expected, **columns(t.outbox, values)}
        return self.conn.execute(_TRANSITION, params).rowcount == 1

    def for_case(self, case_id: int, templates: Iterable[str] | None = None) -> list[dict[str, Any]]:
        o = t.outbox.c
        q = (select(o.id, o.key, o.template, o.to, o.status, o.created_at, o.sent_at, o.last_error, o.subject,
                    o.attempts, o.mode, o.reviewer, o.attachments, o.message_id)
             .where(o.case_id == case_id).order_by(o.id))
        if templates:
            q = q.where(o.template.in_(list(templates)))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def sent_keys(self, case_id: int, template: str) -> set[str]:
        o = t.outbox.c
        return set(self.conn.execute(select(o.key).where(o.case_id == case_id, o.template == template,
                                                         o.status == "sent")).scalars())

    def with_message_ids(self, message_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Messages we sent with these Internet Message-IDs (what a reply's In-Reply-To/References name),
        with the reference of their case."""
        ids = list(message_ids)
        if not ids:
            return []
        o = t.outbox.c
        q = (select(o.key, o.template, o.case_id, t.cases.c.reference, o.to, o.cc, o.status, o.sent_at,
                    o.message_id)
             .select_from(t.outbox.outerjoin(t.cases, o.case_id == t.cases.c.id))
             .where(o.message_id.in_(ids)).order_by(o.id))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def hold(self, keys: Iterable[str], until: datetime) -> int:
        """Queued rows with these keys wait until ``until`` (the sender job takes none before). Returns how many."""
        keys = list(keys)
        if not keys:
            return 0
        o = t.outbox.c
        return self.conn.execute(update(t.outbox).where(o.key.in_(keys), o.status == "queued")
                                 .values(next_attempt_at=until)).rowcount

    def awaiting_review(self, due_by: datetime | None = None) -> list[dict[str, Any]]:
        """Drafts left for a person; with ``due_by``, only those whose next check has come."""
        q = select(t.outbox).where(t.outbox.c.status == "awaiting_review")
        if due_by is not None:
            q = q.where(or_(t.outbox.c.next_attempt_at.is_(None), t.outbox.c.next_attempt_at <= due_by))
        return [dict(r) for r in self.conn.execute(q.order_by(t.outbox.c.id)).mappings()]

    def sent_since(self, to: str, since: datetime, template_prefix: str | None = None,
                   enough: int | None = None) -> int:
        """Messages to ``to`` queued since ``since`` (of templates starting ``template_prefix``). The database
        keeps only the rows whose recipients' text holds the address; each is then checked for the address
        itself. ``enough``: counting stops there."""
        address = to.lower()
        params = {"_since": since, "_template": f"{template_prefix or ''}%"}
        if address.isascii():  # JSON text escapes other characters
            q, params["_to"] = _SENT_TO, "%" + _LIKE_SPECIAL.sub(r"/\g<0>", address) + "%"
        else:
            q = _SENT
        found = 0
        rows = self.conn.execute(q, params)
        try:
            for (recipients,) in rows:
                found += address in [r.lower() for r in recipients]
                if enough is not None and found >= enough:  # all the caller needs to know
                    break
        finally:
            rows.close()
        return found

    def counts(self) -> dict[str, int]:
        return {s: n for s, n in self.conn.execute(
            select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status))}

    def pending(self) -> list[dict[str, Any]]:
        """Messages not yet gone (queued, being sent, or a draft waiting for a person), with their case's
        reference; bodies are not read."""
        o = t.outbox.c
        q = (select(o.key, o.template, o.to, o.status, o.attempts, o.last_error, o.next_attempt_at, o.created_at,
                    o.mode, o.reviewer, t.cases.c.reference)
             .select_from(t.outbox.outerjoin(t.cases, o.case_id == t.cases.c.id))
             .where(o.status.in_(["queued", "sending", "awaiting_review"])).order_by(o.id))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    # The chase sweep (issue 18) ----------------------------------------------
    def combined_in(self, into: str) -> list[dict[str, Any]]:
        """The items (status ``combined``) that went in the message keyed ``into``, in the order recorded."""
        o = t.outbox.c
        rows = self.conn.execute(select(o.id, o.key, o.template, o.case_id, o.headers)
                                 .where(o.status == "combined", o.subject == f"(in {into})").order_by(o.id))
        return [dict(r) for r in rows.mappings() if (r.headers or {}).get("combined_into") == into]

    def record_combined_many(self, items: Iterable[tuple[str, str, int | None]], to: str, into: str,
                             now: datetime) -> None:
        """Record each ``(key, template, case_id)`` that went in the message keyed ``into`` (a person's chase
        summary), in one statement: its own key, status ``combined``, never sent by itself;
        ``headers.combined_into`` names the message it went in."""
        sender = self.conn.execute(select(t.outbox.c.sender).where(t.outbox.c.key == into)).scalar_one()
        domain = sender.rsplit("@", 1)[-1]
        rows = [{"key": key, "case_id": case_id, "template": template, "sender": sender, "to": [to.lower()],
                 "cc": [], "subject": f"(in {into})", "text": "", "html": None, "attachments": [],
                 "headers": {"combined_into": into}, "message_id": make_msgid(domain=domain), "references": [],
                 "mode": "auto", "status": "combined", "attempts": 0, "created_at": now}
                for key, template, case_id in items]
        if rows:
            self.conn.execute(insert(t.outbox), rows)


# Statements built once (the parameters change, not the statement): SQLAlchemy's cost of building and
# keying a statement with its values was most of an insert's or update's.
_o = t.outbox.c
_EXISTS = select(_o.id).where(_o.key == bindparam("_key"))
_EXISTING = select(_o.key).where(_o.key.in_(bindparam("_keys", expanding=True)))
# sent_since: the recipients and the template are tested before the time (SQLite reads a row's columns in
# order, and ``created_at`` comes after the sealed bodies and letters, several pages of a row: only the rows
# to this address need them read). The address is matched in the recipients' JSON text with LIKE, its own
# wildcards escaped.
_SENT = select(_o.to).where(_o.template.like(bindparam("_template")), _o.created_at >= bindparam("_since"))
_SENT_TO = select(_o.to).where(func.lower(cast(_o.to, Text)).like(bindparam("_to"), escape="/"),
                               _o.template.like(bindparam("_template")), _o.created_at >= bindparam("_since"))
_LIKE_SPECIAL = re.compile(r"[/%_]")
_GET = select(t.outbox).where(_o.id == bindparam("_oid"))
# A row due to go: queued, or a send that stopped half-way; its next attempt's time come; nobody's claim live.
_DUE = (_o.status.in_(["queued", "sending"]),
        or_(_o.next_attempt_at.is_(None), _o.next_attempt_at <= bindparam("_now")),
        or_(_o.claimed_until.is_(None), _o.claimed_until < bindparam("_now")))
_DUE_IDS = select(_o.id).where(*_DUE).order_by(_o.id).limit(bindparam("_limit"))
_DUE_IDS_OF = (select(_o.id).where(*_DUE, _o.template.in_(bindparam("_templates", expanding=True)))
               .order_by(_o.id).limit(bindparam("_limit")))
_CLAIM_DUE = (update(t.outbox).where(_o.id == bindparam("_oid"), *_DUE)
              .values(status="sending", attempts=_o.attempts + 1))
_MARK = update(t.outbox).where(_o.id == bindparam("_oid"))
_TRANSITION = update(t.outbox).where(_o.id == bindparam("_oid"), _o.status == bindparam("_expected"))
_RENEW = update(t.outbox).where(_o.id == bindparam("_oid"), _o.status == "sending",
                                _o.claimed_by == bindparam("_worker"))
_QUEUE_ONCE: dict[str, Any] = {}


def _queue_once(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for this dialect (None where there is none)."""
    if dialect not in _QUEUE_ONCE:
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as upsert
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            upsert = None
        _QUEUE_ONCE[dialect] = upsert and (upsert(t.outbox).on_conflict_do_nothing(index_elements=["key"])
                                           .returning(t.outbox.c.id))
    return _QUEUE_ONCE[dialect]
