"""Repositories: the only code that turns rows into domain objects and back.

Each works inside the connection (transaction) of a unit of work. Claims on
work (inbound messages, outbox rows, deadlines) are conditional UPDATEs whose
row count says whether this process won, so two service processes on one
PostgreSQL never do the same piece of work twice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import Connection, Integer, String, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from service.domain.model import AuditEvent, Case, Deadline, DeadlineStatus, Referrer, Subject
from service.domain.procedure import Procedure

from . import tables as t

GENESIS = "0" * 64


def utc(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


class NotFound(LookupError):
    pass


class ProcedureChanged(Exception):
    """A pack's text changed under an id and version that cases already run under."""


def _subject_to_json(s: Subject) -> dict[str, Any]:
    return {"name": s.name, "role": s.role, "relationship": s.relationship,
            "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None, "address": s.address}


def _subject_from_json(d: dict[str, Any]) -> Subject:
    dob = d.get("date_of_birth")
    return Subject(name=d["name"], role=d.get("role") or "unknown", relationship=d.get("relationship"),
                   date_of_birth=date.fromisoformat(dob) if dob else None, address=d.get("address"))


class AuditRepository:
    """Append-only, hash-chained audit trail."""

    def __init__(self, conn: Connection):
        self.conn = conn

    @staticmethod
    def digest(prev: str, reference: str | None, ev: AuditEvent) -> str:
        body = json.dumps({"ref": reference, "at": utc(ev.at).isoformat(), "actor": ev.actor, "action": ev.action,
                           "detail": ev.detail, "reason": ev.reason}, sort_keys=True, default=str)
        return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()

    def _head(self) -> str:
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


class CaseRepository:
    def __init__(self, conn: Connection, audit: AuditRepository):
        self._procedures: dict[tuple[str, str], Procedure] = {}
        self.conn = conn
        self.audit = audit

    # Reading ---------------------------------------------------------------
    def get(self, reference: str) -> Case:
        row = self.conn.execute(select(t.cases).where(func.upper(t.cases.c.reference) == reference.strip().upper())
                                ).mappings().first()
        if row is None:
            raise NotFound(f"no case {reference.strip()}")
        return self._load(row)

    def get_by_id(self, case_id: int) -> Case:
        row = self.conn.execute(select(t.cases).where(t.cases.c.id == case_id)).mappings().first()
        if row is None:
            raise NotFound(f"no case with id {case_id}")
        return self._load(row)

    def lock(self, case_id: int) -> None:
        """Hold the case's row until the transaction ends (PostgreSQL; SQLite has a single writer anyway)."""
        self.conn.execute(select(t.cases.c.id).where(t.cases.c.id == case_id).with_for_update())

    def id_of(self, reference: str) -> int:
        cid = self.conn.execute(select(t.cases.c.id)
                                .where(func.upper(t.cases.c.reference) == reference.strip().upper())).scalar()
        if cid is None:
            raise NotFound(f"no case {reference}")
        return cid

    def procedure(self, procedure_id: str, version: str) -> Procedure:
        """The procedure version a case runs under, from the text kept when the first case was opened under it."""
        from service.procedure.pack import from_text

        text = self.conn.execute(select(t.procedures.c.text).where(t.procedures.c.id == procedure_id,
                                                                   t.procedures.c.version == version)).scalar()
        if text is None:
            raise NotFound(f"no procedure {procedure_id} version {version} is kept in the database")
        return from_text(text)

    def keep_procedure(self, procedure: Procedure) -> None:
        """Keep the text of the procedure version a case is opened under (once). The same id and version with
        another text is refused: the cases opened under it would change their rules."""
        c = t.procedures.c
        kept = self.conn.execute(select(c.digest).where(c.id == procedure.id, c.version == procedure.version)
                                 ).scalar()
        if kept is None:
            try:
                with self.conn.begin_nested():
                    self.conn.execute(insert(t.procedures).values(
                        id=procedure.id, version=procedure.version, digest=procedure.digest, text=procedure.text,
                        kept_at=datetime.now(timezone.utc).replace(tzinfo=None)))
                return
            except IntegrityError:  # another process kept it first: it must be the same text
                pass
        self.check_procedure(procedure)

    def check_procedure(self, procedure: Procedure) -> None:
        """Raise ProcedureChanged when cases run under this id and version with another text (checked at start,
        so that a pack edited without a new version stops the service with one line, not every referral)."""
        c = t.procedures.c
        kept = self.conn.execute(select(c.digest).where(c.id == procedure.id, c.version == procedure.version)
                                 ).scalar()
        if kept is not None and kept != procedure.digest:
            raise ProcedureChanged(
                f"the procedure pack {procedure.id} version {procedure.version} has changed since cases were "
                f"opened under it; give the changed pack a new version (procedure.version in its procedure.toml) "
                f"so that those cases keep the rules they started with")

    def procedure_versions(self) -> list[dict[str, Any]]:
        c = t.procedures.c
        counts = {(pid, v): n for pid, v, n in self.conn.execute(
            select(t.cases.c.procedure_id, t.cases.c.procedure_version, func.count())
            .group_by(t.cases.c.procedure_id, t.cases.c.procedure_version))}
        return [{"id": r.id, "version": r.version, "digest": r.digest, "cases": counts.get((r.id, r.version), 0)}
                for r in self.conn.execute(select(c.id, c.version, c.digest).order_by(c.id, c.version))]

    def _load(self, row) -> Case:
        cid = row["id"]
        key = (row["procedure_id"], row["procedure_version"])
        procedure = self._procedures.get(key)
        if procedure is None:
            procedure = self._procedures[key] = self.procedure(*key)
        case = Case(reference=row["reference"], opened_at=utc(row["opened_at"]), procedure=procedure,
                    stage=row["stage"], subjects=[_subject_from_json(s) for s in row["subjects"] or []],
                    referrer=Referrer(**(row["referrer"] or {})), outcome=row["outcome"] or None,
                    decision_reason=row["decision_reason"], criterion=row["criterion"])
        for e in self.conn.execute(select(t.case_events).where(t.case_events.c.case_id == cid)).mappings():
            case.events[e["kind"]] = e["on"]
        case.agencies = list(self.conn.execute(
            select(t.case_agencies.c.agency).where(t.case_agencies.c.case_id == cid)
            .order_by(t.case_agencies.c.position)).scalars())
        for d in self.conn.execute(select(t.deadlines).where(t.deadlines.c.case_id == cid)
                                   .order_by(t.deadlines.c.id)).mappings():
            dl = Deadline(kind=d["kind"], agency=d["agency"], due=d["due"], computed_due=d["computed_due"],
                          owner=tuple(d["owner"].split(",")), rule=d["rule"],
                          basis=d["basis"] or None, basis_date=d["basis_date"],
                          status=DeadlineStatus(d["status"]), met_on=d["met_on"], extended=d["extended"],
                          reason=d["reason"], what=procedure.deadline_label(d["kind"]))
            case.deadlines[dl.key] = dl
        return case

    def extra(self, reference: str) -> dict[str, Any]:
        row = self.conn.execute(select(t.cases.c.id, t.cases.c.referral, t.cases.c.missing, t.cases.c.to_confirm)
                                .where(t.cases.c.reference == reference)).mappings().one()
        return {"id": row["id"], "referral": row["referral"], "missing": row["missing"],
                "to_confirm": list(row["to_confirm"] or [])}

    def to_confirm(self) -> list[dict[str, Any]]:
        """Open cases whose reading the Business Manager has still to confirm: reference and reasons."""
        c = t.cases.c
        rows = self.conn.execute(select(c.reference, c.to_confirm, c.opened_at)
                                 .where(c.anonymised_at.is_(None)).order_by(c.year, c.seq))
        return [{"reference": r.reference, "reasons": list(r.to_confirm), "opened_at": utc(r.opened_at)}
                for r in rows if r.to_confirm]

    def confirmed(self, reference: str) -> None:
        self.conn.execute(update(t.cases).where(t.cases.c.reference == reference).values(to_confirm=[]))

    def list(self, stage: str | None = None) -> list[Case]:
        q = select(t.cases).order_by(t.cases.c.year, t.cases.c.seq)
        if stage is not None:
            q = q.where(t.cases.c.stage == str(stage))
        return [self._load(r) for r in self.conn.execute(q).mappings()]

    def references_with_deadlines_before(self, as_of: date) -> list[str]:
        q = (select(t.cases.c.reference).distinct()
             .join(t.deadlines, t.deadlines.c.case_id == t.cases.c.id)
             .where(t.deadlines.c.status == DeadlineStatus.OPEN.value, t.deadlines.c.due < as_of))
        return list(self.conn.execute(q).scalars())

    def find_by_fingerprint(self, fingerprint: str) -> str | None:
        return self.conn.execute(select(t.cases.c.reference).where(t.cases.c.fingerprint == fingerprint)
                                 .order_by(t.cases.c.id)).scalars().first()

    def next_sequence(self, year: int) -> int:
        """The next case number of a year, handed out once even to processes opening cases at the same moment.

        A single UPDATE increments the counter row, which locks it (PostgreSQL) or
        takes the write lock (SQLite) until this transaction ends: a rolled-back
        case gives its number back, and no two committed cases share one.
        """
        name = f"case_seq:{year}"
        bump = (update(t.service_state).where(t.service_state.c.name == name)
                .values(value=func.cast(func.cast(t.service_state.c.value, Integer) + 1, String)))
        if self.conn.execute(bump).rowcount == 0:
            start = self.conn.execute(select(func.max(t.cases.c.seq)).where(t.cases.c.year == year)).scalar() or 0
            try:
                with self.conn.begin_nested():
                    self.conn.execute(insert(t.service_state).values(name=name, value=str(start),
                                                                     updated_at=datetime.now(timezone.utc)))
            except IntegrityError:
                pass  # another process created the counter first
            self.conn.execute(bump)
        return int(self.conn.execute(select(t.service_state.c.value).where(t.service_state.c.name == name)).scalar())

    # Writing ---------------------------------------------------------------
    def add(self, case: Case, year: int, seq: int, referral: dict | None = None, missing: list[str] | None = None,
            fingerprint: str | None = None, next_actions: dict[str, datetime | None] | None = None,
            to_confirm: list[str] | None = None) -> int:
        self.keep_procedure(case.procedure)
        cid = self.conn.execute(insert(t.cases).values(
            reference=case.reference, year=year, seq=seq, stage=case.stage, opened_at=utc(case.opened_at),
            procedure_id=case.procedure.id, procedure_version=case.procedure.version,
            subjects=[_subject_to_json(s) for s in case.subjects], referrer=vars(case.referrer),
            referral=referral, missing=missing or [], fingerprint=fingerprint, to_confirm=to_confirm or [],
            outcome=None, decision_reason=None)).inserted_primary_key[0]
        self._save_children(cid, case, next_actions or {})
        return cid

    def save(self, case: Case, next_actions: dict[str, datetime | None] | None = None,
             missing: list[str] | None = None, referral: dict | None = None) -> None:
        cid = self.id_of(case.reference)
        values: dict[str, Any] = {"stage": case.stage, "outcome": case.outcome,
                                  "decision_reason": case.decision_reason, "criterion": case.criterion,
                                  "procedure_id": case.procedure.id, "procedure_version": case.procedure.version}
        self.keep_procedure(case.procedure)
        if missing is not None:
            values["missing"] = missing
        self.conn.execute(update(t.cases).where(t.cases.c.id == cid).values(**values))
        personal: dict[str, Any] = {"subjects": [_subject_to_json(s) for s in case.subjects],
                                    "referrer": vars(case.referrer)}
        if referral is not None:
            personal["referral"] = referral
        # Never write personal data back over a case the retention policy has anonymised (a save
        # racing the anonymisation would otherwise restore the names it removed).
        self.conn.execute(update(t.cases).where(t.cases.c.id == cid, t.cases.c.anonymised_at.is_(None))
                          .values(**personal))
        self._save_children(cid, case, next_actions or {})

    def _save_children(self, cid: int, case: Case, next_actions: dict[str, datetime | None]) -> None:
        self.conn.execute(delete(t.case_events).where(t.case_events.c.case_id == cid))
        if case.events:
            self.conn.execute(insert(t.case_events), [{"case_id": cid, "kind": str(k), "on": v}
                                                      for k, v in case.events.items()])
        self.conn.execute(delete(t.case_agencies).where(t.case_agencies.c.case_id == cid))
        if case.agencies:
            self.conn.execute(insert(t.case_agencies), [{"case_id": cid, "agency": a, "position": i}
                                                        for i, a in enumerate(case.agencies)])
        existing = {r.key: r for r in self.conn.execute(
            select(t.deadlines.c.key, t.deadlines.c.id, t.deadlines.c.next_action_at)
            .where(t.deadlines.c.case_id == cid))}
        gone = [row.id for key, row in existing.items() if key not in case.deadlines]
        if gone:  # a deadline the case no longer has (a decision undone): no longer chased
            self.conn.execute(delete(t.deadlines).where(t.deadlines.c.id.in_(gone)))
        for d in case.deadlines.values():
            values = {"kind": d.kind, "agency": d.agency, "due": d.due, "computed_due": d.computed_due,
                      "owner": ",".join(d.owner), "rule": d.rule, "basis": str(d.basis) if d.basis else None,
                      "basis_date": d.basis_date, "status": d.status.value, "met_on": d.met_on,
                      "extended": d.extended, "reason": d.reason}
            if d.key in next_actions:
                values["next_action_at"] = next_actions[d.key]
            if d.status is not DeadlineStatus.OPEN:
                values["next_action_at"] = None
            if d.key in existing:
                self.conn.execute(update(t.deadlines).where(t.deadlines.c.id == existing[d.key].id).values(**values))
            else:
                self.conn.execute(insert(t.deadlines).values(case_id=cid, key=d.key, **values))
        self.audit.append(cid, case.reference, case.new_audit)
        case.new_audit.clear()

    # Deadline work ---------------------------------------------------------
    def defer_chasing(self, case_id: int, keys: Iterable[str], until: datetime) -> None:
        """No reminder or escalation for these deadlines before ``until`` (a decision's letters on hold)."""
        d = t.deadlines.c
        self.conn.execute(update(t.deadlines).where(d.case_id == case_id, d.key.in_(list(keys)),
                                                    d.next_action_at.is_not(None), d.next_action_at < until)
                          .values(next_action_at=until))

    def due_deadline_rows(self, now: datetime, limit: int = 500) -> list[dict[str, Any]]:
        """Open deadlines whose next action time has come, oldest first."""
        q = (select(t.deadlines.c.id, t.deadlines.c.case_id, t.deadlines.c.key, t.deadlines.c.next_action_at,
                    t.deadlines.c.chase_step, t.cases.c.reference)
             .join(t.cases, t.cases.c.id == t.deadlines.c.case_id)
             .where(t.deadlines.c.status == DeadlineStatus.OPEN.value,
                    t.deadlines.c.next_action_at.is_not(None),
                    t.deadlines.c.next_action_at <= now)
             .order_by(t.deadlines.c.next_action_at, t.deadlines.c.id).limit(limit))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def advance_deadline(self, deadline_id: int, expected_at: datetime, step: str | None,
                         next_at: datetime | None) -> bool:
        """Claim a deadline's due step: only one process wins (row count 1)."""
        res = self.conn.execute(update(t.deadlines)
                                .where(t.deadlines.c.id == deadline_id, t.deadlines.c.next_action_at == expected_at,
                                       t.deadlines.c.status == DeadlineStatus.OPEN.value)
                                .values(next_action_at=next_at, chase_step=step))
        return res.rowcount == 1

    def chase_steps(self, case_id: int) -> dict[str, str | None]:
        return {r.key: r.chase_step for r in self.conn.execute(
            select(t.deadlines.c.key, t.deadlines.c.chase_step).where(t.deadlines.c.case_id == case_id))}


class InboxRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def known(self, backend_id: str, internet_message_id: str | None) -> bool:
        conds = [t.inbound_messages.c.backend_id == backend_id]
        if internet_message_id:
            conds.append(t.inbound_messages.c.internet_message_id == internet_message_id)
        return self.conn.execute(select(t.inbound_messages.c.id).where(or_(*conds)).limit(1)).first() is not None

    def store(self, backend_id: str, raw: bytes, internet_message_id: str | None, received_at: datetime | None,
              now: datetime, sender: str | None) -> int:
        return self.conn.execute(insert(t.inbound_messages).values(
            backend_id=backend_id, internet_message_id=internet_message_id,
            sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), raw=raw, received_at=utc(received_at),
            stored_at=now, status="new", attempts=0, filed=False, sender=sender)).inserted_primary_key[0]

    def claim_new(self, now: datetime, worker: str, lease: timedelta, limit: int = 20) -> list[dict[str, Any]]:
        """Claim unprocessed messages (or ones whose lease ran out) for this worker."""
        candidates = self.conn.execute(
            select(t.inbound_messages.c.id).where(
                t.inbound_messages.c.status == "new",
                or_(t.inbound_messages.c.claimed_until.is_(None), t.inbound_messages.c.claimed_until < now))
            .order_by(t.inbound_messages.c.id).limit(limit)).scalars().all()
        claimed = []
        for mid in candidates:
            res = self.conn.execute(update(t.inbound_messages).where(
                t.inbound_messages.c.id == mid, t.inbound_messages.c.status == "new",
                or_(t.inbound_messages.c.claimed_until.is_(None), t.inbound_messages.c.claimed_until < now))
                .values(claimed_until=now + lease, claimed_by=worker,
                        attempts=t.inbound_messages.c.attempts + 1))
            if res.rowcount == 1:
                claimed.append(mid)
        return claimed

    def any_claimable(self, now: datetime) -> bool:
        """Is there a message waiting that no live lease holds?"""
        m = t.inbound_messages.c
        return self.conn.execute(select(m.id).where(
            m.status == "new", or_(m.claimed_until.is_(None), m.claimed_until < now)).limit(1)).first() is not None

    def renew_claim(self, mid: int, worker: str, until: datetime) -> bool:
        """Extend ``worker``'s claim on an unhandled message; False if the message is no longer its own.

        The conditional UPDATE also locks the row until the transaction ends, so a process taking
        the message over waits and then finds it handled."""
        m = t.inbound_messages.c
        res = self.conn.execute(update(t.inbound_messages)
                                .where(m.id == mid, m.status == "new", m.claimed_by == worker)
                                .values(claimed_until=until))
        return res.rowcount == 1

    def get(self, mid: int) -> dict[str, Any]:
        return dict(self.conn.execute(select(t.inbound_messages).where(t.inbound_messages.c.id == mid)).mappings().one())

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

    def mark_filed(self, mid: int) -> None:
        self.conn.execute(update(t.inbound_messages).where(t.inbound_messages.c.id == mid).values(filed=True))

    def mark_unfiled(self, mid: int) -> None:
        """To be filed again (its outcome changed: the mailbox folder it belongs in may have too)."""
        self.conn.execute(update(t.inbound_messages).where(t.inbound_messages.c.id == mid).values(filed=False))

    def with_sha(self, sha: str, exclude_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            select(t.inbound_messages.c.id, t.inbound_messages.c.case_id, t.inbound_messages.c.status)
            .where(t.inbound_messages.c.sha256 == sha, t.inbound_messages.c.id != exclude_id)).mappings()]

    def with_message_id(self, message_ids: Iterable[str]) -> dict[str, Any] | None:
        ids = [m for m in message_ids if m]
        if not ids:
            return None
        row = self.conn.execute(select(t.inbound_messages.c.id, t.inbound_messages.c.case_id)
                                .where(t.inbound_messages.c.internet_message_id.in_(ids),
                                       t.inbound_messages.c.case_id.is_not(None))
                                .order_by(t.inbound_messages.c.id)).mappings().first()
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


class OutboxRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def exists(self, key: str) -> bool:
        return self.conn.execute(select(t.outbox.c.id).where(t.outbox.c.key == key)).first() is not None

    def queue(self, row: dict[str, Any]) -> bool:
        """Queue a message unless one with the same key exists. Returns True if queued.

        Two processes queueing the same key at once: the unique key lets one in;
        the other's insert fails inside a savepoint and it returns False.
        """
        if self.exists(row["key"]):
            return False
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(t.outbox).values(**row))
        except IntegrityError:
            return False
        return True

    def claim_due(self, now: datetime, worker: str, lease: timedelta, limit: int = 20,
                  templates: Iterable[str] | None = None) -> list[int]:
        """Claim up to ``limit`` due rows; only rows of ``templates`` when given (an empty list claims none)."""
        cond = and_(t.outbox.c.status.in_(["queued", "sending"]),
                    or_(t.outbox.c.next_attempt_at.is_(None), t.outbox.c.next_attempt_at <= now),
                    or_(t.outbox.c.claimed_until.is_(None), t.outbox.c.claimed_until < now))
        if templates is not None:
            cond = and_(cond, t.outbox.c.template.in_(list(templates)))
        ids = self.conn.execute(select(t.outbox.c.id).where(cond).order_by(t.outbox.c.id).limit(limit)).scalars().all()
        won = []
        for oid in ids:
            res = self.conn.execute(update(t.outbox).where(t.outbox.c.id == oid, cond)
                                    .values(status="sending", claimed_until=now + lease, claimed_by=worker,
                                            attempts=t.outbox.c.attempts + 1))
            if res.rowcount == 1:
                won.append(oid)
        return won

    def renew_claim(self, oid: int, worker: str, until: datetime) -> bool:
        """Extend ``worker``'s claim on a row being sent; False if another process has it (or it is done)."""
        o = t.outbox.c
        res = self.conn.execute(update(t.outbox).where(o.id == oid, o.status == "sending", o.claimed_by == worker)
                                .values(claimed_until=until))
        return res.rowcount == 1

    def get(self, oid: int) -> dict[str, Any]:
        return dict(self.conn.execute(select(t.outbox).where(t.outbox.c.id == oid)).mappings().one())

    def id_of(self, key: str) -> int | None:
        return self.conn.execute(select(t.outbox.c.id).where(t.outbox.c.key == key)).scalar()

    def mark(self, oid: int, **values: Any) -> None:
        self.conn.execute(update(t.outbox).where(t.outbox.c.id == oid).values(**values))

    def transition(self, oid: int, expected: str, **values: Any) -> bool:
        """A conditional UPDATE: the row moves only from status ``expected``; True when this call moved it."""
        res = self.conn.execute(update(t.outbox).where(t.outbox.c.id == oid, t.outbox.c.status == expected)
                                .values(**values))
        return res.rowcount == 1

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

    def sent_since(self, to: str, since: datetime, template_prefix: str | None = None) -> int:
        rows = self.conn.execute(select(t.outbox.c.to).where(t.outbox.c.created_at >= since,
                                                             t.outbox.c.template.like(f"{template_prefix or ''}%")))
        return sum(1 for (recipients,) in rows if to.lower() in [r.lower() for r in recipients])

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


class StateRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, name: str) -> str | None:
        return self.conn.execute(select(t.service_state.c.value).where(t.service_state.c.name == name)).scalar()

    def set(self, name: str, value: str | None, now: datetime) -> None:
        """Update the value, or insert it; when another process inserts the same name at the same moment
        (two services writing their first heartbeat), the insert loses and the value is updated instead."""
        change = update(t.service_state).where(t.service_state.c.name == name).values(value=value, updated_at=now)
        if self.conn.execute(change).rowcount:
            return
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(t.service_state).values(name=name, value=value, updated_at=now))
        except IntegrityError:
            self.conn.execute(change)


class MeetingRepository:
    """Panel meetings and their attendees (rows as dicts; times aware UTC)."""

    _TIMES = ("start", "end", "invited_at", "proposed_start", "proposed_end", "claimed_until", "created_at",
              "updated_at")

    def __init__(self, conn: Connection):
        self.conn = conn

    def _row(self, r) -> dict[str, Any]:
        row = dict(r)
        for c in self._TIMES:
            if c in row:
                row[c] = utc(row[c])
        return row

    def next_number(self, case_id: int, kind: str) -> int:
        top = self.conn.execute(select(func.max(t.meetings.c.number))
                                .where(t.meetings.c.case_id == case_id, t.meetings.c.kind == kind)).scalar()
        return (top or 0) + 1

    def add(self, *, case_id: int, kind: str, number: int, key: str, now: datetime,
            within_days: int | None = None) -> int:
        return self.conn.execute(insert(t.meetings).values(
            case_id=case_id, kind=kind, number=number, key=key, state="to_schedule", within_days=within_days,
            sequence=0, revision=0, missing=[], notes=[], created_at=now, updated_at=now)).inserted_primary_key[0]

    def get(self, meeting_id: int) -> dict[str, Any]:
        row = self.conn.execute(select(t.meetings, t.cases.c.reference)
                                .join(t.cases, t.cases.c.id == t.meetings.c.case_id)
                                .where(t.meetings.c.id == meeting_id)).mappings().first()
        if row is None:
            raise NotFound(f"no meeting with id {meeting_id}")
        return self._row(row)

    def by_key(self, key: str) -> dict[str, Any] | None:
        mid = self.conn.execute(select(t.meetings.c.id).where(t.meetings.c.key == key)).scalar()
        return self.get(mid) if mid is not None else None

    def current(self, case_id: int, kind: str) -> dict[str, Any] | None:
        """The latest meeting of this kind for the case that is not cancelled."""
        mid = self.conn.execute(select(t.meetings.c.id)
                                .where(t.meetings.c.case_id == case_id, t.meetings.c.kind == kind,
                                       t.meetings.c.state != "cancelled")
                                .order_by(t.meetings.c.number.desc()).limit(1)).scalar()
        return self.get(mid) if mid is not None else None

    def listing(self, case_id: int | None = None) -> list[dict[str, Any]]:
        q = (select(t.meetings, t.cases.c.reference).join(t.cases, t.cases.c.id == t.meetings.c.case_id)
             .order_by(t.meetings.c.start.is_(None), t.meetings.c.start, t.meetings.c.id))
        if case_id is not None:
            q = q.where(t.meetings.c.case_id == case_id)
        return [self._row(r) for r in self.conn.execute(q).mappings()]

    def open_ids(self) -> list[int]:
        """Meetings the job may have work on: to schedule, scheduled, or cancelled but not yet told."""
        m = t.meetings.c
        q = (select(m.id).where(or_(m.state.in_(["to_schedule", "scheduled"]),
                                    and_(m.state == "cancelled", or_(m.synced_revision.is_(None),
                                                                     m.synced_revision != m.revision))))
             .order_by(m.id))
        return list(self.conn.execute(q).scalars())

    def booked_times(self, emails: Iterable[str], start: datetime, end: datetime,
                     exclude: int | None = None) -> dict[str, list[tuple[datetime, datetime]]]:
        """Each address's times in this service's own meetings between ``start`` and ``end``.

        Every meeting not cancelled counts with its time and with a new time proposed for it, whether
        or not the calendar has it yet (free/busy lags behind the service's own writes). ``exclude``:
        a meeting's own id, when a time is sought for it.
        """
        m, a = t.meetings.c, t.meeting_attendees.c
        wanted = sorted({e.lower() for e in emails})
        out: dict[str, list[tuple[datetime, datetime]]] = {e: [] for e in wanted}
        if not wanted:
            return out
        q = (select(a.email, m.start, m.end, m.proposed_start, m.proposed_end)
             .join(t.meetings, m.id == a.meeting_id)
             .where(m.state != "cancelled", a.email.in_(wanted),
                    or_(and_(m.start < end, m.end > start),
                        and_(m.proposed_start < end, m.proposed_end > start))))
        if exclude is not None:
            q = q.where(m.id != exclude)
        for r in self.conn.execute(q).mappings():
            for s, e in ((r["start"], r["end"]), (r["proposed_start"], r["proposed_end"])):
                if s is not None and e is not None and utc(s) < end and utc(e) > start:
                    out[r["email"]].append((utc(s), utc(e)))
        return out

    def claim(self, meeting_id: int, now: datetime, worker: str, lease: timedelta) -> bool:
        """Take the meeting for calendar work; only one process wins (row count 1)."""
        m = t.meetings.c
        res = self.conn.execute(update(t.meetings)
                                .where(m.id == meeting_id, or_(m.claimed_until.is_(None), m.claimed_until < now))
                                .values(claimed_until=now + lease, claimed_by=worker))
        return res.rowcount == 1

    def release(self, meeting_id: int, worker: str) -> None:
        """Give up ``worker``'s claim. Only its own: had it stalled past its lease, the meeting may be
        another process's now."""
        m = t.meetings.c
        self.conn.execute(update(t.meetings).where(m.id == meeting_id, m.claimed_by == worker)
                          .values(claimed_until=None, claimed_by=None))

    def update(self, meeting_id: int, now: datetime, **values: Any) -> None:
        self.conn.execute(update(t.meetings).where(t.meetings.c.id == meeting_id).values(updated_at=now, **values))

    def change(self, meeting_id: int, now: datetime, *, new_sequence: bool, **values: Any) -> None:
        """A change the calendar must see: revision + 1 (and SEQUENCE + 1 for a new time or a cancellation)."""
        m = t.meetings.c
        bumps: dict[str, Any] = {"revision": m.revision + 1}
        if new_sequence:
            bumps["sequence"] = m.sequence + 1
        self.conn.execute(update(t.meetings).where(m.id == meeting_id).values(updated_at=now, **bumps, **values))

    def synced(self, meeting_id: int, revision: int, now: datetime, **values: Any) -> None:
        self.update(meeting_id, now, synced_revision=revision, last_error=None, **values)

    # Attendees ------------------------------------------------------------------
    def attendees(self, meeting_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(t.meeting_attendees).where(t.meeting_attendees.c.meeting_id == meeting_id)
                                 .order_by(t.meeting_attendees.c.id)).mappings()
        return [{**r, "responded_at": utc(r["responded_at"])} for r in rows]

    def set_attendees(self, meeting_id: int, people: Iterable[dict[str, Any]]) -> list[str]:
        """Make the invitation list ``people`` (email, name, roles, agency, required); returns added emails.

        Responses of people already invited are kept; people no longer invited are removed.
        """
        a = t.meeting_attendees.c
        existing = {r["email"]: r for r in self.attendees(meeting_id)}
        wanted = {p["email"].lower(): p for p in people}
        added = []
        for email, p in wanted.items():
            values = {"name": p["name"], "roles": list(p["roles"]), "agency": p.get("agency"),
                      "required": bool(p["required"])}
            if email in existing:
                self.conn.execute(update(t.meeting_attendees).where(a.id == existing[email]["id"]).values(**values))
            else:
                self.conn.execute(insert(t.meeting_attendees).values(meeting_id=meeting_id, email=email,
                                                                     response="none", reminded=False, **values))
                added.append(email)
        gone = [r["id"] for e, r in existing.items() if e not in wanted]
        if gone:
            self.conn.execute(delete(t.meeting_attendees).where(a.id.in_(gone)))
        return added

    def set_response(self, attendee_id: int, response: str, at: datetime) -> None:
        self.conn.execute(update(t.meeting_attendees).where(t.meeting_attendees.c.id == attendee_id)
                          .values(response=response, responded_at=at))

    def reset_responses(self, meeting_id: int) -> None:
        """A new time: everybody is asked again."""
        self.conn.execute(update(t.meeting_attendees).where(t.meeting_attendees.c.meeting_id == meeting_id)
                          .values(response="none", responded_at=None, reminded=False))

    def mark_reminded(self, attendee_id: int) -> bool:
        res = self.conn.execute(update(t.meeting_attendees)
                                .where(t.meeting_attendees.c.id == attendee_id,
                                       t.meeting_attendees.c.reminded.is_(False))
                                .values(reminded=True))
        return res.rowcount == 1


