"""`review-clerk doctor` is the health check: it fails what would stop the service, and changes nothing."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text

from service.config import load_settings
from service.health import example_addresses


def doctor(cli, *args: str) -> tuple[int, dict[str, dict]]:
    r = cli("doctor", "--json", *args)
    return r.exit_code, {row["check"]: row for row in json.loads(r.stdout)}


def _settings(cli):
    return load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env)


def _sql(cli, statement: str, **params) -> None:
    engine = create_engine(_settings(cli).database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


def test_a_fresh_install_is_healthy_with_a_warning_that_no_run_was_seen_yet(cli):
    code, rows = doctor(cli)
    assert code == 0, rows
    assert rows["heartbeat"]["result"] == "warning" and "no run" in rows["heartbeat"]["detail"]
    for check in ("configuration", "data folders", "disk space", "database", "encryption key", "file permissions"):
        assert rows[check]["result"] == "ok", rows[check]


def test_after_a_run_each_job_has_a_heartbeat_and_a_stalled_one_fails(cli):
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    code, rows = doctor(cli)
    assert code == 0, rows
    assert rows["heartbeat read_inbox"]["result"] == "ok"
    old = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    _sql(cli, "UPDATE service_state SET value = :v WHERE name = 'heartbeat:read_inbox'",
         v=json.dumps({"at": old, "by": "host:1"}))
    code, rows = doctor(cli, "--quick")
    assert code == 1
    assert rows["heartbeat read_inbox"]["result"] == "failed" and "limit 3 min" in rows["heartbeat read_inbox"]["detail"]
    assert rows["heartbeat send_outbox"]["result"] == "ok"


def test_a_wrong_key_fails(cli):
    from service.store.crypto import encode_key, new_key

    _settings(cli).security.key_file.write_text(encode_key(new_key()) + "\n")
    code, rows = doctor(cli, "--quick")
    assert code == 1 and rows["encryption key"]["result"] == "failed"
    assert "does not match" in rows["encryption key"]["detail"]


def test_an_unreadable_key_fails(cli):
    _settings(cli).security.key_file.write_text("not a key\n")
    code, rows = doctor(cli, "--quick")
    assert code == 1 and "does not hold an encryption key" in rows["encryption key"]["detail"]


def test_a_corrupted_sqlite_file_fails(cli):
    if cli.db_env:
        return  # a file check: PostgreSQL has no file to corrupt (the unreachable server is its own test)
    db_file = cli.folder / "data" / "review-clerk.db"
    for f in db_file.parent.glob("review-clerk.db-*"):
        f.unlink()
    db_file.write_bytes(b"\x00garbage" * 4096)
    code, rows = doctor(cli, "--quick")
    assert code == 1 and rows["database"]["detail"].startswith(f"database corrupted: {db_file}")


def test_a_database_behind_the_latest_migration_fails_and_is_not_migrated(cli):
    from service.store.db import Database

    _sql(cli, "UPDATE alembic_version SET version_num = '0003'")
    code, rows = doctor(cli, "--quick")
    assert code == 1 and "run `review-clerk migrate`" in rows["database"]["fix"]
    db = Database(_settings(cli).database_url)
    try:
        assert db.revision() == "0003"  # doctor did not migrate it
    finally:
        db.dispose()


def test_a_missing_data_folder_fails_and_is_not_created(cli, tmp_path):
    (cli.folder / "review-clerk.toml").write_text(
        (cli.folder / "review-clerk.toml").read_text().replace('data_dir = "data"', 'data_dir = "typo"'))
    code, rows = doctor(cli, "--quick")
    assert code == 1 and rows["data folder"]["result"] == "failed"
    assert not (cli.folder / "typo").exists()


def test_files_readable_by_others_are_warned_about(cli):
    sent = cli.folder / "data" / "mail" / "processed" / "dropped.eml"
    sent.write_bytes(b"Subject: x\r\n\r\nx")
    os.chmod(sent, 0o644)
    code, rows = doctor(cli, "--quick")
    assert code == 0 and rows["file permissions"]["result"] == "warning"
    assert "readable by others" in rows["file permissions"]["detail"]


def test_a_graph_backend_with_example_addresses_is_a_configuration_failure_exit_2_and_quick_stays_offline(cli):
    env = {"REVIEW_CLERK_MAIL__BACKEND": "graph", "REVIEW_CLERK_GRAPH__TENANT_ID": "t",
           "REVIEW_CLERK_GRAPH__CLIENT_ID": "c", "REVIEW_CLERK_GRAPH__CLIENT_SECRET": "s",
           "REVIEW_CLERK_PEOPLE__CHAIR__EMAIL": "chair@example.org", "REVIEW_CLERK_GRAPH__SECRET_EXPIRES": "2020-01-31",
           "REVIEW_CLERK_GRAPH__ENDPOINT": "https://127.0.0.1:9/v1.0/",
           "REVIEW_CLERK_GRAPH__AUTHORITY": "https://127.0.0.1:9"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        code, rows = doctor(cli, "--quick")
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert code == 2
    assert "people.chair.email = chair@example.org" in rows["configuration"]["detail"]
    assert rows["mailbox"]["detail"].startswith("not checked (--quick")
    assert "token" not in rows
    assert rows["client secret"]["result"] == "failed" and "expired on 2020-01-31" in rows["client secret"]["detail"]


def test_example_addresses_lists_every_example_by_key(cli):
    settings = _settings(cli)
    chair = settings.people.chair.model_copy(update={"email": "chair@example.org"})
    agencies = list(settings.agencies)
    agencies[0] = agencies[0].model_copy(update={"domains": ("mail.example.net",)})
    changed = settings.model_copy(update={
        "people": settings.people.model_copy(update={"chair": chair}), "agencies": tuple(agencies),
        "notifications": settings.notifications.model_copy(update={"ofsted": "ofsted@example.com"})})
    before = example_addresses(settings)
    found = example_addresses(changed)
    assert {k: v for k, v in found.items() if k not in before} == {
        "people.chair.email": "chair@example.org", "agencies[0].domains[0]": "mail.example.net",
        "notifications.ofsted": "ofsted@example.com"}
    assert "board.website" not in found


def test_a_job_that_fails_writes_no_heartbeat_and_doctor_names_it(cli):
    from service.jobs import JOBS

    original = JOBS["meetings"]
    JOBS["meetings"] = lambda app: {"errors": 1}
    try:
        assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 1
    finally:
        JOBS["meetings"] = original
    code, rows = doctor(cli, "--quick")
    assert code == 1
    assert rows["heartbeat meetings"]["result"] == "failed" and rows["heartbeat meetings"]["detail"] == "never succeeded"
    assert rows["heartbeat read_inbox"]["result"] == "ok"
