"""Every sample referral email (tests/samples/referrals) parses to its expected record, and the record fits the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from referral_schema import samples, validator

from service.intake.parsing import parse_message

SAMPLES = samples()


def test_the_samples_are_all_there_each_with_its_expected_record():
    assert len(SAMPLES) == 12
    assert all(eml.with_suffix(".json").is_file() for eml in SAMPLES)


@pytest.fixture(scope="module")
def schema_validator():
    return validator()


@pytest.mark.parametrize("eml", SAMPLES, ids=lambda p: p.stem)
def test_sample_parses_to_its_expected_record(eml: Path):
    expected = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    got = parse_message(eml.read_bytes())
    for key, value in expected.items():
        assert got.get(key) == value, key


@pytest.mark.parametrize("eml", SAMPLES, ids=lambda p: p.stem)
def test_sample_record_validates_against_the_schema(eml: Path, schema_validator):
    got = parse_message(eml.read_bytes())
    schema_validator.validate(got)
    json.dumps(got)  # JSON-serialisable


@pytest.mark.parametrize("eml", SAMPLES, ids=lambda p: p.stem)
def test_review_clerk_parse_prints_the_record_as_json_that_fits_the_schema(eml: Path, schema_validator):
    from typer.testing import CliRunner

    from service.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["parse", str(eml)], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    schema_validator.validate(printed)
    assert printed == json.loads(json.dumps(parse_message(eml.read_bytes()), default=str))
