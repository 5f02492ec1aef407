"""Shared by the chronology tests: the committed fixtures and what each should read as."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((FIXTURES / "expected.json").read_text())


@pytest.fixture(scope="session")
def report_expected() -> dict:
    return json.loads((FIXTURES / "report_expected.json").read_text())


@pytest.fixture(scope="session")
def all_read(expected):
    from service.chronology.read import read_path

    return [read_path(FIXTURES / name) for name in expected]
