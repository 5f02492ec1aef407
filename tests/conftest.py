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
SHARED = ROOT.parent / "shared"
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
def settings(config_dir: Path, db_env: dict[str, str]):
    from service.config import load_settings

    return load_settings(config_dir / "review-clerk.toml", environ=db_env)


@pytest.fixture
def clock():
    from service.clock import FixedClock

    return FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))  # a Monday


@pytest.fixture
def app(settings, clock):
    from service.bootstrap import build_app

    application = build_app(settings, clock, create=True)  # a new service, as `init` makes one
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
