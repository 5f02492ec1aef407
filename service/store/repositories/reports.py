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

    # Lists (cases list, deadlines, the web's lists): one query each, summary rows, no Case objects -------------
    def case_summaries(self, as_of: date, stage: str | None = None, overdue: bool = False,
                       limit: int | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(how many cases match, the first ``limit`` of them newest first): each case's reference, stage,
        outcome, procedure, when it was opened, how many agencies, its next open deadline (kind and due date)
        and how many open deadlines are missed as of ``as_of``. One query; no personal column is read."""
        def shown(cases):  # the cases asked for, as a filter on a cases table (or an alias of it)
            d = t.deadlines.c
            where = []
            if stage is not None:
                where.append(cases.c.stage == str(stage))
            if overdue:
                where.append(select(d.id).where(d.case_id == cases.c.id, d.status == DeadlineStatus.OPEN.value,
                                                d.due < as_of).exists())
            return where

        c, d = t.cases.c, t.deadlines.c
        open_ = (d.case_id == c.id, d.status == DeadlineStatus.OPEN.value)
        # Correlated look-ups by the deadlines' case_id index: for a page, made for its rows only.
        next_kind = select(d.kind).where(*open_).order_by(d.due, d.id).limit(1).scalar_subquery()
        next_due = select(func.min(d.due)).where(*open_).scalar_subquery()
        missed = select(func.count()).where(*open_, d.due < as_of).scalar_subquery()
        agencies = select(func.count()).where(t.case_agencies.c.case_id == c.id).scalar_subquery()
        counted = t.cases.alias("counted")
        total = select(func.count()).select_from(counted).where(*shown(counted)).scalar_subquery()
        q = (select(c.reference, c.stage, c.outcome, c.opened_at, c.procedure_id, c.procedure_version,
                    agencies.label("agencies"), next_kind.label("next_kind"), next_due.label("next_due"),
                    missed.label("missed"), total.label("total"))
             .where(*shown(t.cases)).order_by(c.year.desc(), c.seq.desc()))
        if limit is not None:
            q = q.limit(limit)
        rows = [dict(r) for r in self.conn.execute(q).mappings()]
        total_n = rows[0]["total"] if rows else 0
        for r in rows:
            del r["total"]
        return total_n, rows

    def deadlines_not_met(self, limit: int | None = None, with_reason: bool = False
                          ) -> tuple[int, list[dict[str, Any]]]:
        """(how many deadlines are not met, the first ``limit`` of them, soonest due first): each with its
        case's reference and procedure. The reason (sealed: it may name people) only ``with_reason``."""
        c, d = t.cases.c, t.deadlines.c
        cols = [c.reference, c.procedure_id, c.procedure_version, d.key, d.kind, d.agency, d.due, d.rule,
                d.owner, d.status, d.extended, d.met_on]
        if with_reason:
            cols.append(d.reason)
        total = (select(func.count()).select_from(t.deadlines)
                 .where(d.status != DeadlineStatus.MET.value).scalar_subquery())
        q = (select(*cols, total.label("total"))
             .join(t.cases, c.id == d.case_id)
             .where(d.status != DeadlineStatus.MET.value)
             .order_by(d.due, c.reference, d.id))
        if limit is not None:
            q = q.limit(limit)
        rows = [dict(r) for r in self.conn.execute(q).mappings()]
        total = rows[0]["total"] if rows else 0
        for r in rows:
            del r["total"]
        return total, rows
