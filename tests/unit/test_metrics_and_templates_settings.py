"""[metrics] listen (off unless set) and [letters] templates_dir (templates edited outside the install)."""

from pathlib import Path

import pytest

from service.config import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    p = tmp_path / "review-clerk.toml"
    p.write_text(EXAMPLE.read_text(), encoding="utf-8")
    return p


def test_metrics_are_off_unless_an_address_is_given(cfg):
    assert load_settings(cfg, environ={}).metrics.listen is None


@pytest.mark.parametrize("listen, address", [("127.0.0.1:9464", ("127.0.0.1", 9464)),
                                             ("0.0.0.0:9464", ("0.0.0.0", 9464)),
                                             ("[::1]:9464", ("::1", 9464))])
def test_the_metrics_address_is_a_host_and_a_port(cfg, listen, address):
    metrics = load_settings(cfg, environ={"REVIEW_CLERK_METRICS__LISTEN": listen}).metrics
    assert metrics.listen == listen and metrics.address == address


@pytest.mark.parametrize("listen", ["9464", "localhost", "127.0.0.1:http", "127.0.0.1:70000", ":9464"])
def test_a_metrics_address_without_a_usable_port_is_refused_naming_the_key(cfg, listen):
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg, environ={"REVIEW_CLERK_METRICS__LISTEN": listen})
    assert f"metrics.listen = {listen!r}" in str(exc.value) and "host:port" in str(exc.value)


def test_a_relative_templates_folder_is_read_beside_the_configuration(cfg):
    (cfg.parent / "my-templates").mkdir()
    settings = load_settings(cfg, environ={"REVIEW_CLERK_LETTERS__TEMPLATES_DIR": "my-templates"})
    assert settings.letters.templates_dir == (cfg.parent / "my-templates").resolve()


def test_a_templates_folder_that_does_not_exist_stops_start_up_naming_it(cfg, tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg, environ={"REVIEW_CLERK_LETTERS__TEMPLATES_DIR": str(tmp_path / "nowhere")})
    assert "letters.templates_dir" in str(exc.value) and "nowhere" in str(exc.value)


def test_the_key_file_setting_can_be_given_in_the_environment(cfg):
    # REVIEW_CLERK_SECURITY__KEY_FILE names the setting key_file (a path; the Docker image's /keys volume),
    # not a file holding a setting called "key".
    settings = load_settings(cfg, environ={"REVIEW_CLERK_SECURITY__KEY_FILE": "/keys/review-clerk.key"})
    assert settings.security.key_file == Path("/keys/review-clerk.key")


def test_a_secret_named_with_file_is_still_read_from_that_file(cfg, tmp_path):
    key = tmp_path / "key.b64"
    key.write_text("c2VjcmV0LWtleS1mb3ItdGhlLXRlc3Qtb25seS0zMmJ5dGVzIQ==\n")
    settings = load_settings(cfg, environ={"REVIEW_CLERK_SECURITY__ENCRYPTION_KEY_FILE": str(key)})
    assert settings.security.encryption_key.get_secret_value() == key.read_text().strip()


def test_the_example_metrics_block_uncommented_is_a_valid_configuration(cfg):
    text = cfg.read_text().replace("# [metrics]\n", "[metrics]\n").replace('# listen = "127.0.0.1:9464"',
                                                                          'listen = "127.0.0.1:9464"')
    assert text != cfg.read_text()
    cfg.write_text(text)
    assert load_settings(cfg, environ={}).metrics.address == ("127.0.0.1", 9464)
