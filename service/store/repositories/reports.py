"""Read-only views across cases for the weekly digest (aggregates in SQL, not per case).

One of the repositories (:mod:`service.store.repositories`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from service.domain.model import DeadlineStatus

from .. import tables as t



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
