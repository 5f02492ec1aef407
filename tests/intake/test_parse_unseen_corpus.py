"""The red-team set (tests/intake/unseen, made by make_unseen.py) parses to its expected records.

Emails written unlike the sample referrals and the corpus: other agencies' wordings, layouts, date
styles and encodings. The cases in ``NOT_YET_READ`` are known failures (strict xfail, so that one
that starts passing is noticed and moved out of the list); every other case must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from generated_sets import assert_files_are_what_the_generator_makes, assert_parses_to_its_expected_record

from service.intake.parsing import parse_message

UNSEEN = Path(__file__).resolve().parent / "unseen"
CASES = sorted(UNSEEN.glob("*.eml"))

NOT_YET_READ: dict[str, str] = {}  # stem -> why it is not read yet


@pytest.mark.parametrize("eml", CASES, ids=lambda p: p.stem)
def test_unseen_case_parses_to_its_expected_record(eml: Path, request):
    if eml.stem in NOT_YET_READ:
        request.applymarker(pytest.mark.xfail(reason=NOT_YET_READ[eml.stem], strict=True))
    assert_parses_to_its_expected_record(eml)


def test_unseen_set_is_large_and_from_the_generator():
    assert len(CASES) >= 40
    assert_files_are_what_the_generator_makes(UNSEEN / "make_unseen.py")


def test_reason_for_referral_is_the_summary_when_the_form_asks_for_the_criteria_separately():
    base = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: SCR referral\r\nDate: Tue, 03 Feb 2015 09:00:00 +0000\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Child's name: Ann Lee\r\nDOB: 01/01/2010\r\n\r\nDate: 03/02/2015\r\n\r\nReason for referral:\r\nAnn was found injured at home.\r\n\r\n")
    with_criteria = parse_message(base + b"Criteria:\r\nWhy it meets them.\r\n\r\nReferrer: Jo Bloggs\r\n")
    assert (with_criteria["summary"], with_criteria["criteria_statement"]) == ("Ann was found injured at home.", "Why it meets them.")
    alone = parse_message(base + b"Summary:\r\nAn account.\r\n\r\nReferrer: Jo Bloggs\r\n")
    assert (alone["summary"], alone["criteria_statement"]) == ("An account.", "Ann was found injured at home.")
