"""Every shared sample referral email parses to its expected record, and the record fits the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.intake.parsing import parse_message

SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLES = SHARED / "samples" / "referrals"
SCHEMA = SHARED / "referral.schema.json"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not available")


def _samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.eml")) if SAMPLES.is_dir() else []


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("eml", _samples(), ids=lambda p: p.stem)
def test_sample_parses_to_its_expected_record(eml: Path):
    expected = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    got = parse_message(eml.read_bytes())
    for key, value in expected.items():
        assert got.get(key) == value, key


@pytest.mark.parametrize("eml", _samples(), ids=lambda p: p.stem)
def test_sample_record_validates_against_the_schema(eml: Path, validator):
    got = parse_message(eml.read_bytes())
    validator.validate(got)
    json.dumps(got)  # JSON-serialisable
