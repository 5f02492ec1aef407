"""Engine, migrations and the unit of work.

``Database(url)`` owns the engine; it creates nothing. ``db.exists()`` says
whether the database holds the service's schema (for SQLite, without creating
the file); ``db.create()`` makes a new SQLite file owner-only; ``db.migrate()``
brings the schema to the newest Alembic revision (safe to run from several
processes at once on PostgreSQL, which serialises it with an advisory lock).
``db.unit_of_work()`` is a context manager giving one transaction with the
repositories; it rolls back unless ``commit()`` is called, and runs what was
handed to ``uow.on_commit`` only once the transaction has committed.

:func:`explain` turns a storage failure (disk full, database locked,
connection lost, permission denied, a corrupted file) into one line a person
can act on, naming the path or host: the job guard and the command line both
use it, so no traceback reaches a person for an expected failure.
"""

from __future__ import annotations

import enum
import errno
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from .repositories.audit import AuditRepository
from .repositories.cases import CaseRepository
from .repositories.inbox import InboxRepository
from .repositories.meetings import MeetingRepository
from .repositories.returns import ReturnRepository
from .repositories.outbox import OutboxRepository
from .repositories.reports import ReportRepository
from .repositories.state import StateRepository
from .retention_repository import RetentionRepository

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(Exception):
    """The database cannot be used (unreachable, wrong schema...). One line for a person."""


