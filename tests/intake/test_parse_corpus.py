"""The generated corpus (tests/intake/corpus, made by make_corpus.py) parses to its expected records.

Each ``.json`` holds exact values for the keys it has; its optional
``_expect`` holds phrases that ``needs_person`` and the ``unreadable``
reasons must contain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from generated_sets import assert_files_are_what_the_generator_makes, assert_parses_to_its_expected_record
from referral_schema import validator

from service.intake.parsing import parse_message

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(CORPUS.glob("*.eml"))


def test_corpus_is_large_and_varied():
    kinds = {json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))["kind"] for p in CASES}
    assert len(CASES) >= 40
    assert {"referral", "auto_reply", "delivery_failure", "meeting_response", "mailing_list", "enquiry", "empty",
            "own_message"} <= kinds


@pytest.mark.parametrize("eml", CASES, ids=lambda p: p.stem)
def test_corpus_case_parses_to_its_expected_record(eml: Path):
    assert_parses_to_its_expected_record(eml, needs_person_only_if_expected=True)


@pytest.fixture(scope="module")
def schema_validator():
    return validator()


@pytest.mark.parametrize("eml", CASES, ids=lambda p: p.stem)
def test_corpus_record_validates_against_the_schema(eml: Path, schema_validator):
    schema_validator.validate(parse_message(eml.read_bytes()))


def test_corpus_files_are_what_the_generator_makes():
    assert_files_are_what_the_generator_makes(CORPUS / "make_corpus.py")
