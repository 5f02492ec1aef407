"""Settings: a bad or missing value stops start-up with one message naming key, value and expectation."""

from pathlib import Path

import pytest

from service.config import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "review-clerk.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_the_example_configuration_is_valid_and_puts_data_beside_it(tmp_path):
    cfg = write(tmp_path, EXAMPLE.read_text())
    s = load_settings(cfg, environ={})
    assert s.mail.backend == "local"
    assert s.data_dir == (tmp_path / "data").resolve()
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("data/review-clerk.db")
    assert s.agency("met-police").chief_executive.email == "borough.commander@met-police.example.org"


def test_a_bad_value_is_named_with_its_key_value_and_what_was_expected(tmp_path):
    cfg = write(tmp_path, EXAMPLE.read_text().replace('time_zone = "Europe/London"', 'time_zone = "Mars/Olympus"'))
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg, environ={})
    message = str(exc.value)
    assert "board.time_zone = 'Mars/Olympus'" in message and "IANA time zone" in message


def test_a_missing_required_value_is_named(tmp_path):
    text = EXAMPLE.read_text().replace('mailbox = "escb.business.manager@enfield.example.org"\n', "", 1)
    with pytest.raises(ConfigError) as exc:
        load_settings(write(tmp_path, text), environ={})
    assert "board.mailbox: missing" in str(exc.value)


def test_environment_variables_override_the_file(tmp_path):
    cfg = write(tmp_path, EXAMPLE.read_text())
    s = load_settings(cfg, environ={"REVIEW_CLERK_DATABASE__URL": "postgresql://x@db/rc",
                                    "REVIEW_CLERK_INTAKE__HOLD_UNKNOWN_SENDERS": "false"})
    assert s.database_url == "postgresql://x@db/rc"
    assert s.intake.hold_unknown_senders is False


def test_secrets_can_come_from_a_file_and_are_never_echoed(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-value\n")
    text = EXAMPLE.read_text().replace('backend = "local"', 'backend = "graph"').replace(
        '# tenant_id = "00000000-0000-0000-0000-000000000000"', 'tenant_id = "t"').replace(
        '# client_id = "00000000-0000-0000-0000-000000000000"', 'client_id = "c"')
    cfg = write(tmp_path, text)
    s = load_settings(cfg, environ={"REVIEW_CLERK_GRAPH__CLIENT_SECRET_FILE": str(secret)})
    assert s.graph.client_secret.get_secret_value() == "s3cret-value"
    assert "s3cret" not in repr(s.graph)


def test_graph_backend_without_credentials_is_refused(tmp_path):
    cfg = write(tmp_path, EXAMPLE.read_text().replace('backend = "local"', 'backend = "graph"'))
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg, environ={})
    assert "graph.tenant_id is required" in str(exc.value)


def test_an_unknown_setting_is_refused_rather_than_ignored(tmp_path):
    cfg = write(tmp_path, EXAMPLE.read_text().replace("[intake]", "[intake]\nmax_mesage_mb = 5"))
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg, environ={})
    assert "intake.max_mesage_mb" in str(exc.value)


def test_a_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path / "nope.toml", environ={})
    assert "review-clerk init" in str(exc.value)