class StoreMissing(StoreError):
    """The data folder, the database or the key is not there: only ``init`` creates them."""


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
        file_backed = self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:")
        self.path = Path(parsed.database) if file_backed else None
        self.host = parsed.host or "localhost"
        kwargs: dict = {"echo": echo, "future": True}
        if self.dialect == "postgresql":
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        where = self.where()

        def _name_the_database(ctx) -> None:  # for explain(): which database a failure came from
            if ctx.sqlalchemy_exception is not None:
                ctx.sqlalchemy_exception.where = where

        event.listen(self.engine, "handle_error", _name_the_database)
        self._committed_procedures: set[tuple[str, str, str]] = set()  # see CaseRepository.keep_procedure

    def describe(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def where(self) -> str:
        """The database as a person finds it: the SQLite file, or the PostgreSQL server and database."""
        if self.path is not None:
            return str(self.path)
        if self.dialect == "sqlite":
            return "an in-memory database"
        return f"{self.host}/{make_url(self.url).database or ''}".rstrip("/")

    def exists(self) -> bool:
        """Whether the database holds the service's schema. Never creates a SQLite file."""
        if self.path is not None and not self.path.exists():
            return False
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return False
                return conn.execute(text("SELECT version_num FROM alembic_version")).first() is not None
        except SQLAlchemyError as exc:
            raise StoreError(explain(exc) or f"cannot read the database {self.where()}") from None

    def create(self) -> None:
        """Make a new SQLite database file (and its folder) readable by its owner only; the WAL and
        shared-memory files SQLite adds take the database file's permissions."""
        if self.path is None or self.path.exists():
            return
        from service.files import private_dir

        private_dir(self.path.parent)
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.chmod(self.path, 0o600)

    def revision(self) -> str | None:
        """The schema's Alembic revision, None when there is no schema. Reads only."""
        from alembic.runtime.migration import MigrationContext

        if self.path is not None and not self.path.exists():
            return None
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise StoreError(explain(exc) or f"cannot read the database {self.where()}") from None

    @staticmethod
    def head() -> str:
        """The newest revision this version of the service knows."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        return ScriptDirectory.from_config(cfg).get_current_head() or ""

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
            raise StoreError(explain(exc) or (
                f"cannot prepare the database at {self.describe()}: {exc.__class__.__name__}: "
                f"{str(exc.orig if hasattr(exc, 'orig') and exc.orig else exc).splitlines()[0]}")) from None

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
    def unit_of_work(self, read_only: bool = False) -> Iterator["UnitOfWork"]:
        """One transaction. ``read_only``: the database itself refuses any write in it (PostgreSQL's READ
        ONLY transaction; SQLite's ``query_only`` for the connection, until the unit of work ends)."""
        with self.engine.connect() as conn:
            uow = UnitOfWork(conn, self._committed_procedures)
            trans = conn.begin()
            sqlite = conn.dialect.name == "sqlite"
            try:
                if read_only:
                    conn.exec_driver_sql("PRAGMA query_only = ON" if sqlite else "SET TRANSACTION READ ONLY")
                yield uow
                if uow.committed and not read_only:
                    uow.audit.write_head()
                    trans.commit()
                else:
                    trans.rollback()
            except BaseException:
                trans.rollback()
                raise
            finally:
                if read_only and sqlite:
                    conn.exec_driver_sql("PRAGMA query_only = OFF")  # the connection goes back to the pool
        for fn, args, kwargs in uow.after_commit if uow.committed else ():
            fn(*args, **kwargs)

    def dispose(self) -> None:
        self.engine.dispose()


class Lock(enum.Enum):
    """Cross-process locks, one number each (PostgreSQL advisory lock keys)."""

    MIGRATIONS = 7263001
    REFERRALS = 7263002  # checking a referral for duplicates and opening its case
    MEETING_TIMES = 7263003  # choosing a panel meeting's time and saving it


class UnitOfWork:
    """One transaction and the repositories that work inside it."""

    def __init__(self, conn: Connection, committed_procedures: set[tuple[str, str, str]] | None = None):
        self.conn = conn
        self.committed = False
        self.after_commit: list[tuple[Callable[..., Any], tuple, dict]] = []
        self.audit = AuditRepository(conn)
        self.cases = CaseRepository(conn, self.audit, committed_procedures)
        self.inbox = InboxRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.state = StateRepository(conn)
        self.reports = ReportRepository(conn)
        self.meetings = MeetingRepository(conn)
        self.retention = RetentionRepository(conn)
        self.returns = ReturnRepository(conn)

    def serialise(self, lock: "Lock") -> None:
        """Hold ``lock`` until this unit of work ends, across processes (PostgreSQL transaction lock).

        SQLite needs none: it has one writer at a time, and a second writer's write fails and is retried."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock.value})

    def commit(self) -> None:
        self.committed = True

    def on_commit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Call ``fn(*args, **kwargs)`` once this unit of work has committed; never if it rolls back.
        For log lines that say something was sent or queued: they must not announce what a full disk
        or a lost race rolled back."""
        self.after_commit.append((fn, args, kwargs))


# What went wrong, in a line a person can act on ---------------------------------------
_SQLITE_TEXT = (
    ("database or disk is full", "disk full: cannot write to the database {where}; free space on its disk"),
    ("disk i/o error", "disk error: cannot write to the database {where}; check the disk (is it full or failing?)"),
    ("database is locked", "database locked: {where} is held by another process; try again, or stop the "
                           "other process"),
    ("database table is locked", "database locked: {where} is held by another process; try again"),
    ("readonly database", "permission denied: the database {where} is read-only for this user; check its owner "
                          "and permissions (and its folder's)"),
    ("unable to open database file", "permission denied or folder missing: cannot open the database {where}; "
                                     "check that the folder exists and this user may write to it"),
    ("file is not a database", "database corrupted: {where} is not a readable SQLite database; restore it from "
                               "its backup"),
    ("malformed", "database corrupted: {where} is damaged (database disk image is malformed); restore it from "
                  "its backup"),
)
_PG_SQLSTATE = {
    "53100": "disk full on the database server {where}; free space there",
    "53300": "the database server {where} has too many connections; try again, or raise max_connections",
    "55P03": "database locked: a row or table in {where} is held by another process; try again",
    "40P01": "database locked: {where} chose this work as a deadlock victim; try again",
    "42501": "permission denied: the database user may not do this in {where}; grant it the service's rights",
    "3D000": "the database {where} does not exist; create it, or check [database] url",
    "28P01": "the database server {where} refused the login (wrong password); check [database] url",
    "28000": "the database server {where} refused the login; check [database] url and pg_hba.conf",
    "57P01": "connection lost: the database server {where} shut down; start it, then try again",
    "57P03": "the database server {where} is starting up or shutting down; try again shortly",
}
_PG_CONNECTION = ("connection refused", "could not connect", "server closed the connection", "connection timed out",
                  "terminating connection", "connection is closed", "name or service not known",
                  "could not translate host name", "no route to host", "network is unreachable",
                  "consuming input failed", "connection to server")


def explain(exc: BaseException, where: str | None = None) -> str | None:
    """One line naming what happened to the storage and where (path or host), or None when ``exc`` is
    not such a failure (a bug keeps its class name in the log instead).

    ``where`` defaults to the database the exception came from (set by :class:`Database` on every
    SQLAlchemy error), else the file an OS error names. The database's own message is never quoted
    whole: it can carry SQL parameters, and so personal data."""
    for e in _chain(exc):
        if isinstance(e, OSError) and not isinstance(e, sqlite3.Error):
            return _explain_os(e, where)
        if isinstance(e, DBAPIError):
            here = where or getattr(e, "where", None) or "the database"
            orig = e.orig
            sqlstate = getattr(orig, "sqlstate", None)
            if sqlstate and sqlstate in _PG_SQLSTATE:
                return _PG_SQLSTATE[sqlstate].format(where=here)
            message = str(orig).lower()
            if isinstance(orig, sqlite3.Error):
                for needle, line in _SQLITE_TEXT:
                    if needle in message:
                        return line.format(where=here)
            if e.connection_invalidated or any(n in message for n in _PG_CONNECTION):
                return (f"connection lost: cannot reach the database server {here}; check that it is running "
                        f"and reachable, then try again")
            if sqlstate and sqlstate.startswith("53"):
                return (f"the database server {here} ran out of resources (SQLSTATE {sqlstate}); check its disk "
                        f"and memory")
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)


def _explain_os(e: OSError, where: str | None) -> str | None:
    path = where or e.filename or "a file"
    if e.errno == errno.ENOSPC or e.errno == errno.EDQUOT:
        return f"disk full: cannot write {path}; free space on its disk"
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: {path}; check its owner and permissions"
    if e.errno == errno.EROFS:
        return f"read-only file system: cannot write {path}; check how the volume is mounted"
    if e.errno == errno.ENOENT and e.filename:
        return f"not found: {path}; check the path (is the volume mounted?)"
    if e.errno == errno.EIO:
        return f"disk error: cannot read or write {path}; check the disk"
    return None
