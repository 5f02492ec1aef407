"""Only `init` creates a data folder, a database or a key: any other command refuses, in one line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "review-clerk.example.toml"


def _database_gone(cli) -> None:
    url = cli.db_env.get("REVIEW_CLERK_DATABASE__URL")
    if url:
        from sqlalchemy import create_engine, text

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        for f in (cli.folder / "data").glob("review-clerk.db*"):
            f.unlink()


def test_a_missing_data_folder_is_refused_and_nothing_is_created(tmp_path, db_env):
    folder = tmp_path / "board"
    folder.mkdir()
    shutil.copyfile(EXAMPLE, folder / "review-clerk.toml")
    env = {"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"), **db_env}
    for args in (["cases", "list"], ["run", "--once"], ["migrate"]):
        proc = subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**_base_env(), **env})
        assert proc.returncode == 2, (args, proc.stderr)
        assert f"the data folder {folder / 'data'} does not exist" in proc.stderr
        assert "review-clerk init" in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not (folder / "data").exists()


def test_a_database_without_its_key_is_refused_naming_the_key_file(cli):
    cli("run", "--once", "--now", "2014-05-12T09:30")
    key_file = _key_file(cli)
    key_file.unlink()
    r = cli("cases", "list")
    assert r.exit_code == 2 and "encryption key" in r.output and str(key_file.name) in r.output
    assert not key_file.exists()


def test_a_key_without_its_database_is_refused_and_no_empty_database_is_made(cli):
    _database_gone(cli)
    r = cli("cases", "list")
    assert r.exit_code == 2, r.output
    assert "exists but there is no database" in r.output and "Traceback" not in r.output
    if not cli.db_env:
        assert not list((cli.folder / "data").glob("review-clerk.db*"))


def test_migrate_makes_an_empty_database_for_an_existing_key_when_asked(cli):
    _database_gone(cli)
    assert cli("migrate").exit_code == 0
    r = cli("cases", "list")
    assert r.exit_code == 0, r.output


def _key_file(cli) -> Path:
    from service.config import load_settings

    return load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env).security.key_file


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}


def test_migrate_without_a_key_makes_no_database(cli):
    _key_file(cli).unlink()
    _database_gone(cli)
    r = cli("migrate")
    assert r.exit_code == 2 and "there is no encryption key at" in r.output
    if not cli.db_env:
        assert not list((cli.folder / "data").glob("review-clerk.db*"))
