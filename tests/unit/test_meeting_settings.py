"""The [meetings] settings: defaults, per-kind overrides, and mistakes named at start-up."""

from pathlib import Path

import pytest

from service.config import ConfigError, load_settings
from service.meetings.kinds import kind_for
from service.procedure.pack import default

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


def settings_with(tmp_path: Path, keys: str = "", tables: str = ""):
    """The example, with ``keys`` added to [meetings] and ``tables`` at the end."""
    cfg = tmp_path / "review-clerk.toml"
    cfg.write_text(EXAMPLE.read_text().replace("[meetings]\n", "[meetings]\n" + keys, 1) + "\n" + tables)
    return load_settings(cfg, environ={})


def test_a_kind_can_be_given_another_window_and_required_roles(tmp_path):
    s = settings_with(tmp_path, tables="[meetings.kinds.progress]\nwithin_working_days = 5\nrequired_roles = [\"chair\"]\n")
    progress = kind_for("progress", default(), s.meetings)
    assert progress.within_working_days == 5 and progress.required_roles == ("chair",)
    assert progress.agenda == kind_for("progress", default()).agenda  # what was not overridden stays
    assert kind_for("progress", s.meetings) == progress  # the settings alone (as before packs): the shipped pack


def test_an_unknown_meeting_kind_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="meetings.kinds.*meeting kinds from extraordinary"):
        settings_with(tmp_path, tables="[meetings.kinds.tea]\nwithin_working_days = 5\n")


def test_a_meeting_in_person_needs_a_room(tmp_path):
    with pytest.raises(ConfigError, match=r"a location \(the meeting room\) when online = false"):
        settings_with(tmp_path, "online = false\n")
    s = settings_with(tmp_path, "online = false\nlocation = \"Room 1, Civic Centre\"\n")
    assert s.meetings.location == "Room 1, Civic Centre"
