"""No traceback reaches a person for an expected failure: one line, and a non-zero exit."""

from __future__ import annotations

import pytest


def test_releasing_a_message_that_does_not_exist_says_not_found_in_one_line(cli):
    r = cli("inbox", "release", "999")
    assert r.exit_code == 1, r.output
    assert "not found: inbox release 999" in r.output
    assert "Traceback" not in r.output and "NoResultFound" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_a_corrupted_database_is_named_as_such_in_one_line(cli):
    if cli.db_env:
        pytest.skip("corrupts the SQLite file")
    cli("cases", "list")
    for f in (cli.folder / "data").glob("review-clerk.db-*"):
        f.unlink()
    (cli.folder / "data" / "review-clerk.db").write_bytes(b"\x00garbage" * 4096)
    r = cli("cases", "list")
    assert r.exit_code == 1, r.output
    assert f"database corrupted: {cli.folder / 'data' / 'review-clerk.db'}" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_a_job_that_fails_makes_run_once_exit_non_zero(cli):
    from service.jobs import JOBS

    def broken(app):
        raise RuntimeError("a bug in a job")

    original = JOBS["meetings"]
    JOBS["meetings"] = broken
    try:
        r = cli("run", "--once", "--now", "2014-05-12T09:30")
    finally:
        JOBS["meetings"] = original
    assert r.exit_code == 1, r.output
    assert "1 job(s) failed: meetings" in r.output


def test_a_job_that_reports_errors_of_its_own_makes_run_once_exit_non_zero(cli):
    from service.jobs import JOBS

    original = JOBS["meetings"]
    JOBS["meetings"] = lambda app: {"scheduled": 0, "errors": 1}
    try:
        r = cli("run", "--once", "--now", "2014-05-12T09:30")
    finally:
        JOBS["meetings"] = original
    assert r.exit_code == 1, r.output
    assert "meetings: errors 1" in r.output and "failed: meetings" in r.output


def test_keys_new_takes_config_like_every_command(cli):
    r = cli("keys", "new", "--config", str(cli.folder / "review-clerk.toml"))
    assert r.exit_code == 0, r.output
    from service.store.crypto import decode_key

    assert len(decode_key(r.stdout.strip(), "output")) == 32


def test_an_unreachable_database_server_is_connection_lost_naming_the_host(tmp_path):
    import shutil
    from pathlib import Path

    from typer.testing import CliRunner

    from service.cli import app

    (tmp_path / "data").mkdir()
    shutil.copyfile(Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml",
                    tmp_path / "review-clerk.toml")
    env = {"REVIEW_CLERK_CONFIG": str(tmp_path / "review-clerk.toml"), "REVIEW_CLERK_TEST_DATABASE_URL": None,
           "REVIEW_CLERK_DATABASE__URL": "postgresql://rc@127.0.0.1:9/review_clerk?connect_timeout=2"}
    r = CliRunner().invoke(app, ["cases", "list"], env=env, catch_exceptions=False)
    assert r.exit_code == 1, r.output
    assert "connection lost: cannot reach the database server 127.0.0.1/review_clerk" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    doctor = CliRunner().invoke(app, ["doctor", "--quick", "--json"], env=env, catch_exceptions=False)
    assert doctor.exit_code == 1 and "connection lost" in doctor.stdout


def test_every_command_that_reads_the_configuration_takes_config():
    from typer.main import get_command

    from service.cli import app

    def commands(group, path=()):
        for name, cmd in group.commands.items():
            if hasattr(cmd, "commands"):
                yield from commands(cmd, path + (name,))
            else:
                yield " ".join(path + (name,)), cmd

    without = sorted(name for name, cmd in commands(get_command(app))
                     if not any("--config" in p.opts for p in cmd.params) and not name.startswith("procedure "))
    assert without == ["demo", "init"]  # they write their own; `procedure` commands read a pack
