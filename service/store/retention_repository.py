"""The database side of retention and legal hold (use cases in ``service/retention.py``, the decisions
in ``service/retention_plan.py``).

Reads the facts the retention plan is made from, and carries the plan out
with conditional UPDATEs and DELETEs that check again, inside the
transaction, what the plan assumed: a case put under legal hold, a held
message released or a message linked to a case since the plan was made is
left alone. Rows are returned as plain dicts; times are aware UTC.

Personal columns are written through the Core table objects, so whatever
column type the table declares (plain or sealed) applies:

* ``cases``: ``subjects`` (placeholders keeping each person's role),
  ``referrer`` (agency only), ``referral`` (NULL), ``fingerprint`` (NULL),
  ``decision_reason`` (``REMOVED``), ``anonymised_at``; ``legal_hold`` and
  ``legal_hold_reason`` for holds;
* ``deadlines``: ``reason`` (``REMOVED`` where one was given);
* ``inbound_messages``: ``raw`` (``b""``) of a case's messages; rows linked
  to no case are deleted;
* ``outbox``: ``text`` (``""``), ``html`` (NULL) and ``attachments`` (file
  name and content type kept, the data removed).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from . import tables as t

# Outbox rows still to be sent or checked by a person: their case is not anonymised yet.
PENDING_LETTERS = ("queued", "sending", "awaiting_review")
# Unlinked inbound rows in these states are never deleted ("new" is work still to do).
KEEP_INBOUND_STATUSES = ("new",)
_CHUNK = 200
# What stands in for free text written by people (it may name them) once a case is anonymised.
REMOVED = "(removed under the retention policy)"


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _chunks(ids: Sequence[int], size: int = _CHUNK) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def has_body(text: str | None, html: str | None, attachments: list[dict[str, Any]] | None) -> bool:
    """Whether an outbox row still holds a body: text, HTML or an attachment's data."""
    return bool(text) or bool(html) or any("data_b64" in a for a in attachments or [])


def placeholder_subjects(subjects: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Each person named becomes "Child 1", "Adult 1"... with their role only: the count and roles stay."""
    seen: dict[str, int] = {}
    out = []
    for s in subjects or []:
        role = s.get("role") if s.get("role") in ("child", "adult") else "unknown"
        seen[role] = seen.get(role, 0) + 1
        label = {"child": "Child", "adult": "Adult"}.get(role, "Person")
        out.append({"name": f"{label} {seen[role]}", "role": role, "relationship": None, "date_of_birth": None,
                    "address": None})
    return out


def anonymous_referrer(referrer: dict[str, Any] | None) -> dict[str, Any]:
    """The referring agency stays; the referrer's name, telephone and address go."""
    return {"name": None, "agency": (referrer or {}).get("agency"), "telephone": None, "email": None}


def attachments_metadata(attachments: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"filename": a.get("filename"), "content_type": a.get("content_type")} for a in attachments or []]


class RetentionRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # Facts for the plan ------------------------------------------------------------
    def cases(self) -> list[dict[str, Any]]:
        """Every case with what retention needs: stage, hold, closing and decision dates, letters pending."""
        c = t.cases.c
        closed = t.case_events.alias("closed_event")
        decided = t.case_events.alias("decided_event")
        pending = (select(func.count()).select_from(t.outbox)
                   .where(t.outbox.c.case_id == c.id, t.outbox.c.status.in_(PENDING_LETTERS))
                   .scalar_subquery())
        q = (select(c.id, c.reference, c.stage, c.legal_hold, c.anonymised_at,
                    closed.c["on"].label("closed_on"), decided.c["on"].label("decided_on"),
                    pending.label("letters_pending"))
             .select_from(t.cases)
             .outerjoin(closed, and_(closed.c.case_id == c.id, closed.c.kind == "closed"))
             .outerjoin(decided, and_(decided.c.case_id == c.id, decided.c.kind == "decided"))
             .order_by(c.id))
        return [{**r, "anonymised_at": _utc(r["anonymised_at"])} for r in self.conn.execute(q).mappings()]

    def unlinked_mail(self, stored_before: datetime) -> list[dict[str, Any]]:
        """Inbound messages linked to no case, stored before a time."""
        m = t.inbound_messages.c
        q = (select(m.id, m.status, m.case_id, m.stored_at, m.filed)
             .where(m.case_id.is_(None), m.stored_at < stored_before).order_by(m.id))
        return [{**r, "stored_at": _utc(r["stored_at"]), "has_raw": True} for r in self.conn.execute(q).mappings()]

    def late_mail(self) -> list[dict[str, Any]]:
        """Messages linked to an anonymised case that arrived after it was anonymised, with whether raw is kept."""
        m = t.inbound_messages.c
        q = (select(m.id, m.status, m.case_id, m.stored_at, m.filed)
             .join(t.cases, t.cases.c.id == m.case_id)
             .where(t.cases.c.anonymised_at.is_not(None), m.stored_at >= t.cases.c.anonymised_at)
             .order_by(m.id))
        rows = [{**r, "stored_at": _utc(r["stored_at"])} for r in self.conn.execute(q).mappings()]
        raw_kept = set()
        for chunk in _chunks([r["id"] for r in rows]):
            raw_kept |= {i for i, raw in self.conn.execute(select(m.id, m.raw).where(m.id.in_(chunk))) if raw}
        return [{**r, "has_raw": r["id"] in raw_kept} for r in rows]

    def sent_messages(self, sent_before: datetime) -> list[dict[str, Any]]:
        """Sent outbox rows sent before a time, with whether each still holds its body (read in chunks)."""
        o = t.outbox.c
        ids = list(self.conn.execute(select(o.id).where(o.status == "sent", o.sent_at < sent_before)
                                     .order_by(o.id)).scalars())
        out = []
        for chunk in _chunks(ids):
            for r in self.conn.execute(select(o.id, o.case_id, o.status, o.sent_at, o.text, o.html, o.attachments)
                                       .where(o.id.in_(chunk)).order_by(o.id)).mappings():
                out.append({"id": r["id"], "case_id": r["case_id"], "status": r["status"],
                            "sent_at": _utc(r["sent_at"]), "has_body": has_body(r["text"], r["html"],
                                                                                r["attachments"])})
        return out

    # Carrying it out ----------------------------------------------------------------
    def anonymise_case(self, case_id: int, now: datetime) -> dict[str, int] | None:
        """Remove a case's personal data; None if it is under legal hold or anonymised already.

        The case row is claimed first with a conditional UPDATE (not held, not
        anonymised), so a hold placed after the plan was made wins, and two runs
        at once anonymise a case once.
        """
        c = t.cases.c
        claimed = self.conn.execute(update(t.cases)
                                    .where(c.id == case_id, c.legal_hold.is_(False), c.anonymised_at.is_(None))
                                    .values(anonymised_at=now))
        if claimed.rowcount != 1:
            return None
        row = self.conn.execute(select(c.subjects, c.referrer).where(c.id == case_id)).mappings().one()
        self.conn.execute(update(t.cases).where(c.id == case_id).values(
            subjects=placeholder_subjects(row["subjects"]), referrer=anonymous_referrer(row["referrer"]),
            referral=None, fingerprint=None))
        self.conn.execute(update(t.cases).where(c.id == case_id, c.decision_reason.is_not(None))
                          .values(decision_reason=REMOVED))
        d = t.deadlines.c
        self.conn.execute(update(t.deadlines).where(d.case_id == case_id, d.reason.is_not(None))
                          .values(reason=REMOVED))
        m = t.inbound_messages.c
        mail_ids = list(self.conn.execute(select(m.id).where(m.case_id == case_id)).scalars())
        emails = self.clear_mail(mail_ids)
        o = t.outbox.c
        letter_ids = list(self.conn.execute(select(o.id).where(o.case_id == case_id,
                                                               o.status.in_(["sent", "failed"]))).scalars())
        letters = self._strip(letter_ids, statuses=("sent", "failed"))
        # Agency returns (IMRs, chronologies) name the family throughout: the documents go.
        returns = self.conn.execute(delete(t.agency_returns).where(t.agency_returns.c.case_id == case_id)).rowcount
        return {"emails_cleared": emails, "letters_cleared": letters, "returns_deleted": returns}

    def delete_unlinked_mail(self, ids: Sequence[int], stored_before: datetime) -> dict[str, int]:
        """Delete inbound rows still linked to no case, handled and filed; returns how many, by status."""
        m = t.inbound_messages.c
        counts: dict[str, int] = {}
        for chunk in _chunks(ids):
            cond = and_(m.id.in_(chunk), m.case_id.is_(None), m.status.not_in(KEEP_INBOUND_STATUSES),
                        m.filed.is_(True), m.stored_at < stored_before)
            for status, n in self.conn.execute(select(m.status, func.count()).where(cond).group_by(m.status)):
                counts[status] = counts.get(status, 0) + n
            self.conn.execute(delete(t.inbound_messages).where(cond))
        return counts

    def clear_mail(self, ids: Sequence[int]) -> int:
        """Empty the raw bytes of inbound messages (size and hash stay); returns how many held any."""
        m = t.inbound_messages.c
        n = 0
        for chunk in _chunks(ids):
            kept = [i for i, raw in self.conn.execute(select(m.id, m.raw).where(m.id.in_(chunk))) if raw]
            if kept:
                self.conn.execute(update(t.inbound_messages).where(m.id.in_(kept)).values(raw=b""))
                n += len(kept)
        return n

    def clear_late_mail(self, ids: Sequence[int]) -> int:
        """Empty messages filed against an anonymised case that is (still) not under legal hold."""
        m, c = t.inbound_messages.c, t.cases.c
        still: list[int] = []
        for chunk in _chunks(ids):
            still += self.conn.execute(select(m.id).join(t.cases, c.id == m.case_id).where(
                m.id.in_(chunk), c.anonymised_at.is_not(None), c.legal_hold.is_(False))).scalars()
        return self.clear_mail(still)

    def strip_sent_bodies(self, ids: Sequence[int], sent_before: datetime) -> int:
        """Remove the bodies of sent messages not (any longer) belonging to a case under legal hold."""
        o = t.outbox.c
        held = select(t.cases.c.id).where(t.cases.c.legal_hold.is_(True))
        still: list[int] = []
        for chunk in _chunks(ids):
            still += self.conn.execute(select(o.id).where(
                o.id.in_(chunk), o.status == "sent", o.sent_at < sent_before,
                or_(o.case_id.is_(None), o.case_id.not_in(held)))).scalars()
        return self._strip(still, statuses=("sent",))

    def _strip(self, ids: Sequence[int], statuses: Sequence[str]) -> int:
        o = t.outbox.c
        n = 0
        for chunk in _chunks(ids):
            rows = self.conn.execute(select(o.id, o.text, o.html, o.attachments)
                                     .where(o.id.in_(chunk), o.status.in_(list(statuses)))).mappings().all()
            for r in rows:
                if not has_body(r["text"], r["html"], r["attachments"]):
                    continue
                self.conn.execute(update(t.outbox).where(o.id == r["id"], o.status.in_(list(statuses))).values(
                    text="", html=None, attachments=attachments_metadata(r["attachments"])))
                n += 1
        return n

    # Legal hold ---------------------------------------------------------------------
    def hold_state(self, reference: str) -> dict[str, Any] | None:
        c = t.cases.c
        row = self.conn.execute(select(c.id, c.reference, c.legal_hold, c.legal_hold_reason, c.anonymised_at)
                                .where(func.upper(c.reference) == reference.strip().upper())).mappings().first()
        return None if row is None else {**row, "anonymised_at": _utc(row["anonymised_at"])}

    def set_hold(self, case_id: int, reason: str) -> bool:
        """Put a case under legal hold; False if it already was."""
        c = t.cases.c
        res = self.conn.execute(update(t.cases).where(c.id == case_id, c.legal_hold.is_(False))
                                .values(legal_hold=True, legal_hold_reason=reason))
        return res.rowcount == 1

    def release_hold(self, case_id: int) -> bool:
        """Lift a case's legal hold; False if it was not under one."""
        c = t.cases.c
        res = self.conn.execute(update(t.cases).where(c.id == case_id, c.legal_hold.is_(True))
                                .values(legal_hold=False, legal_hold_reason=None))
        return res.rowcount == 1

    def holds(self) -> list[dict[str, Any]]:
        c = t.cases.c
        q = (select(c.reference, c.stage, c.legal_hold_reason, c.anonymised_at)
             .where(c.legal_hold.is_(True)).order_by(c.year, c.seq))
        return [{**r, "anonymised_at": _utc(r["anonymised_at"])} for r in self.conn.execute(q).mappings()]
