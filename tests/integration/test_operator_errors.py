"""Errors an operator can act on: one line naming what happened and where, logged after the fact."""

from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from service.demo import sample_emails
from service.jobs import _guarded, run_once, sweep_deadlines
from service.store.db import Database, explain

from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _sqlite_only(app) -> None:
    if app.db.dialect != "sqlite":
        pytest.skip("simulates a full disk with SQLite's max_page_count")


def _disk_full(app) -> None:
    """From now on the database file cannot grow: SQLite says 'database or disk is full'."""
    with app.db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    def cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(app.db.engine, "connect", cap)
    app.db.engine.dispose()
    app._uncap = lambda: (event.remove(app.db.engine, "connect", cap), app.db.engine.dispose())


CHASED = ("reminder sent", "escalation sent", "deadline missed")


def _chased_in_database(app) -> int:
    with app.db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_events WHERE actor = 'sweep'")).scalar()


def test_a_full_disk_is_logged_as_disk_full_with_the_path_and_only_committed_reminders_are_logged(
        app, clock, caplog):
    _sqlite_only(app)
    inbox = app.settings.data_dir / "mail" / "inbox"
    for name, raw in sample_emails(datetime(2014, 5, 12, 8, 30, tzinfo=LONDON)).items():
        (inbox / name).write_bytes(raw)
    run_once(app)
    before = _chased_in_database(app)
    clock.set(datetime(2014, 5, 16, 9, 5, tzinfo=LONDON))  # reminders and escalations fall due
    _disk_full(app)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        result = _guarded(app, "sweep_deadlines", sweep_deadlines)
    assert result == {"error": 1}
    failures = [r.getMessage() for r in caplog.records if r.getMessage().startswith("job failed")]
    assert failures == [f"job failed: disk full: cannot write to the database {app.db.path}; free space on its disk"]
    # The step the full disk rolled back is not announced: what is logged is what was committed.
    said = [r for r in caplog.records if r.getMessage() in CHASED]
    app._uncap()
    assert len(said) == _chased_in_database(app) - before

    caplog.clear()  # space again: the rolled-back step is taken, and only now said to be
    with caplog.at_level(logging.INFO):
        result = _guarded(app, "sweep_deadlines", sweep_deadlines)
    assert result["reminders"] + result["escalations"] > 0
    assert len(said) + len([r for r in caplog.records if r.getMessage() in CHASED]) == \
        _chased_in_database(app) - before


def test_a_log_line_handed_to_on_commit_is_not_written_when_the_unit_of_work_rolls_back(app, caplog):
    log = logging.getLogger("review_clerk.test")
    with caplog.at_level(logging.INFO):
        with app.db.unit_of_work() as uow:
            uow.on_commit(log.info, "rolled back: never said")
        with app.db.unit_of_work() as uow:
            uow.on_commit(log.info, "committed: said")
            uow.commit()
    assert [r.getMessage() for r in caplog.records] == ["committed: said"]


def test_storage_failures_are_named_with_their_path(tmp_path):
    db_file = tmp_path / "rc.db"

    def failure(make) -> str:
        db = Database(f"sqlite:///{db_file}")
        try:
            with pytest.raises(DBAPIError) as caught:
                make(db)
            return explain(caught.value)
        finally:
            db.dispose()

    db_file.write_bytes(b"this is not a database" * 500)
    corrupted = failure(lambda db: db.engine.connect().execute(text("SELECT * FROM sqlite_master")).all())
    assert corrupted.startswith(f"database corrupted: {db_file}")

    db_file.unlink()
    sqlite3.connect(db_file).execute("CREATE TABLE t (x)").connection.commit()
    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    def write(db):
        with db.engine.begin() as conn:
            conn.execute(text("PRAGMA busy_timeout = 50"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
    try:
        assert failure(write).startswith(f"database locked: {db_file}")
    finally:
        holder.rollback() if holder.in_transaction else None
        holder.close()

    assert explain(OSError(errno.ENOSPC, "No space left on device", "/srv/rc/data/mail/sent/x.eml")) == (
        "disk full: cannot write /srv/rc/data/mail/sent/x.eml; free space on its disk")
    assert explain(PermissionError(errno.EACCES, "Permission denied", "/srv/rc/data")).startswith(
        "permission denied: /srv/rc/data")
    assert explain(ValueError("a bug")) is None


def test_a_failure_that_is_not_the_databases_own_reaches_the_caller_unchanged(app, monkeypatch):
    class Stop(Exception):
        pass

    def commit(self, dbapi_connection):
        raise Stop()

    monkeypatch.setattr(type(app.db.engine.dialect), "do_commit", commit)
    with pytest.raises(Stop):
        with app.db.unit_of_work() as uow:
            uow.state.set("x", "y", datetime(2014, 5, 12, tzinfo=LONDON))
            uow.commit()
