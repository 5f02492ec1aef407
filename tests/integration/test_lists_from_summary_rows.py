"""`cases list` and `deadlines` read summary rows with one query each, newest (cases) or soonest (deadlines)
first, paged; they must show what reading every case whole showed (issue 18)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date, datetime, timezone

from sqlalchemy import event

from service import cases
from service.cli.common import print_json, stream_json
from service.domain.model import Case, Referrer, Subject
from service.domain.model_types import Outcome
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()
AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)


def open_case(app, seq: int, received: date) -> str:
    ref = f"ESCB-2014-{seq:03d}"
    case = Case.open(ref, received, AT, "test", subjects=[Subject("Test Child", "child", "child", date(2010, 1, 1))],
                     referrer=Referrer("R", "Agency", "1", "r@example.org"), procedure=SCR_PROCEDURE)
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, received.year, seq)
        uow.commit()
    return ref


def board(app) -> list[str]:
    refs = [open_case(app, n, date(2014, 5, 12 + n)) for n in range(1, 5)]
    app.clock.set(datetime(2014, 6, 2, 10, tzinfo=timezone.utc))
    cases.decide(app, refs[1], Outcome.SCR, date(2014, 6, 2), "criteria met", "chair")
    cases.add_agency(app, refs[1], app.settings.agencies[0].key, "chair")
    cases.mark_done(app, refs[2], "chair_sqas_discussion", date(2014, 6, 2), "chair")
    app.clock.set(datetime(2014, 7, 1, 10, tzinfo=timezone.utc))  # some deadlines missed by now
    return refs


def as_before_cases(app) -> list[dict]:
    """What `cases list` showed when it loaded every case (the first release's way), newest first."""
    as_of = app.today()
    with app.db.unit_of_work() as uow:
        loaded = uow.cases.list()
    rows = []
    for c in reversed(loaded):
        open_ = c.open_deadlines()
        missed = [d for d in open_ if d.state(as_of) == "missed"]
        nxt = min(open_, key=lambda d: d.due, default=None)
        rows.append({"reference": c.reference, "stage": c.stage, "stage_label": c.stage_label,
                     "procedure": c.procedure.key, "outcome": c.outcome, "outcome_label": c.outcome_label,
                     "opened": c.opened_at.date().isoformat(), "agencies": len(c.agencies),
                     "next_deadline": nxt.what if nxt else None, "next_due": nxt.due.isoformat() if nxt else None,
                     "overdue": len(missed)})
    return rows


def as_before_deadlines(app) -> list[dict]:
    as_of = app.today()
    with app.db.unit_of_work() as uow:
        loaded = uow.cases.list()
    rows = [{"reference": c.reference, **cases.deadline_view(d, as_of)}
            for c in loaded for d in c.deadlines.values() if d.status.value != "met"]
    return sorted(rows, key=lambda r: (r["due"], r["reference"]))


def test_the_case_summaries_show_what_loading_every_case_showed(app):
    board(app)
    assert cases.list_cases(app) == as_before_cases(app)
    overdue = cases.list_cases(app, overdue=True)
    assert overdue and overdue == [r for r in as_before_cases(app) if r["overdue"]]
    assert cases.list_cases(app, stage="scr_initiated") == [r for r in as_before_cases(app)
                                                             if r["stage"] == "scr_initiated"]


def test_the_deadline_rows_show_what_loading_every_case_showed(app):
    board(app)
    rows = cases.deadlines_across(app, app.today())
    assert rows == as_before_deadlines(app)
    assert {r["state"] for r in rows} >= {"missed"}


def test_a_list_is_one_query_however_many_cases(app):
    refs = board(app)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "procedures" not in statement:
            statements.append(statement)

    event.listen(app.db.engine, "before_cursor_execute", count)
    try:
        total, rows = cases.case_rows(app)
        n_cases = len(statements)
        statements.clear()
        dtotal, drows = cases.deadline_rows(app, app.today())
        n_deadlines = len(statements)
    finally:
        event.remove(app.db.engine, "before_cursor_execute", count)
    assert (total, len(rows)) == (len(refs), len(refs))
    assert dtotal == len(drows) > len(refs)
    assert (n_cases, n_deadlines) == (1, 1)


def test_a_page_is_the_newest_cases_and_counts_them_all(app):
    refs = board(app)
    total, rows = cases.case_rows(app, limit=2)
    assert total == 4 and [r["reference"] for r in rows] == refs[::-1][:2]
    dtotal, drows = cases.deadline_rows(app, app.today(), limit=3)
    assert len(drows) == 3 and drows == as_before_deadlines(app)[:3] and dtotal == len(as_before_deadlines(app))


def test_deadline_rows_leave_the_reason_sealed_unless_asked(app):
    board(app)
    assert all("reason" not in r or r["reason"] is None
               for r in cases.deadline_rows(app, app.today(), with_reason=False)[1])


def test_streamed_json_is_the_same_text_as_printed_json():
    for rows in ([], [{"a": 1, "b": {"c": [1, 2]}, "d": date(2014, 5, 12)}, {"a": "é", "b": None}]):
        printed, streamed = io.StringIO(), io.StringIO()
        with redirect_stdout(printed):
            print_json(rows)
        with redirect_stdout(streamed):
            stream_json(iter(rows))
        assert streamed.getvalue() == printed.getvalue()
        assert json.loads(streamed.getvalue()) == json.loads(json.dumps(rows, default=str))
