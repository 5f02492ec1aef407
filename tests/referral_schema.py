"""The referral schema the package ships, and the sample referral emails kept with the tests.

Both are part of the repository (``service/intake/referral.schema.json``,
``tests/samples/referrals``): a test that needs them fails when they are gone,
it never skips.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

SCHEMA_FILE = resources.files("service.intake").joinpath("referral.schema.json")
SAMPLES = Path(__file__).resolve().parent / "samples" / "referrals"


def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def validator(*, check_formats: bool = True) -> jsonschema.Draft202012Validator:
    """A validator of the schema; ``check_formats`` also checks ``format`` (dates, emails)."""
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER if check_formats else None
    return jsonschema.Draft202012Validator(schema(), format_checker=checker)


def samples() -> list[Path]:
    """The sample emails (each with its expected ``.json`` beside it); an empty or missing folder is an error."""
    found = sorted(SAMPLES.glob("*.eml"))
    if not found:
        raise FileNotFoundError(f"no sample referral emails in {SAMPLES}")
    return found
