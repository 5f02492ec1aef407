"""Personal data is sealed in the database; a wrong or lost key stops start-up; keys rotate."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from service.bootstrap import build_app
from service.config import load_settings
from service.domain.model import Case, Referrer, Subject
from service.store.crypto import KeyProblem, encode_key, new_key, read_key_file
from service.store.keys import rotate
from service.procedure.pack import default as _default_procedure

SCR_PROCEDURE = _default_procedure()

AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
NAME = "Amelia Sealed"


def open_case(app) -> None:
    case = Case.open("ESCB-2014-001", date(2014, 5, 12), AT, "test",
                     subjects=[Subject(NAME, "child", "child", date(2010, 2, 3), "1 Hidden Road")],
                     referrer=Referrer("Karen Sample", "Police", "020", "k@met-police.example.org"), procedure=SCR_PROCEDURE)
    with app.db.unit_of_work() as uow:
        uow.cases.add(case, 2014, 1, referral={"summary": f"{NAME} was hurt."})
        uow.inbox.store("m1", f"Subject: x\r\n\r\n{NAME}".encode(), "<m1@x>", None, AT, "k@met-police.example.org")
        uow.commit()


def raw_column(app, sql: str) -> bytes:
    with app.db.engine.connect() as conn:
        return bytes(conn.execute(text(sql)).scalar())


def test_names_dates_of_birth_addresses_and_raw_mail_are_sealed_in_the_database(app):
    open_case(app)
    for sql in ("SELECT subjects FROM cases", "SELECT referral FROM cases", "SELECT raw FROM inbound_messages"):
        stored = raw_column(app, sql)
        assert stored.startswith(b"RC1")
        for secret in (NAME.encode(), b"Hidden Road", b"2010-02-03"):
            assert secret not in stored
    with app.db.unit_of_work() as uow:  # and read back through the repository as they were
        assert uow.cases.get("ESCB-2014-001").subjects[0].name == NAME


def test_reasons_people_write_are_sealed_because_they_may_name_the_family(app):
    from service import cases
    from service.domain.model_types import Outcome

    open_case(app)
    cases.extend(app, "ESCB-2014-001", "ofsted_incident_notification", date(2014, 6, 30),
                 f"police asked us to wait: {NAME} is a witness", "bm")
    app.clock.set(datetime(2014, 5, 20, 10, tzinfo=timezone.utc))
    cases.decide(app, "ESCB-2014-001", Outcome.NONE, date(2014, 5, 20), f"{NAME}'s injuries were accidental", "chair")
    for sql in ("SELECT decision_reason FROM cases", "SELECT reason FROM audit_events WHERE reason IS NOT NULL",
                "SELECT reason FROM deadlines WHERE reason IS NOT NULL"):
        stored = raw_column(app, sql)
        assert stored.startswith(b"RC1") and NAME.encode() not in stored, sql
    shown = cases.show(app, "ESCB-2014-001")
    assert shown["decision_reason"] == f"{NAME}'s injuries were accidental"
    with app.db.unit_of_work() as uow:
        assert uow.audit.verify()[1] == []


def test_reasons_stored_in_clear_before_the_upgrade_are_sealed_at_the_next_start(app, settings, clock):
    """Migration 0004 has no key: it marks the old plain text, and the service seals it when it starts."""
    from alembic import command
    from alembic.config import Config

    from service import cases
    from service.domain.model_types import Outcome
    from service.store.db import MIGRATIONS

    open_case(app)
    app.clock.set(datetime(2014, 5, 20, 10, tzinfo=timezone.utc))
    cases.decide(app, "ESCB-2014-001", Outcome.NONE, date(2014, 5, 20), f"{NAME} is safe at home", "chair")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with app.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with app.db.engine.connect() as conn:  # plain text again, as before 0004
        assert conn.execute(text("SELECT decision_reason FROM cases")).scalar() == f"{NAME} is safe at home"
    app.db.dispose()
    restarted = build_app(settings, clock)  # migrates to 0004, then seals with the key
    stored = raw_column(restarted, "SELECT decision_reason FROM cases")
    assert stored.startswith(b"RC1") and NAME.encode() not in stored
    assert cases.show(restarted, "ESCB-2014-001")["decision_reason"] == f"{NAME} is safe at home"
    with restarted.db.unit_of_work() as uow:
        assert uow.audit.verify()[1] == []
        assert uow.state.get("seal_pending") is None


def test_the_sqlite_file_itself_never_holds_a_name(app):
    if app.db.dialect != "sqlite":
        pytest.skip("a file check for SQLite")
    open_case(app)
    app.db.dispose()
    blob = b"".join(p.read_bytes() for p in app.settings.data_dir.glob("review-clerk.db*"))
    assert NAME.encode() not in blob and b"Hidden Road" not in blob


def test_a_wrong_key_stops_start_up_with_a_clear_error_never_garbage(app, settings, clock):
    open_case(app)
    app.db.dispose()
    wrong = settings.model_copy(update={"security": settings.security.model_copy(
        update={"encryption_key": _secret(encode_key(new_key()))})})
    with pytest.raises(KeyProblem, match="does not match this database"):
        build_app(wrong, clock)


def test_a_lost_key_file_is_refused_once_the_database_holds_sealed_data(app, settings, clock):
    open_case(app)
    app.db.dispose()
    settings.security.key_file.unlink()
    with pytest.raises(KeyProblem, match="restore the key file"):
        build_app(settings, clock)


def test_a_new_database_gets_a_key_file_only_its_owner_can_read(app, settings):
    assert settings.security.key_file.exists()
    assert settings.security.key_file.stat().st_mode & 0o077 == 0


def test_an_altered_value_fails_its_integrity_check(app):
    open_case(app)
    stored = bytearray(raw_column(app, "SELECT subjects FROM cases"))
    stored[-1] ^= 0x01
    with app.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET subjects = :v"), {"v": bytes(stored)})
    with app.db.unit_of_work() as uow, pytest.raises(KeyProblem, match="integrity"):
        uow.cases.get("ESCB-2014-001")


def test_keys_rotate_reseals_everything_and_retires_the_old_key(app, settings, clock):
    open_case(app)
    old = read_key_file(settings.security.key_file)
    old_id = raw_column(app, "SELECT subjects FROM cases")[3:7]
    counts = rotate(settings, app.db)
    assert counts == {"cases": 1, "deadlines": 3, "audit_events": 4, "meetings": 0, "inbound_messages": 1,
                      "outbox": 0, "agency_returns": 0, "report_checks": 0}
    new = read_key_file(settings.security.key_file)
    assert len(new) == 1 and new != old
    assert raw_column(app, "SELECT raw FROM inbound_messages")[3:7] != old_id
    app.db.dispose()
    restarted = build_app(settings, clock)
    with restarted.db.unit_of_work() as uow:
        assert uow.cases.get("ESCB-2014-001").subjects[0].name == NAME
        assert uow.audit.verify()[1] == []
    restarted.db.dispose()
    settings.security.key_file.write_text(encode_key(old[0]) + "\n")
    with pytest.raises(KeyProblem):
        build_app(settings, clock)


def test_the_cli_reports_a_key_problem_in_one_line_with_exit_status_2(cli):
    cli("cases", "list")  # creates the database and its key
    key_file = load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env).security.key_file
    key_file.write_text(encode_key(new_key()) + "\n")
    result = cli("cases", "list")
    assert result.exit_code == 2 and "encryption key error" in result.output
    assert "Traceback" not in result.output


def _secret(value: str):
    from pydantic import SecretStr

    return SecretStr(value)


def test_load_settings_reads_the_key_from_a_file_named_in_the_environment(tmp_path, config_dir):
    key_file = tmp_path / "secret-key"
    key = encode_key(new_key())
    key_file.write_text(key + "\n")
    s = load_settings(config_dir / "review-clerk.toml",
                      environ={"REVIEW_CLERK_SECURITY__ENCRYPTION_KEY_FILE": str(key_file)})
    assert s.security.encryption_key.get_secret_value() == key
