"""Fakes of the database port, for use cases run in memory: no SQLite, no PostgreSQL.

:class:`FakeDatabase` stands where :class:`service.store.db.Database` does in ``app.db``:
``unit_of_work()`` gives a :class:`FakeUnitOfWork` with the repositories the use cases
use (cases, outbox, audit, state), working on a copy of the data that replaces it only
if the unit of work commits, and runs ``on_commit`` callbacks after that, as the real one
does. Only the methods the use cases under test call are here; a use case calling another
fails loudly (AttributeError) rather than passing by accident.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

from service.domain.model import AuditEvent, Case, DeadlineStatus
from service.store.repositories.common import NotFound


@dataclass
class _Data:
    cases: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> {"case", "next_actions", ...}
    outbox: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> row
    audit: list[tuple[int | None, str | None, AuditEvent]] = field(default_factory=list)
    state: dict[str, str | None] = field(default_factory=dict)
    sequences: dict[tuple[int, str | None], int] = field(default_factory=dict)


class FakeCaseRepository:
    def __init__(self, data: _Data, audit: "FakeAuditRepository"):
        self._data, self._audit = data, audit

    def next_sequence(self, year: int, series: str | None = None, fmt: str | None = None) -> int:
        key = (year, series)
        self._data.sequences[key] = self._data.sequences.get(key, 0) + 1
        return self._data.sequences[key]

    def next_row_number(self, year: int) -> int:
        return self.next_sequence(year, "(all)")

    def add(self, case: Case, year: int, seq: int, referral: dict | None = None, missing: list[str] | None = None,
            fingerprint: str | None = None, next_actions: dict[str, datetime | None] | None = None,
            to_confirm: list[str] | None = None) -> int:
        cid = max(self._data.cases, default=0) + 1
        self._data.cases[cid] = {"reference": case.reference, "referral": referral, "missing": list(missing or []),
                                 "fingerprint": fingerprint, "to_confirm": list(to_confirm or []),
                                 "next_actions": {}, "chase_steps": {}}
        self._store(cid, case, next_actions or {})
        return cid

    def save(self, case: Case, next_actions: dict[str, datetime | None] | None = None,
             missing: list[str] | None = None, referral: dict | None = None) -> None:
        cid = self.id_of(case.reference)
        if missing is not None:
            self._data.cases[cid]["missing"] = list(missing)
        if referral is not None:
            self._data.cases[cid]["referral"] = referral
        self._store(cid, case, next_actions or {})

    def _store(self, cid: int, case: Case, next_actions: dict[str, datetime | None]) -> None:
        row = self._data.cases[cid]
        chased = {k: v for k, v in row["next_actions"].items() if k in case.deadlines}
        chased.update({k: v for k, v in next_actions.items() if k in case.deadlines})
        for key, d in case.deadlines.items():
            if d.status is not DeadlineStatus.OPEN:
                chased[key] = None  # as the real repository: a deadline no longer open is not chased
        row["next_actions"] = chased
        self._audit.append(cid, case.reference, case.new_audit)
        case.new_audit.clear()
        row["case"] = stored = copy.deepcopy(case, {id(case.procedure): case.procedure})
        stored.new_events = []  # as the real repository: what happened is not stored, it is reacted to

    def id_of(self, reference: str) -> int:
        wanted = reference.strip().upper()
        for cid, row in self._data.cases.items():
            if row["reference"].upper() == wanted:
                return cid
        raise NotFound(f"no case {reference}")

    def get(self, reference: str) -> Case:
        case = self._data.cases[self.id_of(reference)]["case"]
        return copy.deepcopy(case, {id(case.procedure): case.procedure})

    def get_by_id(self, case_id: int) -> Case:
        if case_id not in self._data.cases:
            raise NotFound(f"no case with id {case_id}")
        case = self._data.cases[case_id]["case"]
        return copy.deepcopy(case, {id(case.procedure): case.procedure})

    def extra(self, reference: str) -> dict[str, Any]:
        cid = self.id_of(reference)
        row = self._data.cases[cid]
        return {"id": cid, "referral": row["referral"], "missing": row["missing"], "to_confirm": row["to_confirm"]}

    def chase_steps(self, case_id: int) -> dict[str, str | None]:
        return dict(self._data.cases[case_id]["chase_steps"])

    def lock(self, case_id: int) -> None:
        pass  # one process: nothing to wait for

    def find_by_fingerprint(self, fingerprint: str) -> str | None:
        return next((r["reference"] for r in self._data.cases.values() if r["fingerprint"] == fingerprint), None)


class FakeOutboxRepository:
    def __init__(self, data: _Data):
        self._data = data

    def exists(self, key: str) -> bool:
        return self.id_of(key) is not None

    def existing(self, keys) -> set[str]:
        return {key for key in keys if self.exists(key)}

    def queue(self, row: dict[str, Any]) -> bool:
        if self.exists(row["key"]):
            return False
        oid = max(self._data.outbox, default=0) + 1
        self._data.outbox[oid] = {"id": oid, "sent_at": None, "provider_id": None, "last_error": None, **row}
        return True

    def id_of(self, key: str) -> int | None:
        return next((oid for oid, r in self._data.outbox.items() if r["key"] == key), None)

    def get(self, oid: int) -> dict[str, Any]:
        return dict(self._data.outbox[oid])

    def for_case(self, case_id: int, templates: Iterable[str] | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in self._data.outbox.values()
                if r["case_id"] == case_id and (not templates or r["template"] in templates)]

    def sent_keys(self, case_id: int, template: str) -> set[str]:
        return {r["key"] for r in self._data.outbox.values()
                if r["case_id"] == case_id and r["template"] == template and r["status"] == "sent"}


class FakeAuditRepository:
    def __init__(self, data: _Data):
        self._data = data

    def append(self, case_id: int | None, reference: str | None, events: Iterable[AuditEvent]) -> None:
        self._data.audit.extend((case_id, reference, e) for e in events)

    def for_case(self, case_id: int) -> list[AuditEvent]:
        return [e for cid, _, e in self._data.audit if cid == case_id]


class FakeStateRepository:
    def __init__(self, data: _Data):
        self._data = data

    def get(self, name: str) -> str | None:
        return self._data.state.get(name)

    def set(self, name: str, value: str | None, now: datetime) -> None:
        self._data.state[name] = value


class FakeUnitOfWork:
    """The interface of :class:`service.store.db.UnitOfWork` the use cases use, in memory."""

    def __init__(self, data: _Data):
        self.committed = False
        self.after_commit: list[tuple[Callable[..., Any], tuple, dict]] = []
        self.audit = FakeAuditRepository(data)
        self.cases = FakeCaseRepository(data, self.audit)
        self.outbox = FakeOutboxRepository(data)
        self.state = FakeStateRepository(data)

    def serialise(self, lock: Any) -> None:
        pass  # one process: nothing to wait for

    def commit(self) -> None:
        self.committed = True

    def on_commit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.after_commit.append((fn, args, kwargs))


class FakeDatabase:
    """``app.db`` in memory: a unit of work that commits replaces the data; one that does not leaves it."""

    def __init__(self) -> None:
        self.data = _Data()
        self.units = 0  # how many units of work were opened

    @contextmanager
    def unit_of_work(self, read_only: bool = False) -> Iterator[FakeUnitOfWork]:
        working = copy.deepcopy(self.data)
        uow = FakeUnitOfWork(working)
        self.units += 1
        yield uow
        if uow.committed and not read_only:
            self.data = working
            for fn, args, kwargs in uow.after_commit:
                fn(*args, **kwargs)

    # What a test reads back -----------------------------------------------------------
    def case(self, reference: str) -> Case:
        with self.unit_of_work(read_only=True) as uow:
            return uow.cases.get(reference)

    def next_actions(self, reference: str) -> dict[str, datetime | None]:
        with self.unit_of_work(read_only=True) as uow:
            return dict(self.data.cases[uow.cases.id_of(reference)]["next_actions"])

    def outbox_keys(self) -> list[str]:
        return [r["key"] for r in self.data.outbox.values()]

    def audit_actions(self, reference: str) -> list[str]:
        return [e.action for _, ref, e in self.data.audit if ref == reference]