class ReportRepository:
    """Read-only views across cases for the weekly digest (aggregates in SQL, not per case)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def cases_by_stage(self) -> list[tuple[str, str, str, int]]:
        """(procedure id, version, stage, number of cases), for every stage that has cases."""
        c = t.cases.c
        return [tuple(r) for r in self.conn.execute(
            select(c.procedure_id, c.procedure_version, c.stage, func.count())
            .group_by(c.procedure_id, c.procedure_version, c.stage))]

    def open_deadlines_due_before(self, until: date) -> list[dict[str, Any]]:
        """Open deadlines due on or before ``until`` (overdue ones included), soonest first."""
        q = (select(t.cases.c.reference, t.deadlines.c.key, t.deadlines.c.kind, t.deadlines.c.agency,
                    t.deadlines.c.due, t.deadlines.c.owner, t.deadlines.c.rule, t.deadlines.c.extended,
                    t.cases.c.procedure_id, t.cases.c.procedure_version)
             .join(t.cases, t.cases.c.id == t.deadlines.c.case_id)
             .where(t.deadlines.c.status == DeadlineStatus.OPEN.value, t.deadlines.c.due <= until)
             .order_by(t.deadlines.c.due, t.cases.c.reference))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def open_agency_reports(self) -> list[dict[str, Any]]:
        q = (select(t.cases.c.reference, t.deadlines.c.key, t.deadlines.c.kind, t.deadlines.c.agency,
                    t.deadlines.c.due, t.deadlines.c.status, t.cases.c.procedure_id, t.cases.c.procedure_version)
             .join(t.cases, t.cases.c.id == t.deadlines.c.case_id)
             .where(t.deadlines.c.agency.is_not(None), t.deadlines.c.status != DeadlineStatus.MET.value)
             .order_by(t.deadlines.c.due))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def meetings_awaiting_replies(self, now: datetime) -> list[dict[str, Any]]:
        m, a = t.meetings.c, t.meeting_attendees.c
        q = (select(t.cases.c.reference, m.kind, m.start, func.count(a.id).label("waiting"))
             .join(t.cases, t.cases.c.id == m.case_id).join(t.meeting_attendees, a.meeting_id == m.id)
             .where(m.state == "scheduled", m.start >= now, a.response == "none")
             .group_by(t.cases.c.reference, m.kind, m.start).order_by(m.start))
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def quarantined(self) -> list[dict[str, Any]]:
        q = (select(t.inbound_messages.c.id, t.inbound_messages.c.status, t.inbound_messages.c.outcome,
                    t.inbound_messages.c.sender, t.inbound_messages.c.stored_at)
             .where(t.inbound_messages.c.status.in_(["quarantined", "held", "failed"]))
             .order_by(t.inbound_messages.c.id))
        return [dict(r) for r in self.conn.execute(q).mappings()]
