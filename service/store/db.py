"""Engine, migrations and the unit of work.

``Database(url)`` owns the engine. ``db.migrate()`` brings the schema to the
newest Alembic revision (run by ``init``, ``run`` and ``demo``; safe to run
from several processes at once on PostgreSQL, which serialises it with an
advisory lock). ``db.unit_of_work()`` is a context manager giving one
transaction with the repositories; it rolls back unless ``commit()`` is called.
"""

from __future__ import annotations

import enum
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .repository import (
    AuditRepository,
    CaseRepository,
    InboxRepository,
    MeetingRepository,
    OutboxRepository,
    ReportRepository,
    StateRepository,
)
from .retention import RetentionRepository

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(Exception):
    """The database cannot be used (unreachable, wrong schema...). One line for a person."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _head_revision() -> str | None:
    """The newest migration's revision, read from the migration files; None when it is not one."""
    revisions, downs = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", source, re.M)
        if found:
            revisions.add(found.group(1))
        down = re.search(r"^down_revision\s*(?::[^=]*)?=(.*)$", source, re.M)
        if down:
            downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


class Database:
    def __init__(self, url: str, echo: bool = False):
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "postgresql" and parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        if self.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict = {"echo": echo, "future": True}
        if self.dialect == "postgresql":
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def describe(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def migrate(self) -> None:
        if self._at_head():  # the usual case: no need to load Alembic (a third of a command's start-up)
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": Lock.MIGRATIONS.value})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot prepare the database at {self.describe()}: {exc.__class__.__name__}: "
                             f"{str(exc.orig if hasattr(exc, 'orig') and exc.orig else exc).splitlines()[0]}") from None

    def _at_head(self) -> bool:
        """Whether the database is at the newest revision already (anything unclear: no, and Alembic looks)."""
        head = _head_revision()
        if head is None:
            return False
        try:
            with self.engine.connect() as conn:
                found = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except SQLAlchemyError:
            return False
        return found == [head]

    @contextmanager
    def unit_of_work(self) -> Iterator["UnitOfWork"]:
        with self.engine.connect() as conn:
            uow = UnitOfWork(conn)
            trans = conn.begin()
            try:
                yield uow
                if uow.committed:
                    trans.commit()
                else:
                    trans.rollback()
            except BaseException:
                trans.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


class Lock(enum.Enum):
    """Cross-process locks, one number each (PostgreSQL advisory lock keys)."""

    MIGRATIONS = 7263001
    REFERRALS = 7263002  # checking a referral for duplicates and opening its case
    MEETING_TIMES = 7263003  # choosing a panel meeting's time and saving it


class UnitOfWork:
    """One transaction and the repositories that work inside it."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.committed = False
        self.audit = AuditRepository(conn)
        self.cases = CaseRepository(conn, self.audit)
        self.inbox = InboxRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.state = StateRepository(conn)
        self.reports = ReportRepository(conn)
        self.meetings = MeetingRepository(conn)
        self.retention = RetentionRepository(conn)

    def serialise(self, lock: "Lock") -> None:
        """Hold ``lock`` until this unit of work ends, across processes (PostgreSQL transaction lock).

        SQLite needs none: it has one writer at a time, and a second writer's write fails and is retried."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock.value})

    def commit(self) -> None:
        self.committed = True
