"""Property: parse_message returns a schema-valid dict for any bytes, mutated samples included, and never raises."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referral_schema import samples, validator

from service.intake.parsing import Limits, extract_fields, parse_message

HERE = Path(__file__).resolve().parent
SAMPLES = samples() + sorted((HERE / "corpus").glob("*.eml"))
SEEDS = [p.read_bytes() for p in SAMPLES if p.stat().st_size < 200_000]
VALIDATOR = validator(check_formats=False)
SMALL = Limits(max_message_bytes=400_000, max_expanded_bytes=5_000_000, max_attachments=10, max_pdf_pages=5)


@st.composite
def mutated_messages(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "repeat"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at:at + draw(st.integers(1, 300))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
    return bytes(data)


def _check(record: dict) -> None:
    json.dumps(record)
    assert record["is_referral"] in (True, False)
    VALIDATOR.validate(record)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_messages())
def test_mutated_samples_never_raise_and_fit_the_schema(raw):
    _check(parse_message(raw, SMALL))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_and_fit_the_schema(raw):
    _check(parse_message(raw, SMALL))
    assert isinstance(extract_fields(raw, SMALL)["missing"], list)
