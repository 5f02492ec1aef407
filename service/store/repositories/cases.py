"""Cases: the aggregate with its events, agencies and deadlines, and the procedure versions
they run under.

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

import re

from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable

from sqlalchemy import Connection, Integer, String, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.domain.model import Case, Deadline, DeadlineStatus, Referrer, Subject
from service.domain.procedure import Procedure

from .. import tables as t

from .common import NotFound, ProcedureChanged, utc
from .audit import AuditRepository


def _subject_to_json(s: Subject) -> dict[str, Any]:
    return {"name": s.name, "role": s.role, "relationship": s.relationship,
            "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None, "address": s.address}


def _subject_from_json(d: dict[str, Any]) -> Subject:
    dob = d.get("date_of_birth")
    return Subject(name=d["name"], role=d.get("role") or "unknown", relationship=d.get("relationship"),
                   date_of_birth=date.fromisoformat(dob) if dob else None, address=d.get("address"))


class CaseRepository:
    def __init__(self, conn: Connection, audit: AuditRepository,
                 committed_procedures: set[tuple[str, str, str]] | None = None):
        self._procedures: dict[tuple[str, str], Procedure] = {}
        self._kept: set[tuple[str, str, str]] = set()  # (id, version, digest) found or kept in this transaction
        # (id, version, digest) found already in the database by an earlier transaction on this engine: kept
        # procedure versions are never removed, so they need not be looked up again.
        self._committed_procedures = committed_procedures if committed_procedures is not None else set()
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
        row = self.conn.execute(_BY_ID, {"_cid": case_id}).mappings().first()
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
        """The procedure version a case runs under, from the text kept when the first case was opened under it
        (read once per unit of work)."""
        from service.procedure.pack import from_text

        found = self._procedures.get((procedure_id, version))
        if found is not None:
            return found
        text = self.conn.execute(select(t.procedures.c.text).where(t.procedures.c.id == procedure_id,
                                                                   t.procedures.c.version == version)).scalar()
        if text is None:
            raise NotFound(f"no procedure {procedure_id} version {version} is kept in the database")
        found = self._procedures[(procedure_id, version)] = from_text(text)
        return found

    def keep_procedure(self, procedure: Procedure) -> None:
        """Keep the text of the procedure version a case is opened under (once). The same id and version with
        another text is refused: the cases opened under it would change their rules."""
        found = (procedure.id, procedure.version, procedure.digest)
        if found in self._kept or found in self._committed_procedures:
            return
        c = t.procedures.c
        kept = self.conn.execute(select(c.digest).where(c.id == procedure.id, c.version == procedure.version)
                                 ).scalar()
        if kept is None:
            try:
                with self.conn.begin_nested():
                    self.conn.execute(insert(t.procedures).values(
                        id=procedure.id, version=procedure.version, digest=procedure.digest, text=procedure.text,
                        kept_at=datetime.now(timezone.utc).replace(tzinfo=None)))
                self._kept.add((procedure.id, procedure.version, procedure.digest))
                return
            except IntegrityError:  # another process kept it first: it must be the same text
                pass
        self.check_procedure(procedure)
        self._kept.add(found)
        self._committed_procedures.add(found)  # found committed (not kept in this transaction, which may roll back)

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

    def _load(self, row, events: "list[Any] | None" = None, agencies: "list[str] | None" = None,
              deadlines: "list[Any] | None" = None) -> Case:
        """A case from its row; its events, agencies and deadlines read here unless given (already read for
        many cases at once: :meth:`get_many`)."""
        cid = row["id"]
        procedure = self.procedure(row["procedure_id"], row["procedure_version"])
        case = Case(reference=row["reference"], opened_at=utc(row["opened_at"]), procedure=procedure,
                    stage=row["stage"], subjects=[_subject_from_json(s) for s in row["subjects"] or []],
                    referrer=Referrer(**(row["referrer"] or {})), outcome=row["outcome"] or None,
                    decision_reason=row["decision_reason"], criterion=row["criterion"])
        if events is None:
            events = list(self.conn.execute(_EVENTS_OF, {"_cid": cid}).mappings())
        for e in events:
            case.events[e["kind"]] = e["on"]
        case.agencies = list(agencies) if agencies is not None else list(
            self.conn.execute(_AGENCIES_OF, {"_cid": cid}).scalars())
        if deadlines is None:
            deadlines = list(self.conn.execute(_DEADLINES_OF, {"_cid": cid}).mappings())
        for d in deadlines:
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
        return self.conn.execute(_BY_FINGERPRINT, {"_fingerprint": fingerprint}).scalars().first()

    def next_sequence(self, year: int, series: str | None = None, fmt: str | None = None) -> int:
        """The next case number of a year, handed out once even to processes opening cases at the same moment.

        ``series``: a reference format counted on its own (a pack's, ``CSPR-{year}-{seq:03d}``); None: the
        board's. ``fmt``: the format the numbers appear in (where a counter made anew starts: after the
        highest reference of the year in it). A single UPDATE increments the counter row, which locks it (PostgreSQL) or
        takes the write lock (SQLite) until this transaction ends: a rolled-back
        case gives its number back, and no two committed cases share one.
        """
        name = f"case_seq:{year}" if series is None else f"case_seq:{series}:{year}"
        return self._bump(name, lambda: self._highest_in_series(year, fmt or series))

    def next_row_number(self, year: int) -> int:
        """The case's place among all the board's cases of the year, whatever its series (``cases.seq``, unique
        with the year): on a board running one pack it is the number in the reference."""
        return self._bump(f"case_row:{year}", lambda: self.conn.execute(
            select(func.max(t.cases.c.seq)).where(t.cases.c.year == year)).scalar() or 0)

    def _bump(self, name: str, start: Callable[[], int]) -> int:
        bumped = self._bump_existing(name)
        if bumped is not None:
            return bumped
        first = start()
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(t.service_state).values(name=name, value=str(first),
                                                                 updated_at=datetime.now(timezone.utc)))
        except IntegrityError:
            pass  # another process created the counter first
        return self._bump_existing(name)

    def _bump_existing(self, name: str) -> int | None:
        """The counter ``name`` plus one, or None when there is no such counter yet."""
        counter = {"_counter": name}
        if self.conn.dialect.update_returning:  # the new value in the same statement (SQLite 3.35+, PostgreSQL)
            bumped = self.conn.execute(_BUMP_RETURNING, counter).scalar()
            return None if bumped is None else int(bumped)
        if not self.conn.execute(_BUMP_ONE, counter).rowcount:
            return None
        return int(self.conn.execute(select(t.service_state.c.value)
                                     .where(t.service_state.c.name == name)).scalar())

    def _highest_in_series(self, year: int, series: str | None) -> int:
        """The highest number a case of this year and series already has (a counter made anew, e.g. after a
        restore, starts after it)."""
        if series is None:
            return self.conn.execute(select(func.max(t.cases.c.seq)).where(t.cases.c.year == year)).scalar() or 0
        own = re.compile(re.sub(r"\\\{seq[^}]*\\\}", r"(\\d+)", re.escape(series.replace("{year}", str(year)))) + "$")
        refs = self.conn.execute(select(t.cases.c.reference).where(t.cases.c.year == year)).scalars()
        return max((int(m.group(1)) for ref in refs if (m := own.match(ref))), default=0)

    # Writing ---------------------------------------------------------------
    def add(self, case: Case, year: int, seq: int, referral: dict | None = None, missing: list[str] | None = None,
            fingerprint: str | None = None, next_actions: dict[str, datetime | None] | None = None,
            to_confirm: list[str] | None = None) -> int:
        self.keep_procedure(case.procedure)
        cid = self.conn.execute(_INSERT_CASE, dict(
            reference=case.reference, year=year, seq=seq, stage=case.stage, opened_at=utc(case.opened_at),
            procedure_id=case.procedure.id, procedure_version=case.procedure.version,
            subjects=[_subject_to_json(s) for s in case.subjects], referrer=vars(case.referrer),
            referral=referral, missing=missing or [], fingerprint=fingerprint, to_confirm=to_confirm or [],
            outcome=None, decision_reason=None)).inserted_primary_key[0]
        self._save_children(cid, case, next_actions or {}, new=True)
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

    def _save_children(self, cid: int, case: Case, next_actions: dict[str, datetime | None],
                       new: bool = False) -> None:
        """A case's events, agencies and deadlines as the case now has them. ``new``: a case just inserted has
        none yet, so nothing is deleted or looked up first, and its deadlines go in one statement."""
        if not new:
            self.conn.execute(delete(t.case_events).where(t.case_events.c.case_id == cid))
        if case.events:
            self.conn.execute(_INSERT_EVENTS, [{"case_id": cid, "kind": str(k), "on": v}
                                                      for k, v in case.events.items()])
        if not new:
            self.conn.execute(delete(t.case_agencies).where(t.case_agencies.c.case_id == cid))
        if case.agencies:
            self.conn.execute(_INSERT_AGENCIES, [{"case_id": cid, "agency": a, "position": i}
                                                        for i, a in enumerate(case.agencies)])
        existing = {} if new else {r.key: r for r in self.conn.execute(
            select(t.deadlines.c.key, t.deadlines.c.id, t.deadlines.c.next_action_at)
            .where(t.deadlines.c.case_id == cid))}
        gone = [row.id for key, row in existing.items() if key not in case.deadlines]
        if gone:  # a deadline the case no longer has (a decision undone): no longer chased
            self.conn.execute(delete(t.deadlines).where(t.deadlines.c.id.in_(gone)))
        added = []
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
                added.append({"case_id": cid, "key": d.key, "next_action_at": None, **values})
        if added:
            self.conn.execute(_INSERT_DEADLINES, added)
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

    # The chase sweep (issue 18) --------------------------------------------
    def get_many(self, case_ids: Iterable[int]) -> dict[int, Case]:
        """The cases with these ids, as :meth:`get_by_id` loads each, read with one query per table (for a
        sweep over many cases)."""
        ids = list(dict.fromkeys(case_ids))
        out: dict[int, Case] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo:lo + 500]
            events: dict[int, list[Any]] = {}
            for e in self.conn.execute(select(t.case_events).where(t.case_events.c.case_id.in_(chunk))).mappings():
                events.setdefault(e["case_id"], []).append(e)
            agencies: dict[int, list[str]] = {}
            for a in self.conn.execute(select(t.case_agencies.c.case_id, t.case_agencies.c.agency)
                                       .where(t.case_agencies.c.case_id.in_(chunk))
                                       .order_by(t.case_agencies.c.position)):
                agencies.setdefault(a.case_id, []).append(a.agency)
            deadlines: dict[int, list[Any]] = {}
            for d in self.conn.execute(select(t.deadlines).where(t.deadlines.c.case_id.in_(chunk))
                                       .order_by(t.deadlines.c.id)).mappings():
                deadlines.setdefault(d["case_id"], []).append(d)
            for row in self.conn.execute(select(t.cases).where(t.cases.c.id.in_(chunk))).mappings():
                cid = row["id"]
                out[cid] = self._load(row, events.get(cid, []), agencies.get(cid, []), deadlines.get(cid, []))
        return out

    def advance_deadlines(self, claims: list[tuple[int, datetime, str | None, datetime | None]]) -> list[bool]:
        """:meth:`advance_deadline` for each ``(deadline id, expected at, step, next at)``, one statement
        built once: whether each was claimed."""
        return [self.conn.execute(_ADVANCE, {"d_id": i, "d_expected": expected, "d_step": step, "d_next": next_at})
                .rowcount == 1 for i, expected, step, next_at in claims]


# Statements built once (the parameters change, not the statement).
_INSERT_CASE = insert(t.cases)
_BY_ID = select(t.cases).where(t.cases.c.id == bindparam("_cid"))
_EVENTS_OF = select(t.case_events).where(t.case_events.c.case_id == bindparam("_cid"))
_AGENCIES_OF = (select(t.case_agencies.c.agency).where(t.case_agencies.c.case_id == bindparam("_cid"))
                .order_by(t.case_agencies.c.position))
_DEADLINES_OF = select(t.deadlines).where(t.deadlines.c.case_id == bindparam("_cid")).order_by(t.deadlines.c.id)
_INSERT_EVENTS = insert(t.case_events)
_INSERT_AGENCIES = insert(t.case_agencies)
_INSERT_DEADLINES = insert(t.deadlines)
_BY_FINGERPRINT = (select(t.cases.c.reference).where(t.cases.c.fingerprint == bindparam("_fingerprint"))
                   .order_by(t.cases.c.id))
_BUMP = update(t.service_state).values(value=func.cast(func.cast(t.service_state.c.value, Integer) + 1, String))
_BUMP_ONE = _BUMP.where(t.service_state.c.name == bindparam("_counter"))
_BUMP_RETURNING = _BUMP_ONE.returning(t.service_state.c.value)
_ADVANCE = (update(t.deadlines)
            .where(t.deadlines.c.id == bindparam("d_id"), t.deadlines.c.next_action_at == bindparam("d_expected"),
                   t.deadlines.c.status == DeadlineStatus.OPEN.value)
            .values(next_action_at=bindparam("d_next"), chase_step=bindparam("d_step")))
