"""Shared fixtures.

The suite runs on SQLite by default. Set REVIEW_CLERK_TEST_DATABASE_URL to a
PostgreSQL URL to run every database test against PostgreSQL instead (CI
does both). Each test gets an empty database.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "review-clerk.example.toml"
LONDON = ZoneInfo("Europe/London")
TEST_DB_ENV = "REVIEW_CLERK_TEST_DATABASE_URL"


def pytest_report_header(config):
    url = os.environ.get(TEST_DB_ENV)
    return f"database: {'PostgreSQL (' + url.rsplit('@', 1)[-1] + ')' if url else 'SQLite'}"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), future=True)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "clerk"
    folder.mkdir()
    shutil.copyfile(EXAMPLE, folder / "review-clerk.toml")
    return folder


@pytest.fixture
def db_env() -> dict[str, str]:
    url = os.environ.get(TEST_DB_ENV)
    if not url:
        return {}
    _reset_postgres(url)
    return {"REVIEW_CLERK_DATABASE__URL": url}


@pytest.fixture
def reset_database(db_env):
    """Empties the test's PostgreSQL database again (a test that makes a second board on it); nothing on SQLite,
    where each board has its own file."""
    def reset() -> None:
        if db_env:
            _reset_postgres(db_env["REVIEW_CLERK_DATABASE__URL"])
    return reset


@pytest.fixture
def settings(config_dir: Path, db_env: dict[str, str]):
    from service.config import load_settings

    return load_settings(config_dir / "review-clerk.toml", environ=db_env)


@pytest.fixture
def clock():
    from service.clock import FixedClock

    return FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))  # a Monday


# Settings that do not change what the templates render against the sample case.
_NOT_IN_TEMPLATES = {"data_dir", "database", "security"}


@pytest.fixture(scope="session")
def checked_settings(tmp_path_factory):
    """The example settings, with every mail template and Word letter rendered against them once.

    build_app does this check at every start; the ``app`` fixture skips it when its settings
    render the same (the check is the same, only slower, the hundredth time).
    """
    from service.bootstrap import App
    from service.clock import FixedClock
    from service.config import load_settings
    from service.letters.after_delivery import LetterDelivery
    from service.letters.render import Templates
    from service.letters.samples import sample_contexts

    folder = tmp_path_factory.mktemp("checked-templates")
    shutil.copyfile(EXAMPLE, folder / "review-clerk.toml")
    settings = load_settings(folder / "review-clerk.toml", environ={})
    from service.procedure.pack import load_configured

    app = App(settings=settings, db=None, mailbox=None, calendar=None, templates=Templates(),
              clock=FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON)),
              procedure=load_configured(settings.procedure.pack), on_delivery=LetterDelivery())
    app.templates.check_all(sample_contexts(app))
    return settings


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database file migrated to the newest revision, made once: each test gets a copy."""
    from service.store.db import Database

    path = tmp_path_factory.mktemp("migrated") / "review-clerk.db"
    db = Database(f"sqlite:///{path.as_posix()}")
    db.migrate()
    db.dispose()
    return path


@pytest.fixture
def app(settings, clock, checked_settings, migrated_sqlite):
    from service.bootstrap import build_app

    migrate = True
    target = settings.data_dir / "review-clerk.db"
    if not settings.database.url and not target.exists():  # SQLite in the data folder, not made yet
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_sqlite, target)
        migrate = False
    same = (settings.model_dump(exclude=_NOT_IN_TEMPLATES) == checked_settings.model_dump(exclude=_NOT_IN_TEMPLATES))
    # create: a new service, as `init` makes one
    application = build_app(settings, clock, create=True, migrate=migrate, check_templates=not same)
    yield application
    application.db.dispose()


@pytest.fixture
def cli(tmp_path, db_env):
    """`review-clerk` driven as a person would, on a folder made by `review-clerk init`.

    ``cli("cases", "list")`` returns typer's Result; ``cli.folder`` is the
    board's folder and ``cli.db_env`` the database override (empty on SQLite).
    """
    from typer.testing import CliRunner

    from service.cli import app as cli_app

    runner = CliRunner()
    folder = tmp_path / "board"
    # REVIEW_CLERK_TEST_DATABASE_URL starts with the settings prefix: the command sees only the override.
    env = {"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"), "COLUMNS": "200",
           "REVIEW_CLERK_TEST_DATABASE_URL": None, **db_env}

    def invoke(*args: str):
        return runner.invoke(cli_app, list(args), env=env, catch_exceptions=False)

    result = invoke("init", str(folder))
    assert result.exit_code == 0, result.output
    invoke.folder = folder
    invoke.db_env = db_env
    return invoke
