"""Agency returns (each document an agency sent back for a case, in versions) and the publication
checks of a case's draft report.

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from .. import tables as t

# Everything but the document itself: listing returns never unseals a document.
_META = [c for c in t.agency_returns.c if c.name != "data"]


class ReturnRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # Agency returns ------------------------------------------------------------------
    def add(self, row: dict[str, Any]) -> tuple[int, int]:
        """File one document as the next version of its case, agency and kind: (id, version)."""
        r = t.agency_returns.c
        last = self.conn.execute(select(func.max(r.version)).where(
            r.case_id == row["case_id"], r.agency == row["agency"], r.kind == row["kind"])).scalar()
        version = (last or 0) + 1
        rid = self.conn.execute(insert(t.agency_returns).values(**row, version=version)).inserted_primary_key[0]
        return rid, version

    def for_case(self, case_id: int) -> list[dict[str, Any]]:
        """Every return of a case, without the documents: by agency, kind and version."""
        r = t.agency_returns.c
        return [dict(x) for x in self.conn.execute(
            select(*_META).where(r.case_id == case_id).order_by(r.agency, r.kind, r.version)).mappings()]

    def from_message(self, inbound_id: int) -> list[dict[str, Any]]:
        r = t.agency_returns.c
        return [dict(x) for x in self.conn.execute(
            select(*_META).where(r.inbound_id == inbound_id).order_by(r.id)).mappings()]

    def current(self, case_id: int, kind: str) -> list[dict[str, Any]]:
        """The latest version of each agency's return of ``kind`` for a case, without the documents."""
        latest: dict[str, dict[str, Any]] = {}
        for r in self.for_case(case_id):
            if r["kind"] == kind and r["version"] > latest.get(r["agency"], {}).get("version", 0):
                latest[r["agency"]] = r
        return [latest[a] for a in sorted(latest)]

    def document(self, return_id: int) -> bytes:
        return self.conn.execute(select(t.agency_returns.c.data).where(t.agency_returns.c.id == return_id)).scalar_one()

    def cases_with(self, kind: str) -> list[int]:
        r = t.agency_returns.c
        return list(self.conn.execute(select(r.case_id).where(r.kind == kind).distinct()).scalars())

    # Publication checks ----------------------------------------------------------------
    def record_check(self, case_id: int, filename: str, sha256: str, at: datetime, by: str,
                     by_kind: dict[str, int]) -> int:
        return self.conn.execute(insert(t.report_checks).values(
            case_id=case_id, filename=filename[:255], sha256=sha256, checked_at=at, checked_by=by,
            found=sum(by_kind.values()), by_kind=by_kind)).inserted_primary_key[0]

    def last_check(self, case_id: int) -> dict[str, Any] | None:
        c = t.report_checks.c
        row = self.conn.execute(select(t.report_checks).where(c.case_id == case_id)
                                .order_by(c.checked_at.desc(), c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None

    def accept_check(self, check_id: int, at: datetime, by: str, reason: str) -> bool:
        c = t.report_checks.c
        return bool(self.conn.execute(update(t.report_checks).where(c.id == check_id, c.accepted_at.is_(None))
                                      .values(accepted_at=at, accepted_by=by, accepted_reason=reason)).rowcount)
