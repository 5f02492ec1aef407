"""`[letters]` in the configuration: who checks and sends which letter."""

from pathlib import Path

import pytest

from service.config import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


def settings_with(tmp_path, letters: str):
    path = tmp_path / "review-clerk.toml"
    path.write_text(EXAMPLE.read_text() + "\n[letters]\n" + letters + "\n")
    return load_settings(path, environ={})


def test_the_example_configuration_sends_everything_automatically_but_the_incident_notification():
    from service.letters.triggers import mode_for

    s = load_settings(EXAMPLE, environ={})
    assert s.letters.review == {}
    from service.procedure.pack import default

    assert mode_for("incident_notification", s, procedure=default()) == ("review", "escb.chair@enfield.example.org")
    assert mode_for("imr_letter", s, procedure=default()) == ("auto", None)


def test_a_reviewer_is_an_address_or_auto(tmp_path):
    s = settings_with(tmp_path, 'review = { imr_letter = " Chair@Enfield.example.org ", incident_notification = "AUTO" }')
    assert s.letters.review == {"imr_letter": "chair@enfield.example.org", "incident_notification": "auto"}
    with pytest.raises(ConfigError, match=r"letters\.review.*'imr_letter'.*\"auto\" or the address"):
        settings_with(tmp_path, 'review = { imr_letter = "the Chair" }')


def test_a_letter_name_this_version_does_not_send_stops_the_service_at_start_up(tmp_path):
    from service.letters.render import TemplateProblem
    from service.letters.samples import sample_contexts

    from service.procedure.pack import default

    class App:
        settings = settings_with(tmp_path, 'review = { imr_leter = "auto" }')
        procedure = default()

    with pytest.raises(TemplateProblem, match="review names imr_leter"):
        sample_contexts(App())
