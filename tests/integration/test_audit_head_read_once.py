"""The audit chain's head is read once per transaction (issue 18: intake read it before every event), and
the chain stays whole when events are appended around a savepoint that is rolled back."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import event

from service.domain.model import AuditEvent

AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)


def ev(n: int) -> list[AuditEvent]:
    return [AuditEvent(at=AT, actor="test", action=f"event {n}", detail={"n": n})]


def test_the_head_is_read_once_for_many_events_and_the_chain_verifies(app):
    reads: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "service_state" in statement:
            reads.append(statement)

    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(0))
        uow.commit()
    event.listen(app.db.engine, "before_cursor_execute", count)
    try:
        with app.db.unit_of_work() as uow:
            for n in range(1, 6):
                uow.audit.append(None, None, ev(n))
            uow.commit()
    finally:
        event.remove(app.db.engine, "before_cursor_execute", count)
    assert len(reads) == 1
    with app.db.unit_of_work() as uow:
        assert uow.audit.verify() == (6, [])


def test_an_event_in_a_savepoint_rolled_back_leaves_the_chain_whole(app):
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(1))
        try:
            with uow.conn.begin_nested():
                uow.audit.append(None, None, ev(2))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        uow.audit.append(None, None, ev(3))
        uow.commit()
    with app.db.unit_of_work() as uow:
        assert uow.audit.verify() == (2, [])


def _writes_of_the_head(app, work) -> int:
    writes: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("UPDATE") and "service_state" in statement:
            writes.append(statement)

    event.listen(app.db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(app.db.engine, "before_cursor_execute", count)
    return len(writes)


def test_the_head_is_written_once_per_transaction_however_many_events(app):
    def work() -> None:
        with app.db.unit_of_work() as uow:
            for n in range(5):
                uow.audit.append(None, None, ev(n))
            uow.commit()

    assert _writes_of_the_head(app, work) == 1
    with app.db.unit_of_work() as uow:
        assert uow.audit.verify() == (5, [])


def test_a_transaction_rolled_back_leaves_the_head_where_it_was(app):
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(1))
        uow.commit()
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(2))  # never committed
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(3))
        uow.commit()
    with app.db.unit_of_work() as uow:
        assert uow.audit.verify() == (2, [])


def test_events_last_written_in_a_savepoint_kept_or_rolled_back_leave_the_chain_whole(app):
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(1))
        with uow.conn.begin_nested():  # released: its event is the head at commit
            uow.audit.append(None, None, ev(2))
        uow.commit()
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(3))
        try:
            with uow.conn.begin_nested():  # rolled back: the head is event 3's
                uow.audit.append(None, None, ev(4))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        uow.commit()
    with app.db.unit_of_work() as uow:
        uow.audit.append(None, None, ev(5))
        uow.commit()
    with app.db.unit_of_work() as uow:
        assert uow.audit.verify() == (4, [])
