"""The generated corpus (tests/intake/corpus, made by make_corpus.py) parses to its expected records.

Each ``.json`` holds exact values for the keys it has; its optional
``_expect`` holds phrases that ``needs_person`` and the ``unreadable``
reasons must contain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.intake.parsing import parse_message

CORPUS = Path(__file__).resolve().parent / "corpus"
SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "referral.schema.json"
CASES = sorted(CORPUS.glob("*.eml"))


def test_corpus_is_large_and_varied():
    kinds = {json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))["kind"] for p in CASES}
    assert len(CASES) >= 40
    assert {"referral", "auto_reply", "delivery_failure", "meeting_response", "mailing_list", "enquiry", "empty",
            "own_message"} <= kinds


@pytest.mark.parametrize("eml", CASES, ids=lambda p: p.stem)
def test_corpus_case_parses_to_its_expected_record(eml: Path):
    expected = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    checks = expected.pop("_expect", {})
    got = parse_message(eml.read_bytes())
    for key, value in expected.items():
        assert got.get(key) == value, key
    if "needs_person" in checks:
        assert got["needs_person"] and checks["needs_person"] in got["needs_person"]
    else:
        assert got["needs_person"] is None
    for phrase in checks.get("unreadable", []):
        assert any(phrase in u["reason"] for u in got["unreadable"]), (phrase, got["unreadable"])


@pytest.mark.skipif(not SCHEMA.is_file(), reason="shared schema not available")
@pytest.mark.parametrize("eml", CASES, ids=lambda p: p.stem)
def test_corpus_record_validates_against_the_schema(eml: Path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(parse_message(eml.read_bytes()))


def test_corpus_files_are_what_the_generator_makes():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    try:
        spec.loader.exec_module(module)
        cases = module.cases()
    finally:
        sys.modules.pop("make_corpus", None)
    assert sorted(c.name for c in cases) == [p.stem for p in CASES]
    for case in cases:
        assert (CORPUS / f"{case.name}.eml").read_bytes() == case.eml, case.name
        assert json.loads((CORPUS / f"{case.name}.json").read_text(encoding="utf-8")) == case.expected, case.name
