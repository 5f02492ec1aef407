"""Unit tests run without a database or a mailbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.clock import FixedClock
from service.config import load_settings
from service.letters.render import Templates
from service.procedure.pack import default

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


@dataclass
class FakeApp:
    """What rendering needs of the app: settings, templates, a clock, the procedure. No database, no mailbox."""

    settings: object
    templates: Templates = field(default_factory=Templates)
    procedure: object = field(default_factory=lambda: default())
    clock: FixedClock = field(default_factory=lambda: FixedClock(datetime(2014, 5, 22, 9, tzinfo=timezone.utc)))
    quarantine_folder_name: str = "quarantine"

    def today(self) -> date:
        return self.clock.now().date()


@pytest.fixture(scope="module")
def app():
    return FakeApp(load_settings(EXAMPLE, environ={}))
